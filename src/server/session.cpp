#include "server/session.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <memory>

#include "chat/handler_allocator.hpp"
#include "chat/protocol.hpp"
#include "server/completion.hpp"
#include "server/plain_stream.hpp"
#include "server/router.hpp"
#include "server/tls_stream.hpp"

namespace chat::server {
namespace {

// How long a connection told its last line may take to close its side.
constexpr std::chrono::seconds closing_linger{2};

// GCC 12 bitwise-copies non-trivial temporaries made inside a co_await
// expression (an invalid free under ASan), so requests are built by this plain
// function into a named object first, and only then moved where they go.
router_request make_request(router_request::kind what, session_id from, protocol::command cmd = {},
                            std::string line = {}) {
  router_request r;
  r.what = what;
  r.from = from;
  r.cmd = std::move(cmd);
  r.line = std::move(line);
  return r;
}

}  // namespace

template <typename Stream>
session<Stream>::session(Stream stream, const strand& ex, session_id id, std::shared_ptr<router> router,
                         const session_limits& limits, server_stats& stats, std::shared_ptr<void> ticket)
    : stream_(std::move(stream)),
      strand_(ex),
      id_(id),
      remote_(stream_.remote_endpoint()),
      router_(std::move(router)),
      outbox_(limits.output, &stats),
      framer_(limits.max_line),
      stats_(stats),
      rate_(limits.msg_rate, limits.msg_burst, clock::now()),
      connected_at_(clock::now()),
      last_line_at_(connected_at_.time_since_epoch().count()),
      ticket_(std::move(ticket)) {}

template <typename Stream>
session<Stream>::~session() {
  spdlog::info("session {} from {} closed", id_, remote_);
}

template <typename Stream>
std::string session<Stream>::describe() const {
  return fmt::format("{} from {}", id_, remote_);
}

template <typename Stream>
void session<Stream>::start() {
  deliver(protocol::format_hello());
  auto join = make_request(router_request::kind::join, id_);
  join.joining = this->shared_from_this();
  if (router_->try_post(join)) {
    asio::post(strand_, [self = this->shared_from_this()] { self->read_ready(); });
  } else {
    blocked_ = std::make_unique<router_request>(std::move(join));
    spawn_wait({}, {});
  }
}

// ---- reading ----

template <typename Stream>
void session<Stream>::arm_read() {
  // A plain handler, not a coroutine: an idle session holds only this wait.
  stream_.async_wait_readable(asio::bind_cancellation_slot(
      read_cancel_.slot(),
      asio::bind_allocator(handler_allocator<void>{}, [self = this->shared_from_this()](asio::error_code ec) {
        // Asio 1.22 leaves a finished operation's cancellation handler in the slot,
        // pointing at state that may be gone by the next emit: clear it.
        self->read_cancel_.slot().clear();
        if (ec || self->stopping_) {
          self->stop_and_leave(ec);
        } else {
          self->read_ready();
        }
      })));
}

template <typename Stream>
void session<Stream>::read_ready() {
  asio::error_code ec;
  for (int reads = 0; !stopping_ && !quit_; ++reads) {
    if (reads == max_reads_per_turn) {
      // A client that keeps sending must not hold the strand: let what is queued
      // on it (its writer, stop and chat requests) run, then carry on.
      asio::post(strand_, asio::bind_allocator(handler_allocator<void>{},
                                               [self = this->shared_from_this()] { self->read_ready(); }));
      return;
    }
    if (replies_backlogged()) {
      // The client sends faster than it reads its replies: stop reading it
      // (TCP pushes back) until they drain, rather than cut it.
      backlogged_ = true;
      spawn_wait(read_buffer(), {});
      return;
    }
    read_buffer buffer;
    const auto n = stream_.read_some(asio::buffer(buffer.data(), read_buffer::size), ec);
    if (ec == asio::error::would_block) {
      arm_read();  // idle again: wait for readiness
      return;
    }
    if (ec) break;
    stats_.bytes_in.fetch_add(n);
    std::string_view bytes(buffer.data(), n);
    if (!handle_bytes(bytes)) {
      // A line must wait (room at the router, or the message rate): a coroutine
      // takes the buffer and the rest of the bytes and carries on after the wait.
      spawn_wait(std::move(buffer), bytes);
      return;
    }
  }
  stop_and_leave(ec);
}

template <typename Stream>
bool session<Stream>::handle_bytes(std::string_view& bytes) {
  bool got_line = false;
  bool go_on = true;
  while (go_on && !bytes.empty() && !quit_ && !stopping_) {
    // Lines are handled inside the framer's callbacks, as views into the
    // buffer; a callback stops the framer only when the line must wait.
    const auto used = framer_.feed(
        bytes,
        [&](std::string_view line) {
          got_line = true;
          go_on = handle_line(line, false);
          if (go_on && pending_requests_.load(std::memory_order_relaxed) > max_pending_requests) {
            backlogged_ = true;
            go_on = false;
          }
          return go_on && !quit_;  // nothing after QUIT is read
        },
        [&] {
          got_line = true;
          return go_on = handle_too_long();
        });
    bytes.remove_prefix(used);
  }
  if (got_line) last_line_at_.store(clock::now().time_since_epoch().count(), std::memory_order_relaxed);
  framer_.release_memory();
  return go_on;
}

template <typename Stream>
void session<Stream>::spawn_wait(read_buffer buffer, std::string_view rest) {
  asio::co_spawn(strand_, wait_then_read(std::move(buffer), rest),
                 asio::bind_executor(strand_, [self = this->shared_from_this()](std::exception_ptr e) {
                   log_exception{"session reader"}(e);
                 }));
}

template <typename Stream>
awaitable<void> session<Stream>::wait_then_read([[maybe_unused]] read_buffer buffer, std::string_view rest) {
  // `buffer` holds the bytes `rest` points into until they are handled.
  for (;;) {
    if (blocked_) {
      auto request = std::move(*blocked_);
      blocked_.reset();
      co_await router_->post(std::move(request));
    }
    if (paused_line_) {
      co_await pace();
      auto line = std::move(*paused_line_);
      paused_line_.reset();
      if (!stopping_) handle_line(line, true);
      if (blocked_) continue;
    }
    if (backlogged_) {
      co_await wait_for_replies();
      backlogged_ = false;
    }
    if (rest.empty() || quit_ || stopping_) break;
    if (!handle_bytes(rest)) continue;
  }
  if (quit_ || stopping_) {
    stop_and_leave({});
  } else {
    read_ready();
  }
}

template <typename Stream>
void session<Stream>::stop_and_leave(const asio::error_code& ec) {
  spdlog::debug("session {} stops reading: {}", id_, ec ? ec.message() : (quit_ ? "QUIT" : "shutdown"));
  chat_.reset();      // the partner's sink is no longer needed (and must not keep it alive)
  if (quit_) return;  // after QUIT the router has forgotten this session
  auto leave = make_request(router_request::kind::leave, id_);
  if (router_->try_post(leave)) return;
  asio::co_spawn(strand_, router_->post(std::move(leave)),
                 asio::bind_executor(strand_, [self = this->shared_from_this()](std::exception_ptr e) {
                   log_exception{"session leave"}(e);
                 }));
}

template <typename Stream>
bool session<Stream>::handle_line(std::string_view line, bool paced) {
  if (!paced && rate_.enabled() && rate_.take(clock::now()) != clock::duration::zero()) {
    paused_line_ = std::make_unique<std::string>(line);
    return false;
  }
  spdlog::trace("session {} <- {}", id_, line);
  const auto parsed = protocol::parse_command_view(line);
  if (const auto* error = std::get_if<protocol::parse_error>(&parsed)) {
    stats_.errors.add(error->code);
    return reply(protocol::format_error(error->code));
  }
  const auto& cmd = std::get<protocol::command_view>(parsed);

  // The data plane: in a chat, with nothing at the router, a MSG goes straight
  // into the partner's queue. Anything else follows the control requests.
  if (cmd.kind == protocol::command_kind::msg && chat_ && !cmd.argument.empty() && idle_at_router()) {
    switch (chat_->partner->deliver_msg(chat_->id, chat_->self_name, cmd.argument)) {
      case msg_sink::result::delivered:
        stats_.messages_relayed.fetch_add(1);
        return true;
      case msg_sink::result::slow_consumer: {
        // The partner was cut: the router ends it and tells us DISCONNECTED.
        // The line is dropped with the partner's queue, as the router would drop it.
        return route(make_request(router_request::kind::slow_consumer, chat_->partner->sink_id()));
      }
      case msg_sink::result::not_in_chat:
        break;  // the chat is ending: the router answers in order
    }
  }
  // After QUIT the router forgets this session: nothing more is read.
  if (protocol::spec(cmd.kind).ends_session) quit_ = true;
  ++pending_requests_;
  return route(
      make_request(router_request::kind::command, id_, protocol::command{cmd.kind, std::string(cmd.argument)}));
}

template <typename Stream>
bool session<Stream>::handle_too_long() {
  stats_.errors.add(protocol::error_code::line_too_long);
  return reply(protocol::format_error(protocol::error_code::line_too_long));
}

template <typename Stream>
bool session<Stream>::reply(std::string line) {
  if (idle_at_router()) {
    if (deliver(line) != outbox::push_result::slow_consumer) return true;
    // Our own queue is over its limit: we are the slow consumer.
    return route(make_request(router_request::kind::slow_consumer, id_));
  }
  ++pending_requests_;
  return route(make_request(router_request::kind::reply, id_, {}, std::move(line)));
}

template <typename Stream>
bool session<Stream>::route(router_request request) {
  // The common case costs no suspension; a full queue parks only this reader.
  if (router_->try_post(request)) return true;
  blocked_ = std::make_unique<router_request>(std::move(request));
  return false;
}

template <typename Stream>
bool session<Stream>::replies_backlogged() const {
  return pending_requests_.load(std::memory_order_relaxed) > max_pending_requests ||
         outbox_.queued_bytes() > outbox_.limits().hard_bytes / 2;
}

template <typename Stream>
awaitable<void> session<Stream>::wait_for_replies() {
  // Polled, not signalled: the router acknowledges requests from its own strand,
  // and this wait is rare (a client pipelining far ahead of its reading).
  stats_.reply_backlogs.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("session {} is far ahead of reading its replies: pausing reads", id_);
  asio::steady_timer timer(strand_);
  auto pause = std::chrono::milliseconds(1);
  while (!stopping_ && (pending_requests_.load(std::memory_order_relaxed) > max_pending_requests / 2 ||
                        outbox_.queued_bytes() > outbox_.limits().hard_bytes / 4)) {
    timer.expires_after(pause);
    co_await timer.async_wait(asio::bind_cancellation_slot(read_cancel_.slot(), use_tuple));
    read_cancel_.slot().clear();  // the timer dies with this frame
    pause = std::min(pause * 2, std::chrono::milliseconds(16));
  }
}

template <typename Stream>
awaitable<void> session<Stream>::pace() {
  auto wait = rate_.take(clock::now());
  if (wait == clock::duration::zero()) co_return;
  stats_.rate_limited.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("session {} over its message rate: pausing reads", id_);
  asio::steady_timer timer(strand_);
  while (wait != clock::duration::zero() && !stopping_) {
    timer.expires_after(wait);
    co_await timer.async_wait(asio::bind_cancellation_slot(read_cancel_.slot(), use_tuple));
    read_cancel_.slot().clear();  // the timer dies with this frame
    wait = rate_.take(clock::now());
  }
}

// ---- chats ----

template <typename Stream>
void session<Stream>::enter_chat(chat_id chat, std::string self_name, std::shared_ptr<msg_sink> partner) {
  outbox_.accept_chat(chat);
  auto side = std::make_unique<chat_side>(chat_side{chat, std::move(self_name), std::move(partner)});
  asio::post(strand_,
             [self = this->shared_from_this(), side = std::move(side)]() mutable { self->chat_ = std::move(side); });
}

template <typename Stream>
void session<Stream>::leave_chat() {
  outbox_.refuse_chats();
  asio::post(strand_, [self = this->shared_from_this()] { self->chat_.reset(); });
}

template <typename Stream>
msg_sink::result session<Stream>::deliver_msg(chat_id chat, std::string_view sender, std::string_view text) {
  switch (outbox_.push_msg(chat, sender, text)) {
    case outbox::push_result::queued_start:
      start_writer();
      return result::delivered;
    case outbox::push_result::queued:
      return result::delivered;
    case outbox::push_result::slow_consumer:
      return result::slow_consumer;
    case outbox::push_result::ended:
    case outbox::push_result::not_in_chat:
      break;
  }
  return result::not_in_chat;
}

// ---- writing ----

template <typename Stream>
outbox::push_result session<Stream>::deliver(std::string_view line) {
  const auto pushed = outbox_.push(line);
  if (pushed == outbox::push_result::queued_start) start_writer();
  return pushed;
}

template <typename Stream>
void session<Stream>::deliver_last(std::string_view line) {
  if (outbox_.push_last(line) == outbox::push_result::queued_start) start_writer();
}

template <typename Stream>
void session<Stream>::start_writer() {
  // Posted, not dispatched: lines queued by the rest of this read pass (or by the
  // partner's) join the same gathered write.
  asio::post(strand_, asio::bind_allocator(handler_allocator<void>{},
                                           [self = this->shared_from_this()] { self->write_next(); }));
}

template <typename Stream>
void session<Stream>::write_next() {
  for (;;) {
    if (!outbox_.take(writing_)) return;  // idle: the next push starts a writer again
    std::size_t written = 0;
    if (writing_.bytes > 0) {
      if (writing_.queued_at != clock::time_point{}) stats_.outbox_wait.observe(clock::now() - writing_.queued_at);
      // The kernel first: a socket with room takes the batch at once, with no
      // asynchronous operation (no allocation, no epoll registration).
      asio::error_code ec;
      written = stream_.write_some(chunk_buffers(writing_.head), ec);
      if (ec == asio::error::would_block) {
        written = 0;
        ec = {};
      }
      if (ec) {
        finish_batch(ec, 0);
        return;
      }
      if (written < writing_.bytes) {
        write_rest(written);
        return;
      }
    }
    if (!finish_batch({}, written)) return;
  }
}

template <typename Stream>
void session<Stream>::write_rest(std::size_t done) {
  stream_.async_write(chunk_buffers(writing_.head, done),
                      asio::bind_allocator(handler_allocator<void>{}, [self = this->shared_from_this(), done](
                                                                          const asio::error_code& ec, std::size_t n) {
                        if (self->finish_batch(ec, done + n)) self->write_next();
                      }));
}

template <typename Stream>
bool session<Stream>::finish_batch(const asio::error_code& ec, std::size_t bytes) {
  stats_.bytes_out.fetch_add(bytes);
  const bool last = writing_.last;
  outbox_.written(writing_);
  if (ec) {
    spdlog::debug("session {} write failed: {}", id_, ec.message());
    outbox_.abandon();
    stream_.close();
    return false;
  }
  if (last) {
    asio::co_spawn(strand_, close_gracefully(),
                   asio::bind_executor(strand_, [self = this->shared_from_this()](std::exception_ptr e) {
                     log_exception{"session close"}(e);
                   }));
    return false;
  }
  return true;
}

template <typename Stream>
awaitable<void> session<Stream>::close_gracefully() {
  // Closing a socket with unread input makes the kernel reset the connection and
  // drop what is still in flight: the BYE line itself. So send FIN after the last
  // line, discard what the client still sends until it closes too, and give up
  // after a bounded wait.
  stream_.shutdown_send();
  asio::steady_timer deadline(strand_, closing_linger);
  deadline.async_wait([self = this->shared_from_this()](asio::error_code e) {
    if (!e) self->stream_.close();
  });
  std::array<char, 512> discard;
  for (;;) {
    auto [read_ec, n] = co_await stream_.async_read_some(asio::buffer(discard), use_tuple);
    if (read_ec) break;
  }
  deadline.cancel();
  stream_.close();
  if (abort_timer_) abort_timer_->cancel();
}

// ---- ending ----

template <typename Stream>
void session<Stream>::stop_reading() {
  asio::post(strand_, [self = this->shared_from_this()] {
    self->stopping_ = true;
    self->read_cancel_.emit(asio::cancellation_type::terminal);
  });
}

template <typename Stream>
void session<Stream>::abort_after(std::chrono::milliseconds grace) {
  asio::post(strand_, [self = this->shared_from_this(), grace] {
    if (!self->stream_.is_open()) return;
    self->abort_timer_ = std::make_unique<asio::steady_timer>(self->strand_, grace);
    // The handler holds only a weak reference: the timer must not keep a finished session alive.
    self->abort_timer_->async_wait([weak = std::weak_ptr<session>(self)](asio::error_code ec) {
      auto s = weak.lock();
      if (ec || !s || !s->stream_.is_open()) return;
      spdlog::warn("session {} did not flush its BYE in time: resetting it", s->id_);
      s->abort();
    });
  });
}

template <typename Stream>
void session<Stream>::abort() {
  asio::post(strand_, [self = this->shared_from_this()] {
    self->stopping_ = true;
    self->chat_.reset();
    self->stream_.reset();
  });
}

template class session<plain_stream>;
template class session<tls_stream>;

}  // namespace chat::server
