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
  double rate = 0;           // msgs/s delivered since the previous line
  bool measured = false;     // any latency recorded yet
  std::uint64_t p99_ns = 0;  // p99 of the measured window so far
  std::uint64_t errors = 0;
};

// The text of one line, without the terminal control around it.
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
