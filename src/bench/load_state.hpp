// The load generator's shared state: the phase every thread reads, the clients (one per
// connection) and the workers (one thread and io_context each) that own them.
#pragma once

#include <asio/ssl.hpp>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/config.hpp"
#include "bench/histogram.hpp"
#include "bench/payload.hpp"
#include "chat/net.hpp"

namespace chat::bench {

// Monotonic nanoseconds: the send timestamps and the receive times.
inline std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

enum class phase : int { setup, pairing, warmup, measure, drain, closing };

inline constexpr std::size_t traffic_buffer = 16 * 1024;
inline constexpr std::size_t idle_buffer = 1024;
inline constexpr std::size_t max_backlog = 8u << 20;     // bytes queued for one socket before the run is failed
inline constexpr std::size_t launchers_per_worker = 64;  // connects in flight per thread

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
  std::vector<tcp::endpoint> servers;  // --servers, or the one --host/--port
  std::vector<asio::ip::address> sources;
  std::atomic<int> phase_{static_cast<int>(phase::setup)};
  std::atomic<bool> failed{false};
  std::atomic<std::size_t> connected{0};
  std::mutex errors_mutex;
  std::string first_error;
  std::vector<std::string> samples;
  // Fatal errors that belong to no one connection (refused connects, timeouts): they count as
  // errors like a client's, so a failed run never reports "errors 0".
  std::atomic<std::uint64_t> unattributed{0};

  // --tls: one client context for every connection; a load generator does not check certificates.
  std::unique_ptr<asio::ssl::context> tls_context;

  explicit shared_state(const bench_config& c) : cfg(c), codec(c.payload) {
    if (!c.tls) return;
    tls_context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    tls_context->set_verify_mode(asio::ssl::verify_none);
  }

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
  // A fatal error of the run as a whole, counted in unattributed.
  void fatal(std::string what) {
    unattributed.fetch_add(1, std::memory_order_relaxed);
    report(std::move(what), true);
  }
};

struct client {
  enum class state { connecting, registering, registered, paired, closed };

  client(asio::io_context& io, worker& w, std::size_t i) : sock(io), owner(w), index(i) {}

  tcp::socket sock;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls;  // --tls: over sock, made at connect
  worker& owner;
  std::size_t index;
  std::size_t server = 0;  // index into shared_state::servers
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

}  // namespace chat::bench
