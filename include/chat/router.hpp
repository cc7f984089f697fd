// The router owns the registry (names and pairings) and runs as one coroutine
// on its own strand, fed by a concurrent channel: sessions post their parsed
// commands into it and it answers by pushing lines into their outboxes. No
// mutex guards its maps because nothing else touches them, and it never waits on
// a session: a full outbox is a slow consumer, cut off by policy.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "chat/net.hpp"
#include "chat/protocol.hpp"
#include "chat/registry.hpp"

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

// Counters the router keeps; read from any thread (stats, tests).
struct router_stats {
  std::atomic<std::uint64_t> messages_relayed{0};
  std::atomic<std::uint64_t> slow_consumers{0};
  std::atomic<std::size_t> registered{0};
  std::atomic<std::size_t> active_chats{0};
};

class router : public std::enable_shared_from_this<router> {
 public:
  explicit router(const pool_executor& pool, std::size_t queue_capacity = 4096);

  // Runs until shutdown() has been processed and every session has left.
  awaitable<void> run();

  // Thread-safe entry points for sessions. try_post queues without waiting and
  // leaves `request` untouched when the queue is full; post then waits for room,
  // which holds back only the sending reader (backpressure), never the router.
  bool try_post(router_request& request);
  awaitable<void> post(router_request request);
  // Thread-safe, never waits: asks every session to say BYE SHUTDOWN and end.
  void shutdown();

  const router_stats& stats() const { return stats_; }
  const strand& executor() const { return strand_; }

 private:
  void handle(router_request& request);
  void deliver(const outcome& out);
  // Ends a session whose outbox is full: frees its name, tells its partner, closes it.
  void drop_slow_consumer(session_id id);
  void update_gauges();

  strand strand_;
  concurrent_channel<void(asio::error_code, router_request)> requests_;
  registry registry_;
  std::unordered_map<session_id, std::shared_ptr<session>> sessions_;
  bool shutting_down_ = false;
  router_stats stats_;
};

}  // namespace chat
