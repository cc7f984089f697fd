#include "bench/intervals.hpp"

#include <cstdio>

namespace chat::bench {

interval_figures summarize_interval(double start_seconds, double end_seconds, const histogram& latency,
                                    long server_rss_kib) {
  interval_figures f;
  f.end_seconds = end_seconds;
  f.seconds = end_seconds - start_seconds;
  f.messages = latency.count();
  f.p50_ns = latency.percentile(0.5);
  f.p99_ns = latency.percentile(0.99);
  f.p999_ns = latency.percentile(0.999);
  f.max_ns = latency.max();
  f.server_rss_kib = server_rss_kib;
  return f;
}

std::string interval_line(const interval_figures& f) {
  const auto us = [](std::uint64_t ns) { return static_cast<double>(ns) / 1e3; };
  char b[256];
  std::snprintf(b, sizeof b, "interval %7.1f s  %9llu msgs  %8.0f/s  p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f us",
                f.end_seconds, static_cast<unsigned long long>(f.messages), f.rate(), us(f.p50_ns), us(f.p99_ns),
                us(f.p999_ns), us(f.max_ns));
  std::string line = b;
  if (f.server_rss_kib >= 0) line += "  rss " + std::to_string(f.server_rss_kib) + " KiB";
  return line;
}

std::string interval_json(const interval_figures& f) {
  char b[320];
  std::snprintf(b, sizeof b,
                "{\"t\": %.3f, \"seconds\": %.3f, \"messages\": %llu, \"p50_ns\": %llu, \"p99_ns\": %llu, "
                "\"p999_ns\": %llu, \"max_ns\": %llu, \"server_rss_kib\": %ld}",
                f.end_seconds, f.seconds, static_cast<unsigned long long>(f.messages),
                static_cast<unsigned long long>(f.p50_ns), static_cast<unsigned long long>(f.p99_ns),
                static_cast<unsigned long long>(f.p999_ns), static_cast<unsigned long long>(f.max_ns),
                f.server_rss_kib);
  return b;
}

}  // namespace chat::bench
