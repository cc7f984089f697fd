// The load generator's state and its coordinator, shared by the files that implement it
// (internal to chat_bench_lib; runner.hpp is the public face):
//   runner.cpp       run(): the phases, the measured window, intervals
//   connections.cpp  connect, register, the read loop, close
//   transmit.cpp     one buffered write per burst, closed-loop top-up
//   pacing.cpp       the open-loop schedule (timer or --spin)
//   checking.cpp     every delivery checked and its latency recorded; the final tally
//   progress.cpp     the live line on a terminal
//   chat_adapter.cpp, nats_adapter.cpp   what each protocol puts on the wire and how replies parse
//
// Threads: each worker runs one io_context on its own thread and owns its clients; the
// coordinating thread (run()) reads the workers' counters and reaches their state only through
// handlers posted to them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/config.hpp"
#include "bench/load_state.hpp"
#include "bench/progress.hpp"
#include "bench/protocol_adapter.hpp"
#include "bench/runner.hpp"
#include "chat/net.hpp"

namespace chat::bench {

class engine final : public adapter_host {
 public:
  engine(const bench_config& c, const run_hooks& h);
  bench_result run();

  // adapter_host: what the protocol adapters call while parsing (on the client's worker thread).
  void on_message(client& c, bool from_partner, std::string_view text, std::uint64_t now) override;
  void fail(client& c, std::string what, bool fatal) override;
  void send_raw(client& c, std::string_view bytes) override;
  phase current_phase() const override { return s_.get_phase(); }

 private:
  const bench_config& cfg() const { return s_.cfg; }
  void fail(client& c, std::string what) { fail(c, std::move(what), true); }

  // --- per connection (on its worker's thread): connections.cpp ---
  awaitable<void> launch(worker& w, std::size_t first, std::size_t step);
  awaitable<bool> connect(client& c);
  awaitable<void> read_loop(client& c);
  void start_pairing(worker& w);
  void close_all(worker& w);
  std::string connect_error(const client& c, const asio::error_code& ec) const;

  // --- sending: transmit.cpp ---
  void append_message(client& c, std::uint64_t timestamp);
  void top_up(client& c);
  void mark_dirty(client& c);
  void flush_dirty(worker& w);
  void flush(client& c);

  // --- pacing: pacing.cpp ---
  awaitable<void> ticker(worker& w);
  std::size_t send_due(worker& w);
  void spin(worker& w);
  void start_traffic(worker& w);

  // --- checking: checking.cpp ---
  void tally(bench_result& r) const;

  // --- main thread: runner.cpp ---
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
  void stop_sending(std::uint64_t deadline);

  shared_state s_;
  const run_hooks& hooks_;
  std::unique_ptr<protocol_adapter> adapter_;
  std::vector<std::unique_ptr<worker>> workers_;
  progress_line progress_;
  std::uint64_t interval_from_ = 0;  // start of the interval under way
};

}  // namespace chat::bench
