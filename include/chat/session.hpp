// One client connection: a reader coroutine that frames and parses lines and
// posts them to the router, and a writer coroutine, started only while lines
// are queued, that drains the outbox with gathered writes. Both run on the session's own strand; the socket, the framer
// and the stop flag are touched only from there.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>

#include "chat/line_framer.hpp"
#include "chat/net.hpp"
#include "chat/outbox.hpp"
#include "chat/rate_limiter.hpp"
#include "chat/registry.hpp"
#include "chat/router.hpp"
#include "chat/server_stats.hpp"

namespace chat {

struct session_limits {
  std::size_t max_line = 4096;
  std::size_t max_outbox_bytes = 1 << 20;
  double msg_rate = 0;  // lines per second; 0: no limit
  double msg_burst = 0;
};

class session : public std::enable_shared_from_this<session> {
 public:
  // `ticket` is held for the session's lifetime: the server counts live sessions with it.
  session(asio::basic_stream_socket<tcp, strand> socket, const strand& ex, session_id id,
          std::shared_ptr<router> router, const session_limits& limits, server_stats& stats,
          std::shared_ptr<void> ticket);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // Greets the client, joins the router and starts both coroutines.
  void start();

  session_id id() const { return id_; }
  const tcp::endpoint& remote() const { return remote_; }
  // Thread-safe: queue a line for the client, starting a writer if none runs.
  // `full` means the client is a slow consumer; `ended` that the line was dropped
  // because the connection is closing.
  outbox::push_result deliver(std::string line);
  // Thread-safe: queue the last line (possibly empty); the connection ends after it.
  void deliver_last(std::string line);
  std::size_t queued_bytes() const { return outbox_.queued_bytes(); }

  // Thread-safe: stop reading (server shutdown); the writer still flushes.
  void stop_reading();
  // Thread-safe: close the connection now (a slow consumer cannot be flushed).
  void abort();
  // Thread-safe: close the connection after `grace` unless it has ended by then.
  void abort_after(std::chrono::milliseconds grace);

  // Thread-safe: when the session connected, and when it last sent a complete
  // line (a client trickling bytes without LF does not count as active).
  std::chrono::steady_clock::time_point connected_at() const { return connected_at_; }
  std::chrono::steady_clock::time_point last_line_at() const {
    return std::chrono::steady_clock::time_point(
        std::chrono::steady_clock::duration(last_line_at_.load(std::memory_order_relaxed)));
  }

 private:
  awaitable<void> read_loop();
  // Holds the reader back while the client is over its message rate.
  awaitable<void> pace();
  // Runs while lines are queued: one gathered write per batch.
  awaitable<void> write_loop();
  void start_writer();
  // Posts one framed line to the router, or answers a line that did not parse.
  awaitable<void> forward(std::string line);
  // Hands a request to the router, waiting only if its queue is full.
  awaitable<void> send_to_router(router_request request);
  router_request request(router_request::kind what, protocol::command cmd = {}, std::string line = {}) const;
  // After the last line: FIN, discard the client's input until it closes, then close.
  awaitable<void> close_gracefully();
  void close_socket();

  using socket_type = asio::basic_stream_socket<tcp, strand>;  // a concrete executor: no boxed copies
  socket_type socket_;
  strand strand_;
  session_id id_;
  tcp::endpoint remote_;
  std::shared_ptr<router> router_;
  outbox outbox_;
  line_framer framer_;
  server_stats& stats_;
  rate_limiter rate_;
  std::chrono::steady_clock::time_point connected_at_;
  std::atomic<std::chrono::steady_clock::rep> last_line_at_;
  std::unique_ptr<asio::steady_timer> abort_timer_;  // only for a session told to end
  asio::cancellation_signal read_cancel_;
  bool stopping_ = false;
  bool quit_ = false;
  std::shared_ptr<void> ticket_;
};

}  // namespace chat
