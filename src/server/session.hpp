// One client connection, over a transport `Stream` (plain_stream.hpp describes
// the seam). Everything runs on the session's own strand.
//
// Reading: while idle the session holds only a pending readiness wait with a
// plain handler; when bytes arrive, a plain function reads, frames and handles
// them. A coroutine runs only while a line must wait (for room at the router or
// for the message rate), so an idle connection holds no coroutine frame and no
// buffer, and a busy one creates none per wake-up. A MSG goes straight into the partner's send queue when the
// session is in a chat and has no control request still at the router;
// otherwise it follows its control requests through the router, so replies
// keep command order under pipelining.
//
// Writing: the send queue (outbox) starts a writer only while bytes are
// queued; it hands everything queued to one gathered write.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "chat/line_framer.hpp"
#include "chat/net.hpp"
#include "server/outbox.hpp"
#include "server/peer.hpp"
#include "server/rate_limiter.hpp"
#include "server/read_buffer.hpp"
#include "server/server_defaults.hpp"
#include "server/server_stats.hpp"

namespace chat::server {

class router;
struct router_request;

struct session_limits {
  std::size_t max_line = defaults::max_line;
  output_limits output;  // the slow-consumer policy's limits
  double msg_rate = 0;   // lines per second; 0: no limit
  double msg_burst = 0;
};

template <typename Stream>
class session final : public peer, public msg_sink, public std::enable_shared_from_this<session<Stream>> {
 public:
  // `ticket` is held for the session's lifetime: the server counts live sessions with it.
  session(Stream stream, const strand& ex, session_id id, std::shared_ptr<router> router, const session_limits& limits,
          server_stats& stats, std::shared_ptr<void> ticket);
  ~session() override;
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // Greets the client, joins the router and starts reading.
  void start();
  session_id id() const { return id_; }

  // peer
  outbox::push_result deliver(std::string_view line) override;
  void deliver_last(std::string_view line) override;
  void stop_reading() override;
  void abort() override;
  void abort_after(std::chrono::milliseconds grace) override;
  void request_done() override { pending_requests_.fetch_sub(1, std::memory_order_release); }
  void enter_chat(chat_id chat, std::string self_name, std::shared_ptr<msg_sink> partner) override;
  void leave_chat() override;
  std::shared_ptr<msg_sink> sink() override { return this->shared_from_this(); }
  clock::time_point connected_at() const override { return connected_at_; }
  clock::time_point last_activity() const override {
    return clock::time_point(clock::duration(last_line_at_.load(std::memory_order_relaxed)));
  }
  std::size_t queued_bytes() const override { return outbox_.queued_bytes(); }
  std::string describe() const override;

  // msg_sink
  result deliver_msg(chat_id chat, std::string_view sender, std::string_view text) override;
  session_id sink_id() const override { return id_; }

 private:
  // The session's side of a chat, as the router last told it (on the strand).
  struct chat_side {
    chat_id id = 0;
    std::string self_name;
    std::shared_ptr<msg_sink> partner;
  };

  void arm_read();
  // Reads and handles what is ready, without a coroutine, until the socket has
  // nothing more (then waits for readiness again) or a line must wait.
  void read_ready();
  // Handles the lines in `bytes`, consuming them; false if one must wait (the rest stays in `bytes`).
  bool handle_bytes(std::string_view& bytes);
  // Waits (room at the router, the message rate) in a coroutine, then handles
  // `rest` and goes back to read_ready.
  void spawn_wait(read_buffer buffer, std::string_view rest);
  awaitable<void> wait_then_read(read_buffer buffer, std::string_view rest);
  // Reading has ended (EOF, error, QUIT, shutdown): tells the router, unless it already forgot us.
  void stop_and_leave(const asio::error_code& ec);
  // Handles one line without waiting if it can; false means it set blocked_ or
  // paused_line_ and the read pass must wait before the next line.
  bool handle_line(std::string_view line, bool paced);
  bool handle_too_long();
  // Queues a reply in order: straight into the own queue when nothing is at the router.
  bool reply(std::string line);
  // Sends a request to the router in order; false if it has to wait for room (blocked_).
  bool route(router_request request);
  bool idle_at_router() const { return pending_requests_.load(std::memory_order_acquire) == 0; }
  // Holds the reader back while the client is over its message rate.
  awaitable<void> pace();
  // Replies backlog: the client is far ahead of reading its replies (requests
  // at the router past max_pending_requests, or its queue past half the hard
  // limit). Reading then pauses until they drain to half of that, so a client
  // that pipelines is slowed by TCP, not cut as a slow consumer.
  bool replies_backlogged() const;
  awaitable<void> wait_for_replies();
  static constexpr std::uint32_t max_pending_requests = 256;
  // Reads (of up to read_buffer::size each) before read_ready yields the strand.
  static constexpr int max_reads_per_turn = 8;

  void start_writer();
  // Writes batches while bytes are queued: straight into the socket while it
  // takes them, asynchronously for what it does not.
  void write_next();
  void write_rest(std::size_t done);
  // A batch is written (or failed): frees it; false if the writer must stop (error, last line).
  bool finish_batch(const asio::error_code& ec, std::size_t bytes);
  // After the last line: FIN, discard the client's input until it closes, then close.
  awaitable<void> close_gracefully();

  Stream stream_;
  strand strand_;
  session_id id_;
  tcp::endpoint remote_;
  std::shared_ptr<router> router_;
  outbox outbox_;
  outbox::batch writing_;  // the batch being written (writer only)
  line_framer framer_;
  server_stats& stats_;
  rate_limiter rate_;
  clock::time_point connected_at_;
  std::atomic<clock::rep> last_line_at_;
  // Requests posted to the router and not yet handled (the join counts from the start).
  std::atomic<std::uint32_t> pending_requests_{1};
  std::unique_ptr<chat_side> chat_;                  // strand only; null outside a chat
  std::unique_ptr<router_request> blocked_;          // read pass only: waits for room at the router
  std::unique_ptr<std::string> paused_line_;         // read pass only: waits for the message rate
  std::unique_ptr<asio::steady_timer> abort_timer_;  // only for a session told to end
  asio::cancellation_signal read_cancel_;
  bool backlogged_ = false;  // read pass only: waits for the replies backlog to drain
  bool stopping_ = false;
  bool quit_ = false;
  std::shared_ptr<void> ticket_;
};

}  // namespace chat::server
