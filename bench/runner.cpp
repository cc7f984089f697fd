#include "chat/bench/runner.hpp"

#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "chat/bench/payload.hpp"
#include "chat/fd_limit.hpp"
#include "chat/protocol.hpp"

namespace chat::bench {
namespace {

using tcp = asio::ip::tcp;
using asio::awaitable;
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

// Monotonic nanoseconds: the send timestamps and the receive times.
std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

enum class phase : int { setup, pairing, warmup, measure, drain, closing };

constexpr std::size_t traffic_buffer = 16 * 1024;
constexpr std::size_t idle_buffer = 1024;
constexpr std::size_t max_backlog = 8u << 20;  // bytes queued for one socket before the run is failed
constexpr std::size_t launchers_per_worker = 64;  // connects in flight per thread

// Single-writer counter that other threads may read.
struct counter {
  std::atomic<std::uint64_t> v{0};
  void add(std::uint64_t n = 1) { v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  std::uint64_t get() const { return v.load(std::memory_order_relaxed); }
};

struct worker;

// Shared by every thread; the first errors are kept, the rest only counted.
struct shared_state {
  const bench_config& cfg;
  payload_codec codec;
  tcp::endpoint server;
  std::vector<asio::ip::address> sources;
  std::atomic<int> phase_{static_cast<int>(phase::setup)};
  std::atomic<bool> failed{false};
  std::atomic<std::size_t> connected{0};
  std::mutex errors_mutex;
  std::string first_error;
  std::vector<std::string> samples;

  explicit shared_state(const bench_config& c) : cfg(c), codec(c.payload) {}

  phase get_phase() const { return static_cast<phase>(phase_.load(std::memory_order_relaxed)); }
  void set_phase(phase p) { phase_.store(static_cast<int>(p), std::memory_order_relaxed); }
  bool sending() const {
    const auto p = get_phase();
    return p == phase::warmup || p == phase::measure;
  }

  void report(std::string what, bool fatal) {
    {
      std::lock_guard lock(errors_mutex);
      if (first_error.empty() && fatal) first_error = what;
      if (samples.size() < 10) samples.push_back(std::move(what));
    }
    if (fatal) failed.store(true, std::memory_order_relaxed);
  }
};

struct client {
  enum class state { connecting, registering, registered, paired, closed };

  client(asio::io_context& io, worker& w, std::size_t i) : sock(io), owner(w), index(i) {}

  tcp::socket sock;
  worker& owner;
  std::size_t index;
  std::string name;
  client* partner = nullptr;
  bool initiator = false;  // sends CONNECT to its partner
  state st = state::connecting;

  std::unique_ptr<char[]> buf;
  std::size_t cap = 0;
  std::size_t len = 0;

  // What to put around a payload on the wire (depends on protocol and partner).
  std::string prefix, suffix;
  std::string out;      // appended to, then handed over to `writing` whole
  std::string writing;  // the bytes of the one outstanding async_write
  bool write_pending = false;
  bool dirty = false;

  std::uint64_t sent = 0;       // messages sent; the next one's sequence number
  std::uint64_t delivered = 0;  // of those, received by the partner
  sequence_checker checker;     // the partner's messages to this client

  // NATS: bytes of payload announced by the last MSG header, and whether its reply-to named the partner.
  std::size_t nats_need = 0;
  bool nats_from_partner = false;
};

struct worker {
  asio::io_context io{1};
  // Keeps run() going between phases; dropped on the worker's thread at close.
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  std::vector<std::unique_ptr<client>> clients;
  std::vector<client*> dirty;
  std::thread thread;
  histogram latency;
  // --interval: the latencies of the interval under way. The coordinator swaps in an empty one at each
  // boundary through a handler on this worker's thread, so recording stays a plain single-writer store.
  std::unique_ptr<histogram> slice;
  counter registered, paired, sent, received, measured, protocol_errors;
  counter idle_ns;  // --spin: time spent polling with nothing to do

  // The open-loop schedule (rate mode), on this worker's thread.
  std::vector<client*> senders;
  double interval_ns = 0;
  std::uint64_t schedule_start = 0;
  std::uint64_t next_k = 0;
  bool scheduling = false;
};

class engine {
 public:
  engine(const bench_config& c, const run_hooks& h) : s_(c), hooks_(h) {}
  bench_result run();

 private:
  const bench_config& cfg() const { return s_.cfg; }

  // --- per connection (on its worker's thread) ---
  awaitable<void> launch(worker& w, std::size_t first, std::size_t step);
  awaitable<bool> connect(client& c);
  awaitable<void> read_loop(client& c);
  std::size_t process_chat(client& c, char* data, std::size_t n, std::uint64_t now);
  std::size_t process_nats(client& c, char* data, std::size_t n, std::uint64_t now);
  void on_chat_line(client& c, std::string_view line, std::uint64_t now);
  void on_message(client& c, bool from_partner, std::string_view text, std::uint64_t now);
  void fail(client& c, std::string what, bool fatal = true);
  void append_message(client& c, std::uint64_t timestamp);
  void top_up(client& c);
  void mark_dirty(client& c);
  void flush_dirty(worker& w);
  void flush(client& c);
  void send_raw(client& c, std::string_view bytes);
  awaitable<void> ticker(worker& w);
  std::size_t send_due(worker& w);
  void spin(worker& w);
  void start_pairing(worker& w);
  void start_traffic(worker& w);
  void close_all(worker& w);
  void stop_sending(std::uint64_t deadline);

  // --- main thread ---
  std::string connect_error(const asio::error_code& ec) const;
  bool wait_for(const char* what, std::uint64_t target, std::uint64_t (engine::*value)() const, double seconds);
  std::uint64_t total_registered() const { return sum(&worker::registered); }
  std::uint64_t total_paired() const { return sum(&worker::paired); }
  std::uint64_t sum(counter worker::*field) const {
    std::uint64_t t = 0;
    for (const auto& w : workers_) t += ((*w).*field).get();
    return t;
  }
  void progress(const char* what, bool final = false);
  void hold(const char* what, double seconds) {
    hold_until(what, now_ns() + static_cast<std::uint64_t>(seconds * 1e9));
  }
  void hold_until(const char* what, std::uint64_t end);
  void measure(bench_result& r, std::uint64_t start);
  void close_interval(bench_result& r, std::uint64_t start, std::uint64_t to, long rss_kib);

  shared_state s_;
  const run_hooks& hooks_;
  std::vector<std::unique_ptr<worker>> workers_;
  std::uint64_t last_progress_received_ = 0;
  std::uint64_t last_progress_at_ = 0;
  std::uint64_t interval_from_ = 0;  // start of the interval under way
};

// ---------------------------------------------------------------- connections

awaitable<void> engine::launch(worker& w, std::size_t first, std::size_t step) {
  for (auto i = first; i < w.clients.size(); i += step) {
    if (s_.failed.load(std::memory_order_relaxed) || s_.get_phase() >= phase::drain) co_return;
    auto& c = *w.clients[i];
    if (!co_await connect(c)) co_return;
    asio::co_spawn(w.io, read_loop(c), [this, &c](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        fail(c, std::string("reader failed: ") + x.what());
      }
    });
  }
}

std::string engine::connect_error(const asio::error_code& ec) const {
  const auto where = s_.server.address().to_string() + ":" + std::to_string(s_.server.port());
  const auto done = s_.connected.load();
  if (ec == asio::error::connection_refused) {
    if (done == 0) return "nothing listens on " + where + " (connection refused): start the server or fix --host/--port";
    return "connection refused by " + where + " after " + std::to_string(done) +
           " connections: its listen backlog overflowed or it stopped accepting";
  }
  if (ec.value() == EADDRNOTAVAIL) {
    return "out of local ports after " + std::to_string(done) +
           " connections (EADDRNOTAVAIL): spread clients over loopback addresses with --source-addrs "
           "127.0.0.1-127.0.0.8";
  }
  if (ec.value() == EMFILE || ec.value() == ENFILE) {
    rlimit l{};
    getrlimit(RLIMIT_NOFILE, &l);
    return "out of file descriptors after " + std::to_string(done) + " connections (soft limit " +
           std::to_string(l.rlim_cur) + "): raise `ulimit -n` or split the load over several chat-bench processes";
  }
  return "cannot connect to " + where + ": " + ec.message();
}

awaitable<bool> engine::connect(client& c) {
  asio::error_code ec;
  c.sock.open(s_.server.protocol(), ec);
  if (!ec && !s_.sources.empty()) {
    const auto& src = s_.sources[c.index % s_.sources.size()];
    // Let connect() pick the port by the whole 4-tuple, not bind() by address alone.
    const int yes = 1;
    ::setsockopt(c.sock.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &yes, sizeof yes);
    c.sock.bind(tcp::endpoint(src, 0), ec);
  }
  if (ec) {
    s_.report(connect_error(ec), true);
    co_return false;
  }
  auto [cec] = co_await c.sock.async_connect(s_.server, use_tuple);
  if (cec) {
    if (s_.get_phase() < phase::closing) s_.report(connect_error(cec), true);
    co_return false;
  }
  s_.connected.fetch_add(1, std::memory_order_relaxed);
  c.sock.set_option(tcp::no_delay(true), ec);
  c.sock.non_blocking(true, ec);
  const bool idle = cfg().idle > 0;
  c.cap = idle ? idle_buffer : std::max(traffic_buffer, 2 * cfg().payload + 512);
  c.buf = std::make_unique<char[]>(c.cap);
  c.st = client::state::registering;
  std::string hello;
  if (cfg().proto == protocol_kind::chat) {
    hello = "REGISTER " + c.name + "\n";
  } else {
    // verbose off: no +OK per PUB. The PING's PONG says the SUB is in place.
    hello = "CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"" + c.name + "\"}\r\nSUB inbox." + c.name +
            " 1\r\nPING\r\n";
  }
  send_raw(c, hello);
  co_return true;
}

void engine::fail(client& c, std::string what, bool fatal) {
  c.owner.protocol_errors.add();
  s_.report(c.name + ": " + what, fatal);
}

awaitable<void> engine::read_loop(client& c) {
  const bool nats = cfg().proto == protocol_kind::nats;
  bool drained = true;  // the last read_some left nothing behind: wait for the next edge
  for (;;) {
    asio::error_code ec;
    std::size_t n = 0;
    if (drained) {
      // Wait for readability rather than reading speculatively: a speculative read is one
      // more recvfrom per wake-up that returns EAGAIN whenever messages travel alone.
      std::tie(ec) = co_await c.sock.async_wait(tcp::socket::wait_read, use_tuple);
    }
    if (!ec) {
      n = c.sock.read_some(asio::buffer(c.buf.get() + c.len, c.cap - c.len), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        drained = true;
        continue;
      }
      if (!ec && n == 0) ec = asio::error::eof;
    }
    if (ec) {
      if (s_.get_phase() < phase::closing && c.st != client::state::closed) {
        fail(c, ec == asio::error::eof ? std::string("server closed the connection")
                                       : "connection lost: " + ec.message());
      }
      c.st = client::state::closed;
      co_return;
    }
    // TCP hands over everything it holds up to the buffer's size: a short read drained the socket.
    drained = n < c.cap - c.len;
    c.len += n;
    const auto now = now_ns();
    const auto used = nats ? process_nats(c, c.buf.get(), c.len, now) : process_chat(c, c.buf.get(), c.len, now);
    if (used < c.len) std::memmove(c.buf.get(), c.buf.get() + used, c.len - used);
    c.len -= used;
    flush_dirty(c.owner);
    if (c.len == c.cap) {
      fail(c, "a line longer than " + std::to_string(c.cap) + " bytes");
      co_return;
    }
    if (c.st == client::state::closed) co_return;
  }
}

std::size_t engine::process_chat(client& c, char* data, std::size_t n, std::uint64_t now) {
  std::size_t pos = 0;
  while (pos < n) {
    const auto* lf = static_cast<const char*>(std::memchr(data + pos, '\n', n - pos));
    if (!lf) break;
    std::string_view line(data + pos, static_cast<std::size_t>(lf - (data + pos)));
    pos = static_cast<std::size_t>(lf - data) + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    on_chat_line(c, line, now);
  }
  return pos;
}

void engine::on_chat_line(client& c, std::string_view line, std::uint64_t now) {
  const auto [head, rest] = protocol::split_server_line(line);
  if (head == "MSG") {
    const auto [sender, text] = protocol::split_word(rest);
    on_message(c, c.partner && sender == c.partner->name, text, now);
    return;
  }
  if (head == "HELLO" || head == "PONG") return;
  if (head == "OK") {
    const auto [what, arg] = protocol::split_word(rest);
    if (what == "REGISTERED" && c.st == client::state::registering) {
      c.st = client::state::registered;
      c.owner.registered.add();
      return;
    }
    if (what == "CONNECTED" && c.initiator && c.st == client::state::registered) {
      c.st = client::state::paired;
      c.owner.paired.add();
      return;
    }
    if (what == "BYE" && s_.get_phase() >= phase::closing) return;
  }
  if (head == "CONNECTED" && !c.initiator && c.st == client::state::registered && c.partner &&
      rest == c.partner->name) {
    c.st = client::state::paired;
    c.owner.paired.add();
    return;
  }
  if (head == "BYE" && s_.get_phase() >= phase::closing) return;
  fail(c, "unexpected line from the server: " + std::string(line.substr(0, 200)));
}

std::size_t engine::process_nats(client& c, char* data, std::size_t n, std::uint64_t now) {
  std::size_t pos = 0;
  while (pos < n) {
    if (c.nats_need) {
      if (n - pos < c.nats_need + 2) break;
      on_message(c, c.nats_from_partner, std::string_view(data + pos, c.nats_need), now);
      pos += c.nats_need + 2;
      c.nats_need = 0;
      continue;
    }
    const auto* lf = static_cast<const char*>(std::memchr(data + pos, '\n', n - pos));
    if (!lf) break;
    std::string_view line(data + pos, static_cast<std::size_t>(lf - (data + pos)));
    pos = static_cast<std::size_t>(lf - data) + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto [head, rest] = protocol::split_word(line);
    if (head == "MSG") {
      // MSG <subject> <sid> [reply-to] <#bytes>; our reply-to is the sender's name.
      std::string_view words[4];
      std::size_t count = 0;
      auto r = rest;
      while (!r.empty() && count < 4) {
        auto [w, more] = protocol::split_word(r);
        words[count++] = w;
        r = more;
      }
      std::size_t size = 0;
      const auto last = words[count ? count - 1 : 0];
      if (count < 3 || std::from_chars(last.data(), last.data() + last.size(), size).ec != std::errc{} || size == 0 ||
          size + 2 > c.cap) {
        fail(c, "bad MSG header from NATS: " + std::string(line.substr(0, 200)));
        c.st = client::state::closed;
        return n;
      }
      c.nats_need = size;
      c.nats_from_partner = count == 4 && c.partner && words[2] == c.partner->name;
      continue;
    }
    if (head == "PING") {
      send_raw(c, "PONG\r\n");
      continue;
    }
    if (head == "PONG") {
      if (c.st == client::state::registering) {
        // No pairing step in NATS: subscribed means ready.
        c.st = client::state::paired;
        c.owner.registered.add();
        c.owner.paired.add();
      }
      continue;
    }
    if (head == "INFO" || head == "+OK") continue;
    fail(c, "unexpected line from NATS: " + std::string(line.substr(0, 200)));
  }
  return pos;
}

void engine::on_message(client& c, bool from_partner, std::string_view text, std::uint64_t now) {
  auto& w = c.owner;
  if (!c.partner) {
    fail(c, "a message on a connection that has no partner", false);
    return;
  }
  const auto d = s_.codec.decode(text);
  if (!from_partner || !d) {
    c.checker.on_corrupted();
    return;
  }
  client& p = *c.partner;
  const auto v = c.checker.on_receive(d->seq, p.sent);
  if (v == sequence_checker::verdict::duplicate || v == sequence_checker::verdict::corrupted) return;
  w.received.add();
  ++p.delivered;
  if (s_.get_phase() == phase::measure) {
    const auto latency = now > d->timestamp_ns ? now - d->timestamp_ns : 0;
    w.latency.record(latency);
    if (w.slice) w.slice->record(latency);
    w.measured.add();
  }
  if (cfg().window) mark_dirty(p);
}

// ---------------------------------------------------------------- sending

void engine::append_message(client& c, std::uint64_t timestamp) {
  const auto size = s_.codec.size();
  const auto old = c.out.size();
  c.out.resize(old + c.prefix.size() + size + c.suffix.size());
  char* p = c.out.data() + old;
  std::memcpy(p, c.prefix.data(), c.prefix.size());
  s_.codec.encode(p + c.prefix.size(), c.sent, timestamp);
  std::memcpy(p + c.prefix.size() + size, c.suffix.data(), c.suffix.size());
  if (hooks_.counting_message) hooks_.counting_message();
  ++c.sent;
  c.owner.sent.add();
}

void engine::top_up(client& c) {
  if (!s_.sending() || c.st != client::state::paired) return;
  if (c.sent - c.delivered >= cfg().window) return;
  const auto now = now_ns();
  while (c.sent - c.delivered < cfg().window) append_message(c, now);
}

void engine::mark_dirty(client& c) {
  if (c.dirty) return;
  c.dirty = true;
  c.owner.dirty.push_back(&c);
}

void engine::flush_dirty(worker& w) {
  // Index loop: flushing never adds to the list, but keep it safe anyway.
  for (std::size_t i = 0; i < w.dirty.size(); ++i) {
    auto* c = w.dirty[i];
    c->dirty = false;
    if (cfg().window) top_up(*c);
    flush(*c);
  }
  w.dirty.clear();
}

void engine::send_raw(client& c, std::string_view bytes) {
  c.out.append(bytes);
  flush(c);
}

// One write per burst: everything appended since the last write goes out in one
// send(); only what the kernel does not take waits for an async_write.
void engine::flush(client& c) {
  if (c.write_pending || c.out.empty() || c.st == client::state::closed) return;
  c.writing.swap(c.out);
  asio::error_code ec;
  const auto n = c.sock.write_some(asio::buffer(c.writing), ec);
  if (!ec && n == c.writing.size()) {
    c.writing.clear();
    return;
  }
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
    if (s_.get_phase() < phase::closing) fail(c, "write failed: " + ec.message());
    c.writing.clear();
    return;
  }
  c.writing.erase(0, ec ? 0 : n);
  c.write_pending = true;
  asio::async_write(c.sock, asio::buffer(c.writing), [this, &c](const asio::error_code& wec, std::size_t) {
    c.write_pending = false;
    c.writing.clear();
    if (wec) {
      if (s_.get_phase() < phase::closing && c.st != client::state::closed) fail(c, "write failed: " + wec.message());
      return;
    }
    if (c.out.size() > max_backlog) {
      fail(c, "more than 8 MiB waiting to be sent: the server is not reading");
      return;
    }
    flush(c);
  });
}

// Open loop: message k of this thread is due at start + k / rate and goes to
// sender k mod S, whatever happened to the earlier ones; its timestamp is that
// intended time, so a stall shows up in the latency instead of slowing the offer.
// Returns how many messages it sent.
std::size_t engine::send_due(worker& w) {
  if (!w.scheduling) return 0;
  if (!s_.sending() || s_.failed.load(std::memory_order_relaxed)) {
    w.scheduling = false;
    return 0;
  }
  const auto now = now_ns();
  const auto due = static_cast<std::uint64_t>(static_cast<double>(now - w.schedule_start) / w.interval_ns) + 1;
  std::size_t sent = 0;
  for (; w.next_k < due; ++w.next_k) {
    auto& c = *w.senders[w.next_k % w.senders.size()];
    if (c.st != client::state::paired) continue;
    append_message(c, w.schedule_start + static_cast<std::uint64_t>(static_cast<double>(w.next_k) * w.interval_ns));
    mark_dirty(c);
    ++sent;
  }
  flush_dirty(w);
  return sent;
}

// Sleeps on a timer until the next message is due (without --spin).
awaitable<void> engine::ticker(worker& w) {
  asio::steady_timer timer(w.io);
  while (w.scheduling) {
    send_due(w);
    if (!w.scheduling) break;
    const auto next = w.schedule_start + static_cast<std::uint64_t>(static_cast<double>(w.next_k) * w.interval_ns);
    // steady_clock is CLOCK_MONOTONIC in libstdc++, the clock of now_ns().
    timer.expires_at(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(next)));
    co_await timer.async_wait(use_tuple);
  }
}

// --spin: never sleep. Poll the sockets and the schedule in turn; a wake-up from
// sleep (a timer interrupt, an IPI, a context switch: tens of microseconds in a VM)
// then costs nothing, and send times are exact. Idle polls are timed so that the
// CPU figure still shows how busy chat-bench really was.
void engine::spin(worker& w) {
  // Idle time is this thread's CPU time, not wall time: a spinning thread that the
  // kernel preempts is neither busy nor idle.
  const auto thread_cpu_ns = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
  };
  auto before = thread_cpu_ns();
  while (!w.io.stopped()) {
    auto n = w.io.poll();
    n += send_due(w);
    const auto after = thread_cpu_ns();
    if (n == 0) w.idle_ns.add(after - before);
    before = after;
  }
}

void engine::start_pairing(worker& w) {
  for (auto& c : w.clients) {
    if (!c->initiator) continue;
    auto line = "CONNECT " + c->partner->name + "\n";
    send_raw(*c, line);
  }
}

void engine::start_traffic(worker& w) {
  if (cfg().window) {
    for (auto& c : w.clients) mark_dirty(*c);
    flush_dirty(w);
    return;
  }
  const double share = static_cast<double>(w.clients.size()) / static_cast<double>(cfg().connections());
  for (auto& c : w.clients) w.senders.push_back(c.get());
  if (w.senders.empty()) return;
  w.interval_ns = 1e9 / (cfg().rate * share);
  w.schedule_start = now_ns();
  w.scheduling = true;
  if (cfg().spin) return;  // spin() calls send_due() between polls
  asio::co_spawn(w.io, ticker(w), [this](std::exception_ptr e) {
    if (e) s_.report("ticker failed", true);
  });
}

void engine::close_all(worker& w) {
  for (auto& c : w.clients) {
    if (c->partner) c->checker.finish(c->partner->sent);
    asio::error_code ec;
    c->st = client::state::closed;
    if (c->sock.is_open()) {
      c->sock.shutdown(tcp::socket::shutdown_both, ec);
      c->sock.close(ec);
    }
  }
}

// ---------------------------------------------------------------- main thread

// Called once the phase is drain. The phase flag alone does not stop the workers at once: one
// that checked it just before it changed may still be appending messages (and on one core, as
// bench/run.sh runs it, this thread preempts a worker anywhere). The drain would then compare
// received with a sent total that is still about to grow, could end at once at received == sent,
// and close_all() would count the message sent just after as lost. A handler posted to a worker
// now runs after any send under way, and every send after it sees the new phase: once each has
// run, the sent totals are final.
void engine::stop_sending(std::uint64_t deadline) {
  std::vector<std::future<void>> stopped;
  for (auto& w : workers_) {
    std::promise<void> done;
    stopped.push_back(done.get_future());
    asio::post(w->io, [done = std::move(done)]() mutable { done.set_value(); });
  }
  if (hooks_.stopping_senders) hooks_.stopping_senders();
  const auto until = std::chrono::steady_clock::time_point(std::chrono::nanoseconds(deadline));
  for (auto& f : stopped) f.wait_until(until);
}

std::string format_ns(std::uint64_t ns) {
  char b[32];
  if (ns < 10'000) {
    std::snprintf(b, sizeof b, "%llu ns", static_cast<unsigned long long>(ns));
  } else if (ns < 10'000'000) {
    std::snprintf(b, sizeof b, "%.0f us", static_cast<double>(ns) / 1e3);
  } else {
    std::snprintf(b, sizeof b, "%.1f ms", static_cast<double>(ns) / 1e6);
  }
  return b;
}

void engine::progress(const char* what, bool final) {
  if (!cfg().progress) return;
  const auto now = now_ns();
  const auto received = sum(&worker::received);
  double rate = 0;
  if (last_progress_at_ && now > last_progress_at_) {
    rate = static_cast<double>(received - last_progress_received_) * 1e9 / static_cast<double>(now - last_progress_at_);
  }
  last_progress_received_ = received;
  last_progress_at_ = now;
  histogram h;
  for (const auto& w : workers_) h.merge(w->latency);
  std::fprintf(stderr, "\r\033[K%-8s conns %zu  msgs/s %.0f  p99 %s  errors %llu", what, s_.connected.load(), rate,
               h.count() ? format_ns(h.percentile(0.99)).c_str() : "-",
               static_cast<unsigned long long>(sum(&worker::protocol_errors)));
  if (final) std::fputc('\n', stderr);
  std::fflush(stderr);
}

bool engine::wait_for(const char* what, std::uint64_t target, std::uint64_t (engine::*value)() const,
                      double seconds) {
  const auto deadline = now_ns() + static_cast<std::uint64_t>(seconds * 1e9);
  auto next_progress = now_ns();
  while ((this->*value)() < target) {
    if (s_.failed.load()) return false;
    if (now_ns() > deadline) {
      s_.report(std::string(what) + ": only " + std::to_string((this->*value)()) + " of " + std::to_string(target) +
                    " done after " + std::to_string(static_cast<int>(seconds)) + " s",
                true);
      return false;
    }
    if (now_ns() >= next_progress) {
      progress(what);
      next_progress += 1'000'000'000;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

void engine::hold_until(const char* what, std::uint64_t end) {
  auto next_progress = now_ns();  // show each phase as it begins
  while (now_ns() < end && !s_.failed.load()) {
    if (now_ns() >= next_progress) {
      progress(what);
      next_progress += 1'000'000'000;
    }
    const auto left = end - std::min(end, now_ns());
    std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<std::uint64_t>(left, 50'000'000)));
  }
}

double cpu_seconds_self() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double cpu_seconds_of(int pid) {
  if (pid <= 0) return -1;
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(f, text)) return -1;
  // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream in(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

long rss_kib_of(int pid) {
  if (pid <= 0) return -1;
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// Holds the measured phase; with --interval, closes an interval at every boundary but
// the last, which run() closes once the phase has ended so that it holds every measured message.
void engine::measure(bench_result& r, std::uint64_t start) {
  const char* what = cfg().idle ? "idle" : "measure";
  const auto end = start + static_cast<std::uint64_t>(cfg().duration * 1e9);
  if (!(cfg().interval > 0)) return hold_until(what, end);
  // Boundaries on a fixed grid from the start, so a late wake-up does not shift the later ones.
  const auto step = static_cast<std::uint64_t>(cfg().interval * 1e9);
  interval_from_ = start;
  for (std::uint64_t k = 1; !s_.failed.load(); ++k) {
    const auto to = std::min(end, start + k * step);
    hold_until(what, to);
    if (to == end) return;
    close_interval(r, start, now_ns(), rss_kib_of(cfg().server_pid));
  }
}

// Swaps every worker's interval histogram for an empty one on the worker's own thread and
// records the merged figures of the interval from interval_from_ to `to`.
void engine::close_interval(bench_result& r, std::uint64_t start, std::uint64_t to, long rss_kib) {
  std::vector<std::future<std::unique_ptr<histogram>>> full;
  for (auto& w : workers_) {
    std::promise<std::unique_ptr<histogram>> swapped;
    full.push_back(swapped.get_future());
    // Allocated here, not on the worker: a histogram is ~40 KB to zero.
    asio::post(w->io, [&w, swapped = std::move(swapped), fresh = std::make_unique<histogram>()]() mutable {
      swapped.set_value(std::exchange(w->slice, std::move(fresh)));
    });
  }
  histogram merged;
  for (auto& f : full) {
    if (const auto h = f.get()) merged.merge(*h);
  }
  const auto seconds = [start](std::uint64_t t) { return static_cast<double>(t - start) / 1e9; };
  r.intervals.push_back(summarize_interval(seconds(interval_from_), seconds(to), merged, rss_kib));
  interval_from_ = to;
  if (!cfg().progress) {
    std::printf("%s\n", interval_line(r.intervals.back()).c_str());
    std::fflush(stdout);
  }
}

std::size_t usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<std::size_t>(CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

std::string utc_now() {
  const auto t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return b;
}

bench_result engine::run() {
  bench_result r;
  r.config = cfg();
  r.started_at = utc_now();
  const auto n = cfg().connections();

  // Descriptors: one per connection plus the process's own.
  const auto limit = raise_fd_limit();
  if (limit.soft < n + reserved_fds) {
    r.error = "need " + std::to_string(n + reserved_fds) + " file descriptors but the limit is " +
              std::to_string(limit.soft) + " (hard " + std::to_string(limit.hard) +
              "): raise it (ulimit -Hn as root, or LimitNOFILE=) or run several chat-bench processes";
    return r;
  }
  try {
    asio::io_context resolver_io;
    tcp::resolver resolver(resolver_io);
    s_.server = *resolver.resolve(cfg().host, std::to_string(cfg().port)).begin();
    for (const auto& a : cfg().source_addrs) s_.sources.push_back(asio::ip::make_address(a));
  } catch (const std::exception& e) {
    r.error = "cannot resolve " + cfg().host + ": " + e.what();
    return r;
  }

  // Clients: a pair's two ends share a thread.
  const auto prefix = cfg().name_prefix.empty() ? "b" + std::to_string(getpid()) : cfg().name_prefix;
  for (std::size_t t = 0; t < cfg().threads; ++t) {
    workers_.push_back(std::make_unique<worker>());
    if (cfg().interval > 0) workers_.back()->slice = std::make_unique<histogram>();
  }
  const bool nats = cfg().proto == protocol_kind::nats;
  for (std::size_t i = 0; i < n; ++i) {
    const auto unit = cfg().idle ? i : i / 2;
    auto& w = *workers_[unit % workers_.size()];
    auto c = std::make_unique<client>(w.io, w, i);
    c->name = prefix + "_" + std::to_string(i);
    w.clients.push_back(std::move(c));
  }
  if (!cfg().idle) {
    for (auto& w : workers_) {
      for (std::size_t k = 0; k + 1 < w->clients.size(); k += 2) {
        auto& a = *w->clients[k];
        auto& b = *w->clients[k + 1];
        a.partner = &b;
        b.partner = &a;
        a.initiator = true;
        for (auto* c : {&a, &b}) {
          if (nats) {
            c->prefix = "PUB inbox." + c->partner->name + " " + c->name + " " + std::to_string(cfg().payload) + "\r\n";
            c->suffix = "\r\n";
          } else {
            c->prefix = "MSG ";
            c->suffix = "\n";
          }
        }
      }
    }
  }

  r.server_rss_before_kib = rss_kib_of(cfg().server_pid);
  const auto setup_start = now_ns();
  for (auto& wp : workers_) {
    auto& w = *wp;
    const auto launchers = std::min(launchers_per_worker, w.clients.size());
    for (std::size_t j = 0; j < launchers; ++j) {
      asio::co_spawn(w.io, launch(w, j, launchers), [this](std::exception_ptr e) {
        if (e) s_.report("connect loop failed", true);
      });
    }
    w.thread = std::thread([this, &w] {
      // Wake timers on time: the default 50 us slack would blur the open-loop schedule.
      prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
      if (cfg().spin) {
        spin(w);
      } else {
        w.io.run();
      }
    });
  }
  // Under a real-time policy (bench/run.sh uses SCHED_FIFO) a saturated worker never
  // blocks, and a FIFO thread is not preempted by another of the same priority: the
  // coordinator would never wake up. It sleeps nearly always, so it may outrank them.
  if (const int policy = sched_getscheduler(0); policy == SCHED_FIFO || policy == SCHED_RR) {
    sched_param param{};
    sched_getparam(0, &param);
    if (param.sched_priority < sched_get_priority_max(policy)) {
      ++param.sched_priority;
      pthread_setschedparam(pthread_self(), policy, &param);
    }
  }
  // Close every socket on its own thread, then let the aborted reads and writes finish and the threads end.
  const auto close_and_join = [&] {
    s_.set_phase(phase::closing);
    for (auto& w : workers_) {
      std::promise<void> done;
      auto f = done.get_future();
      asio::post(w->io, [this, &w, &done] {
        close_all(*w);
        w->guard.reset();
        done.set_value();
      });
      f.wait();
    }
    for (auto& w : workers_) {
      if (w->thread.joinable()) w->thread.join();
    }
  };

  bool ok = wait_for("connect", n, &engine::total_registered, cfg().setup_timeout);
  r.connections = total_registered();
  if (ok && !cfg().idle && !nats) {
    s_.set_phase(phase::pairing);
    for (auto& w : workers_) asio::post(w->io, [this, &w] { start_pairing(*w); });
    ok = wait_for("pair", n, &engine::total_paired, cfg().setup_timeout);
  }
  r.setup_seconds = static_cast<double>(now_ns() - setup_start) / 1e9;
  r.connect_rate = r.setup_seconds > 0 ? static_cast<double>(r.connections) / r.setup_seconds : 0;

  double t0 = 0, t1 = 0, cpu0 = 0, cpu1 = 0, scpu0 = -1, scpu1 = -1;
  std::uint64_t idle0 = 0, idle1 = 0;
  if (ok) {
    if (!cfg().idle) {
      s_.set_phase(phase::warmup);
      for (auto& w : workers_) asio::post(w->io, [this, &w] { start_traffic(*w); });
      hold("warmup", cfg().warmup);
    }
    s_.set_phase(phase::measure);
    const auto start = now_ns();
    t0 = static_cast<double>(start) / 1e9;
    cpu0 = cpu_seconds_self();
    idle0 = sum(&worker::idle_ns);
    scpu0 = cpu_seconds_of(cfg().server_pid);
    measure(r, start);
    const auto stop = now_ns();
    t1 = static_cast<double>(stop) / 1e9;
    cpu1 = cpu_seconds_self();
    idle1 = sum(&worker::idle_ns);
    scpu1 = cpu_seconds_of(cfg().server_pid);
    r.server_rss_after_kib = rss_kib_of(cfg().server_pid);
    s_.set_phase(phase::drain);
    if (cfg().interval > 0 && !s_.failed.load()) close_interval(r, start, stop, r.server_rss_after_kib);
    // Every message sent must arrive: once the workers have stopped sending, wait for the last ones in flight.
    const auto deadline = now_ns() + static_cast<std::uint64_t>(cfg().drain_timeout * 1e9);
    stop_sending(deadline);
    while (!s_.failed.load() && sum(&worker::received) < sum(&worker::sent) && now_ns() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (hooks_.drained) hooks_.drained();
    progress(cfg().idle ? "idle" : "done", true);
  } else if (cfg().progress) {
    std::fputc('\n', stderr);
  }
  close_and_join();

  r.measured_seconds = t1 - t0;
  for (auto& w : workers_) {
    r.sent += w->sent.get();
    r.received += w->received.get();
    r.measured_received += w->measured.get();
    r.protocol_errors += w->protocol_errors.get();
    r.latency.merge(w->latency);
    for (auto& c : w->clients) {
      r.lost += c->checker.lost();
      r.duplicated += c->checker.duplicated();
      r.reordered += c->checker.reordered();
      r.corrupted += c->checker.corrupted();
    }
  }
  if (r.measured_seconds > 0) {
    r.throughput = static_cast<double>(r.measured_received) / r.measured_seconds;
    // Spinning burns the core by design: count only the polls that found work.
    r.bench_spin_idle_seconds = static_cast<double>(idle1 - idle0) / 1e9;
    r.bench_cpu_seconds = std::max(0.0, cpu1 - cpu0 - r.bench_spin_idle_seconds);
    r.bench_cores = r.bench_cpu_seconds / r.measured_seconds;
    r.bench_cpu_share = r.bench_cores / static_cast<double>(std::min(cfg().threads, usable_cores()));
    r.bench_bound = r.bench_cpu_share > 0.9;
    if (scpu0 >= 0 && scpu1 >= 0) {
      r.server_cpu_seconds = scpu1 - scpu0;
      r.server_cores = r.server_cpu_seconds / r.measured_seconds;
    }
  }
  if (cfg().idle && r.server_rss_before_kib >= 0 && r.server_rss_after_kib >= 0 && r.connections) {
    r.server_rss_per_connection = static_cast<double>(r.server_rss_after_kib - r.server_rss_before_kib) * 1024.0 /
                                  static_cast<double>(r.connections);
  }
  {
    std::lock_guard lock(s_.errors_mutex);
    r.error = s_.first_error;
    r.error_samples = s_.samples;
  }
  return r;
}

}  // namespace

bench_result run(const bench_config& config, const run_hooks& hooks) {
  engine e(config, hooks);
  return e.run();
}

}  // namespace chat::bench
