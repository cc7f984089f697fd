// The live progress line chat-bench redraws on stderr once a second when stderr is a terminal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace chat::bench {

// The figures one progress line shows.
struct progress_figures {
  const char* phase = "";  // connect, pair, warmup, measure, idle, done
  std::size_t connections = 0;
  double rate = 0;           // msgs/s delivered over the last `span` seconds
  double span = 0;           // seconds since the previous line (0: the first line, no rate yet)
  bool measured = false;     // any latency recorded yet
  std::uint64_t p99_ns = 0;  // p99 of the measured window so far
  std::uint64_t errors = 0;
};

// The text of one line, without the terminal control around it, e.g.
// "measure  conns 2000  last 1.0 s: 52311 msgs/s  p99 so far 85.1 us  errors 0".
// Latency is in microseconds, as in the summary; the rate is labelled with the span it covers,
// so the last line (often a part of a second) is not read as the run's throughput.
std::string progress_text(const progress_figures& f);

// Draws the line, keeping what the rate since the previous line needs. Coordinating thread only.
class progress_line {
 public:
  explicit progress_line(bool enabled) : enabled_(enabled) {}
  bool enabled() const { return enabled_; }
  // `received` is the total delivered so far; `now_ns` a monotonic time. `final` ends the line.
  void show(progress_figures f, std::uint64_t received, std::uint64_t now_ns, bool final);

 private:
  bool enabled_;
  std::uint64_t last_received_ = 0;
  std::uint64_t last_at_ = 0;
};

}  // namespace chat::bench
