#include "bench/progress.hpp"

#include <cstdio>

namespace chat::bench {

std::string progress_text(const progress_figures& f) {
  char rate[64] = "-";
  if (f.span > 0) std::snprintf(rate, sizeof rate, "last %.1f s: %.0f msgs/s", f.span, f.rate);
  char p99[32] = "-";
  if (f.measured) std::snprintf(p99, sizeof p99, "%.1f us", static_cast<double>(f.p99_ns) / 1e3);
  char b[256];
  std::snprintf(b, sizeof b, "%-8s conns %zu  %s  p99 so far %s  errors %llu", f.phase, f.connections, rate, p99,
                static_cast<unsigned long long>(f.errors));
  return b;
}

void progress_line::show(progress_figures f, std::uint64_t received, std::uint64_t now_ns, bool final) {
  if (!enabled_) return;
  if (last_at_ && now_ns > last_at_) {
    f.span = static_cast<double>(now_ns - last_at_) / 1e9;
    f.rate = static_cast<double>(received - last_received_) / f.span;
  }
  last_received_ = received;
  last_at_ = now_ns;
  std::fprintf(stderr, "\r\033[K%s", progress_text(f).c_str());
  if (final) std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace chat::bench
