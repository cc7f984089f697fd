// The router owns the registry (names and pairings) and runs as one coroutine
// on its own strand, fed by a concurrent channel: sessions post their parsed
// commands into it and it answers by pushing lines into their outboxes. No
// mutex guards its maps because nothing else touches them, and it never waits on
// a session: a full outbox is a slow consumer, cut off by policy. A second
// coroutine on the same strand sweeps for timeouts and logs the stats line.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <unordered_map>

#include "chat/net.hpp"
#include "chat/protocol.hpp"
#include "chat/registry.hpp"
#include "chat/server_stats.hpp"

namespace chat {

class session;

struct router_request {
  enum class kind { join, command, reply, leave, shutdown };
  kind what = kind::command;
  session_id from = 0;
  std::shared_ptr<session> joining;  // join: the session to answer through
  protocol::command cmd;             // command
  std::string line;                  // reply: a line to queue in order (parse errors)
};

struct router_limits {
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};       // no complete line for this long
  std::chrono::milliseconds register_timeout{std::chrono::seconds(30)};  // unregistered for this long
  std::chrono::milliseconds stats_interval{std::chrono::minutes(1)};     // 0: no stats line
  // How long a session told BYE may take to flush it before it is reset.
  std::chrono::milliseconds flush_grace{std::chrono::seconds(5)};
  std::size_t queue_capacity = 4096;
};

class router {
 public:
  router(const pool_executor& pool, const router_limits& limits, server_stats& stats,
         std::function<std::size_t()> live_sessions);

  // Runs until shutdown() has been processed and every session has left.
  awaitable<void> run();
  // Closes sessions past their idle or register timeout and logs the stats line,
  // once a tick, until shutdown.
  awaitable<void> sweep();

  // Thread-safe entry points for sessions. try_post queues without waiting and
  // leaves `request` untouched when the queue is full; post then waits for room,
  // which holds back only the sending reader (backpressure), never the router.
  bool try_post(router_request& request);
  awaitable<void> post(router_request request);
  // Thread-safe, never waits: asks every session to say BYE SHUTDOWN and end.
  void shutdown();

  const strand& executor() const { return strand_; }

 private:
  void handle(router_request& request);
  void deliver(const outcome& out);
  // Ends a session whose outbox is full: frees its name, tells its partner, resets it.
  void drop_slow_consumer(session_id id);
  // Ends a session with a BYE line: frees its name, tells its partner, flushes, closes.
  void say_bye(session_id id, protocol::bye_reason reason);
  void update_gauges();

  strand strand_;
  router_limits limits_;
  server_stats& stats_;
  std::function<std::size_t()> live_sessions_;
  concurrent_channel<void(asio::error_code, router_request)> requests_;
  registry registry_;
  std::unordered_map<session_id, std::shared_ptr<session>> sessions_;
  bool shutting_down_ = false;
};

}  // namespace chat
