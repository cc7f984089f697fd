// The control plane. The router owns the registry (names and pairings) and runs
// as one coroutine on its own strand, fed by a concurrent channel: connections
// post their control commands into it (REGISTER, CONNECT, DISCONNECT, WHO, ...,
// and any MSG that cannot take the direct path) and it answers by queueing
// lines for them. It sees connections only as `peer`s. When a chat opens it
// hands each side its partner's `msg_sink`, and from then on MSG lines go from
// one side's reader straight into the other's send queue without passing here.
// No mutex guards its maps because nothing else touches them, and it never
// waits on a connection: a full send queue is a slow consumer, cut by policy. A
// second coroutine on the same strand sweeps for timeouts and logs the stats line.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <unordered_map>

#include "chat/net.hpp"
#include "chat/protocol.hpp"
#include "server/cluster_link.hpp"
#include "server/deadline_queue.hpp"
#include "server/peer.hpp"
#include "server/registry.hpp"
#include "server/server_defaults.hpp"
#include "server/server_stats.hpp"

namespace chat::server {

struct router_request {
  enum class kind {
    join,           // a connection arrived: `joining` is its peer
    command,        // a parsed command (`cmd`) to handle in order
    reply,          // a line (`line`) to queue in order (parse errors)
    leave,          // the connection's reader stopped (EOF, reset, shutdown)
    slow_consumer,  // `from` was cut by the slow-consumer policy while a partner sent to it
    shutdown,       // say BYE SHUTDOWN to everyone
  };
  kind what = kind::command;
  session_id from = 0;
  std::shared_ptr<peer> joining;
  protocol::command cmd{};  // value-initialised: requests that carry no command copy a defined one
  std::string line;
};

struct router_limits {
  std::chrono::milliseconds idle_timeout = defaults::idle_timeout;          // no complete line for this long
  std::chrono::milliseconds register_timeout = defaults::register_timeout;  // unregistered for this long
  std::chrono::milliseconds stats_interval = defaults::stats_interval;      // 0: no stats line
  // How long a connection told BYE may take to flush it before it is reset (--shutdown-timeout).
  std::chrono::milliseconds flush_grace = defaults::shutdown_timeout;
  std::size_t queue_capacity = 4096;
};

class router {
 public:
  router(const pool_executor& pool, const router_limits& limits, server_stats& stats,
         std::function<std::size_t()> live_sessions);

  // Runs until shutdown() has been processed and every connection has left.
  awaitable<void> run();
  // Closes connections past their idle or register timeout and logs the stats
  // line, once a tick, until shutdown. A tick looks only at the deadlines that
  // are due (deadline_queue.hpp), not at every connection.
  awaitable<void> sweep();

  // Thread-safe entry points for connections. try_post queues without waiting and
  // leaves `request` untouched when the queue is full; post then waits for room,
  // which holds back only the sending reader (backpressure), never the router.
  bool try_post(router_request& request);
  awaitable<void> post(router_request request);
  // Thread-safe, never waits: asks every connection to say BYE SHUTDOWN and end.
  void shutdown();

  // Handles one request. Only on the router's strand (run() calls it), or from a
  // test thread while nothing else runs the router.
  void handle(router_request& request);

  const strand& executor() const { return strand_; }

  // Cluster mode (docs/cluster.md): the link sees each request first. Before start.
  void attach(std::shared_ptr<cluster_link> link) { cluster_ = std::move(link); }
  // For the cluster link, on the strand only: the registry, the remote peers of remote
  // users, outcomes to apply, and resume(id) once a request it took is answered
  // (the session's held requests then run in order).
  registry& names() { return registry_; }
  void add_peer(session_id id, std::shared_ptr<peer> p) { peers_.emplace(id, std::move(p)); }
  void remove_peer(session_id id) { peers_.erase(id); }
  void apply_outcome(const outcome& out);
  void resume(session_id id);
  // Ends a connection with BYE `reason` (cluster mode: NAME_LOST).
  void bye(session_id id, protocol::bye_reason reason) {
    say_bye(id, reason);
    update_gauges();
  }

 private:
  // Opens or closes the outcome's chat and queues its lines, in the order that
  // keeps direct MSG lines between OK CONNECTED and DISCONNECTED.
  void apply(const outcome& out);
  void deliver(const outcome& out);
  void open_chat(session_id requester, session_id target);
  // Ends a connection whose send queue the policy cut: frees its name, tells its partner, resets it.
  void drop_slow_consumer(session_id id);
  // Ends a connection with a BYE line: frees its name, tells its partner, flushes, closes.
  void say_bye(session_id id, protocol::bye_reason reason);
  void done(session_id id);
  void update_gauges();

  strand strand_;
  router_limits limits_;
  server_stats& stats_;
  std::function<std::size_t()> live_sessions_;
  concurrent_channel<void(asio::error_code, router_request)> requests_;
  registry registry_;
  std::unordered_map<session_id, std::shared_ptr<peer>> peers_;
  deadline_queue deadlines_;  // idle and registration deadlines of the sessions in peers_
  chat_id last_chat_ = 0;
  bool shutting_down_ = false;
  std::shared_ptr<cluster_link> cluster_;
  // Requests of sessions whose earlier request the cluster link is still answering, in arrival order.
  std::unordered_map<session_id, std::deque<router_request>> held_;
};

}  // namespace chat::server
