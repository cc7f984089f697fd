#include "cluster/nats_connection.hpp"

#include <chrono>
#include <stdexcept>

namespace chat::cluster {
namespace {

// Messages and bytes one subscription may hold before libnats drops (and reports a slow consumer):
// bounds what a sender on another node can make this node hold.
constexpr int pending_messages = 65536;
constexpr int pending_bytes = 64 << 20;

std::string last_error(natsStatus status) {
  const char* text = nats_GetLastError(nullptr);
  return text != nullptr && *text != '\0' ? text : natsStatus_GetText(status);
}

void check(natsStatus status, const char* what) {
  if (status != NATS_OK) throw std::runtime_error(std::string(what) + ": " + last_error(status));
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

}  // namespace

nats_connection::nats_connection(const cluster_config& config) {
  natsOptions* options = nullptr;
  check(natsOptions_Create(&options), "NATS options");
  std::vector<const char*> urls;
  for (const auto& url : config.servers) urls.push_back(url.c_str());
  natsStatus status = natsOptions_SetServers(options, urls.data(), static_cast<int>(urls.size()));
  // The default flusher waits ~1 ms before writing, adding ~2 ms to each round trip (measured: p50 ~2,000 µs by
  // default, ~167 µs with send-ASAP).
  if (status == NATS_OK) status = natsOptions_SetSendAsap(options, true);
  if (status == NATS_OK) status = natsOptions_SetName(options, config.node_name.c_str());
  if (status == NATS_OK) status = natsOptions_SetTimeout(options, 2000);
  if (status == NATS_OK) status = natsOptions_SetMaxReconnect(options, -1);
  if (status == NATS_OK) status = natsOptions_SetReconnectWait(options, 250);
  if (status == NATS_OK) status = natsOptions_SetDisconnectedCB(options, &nats_connection::on_disconnected, this);
  if (status == NATS_OK) status = natsOptions_SetReconnectedCB(options, &nats_connection::on_reconnected, this);
  if (status == NATS_OK) status = natsOptions_SetClosedCB(options, &nats_connection::on_closed, this);
  if (status != NATS_OK) {
    natsOptions_Destroy(options);
    check(status, "NATS options");
  }
  status = natsConnection_Connect(&connection_, options);
  natsOptions_Destroy(options);
  if (status != NATS_OK) {
    const auto why = last_error(status);
    connection_ = nullptr;
    throw std::runtime_error("cannot reach NATS at " + join(config.servers) + ": " + why);
  }
}

nats_connection::~nats_connection() {
  if (subscription_ != nullptr) {
    // Drain: when it completes, the message callback has returned for good.
    if (natsSubscription_Drain(subscription_) == NATS_OK) {
      (void)natsSubscription_WaitForDrainCompletion(subscription_, 2000);
    }
    natsSubscription_Destroy(subscription_);
  }
  if (connection_ != nullptr) {
    natsConnection_Close(connection_);
    {
      // The closed callback is the connection's last: after it no handler of ours runs.
      std::unique_lock lock(mutex_);
      closed_changed_.wait_for(lock, std::chrono::seconds(2), [this] { return closed_; });
    }
    natsConnection_Destroy(connection_);
  }
}

void nats_connection::subscribe(const std::string& subject, std::function<void(std::string)> handler) {
  message_handler_ = std::move(handler);
  check(natsConnection_Subscribe(&subscription_, connection_, subject.c_str(), &nats_connection::on_message, this),
        "NATS subscribe");
  check(natsSubscription_SetPendingLimits(subscription_, pending_messages, pending_bytes), "NATS pending limits");
  // The subscription must be known to the server before anyone is told of this node.
  check(natsConnection_FlushTimeout(connection_, 5000), "NATS flush");
}

void nats_connection::on_event(std::function<void(event)> handler) {
  std::lock_guard lock(mutex_);
  event_handler_ = std::move(handler);
}

bool nats_connection::publish(const std::string& subject, std::string_view payload) {
  return natsConnection_Publish(connection_, subject.c_str(), payload.data(), static_cast<int>(payload.size())) ==
         NATS_OK;
}

std::string nats_connection::connected_url() const {
  char url[256] = {};
  if (natsConnection_GetConnectedUrl(connection_, url, sizeof url) != NATS_OK) return "?";
  return url;
}

void nats_connection::on_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  auto* self = static_cast<nats_connection*>(closure);
  std::string payload(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  natsMsg_Destroy(msg);
  self->message_handler_(std::move(payload));
}

void nats_connection::fire(event e) {
  std::function<void(event)> handler;
  {
    std::lock_guard lock(mutex_);
    handler = event_handler_;
  }
  if (handler) handler(e);
}

void nats_connection::on_disconnected(natsConnection*, void* closure) {
  static_cast<nats_connection*>(closure)->fire(event::disconnected);
}

void nats_connection::on_reconnected(natsConnection*, void* closure) {
  static_cast<nats_connection*>(closure)->fire(event::reconnected);
}

void nats_connection::on_closed(natsConnection*, void* closure) {
  auto* self = static_cast<nats_connection*>(closure);
  std::lock_guard lock(self->mutex_);
  self->closed_ = true;
  self->closed_changed_.notify_all();
}

}  // namespace chat::cluster
