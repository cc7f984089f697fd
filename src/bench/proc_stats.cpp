#include "bench/proc_stats.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <string>
#include <thread>

namespace chat::bench {

double cpu_seconds_self() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long long stat_cpu_ticks(std::string_view text) {
  // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
  const auto close = text.rfind(')');
  if (close == std::string_view::npos) return -1;
  auto rest = text.substr(close + 1);
  long long ticks = 0;
  for (int field = 3; field <= 15; ++field) {
    const auto start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) return -1;
    rest.remove_prefix(start);
    const auto word = rest.substr(0, rest.find(' '));
    rest.remove_prefix(word.size());
    if (field < 14) continue;
    unsigned long long v = 0;
    if (std::from_chars(word.data(), word.data() + word.size(), v).ec != std::errc{}) return -1;
    ticks += static_cast<long long>(v);
  }
  return ticks;
}

double cpu_seconds_of(int pid) {
  if (pid <= 0) return -1;
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(f, text)) return -1;
  const auto ticks = stat_cpu_ticks(text);
  if (ticks < 0) return -1;
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
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

std::size_t usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<std::size_t>(CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace chat::bench
