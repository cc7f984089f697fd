#include "chat/session.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <memory>
#include <vector>

#include "chat/completion.hpp"
#include "chat/protocol.hpp"
#include "chat/router.hpp"

namespace chat {
namespace {

// Reading more than this per wake-up would only delay the other sessions on the strand's thread.
constexpr std::size_t read_chunk = 16 * 1024;
// How long a connection told its last line may take to close its side.
constexpr std::chrono::seconds closing_linger{2};

// A read buffer held only while a wake-up's bytes are processed. Blocks come from
// a small per-thread cache rather than malloc: a busy session wakes up thousands
// of times a second (a 16 KiB malloc/free per wake-up was 14 % of the server's
// profile), while an idle session holds none.
class read_buffer {
 public:
  read_buffer() : block_(take()) {}
  ~read_buffer() { give_back(std::move(block_)); }
  read_buffer(const read_buffer&) = delete;
  read_buffer& operator=(const read_buffer&) = delete;
  char* data() { return block_.get(); }

 private:
  using block = std::unique_ptr<char[]>;
  static constexpr std::size_t cached_per_thread = 16;

  static std::vector<block>& cache() {
    thread_local std::vector<block> blocks;
    return blocks;
  }
  static block take() {
    auto& blocks = cache();
    if (blocks.empty()) return block(new char[read_chunk]);
    auto b = std::move(blocks.back());
    blocks.pop_back();
    return b;
  }
  // The coroutine may have moved to another thread: the block joins that thread's cache.
  static void give_back(block b) {
    auto& blocks = cache();
    if (blocks.size() < cached_per_thread) blocks.push_back(std::move(b));
  }

  block block_;
};

}  // namespace

session::session(socket_type socket, const strand& ex, session_id id, std::shared_ptr<router> router,
                 const session_limits& limits, server_stats& stats, std::shared_ptr<void> ticket)
    : socket_(std::move(socket)),
      strand_(ex),
      id_(id),
      router_(std::move(router)),
      outbox_(limits.max_outbox_bytes),
      framer_(limits.max_line),
      stats_(stats),
      rate_(limits.msg_rate, limits.msg_burst, std::chrono::steady_clock::now()),
      connected_at_(std::chrono::steady_clock::now()),
      last_line_at_(connected_at_.time_since_epoch().count()),
      ticket_(std::move(ticket)) {
  asio::error_code ec;
  remote_ = socket_.remote_endpoint(ec);
  socket_.set_option(tcp::no_delay(true), ec);
}

session::~session() {
  spdlog::info("session {} from {} closed", id_, remote_);
}

void session::start() {
  deliver(protocol::format_hello());
  auto self = shared_from_this();
  asio::co_spawn(strand_, read_loop(),
                 asio::bind_executor(strand_, [self](std::exception_ptr e) { log_exception{"session reader"}(e); }));
}

outbox::push_result session::deliver(std::string line) {
  const auto result = outbox_.push(std::move(line));
  if (result == outbox::push_result::queued_start) start_writer();
  return result;
}

void session::deliver_last(std::string line) {
  if (outbox_.push_last(std::move(line)) == outbox::push_result::queued_start) start_writer();
}

void session::start_writer() {
  asio::co_spawn(strand_, write_loop(), asio::bind_executor(strand_, [self = shared_from_this()](std::exception_ptr e) {
                   log_exception{"session writer"}(e);
                 }));
}

awaitable<void> session::read_loop() {
  {
    auto join = request(router_request::kind::join);
    join.joining = shared_from_this();
    co_await send_to_router(std::move(join));
  }
  asio::error_code ec;
  socket_.non_blocking(true, ec);
  while (!stopping_ && !quit_) {
    // Wait for data before owning a buffer: an idle session holds no read buffer.
    std::tie(ec) = co_await socket_.async_wait(tcp::socket::wait_read,
                                               asio::bind_cancellation_slot(read_cancel_.slot(), use_tuple));
    if (ec || stopping_) break;
    read_buffer buffer;
    const auto n = socket_.read_some(asio::buffer(buffer.data(), read_chunk), ec);
    if (ec == asio::error::would_block) continue;
    if (ec) break;
    stats_.bytes_in.fetch_add(n, std::memory_order_relaxed);
    std::string_view bytes(buffer.data(), n);
    while (!bytes.empty() && !quit_ && !stopping_) {
      // The framer stops at each line so the coroutine can await the router in between.
      std::string line;
      bool too_long = false;
      bool got = false;
      const auto used = framer_.feed(
          bytes,
          [&](std::string_view l) {
            line.assign(l);
            got = true;
            return false;
          },
          [&] {
            too_long = true;
            return false;
          });
      bytes.remove_prefix(used);
      if (got || too_long) {
        last_line_at_.store(std::chrono::steady_clock::now().time_since_epoch().count(), std::memory_order_relaxed);
        if (rate_.enabled()) co_await pace();
      }
      if (too_long) {
        auto r = request(router_request::kind::reply, {}, protocol::format_error(protocol::error_code::line_too_long));
        co_await send_to_router(std::move(r));
      } else if (got) {
        co_await forward(std::move(line));
      }
    }
    framer_.release_memory();
  }
  spdlog::debug("session {} stops reading: {}", id_, ec ? ec.message() : (quit_ ? "QUIT" : "shutdown"));
  if (!quit_) {
    auto r = request(router_request::kind::leave);
    co_await send_to_router(std::move(r));
  }
}

awaitable<void> session::pace() {
  auto wait = rate_.take(std::chrono::steady_clock::now());
  if (wait == std::chrono::steady_clock::duration::zero()) co_return;
  stats_.rate_limited.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("session {} over its message rate: pausing reads", id_);
  asio::steady_timer timer(strand_);
  while (wait != std::chrono::steady_clock::duration::zero() && !stopping_) {
    timer.expires_after(wait);
    co_await timer.async_wait(asio::bind_cancellation_slot(read_cancel_.slot(), use_tuple));
    wait = rate_.take(std::chrono::steady_clock::now());
  }
}

awaitable<void> session::forward(std::string line) {
  spdlog::trace("session {} <- {}", id_, line);
  auto parsed = protocol::parse_command(line);
  if (auto* error = std::get_if<protocol::parse_error>(&parsed)) {
    auto r = request(router_request::kind::reply, {}, protocol::format_error(error->code));
    co_await send_to_router(std::move(r));
    co_return;
  }
  auto& cmd = std::get<protocol::command>(parsed);
  // After QUIT the router forgets this session: nothing more is read.
  quit_ = cmd.kind == protocol::command_kind::quit;
  auto r = request(router_request::kind::command, std::move(cmd));
  co_await send_to_router(std::move(r));
}

// GCC 12 bitwise-copies non-trivial temporaries made inside a co_await
// expression (an invalid free under ASan), so requests are built by this plain
// function into a named object first, and only then moved into the coroutine.
router_request session::request(router_request::kind what, protocol::command cmd, std::string line) const {
  router_request r;
  r.what = what;
  r.from = id_;
  r.cmd = std::move(cmd);
  r.line = std::move(line);
  return r;
}

awaitable<void> session::send_to_router(router_request r) {
  // The common case costs no suspension; a full queue parks only this reader.
  if (!router_->try_post(r)) co_await router_->post(std::move(r));
}

awaitable<void> session::write_loop() {
  std::vector<std::string> batch;
  std::vector<asio::const_buffer> buffers;
  bool last = false;
  while (outbox_.take(batch, last)) {
    // Everything queued goes out in one gathered write: a burst costs one syscall.
    std::size_t bytes = 0;
    for (const auto& l : batch) {
      if (!l.empty()) buffers.emplace_back(asio::buffer(l));
      bytes += l.size();
    }
    auto [write_ec, written] = co_await asio::async_write(socket_, buffers, use_tuple);
    outbox_.written(bytes);
    stats_.bytes_out.fetch_add(written, std::memory_order_relaxed);
    batch.clear();
    buffers.clear();
    if (write_ec) {
      spdlog::debug("session {} write failed: {}", id_, write_ec.message());
      outbox_.abandon();
      close_socket();
      co_return;
    }
    if (last) {
      co_await close_gracefully();
      co_return;
    }
  }
}

awaitable<void> session::close_gracefully() {
  // Closing a socket with unread input makes the kernel reset the connection and
  // drop what is still in flight: the BYE line itself. So send FIN after the last
  // line, discard what the client still sends until it closes too, and give up
  // after a bounded wait.
  asio::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  asio::steady_timer deadline(strand_, closing_linger);
  deadline.async_wait([self = shared_from_this()](asio::error_code e) {
    if (!e) self->close_socket();
  });
  std::array<char, 512> discard;
  for (;;) {
    auto [read_ec, n] = co_await socket_.async_read_some(asio::buffer(discard), use_tuple);
    if (read_ec) break;
  }
  deadline.cancel();
  close_socket();
  if (abort_timer_) abort_timer_->cancel();
}

void session::close_socket() {
  asio::error_code ec;
  if (!socket_.is_open()) return;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

void session::stop_reading() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopping_ = true;
    self->read_cancel_.emit(asio::cancellation_type::terminal);
  });
}

void session::abort_after(std::chrono::milliseconds grace) {
  asio::post(strand_, [self = shared_from_this(), grace] {
    if (!self->socket_.is_open()) return;
    self->abort_timer_ = std::make_unique<asio::steady_timer>(self->strand_, grace);
    // The handler holds only a weak reference: the timer must not keep a finished session alive.
    self->abort_timer_->async_wait([weak = std::weak_ptr<session>(self)](asio::error_code ec) {
      auto s = weak.lock();
      if (ec || !s || !s->socket_.is_open()) return;
      spdlog::warn("session {} did not flush its BYE in time: resetting it", s->id_);
      s->abort();
    });
  });
}

void session::abort() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopping_ = true;
    // Reset rather than FIN: the kernel would otherwise keep the unread backlog
    // and go on trickling it to a client that does not read.
    asio::error_code ec;
    self->socket_.set_option(asio::socket_base::linger(true, 0), ec);
    self->socket_.close(ec);
  });
}

}  // namespace chat
