// Per-interval figures of the measured phase (--interval): one row per slice of
// time, so a long run shows whether p99 and the server's RSS stay flat rather
// than only what they were over the whole run.
#pragma once

#include <cstdint>
#include <string>

#include "bench/histogram.hpp"

namespace chat::bench {

struct interval_figures {
  double end_seconds = 0;      // since the measured phase began
  double seconds = 0;          // length of this interval (the last one may be shorter)
  std::uint64_t messages = 0;  // delivered and measured in the interval
  std::uint64_t p50_ns = 0, p99_ns = 0, p999_ns = 0, max_ns = 0;
  long server_rss_kib = -1;  // -1 without --server-pid

  double rate() const { return seconds > 0 ? static_cast<double>(messages) / seconds : 0; }
};

// The figures of one interval from the histogram of the latencies recorded in it.
interval_figures summarize_interval(double start_seconds, double end_seconds, const histogram& latency,
                                    long server_rss_kib);

// One compact line for stdout, e.g.
// "interval    10.0 s     200000 msgs     20000/s  p50 85.1  p99 240.3  p99.9 830.0  max 9000.2 us  rss 11880 KiB"
std::string interval_line(const interval_figures& f);

// One JSON object (no trailing newline).
std::string interval_json(const interval_figures& f);

}  // namespace chat::bench
