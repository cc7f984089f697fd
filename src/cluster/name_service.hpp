// The cluster's names in a JetStream KV bucket (docs/cluster.md, How it works): a name
// is claimed by create-if-absent and released by a delete conditional on the
// claim's revision, so a late release never removes someone else's fresh claim.
// Every call blocks: they run on the blocking_worker only, except the constructor.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cluster/stats.hpp"

namespace chat::cluster {

class name_service {
 public:
  static constexpr const char* bucket = "chat_names";
  // Node leases: one key per live node, expiring `lease` after its last renewal.
  static constexpr const char* lease_bucket = "chat_nodes";

  struct entry {
    std::string key;
    std::string value;
    std::uint64_t revision = 0;
  };

  // Opens the buckets, creating them with `replicas` and direct get off (reads right after
  // a write were stale with it on). Retries while JetStream elects its leaders, up to
  // `wait`. Throws std::runtime_error with a clear message when the server has no
  // JetStream or a bucket cannot be made.
  // `stats` (which must outlive the service) gets the time of each claim and release.
  name_service(natsConnection* connection, int replicas, std::chrono::milliseconds lease,
               std::chrono::milliseconds wait, cluster_stats& stats);
  ~name_service();
  name_service(const name_service&) = delete;
  name_service& operator=(const name_service&) = delete;

  struct claim_result {
    enum class status { claimed, taken, unavailable } outcome = status::unavailable;
    std::uint64_t revision = 0;  // claimed: what release needs
    std::string error;           // unavailable: why
  };
  // Creates `key` with `value` if absent; while the store does not answer (an election,
  // a lost server), retries until `wait` has passed.
  claim_result claim(const std::string& key, const std::string& value, std::chrono::milliseconds wait);
  // Deletes `key` if its last revision is still `revision` (the raw KV-Operation: DEL
  // publish: kvStore_Delete in libnats 3.4.1 takes no revision). True once the store answered.
  bool release(const std::string& key, std::uint64_t revision);
  // The entry under `key`; nullopt if absent or deleted. Throws std::runtime_error when unavailable.
  std::optional<entry> lookup(const std::string& key);
  // Every live entry. Throws std::runtime_error when unavailable.
  std::vector<entry> list();

  // Renews `node`'s lease; false if the store did not take it.
  bool renew(const std::string& node);
  // The nodes whose leases are live; nullopt when the store does not answer.
  std::optional<std::vector<std::string>> live_nodes();
  // Lease thread only: reads lease renewals for up to `wait` through one long-lived watch,
  // into `seen` (node -> server time of its last renewal, ns since the epoch). False if the
  // watch failed; it is made again on the next call, as after reset_lease_watch().
  bool poll_leases(std::map<std::string, std::int64_t>& seen, std::chrono::milliseconds wait);
  void reset_lease_watch();

 private:
  kvStore* open_bucket(const char* name, int replicas, std::chrono::milliseconds ttl,
                       std::chrono::steady_clock::time_point deadline);

  natsConnection* connection_;
  cluster_stats& stats_;
  jsCtx* js_ = nullptr;
  kvStore* kv_ = nullptr;
  kvStore* leases_ = nullptr;
  kvWatcher* lease_watch_ = nullptr;
};

}  // namespace chat::cluster
