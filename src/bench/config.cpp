#include "bench/config.hpp"

#include <arpa/inet.h>
#include <sched.h>

#include <stdexcept>
#include <thread>

#include "bench/payload.hpp"

namespace chat::bench {

std::string validate(bench_config& c) {
  const int workloads = (c.window > 0) + (c.rate > 0) + (c.idle > 0);
  if (workloads > 1) return "choose one workload: --window, --rate or --idle";
  if (c.rate < 0) return "--rate must be positive";
  if (c.tls && c.proto != protocol_kind::chat) return "--tls is for chat servers (their --tls-port)";
  if (c.clients && c.pairs) return "give --clients or --pairs, not both";
  if (c.clients % 2) return "--clients must be even: clients talk in pairs";
  if (c.clients) c.pairs = c.clients / 2;
  if (c.idle) {
    if (c.pairs) return "--idle opens its own connections: drop --pairs/--clients";
  } else {
    // The default workload (docs/bench.md): 100 pairs, closed loop with 16 messages in flight per sender.
    if (c.pairs == 0) c.pairs = 100;
    if (workloads == 0) c.window = 16;
  }
  if (c.payload < min_payload || c.payload > max_payload) {
    return "--payload must be between " + std::to_string(min_payload) + " and " + std::to_string(max_payload) +
           " bytes (sequence number, timestamp and check word take 48)";
  }
  if (!(c.duration > 0)) return "--duration must be positive";
  if (c.warmup < 0) return "--warmup cannot be negative";
  // Shorter slices would hold too few messages for a p99 and cost a hand-off to every thread each time.
  if (c.interval != 0 && !(c.interval >= 0.1)) return "--interval must be 0 (off) or at least 0.1 s";
  if (c.drain_timeout < 0 || c.setup_timeout <= 0) return "timeouts must be positive";
  if (c.port == 0) return "--port must be 1-65535";
  if (c.name_prefix.size() > 20) return "--name-prefix is at most 20 characters";
  for (char ch : c.name_prefix) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-' && ch != '.') {
      return "--name-prefix may hold only A-Z a-z 0-9 _ - .";
    }
  }
  if (c.threads == 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::size_t n = 0;
    if (sched_getaffinity(0, sizeof set, &set) == 0) n = static_cast<std::size_t>(CPU_COUNT(&set));
    if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
    c.threads = n;
  }
  if (c.threads > 256) return "--threads is at most 256";
  // A pair lives on one thread: more threads than pairs would idle.
  if (!c.idle && c.threads > c.pairs) c.threads = c.pairs;
  return {};
}

std::vector<std::string> parse_source_addrs(const std::string& spec) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= spec.size()) {
    auto comma = spec.find(',', start);
    if (comma == std::string::npos) comma = spec.size();
    const auto item = spec.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    const auto dash = item.find('-');
    if (dash == std::string::npos) {
      in_addr a{};
      if (inet_pton(AF_INET, item.c_str(), &a) != 1) throw std::invalid_argument("not an IPv4 address: " + item);
      out.push_back(item);
      continue;
    }
    in_addr lo{}, hi{};
    const auto first = item.substr(0, dash), last = item.substr(dash + 1);
    if (inet_pton(AF_INET, first.c_str(), &lo) != 1 || inet_pton(AF_INET, last.c_str(), &hi) != 1) {
      throw std::invalid_argument("not an IPv4 range: " + item);
    }
    const auto a = ntohl(lo.s_addr), b = ntohl(hi.s_addr);
    if (b < a || b - a > 255) throw std::invalid_argument("range must be ascending and at most 256 addresses: " + item);
    for (auto v = a; v <= b; ++v) {
      in_addr x{};
      x.s_addr = htonl(v);
      char buf[INET_ADDRSTRLEN];
      out.emplace_back(inet_ntop(AF_INET, &x, buf, sizeof buf));
    }
  }
  if (out.empty()) throw std::invalid_argument("no source addresses in '" + spec + "'");
  return out;
}

}  // namespace chat::bench
