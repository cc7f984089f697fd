// One libnats connection with the node's subscription, shared by the node and the
// remote peers of remote users (they publish on it). libnats calls the handlers on its
// own threads; the node's handlers only post onto the router's strand.
#pragma once

#include <nats/nats.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/config.hpp"

namespace chat::cluster {

class nats_connection {
 public:
  enum class event { disconnected, reconnected };

  // Connects (blocking: the calling thread, before the server serves) with SendAsap
  // on and endless reconnects. Throws std::runtime_error saying which servers could
  // not be reached.
  explicit nats_connection(const cluster_config& config);
  // Drains the subscription (its callback has returned), then closes and frees.
  ~nats_connection();
  nats_connection(const nats_connection&) = delete;
  nats_connection& operator=(const nats_connection&) = delete;

  // Subscribes to `subject`; `handler` gets every message's payload on a libnats
  // thread. The pending limit is bounded: past it libnats drops (the sequence
  // numbers of cross-node chats detect it). Throws std::runtime_error.
  void subscribe(const std::string& subject, std::function<void(std::string)> handler);
  // Called on a libnats thread when the connection drops or comes back.
  void on_event(std::function<void(event)> handler);
  // Thread-safe, never blocks on the network (libnats buffers). False when the
  // connection is closed or its buffer refused the message.
  bool publish(const std::string& subject, std::string_view payload);

  natsConnection* raw() const { return connection_; }
  // "host:port" of the server this connection uses now, for logs.
  std::string connected_url() const;

 private:
  static void on_message(natsConnection*, natsSubscription*, natsMsg* msg, void* closure);
  static void on_disconnected(natsConnection*, void* closure);
  static void on_reconnected(natsConnection*, void* closure);
  static void on_closed(natsConnection*, void* closure);
  void fire(event e);

  natsConnection* connection_ = nullptr;
  natsSubscription* subscription_ = nullptr;
  std::mutex mutex_;
  std::condition_variable closed_changed_;
  bool closed_ = false;
  std::function<void(std::string)> message_handler_;  // set before subscribing, then read-only
  std::function<void(event)> event_handler_;          // guarded by mutex_
};

}  // namespace chat::cluster
