#include "cluster/name_service.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <string_view>
#include <thread>

namespace chat::cluster {
namespace {

using clock = std::chrono::steady_clock;

// libnats keeps the last error per thread: read it on the thread that failed.
std::string last_error(natsStatus status) {
  const char* text = nats_GetLastError(nullptr);
  return text != nullptr && *text != '\0' ? text : natsStatus_GetText(status);
}

constexpr auto retry_pause = std::chrono::milliseconds(200);

// Observes, when it goes out of scope, the time since it was made.
class timed {
 public:
  explicit timed(server::metrics_histogram& h) : histogram_(h) {}
  ~timed() { histogram_.observe(clock::now() - start_); }
  timed(const timed&) = delete;
  timed& operator=(const timed&) = delete;

 private:
  server::metrics_histogram& histogram_;
  clock::time_point start_ = clock::now();
};

}  // namespace

name_service::name_service(natsConnection* connection, int replicas, std::chrono::milliseconds lease,
                           std::chrono::milliseconds wait, cluster_stats& stats)
    : connection_(connection), stats_(stats) {
  // Each JetStream request gives up after 1.5 s rather than the default 5: a request sent
  // during a leader election may go unanswered, and the retry after it must come in time.
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = 1500;
  if (natsConnection_JetStream(&js_, connection_, &options) != NATS_OK)
    throw std::runtime_error("cannot create a JetStream context");
  const auto deadline = clock::now() + wait;
  std::string why;
  while (true) {
    jsAccountInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    const auto status = js_GetAccountInfo(&info, js_, nullptr, &code);
    if (status == NATS_OK) {
      jsAccountInfo_Destroy(info);
      break;
    }
    why = last_error(status);
    // A server without JetStream does not answer its API at all; one that is still
    // electing its meta leader does, with an error, or times out.
    if (status == NATS_NO_RESPONDERS) {
      throw std::runtime_error("the NATS server has no JetStream (start nats-server with -js): " + why);
    }
    if (code == JSNotEnabledErr || code == JSNotEnabledForAccountErr) {
      throw std::runtime_error("JetStream is not enabled on the NATS server (start nats-server with -js): " + why);
    }
    if (clock::now() > deadline) throw std::runtime_error("JetStream did not become ready: " + why);
    std::this_thread::sleep_for(retry_pause);
  }

  kv_ = open_bucket(bucket, replicas, std::chrono::milliseconds(0), deadline);
  leases_ = open_bucket(lease_bucket, replicas, lease, deadline);
}

kvStore* name_service::open_bucket(const char* name, int replicas, std::chrono::milliseconds ttl,
                                   clock::time_point deadline) {
  const auto stream = "KV_" + std::string(name);
  while (true) {
    kvStore* kv = nullptr;
    natsStatus status = js_KeyValue(&kv, js_, name);
    if (status == NATS_OK) return kv;
    if (status == NATS_NOT_FOUND) {
      kvConfig config;
      kvConfig_Init(&config);
      config.Bucket = name;
      config.History = 1;
      config.Replicas = replicas;
      config.StorageType = js_MemoryStorage;
      config.TTL = std::chrono::duration_cast<std::chrono::nanoseconds>(ttl).count();
      status = js_CreateKeyValue(&kv, js_, &config);
      if (status == NATS_OK) {
        // Direct get off, then bind again: the handle decides at bind time how it reads.
        kvStore_Destroy(kv);
        jsStreamInfo* info = nullptr;
        status = js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, nullptr);
        if (status == NATS_OK) {
          info->Config->AllowDirect = false;
          jsStreamInfo* updated = nullptr;
          status = js_UpdateStream(&updated, js_, info->Config, nullptr, nullptr);
          jsStreamInfo_Destroy(updated);
          jsStreamInfo_Destroy(info);
        }
        if (status == NATS_OK) continue;  // bind to the finished bucket
      }
    }
    const auto why = last_error(status);
    if (clock::now() > deadline) throw std::runtime_error("cannot open the bucket " + std::string(name) + ": " + why);
    std::this_thread::sleep_for(retry_pause);
  }
}

name_service::~name_service() {
  reset_lease_watch();
  if (kv_ != nullptr) kvStore_Destroy(kv_);
  if (leases_ != nullptr) kvStore_Destroy(leases_);
  if (js_ != nullptr) jsCtx_Destroy(js_);
}

name_service::claim_result name_service::claim(const std::string& key, const std::string& value,
                                               std::chrono::milliseconds wait) {
  const timed observe(stats_.kv_claim);
  const auto deadline = clock::now() + wait;
  claim_result result;
  while (true) {
    std::uint64_t revision = 0;
    const auto status = kvStore_CreateString(&revision, kv_, key.c_str(), value.c_str());
    if (status == NATS_OK) {
      result.outcome = claim_result::status::claimed;
      result.revision = revision;
      return result;
    }
    result.error = last_error(status);
    if (result.error.find("wrong last sequence") != std::string::npos) {
      result.outcome = claim_result::status::taken;
      return result;
    }
    if (clock::now() + retry_pause > deadline) return result;
    std::this_thread::sleep_for(retry_pause);
  }
}

bool name_service::release(const std::string& key, std::uint64_t revision) {
  const timed observe(stats_.kv_release);
  const auto subject = "$KV." + std::string(bucket) + "." + key;
  const auto expected = std::to_string(revision);
  const auto deadline = clock::now() + std::chrono::seconds(10);
  while (true) {
    natsMsg* msg = nullptr;
    natsMsg* reply = nullptr;
    natsStatus status = natsMsg_Create(&msg, subject.c_str(), nullptr, nullptr, 0);
    if (status == NATS_OK) status = natsMsgHeader_Set(msg, "KV-Operation", "DEL");
    if (status == NATS_OK) status = natsMsgHeader_Set(msg, "Nats-Expected-Last-Subject-Sequence", expected.c_str());
    if (status == NATS_OK) status = natsConnection_RequestMsg(&reply, connection_, msg, 2000);
    natsMsg_Destroy(msg);
    if (status == NATS_OK) {
      const std::string_view answer(natsMsg_GetData(reply), static_cast<std::size_t>(natsMsg_GetDataLength(reply)));
      natsMsg_Destroy(reply);
      // {"error":{...,"err_code":10071,...}}: someone else's claim is there now, which is not ours to remove.
      if (answer.find("\"error\"") != std::string_view::npos && answer.find("10071") == std::string_view::npos) {
        spdlog::warn("releasing name key {}: {}", key, answer);
        if (clock::now() + retry_pause > deadline) return false;
        std::this_thread::sleep_for(retry_pause);
        continue;
      }
      return true;
    }
    if (clock::now() + retry_pause > deadline) {
      spdlog::warn("cannot release name key {}: {}", key, last_error(status));
      return false;
    }
    std::this_thread::sleep_for(retry_pause);
  }
}

std::optional<name_service::entry> name_service::lookup(const std::string& key) {
  kvEntry* found = nullptr;
  const auto status = kvStore_Get(&found, kv_, key.c_str());
  if (status == NATS_NOT_FOUND) return std::nullopt;
  if (status != NATS_OK) throw std::runtime_error(last_error(status));
  entry out{
      key,
      std::string(static_cast<const char*>(kvEntry_Value(found)), static_cast<std::size_t>(kvEntry_ValueLen(found))),
      kvEntry_Revision(found)};
  const auto op = kvEntry_Operation(found);
  kvEntry_Destroy(found);
  if (op != kvOp_Put) return std::nullopt;
  return out;
}

bool name_service::renew(const std::string& node) {
  std::uint64_t revision = 0;
  return kvStore_PutString(&revision, leases_, node.c_str(), "alive") == NATS_OK;
}

std::optional<std::vector<std::string>> name_service::live_nodes() {
  kvKeysList keys{};
  const auto status = kvStore_Keys(&keys, leases_, nullptr);
  if (status == NATS_NOT_FOUND) return std::vector<std::string>{};
  if (status != NATS_OK) return std::nullopt;
  std::vector<std::string> out(keys.Keys, keys.Keys + keys.Count);
  kvKeysList_Destroy(&keys);
  return out;
}

std::vector<name_service::entry> name_service::list() {
  kvWatchOptions options;
  kvWatchOptions_Init(&options);
  options.IgnoreDeletes = true;
  kvWatcher* watcher = nullptr;
  auto status = kvStore_WatchAll(&watcher, kv_, &options);
  if (status != NATS_OK) throw std::runtime_error(last_error(status));
  std::vector<entry> out;
  while (true) {
    kvEntry* e = nullptr;
    status = kvWatcher_Next(&e, watcher, 5000);
    if (status != NATS_OK) {
      const auto why = last_error(status);
      kvWatcher_Destroy(watcher);
      throw std::runtime_error(why);
    }
    if (e == nullptr) break;  // the end of the current values
    if (kvEntry_Operation(e) == kvOp_Put) {
      out.push_back(
          {kvEntry_Key(e),
           std::string(static_cast<const char*>(kvEntry_Value(e)), static_cast<std::size_t>(kvEntry_ValueLen(e))),
           kvEntry_Revision(e)});
    }
    kvEntry_Destroy(e);
  }
  kvWatcher_Destroy(watcher);
  return out;
}

}  // namespace chat::cluster

namespace chat::cluster {

bool name_service::poll_leases(std::map<std::string, std::int64_t>& seen, std::chrono::milliseconds wait) {
  if (lease_watch_ == nullptr && kvStore_WatchAll(&lease_watch_, leases_, nullptr) != NATS_OK) {
    lease_watch_ = nullptr;
    return false;
  }
  const auto deadline = clock::now() + wait;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) return true;
    kvEntry* e = nullptr;
    const auto status = kvWatcher_Next(&e, lease_watch_, left);
    if (status == NATS_TIMEOUT) return true;
    if (status != NATS_OK) {
      reset_lease_watch();
      return false;
    }
    if (e == nullptr) continue;  // the end of the current values; updates follow
    if (kvEntry_Operation(e) == kvOp_Put) seen[kvEntry_Key(e)] = kvEntry_Created(e);
    kvEntry_Destroy(e);
  }
}

void name_service::reset_lease_watch() {
  if (lease_watch_ != nullptr) kvWatcher_Destroy(lease_watch_);
  lease_watch_ = nullptr;
}

}  // namespace chat::cluster
