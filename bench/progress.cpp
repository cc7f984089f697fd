#include "progress.hpp"

#include <cstdio>

namespace chat::bench {
namespace {

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

}  // namespace

std::string progress_text(const progress_figures& f) {
  char b[256];
  std::snprintf(b, sizeof b, "%-8s conns %zu  msgs/s %.0f  p99 %s  errors %llu", f.phase, f.connections, f.rate,
                f.measured ? format_ns(f.p99_ns).c_str() : "-", static_cast<unsigned long long>(f.errors));
  return b;
}

void progress_line::show(progress_figures f, std::uint64_t received, std::uint64_t now_ns, bool final) {
  if (!enabled_) return;
  if (last_at_ && now_ns > last_at_) {
    f.rate = static_cast<double>(received - last_received_) * 1e9 / static_cast<double>(now_ns - last_at_);
  }
  last_received_ = received;
  last_at_ = now_ns;
  std::fprintf(stderr, "\r\033[K%s", progress_text(f).c_str());
  if (final) std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace chat::bench
