#include "bench/report.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "chat/enum_table.hpp"

namespace chat::bench {
namespace {

// The JSON's and the header's name of each workload, one row per workload in its order.
constexpr std::array<enum_text<workload>, 3> mode_names{{
    {workload::window, "window"},
    {workload::rate, "rate"},
    {workload::idle, "idle"},
}};
static_assert(indexed_by(mode_names, &enum_text<workload>::value), "mode_names: one row per workload, in its order");

std::string mode_name(const bench_config& c) {
  return std::string(text_of(mode_names, c.mode(), "?"));
}

std::string us(std::uint64_t ns) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", static_cast<double>(ns) / 1e3);
  return b;
}

std::string num(double v, int decimals = 0) {
  if (!std::isfinite(v)) return "null";
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", u);
      out += b;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace

double server_cpu_us_per_msg(const bench_result& r) {
  if (r.server_cpu_seconds < 0 || r.measured_received == 0) return -1;
  return r.server_cpu_seconds * 1e6 / static_cast<double>(r.measured_received);
}

std::string summary_table(const bench_result& r, const std::vector<std::string>& missed) {
  const auto& c = r.config;
  std::ostringstream o;
  o << "chat-bench " << (c.proto == protocol_kind::nats ? "nats" : "chat") << " ";
  if (r.per_server.empty()) o << c.host << ":" << c.port;
  for (std::size_t i = 0; i < r.per_server.size(); ++i) o << (i ? "," : "") << r.per_server[i].address;
  o << "  " << mode_name(c);
  if (c.mode() == workload::window) o << " " << c.window << ", " << c.pairs << " pairs";
  if (c.mode() == workload::rate) o << " " << num(c.rate) << "/s, " << c.pairs << " pairs";
  if (c.mode() == workload::idle) o << ", " << c.idle << " connections";
  o << ", payload " << c.payload << " B, " << c.threads << " thread(s), " << num(c.duration, 1) << " s (+"
    << num(c.warmup, 1) << " s warm-up)\n";
  o << "  connections  " << r.connections << " in " << num(r.setup_seconds, 2) << " s (" << num(r.connect_rate)
    << "/s incl. register" << (c.mode() == workload::idle ? "" : " + pair") << ")\n";
  if (c.mode() != workload::idle && r.measured_seconds > 0) {
    o << "  throughput   " << num(r.throughput) << " msgs/s delivered (" << r.measured_received << " in "
      << num(r.measured_seconds, 2) << " s)";
    if (const auto cpu = server_cpu_us_per_msg(r); cpu >= 0) o << "  server cpu " << num(cpu, 2) << " us/msg";
    o << "\n";
    o << "  bytes/s      " << num(r.throughput * static_cast<double>(c.payload)) << " of payload delivered ("
      << c.payload << " B per message)\n";
    const auto& h = r.latency;
    o << "  latency us   p50 " << us(h.percentile(0.5)) << "  p90 " << us(h.percentile(0.9)) << "  p99 "
      << us(h.percentile(0.99)) << "  p99.9 " << us(h.percentile(0.999)) << "  p99.99 " << us(h.percentile(0.9999))
      << "  max " << us(h.max()) << "  mean " << num(h.mean() / 1e3, 1)
      << (c.mode() == workload::rate ? "  (from intended send time)" : "") << "\n";
    o << "  delivery     sent " << r.sent << "  received " << r.received << "  lost " << r.lost << "  duplicated "
      << r.duplicated << "  reordered " << r.reordered << "  corrupted " << r.corrupted << "\n";
  }
  for (const auto& s : r.per_server) {
    o << "  server       " << s.address << "  connections " << s.connections << "  sent " << s.sent << "  received "
      << s.received << "\n";
  }
  o << "  errors       " << r.protocol_errors << " protocol/connection\n";
  if (r.measured_seconds > 0)
    o << "  bench cpu    " << num(r.bench_cores * 100, 1) << " % of a core (" << num(r.bench_cpu_share * 100, 1)
      << " % of its " << c.threads << " thread(s)" << (c.spin ? ", idle spinning excluded" : "") << ")"
      << (r.bench_bound ? "  BENCH-BOUND: figure limited by chat-bench" : "") << "\n";
  if (r.server_cores >= 0) o << "  server cpu   " << num(r.server_cores * 100, 1) << " % of a core\n";
  if (r.server_rss_after_kib >= 0) {
    o << "  server rss   " << r.server_rss_before_kib << " KiB before, " << r.server_rss_after_kib << " KiB at end";
    if (r.server_rss_per_connection >= 0) o << ", " << num(r.server_rss_per_connection) << " B per connection";
    o << "\n";
  }
  if (!r.error.empty()) o << "  FAILED       " << r.error << "\n";
  for (const auto& s : r.error_samples) {
    if (s != r.error) o << "    " << s << "\n";
  }
  o << "  result       ";
  if (!r.ok()) {
    o << "ERRORS";
  } else if (missed.empty()) {
    o << "OK";
  } else {
    o << "FAIL-IF MISSED (every message delivered):";
    for (const auto& m : missed) o << " " << m.substr(0, m.find(':')) << (&m == &missed.back() ? "" : ",");
  }
  o << "\n";
  return o.str();
}

std::string to_json(const bench_result& r) {
  const auto& c = r.config;
  const auto& h = r.latency;
  std::ostringstream o;
  o << "{\n  \"tool\": \"chat-bench\",\n  \"started_at\": " << quoted(r.started_at) << ",\n";
  o << "  \"label\": " << quoted(c.label) << ",\n";
  o << "  \"config\": {\"proto\": " << quoted(c.proto == protocol_kind::nats ? "nats" : "chat")
    << ", \"host\": " << quoted(c.host) << ", \"port\": " << c.port << ", \"mode\": " << quoted(mode_name(c))
    << ", \"pairs\": " << c.pairs << ", \"window\": " << c.window << ", \"rate\": " << num(c.rate)
    << ", \"idle\": " << c.idle << ", \"payload\": " << c.payload << ", \"duration\": " << num(c.duration, 3)
    << ", \"warmup\": " << num(c.warmup, 3) << ", \"interval\": " << num(c.interval, 3)
    << ", \"threads\": " << c.threads << ", \"server_pid\": " << c.server_pid
    << ", \"source_addrs\": " << c.source_addrs.size() << ", \"spin\": " << (c.spin ? "true" : "false") << "},\n";
  o << "  \"ok\": " << (r.ok() ? "true" : "false") << ",\n  \"error\": " << quoted(r.error) << ",\n";
  o << "  \"error_samples\": [";
  for (std::size_t i = 0; i < r.error_samples.size(); ++i) o << (i ? ", " : "") << quoted(r.error_samples[i]);
  o << "],\n";
  o << "  \"connections\": " << r.connections << ",\n  \"setup_seconds\": " << num(r.setup_seconds, 3)
    << ",\n  \"connect_rate\": " << num(r.connect_rate, 1) << ",\n";
  o << "  \"measured_seconds\": " << num(r.measured_seconds, 3) << ",\n  \"throughput\": " << num(r.throughput, 1)
    << ",\n  \"payload_bytes_per_second\": " << num(r.throughput * static_cast<double>(c.payload), 1) << ",\n";
  o << "  \"messages\": {\"sent\": " << r.sent << ", \"received\": " << r.received
    << ", \"measured\": " << r.measured_received << ", \"lost\": " << r.lost << ", \"duplicated\": " << r.duplicated
    << ", \"reordered\": " << r.reordered << ", \"corrupted\": " << r.corrupted << "},\n";
  o << "  \"protocol_errors\": " << r.protocol_errors << ",\n  \"total_errors\": " << r.total_errors() << ",\n";
  o << "  \"latency_ns\": {\"count\": " << h.count() << ", \"min\": " << h.min() << ", \"mean\": " << num(h.mean(), 1)
    << ", \"p50\": " << h.percentile(0.5) << ", \"p90\": " << h.percentile(0.9) << ", \"p99\": " << h.percentile(0.99)
    << ", \"p999\": " << h.percentile(0.999) << ", \"p9999\": " << h.percentile(0.9999) << ", \"max\": " << h.max()
    << ",\n    \"buckets\": [";
  const auto buckets = h.nonzero_buckets();
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    o << (i ? ", " : "") << "[" << buckets[i].low << ", " << buckets[i].high << ", " << buckets[i].count << "]";
  }
  o << "]},\n";
  o << "  \"bench\": {\"cpu_seconds\": " << num(r.bench_cpu_seconds, 3) << ", \"cores\": " << num(r.bench_cores, 3)
    << ", \"cpu_share\": " << num(r.bench_cpu_share, 3)
    << ", \"spin_idle_seconds\": " << num(r.bench_spin_idle_seconds, 3)
    << ", \"bound\": " << (r.bench_bound ? "true" : "false") << "},\n";
  o << "  \"server\": {\"cpu_seconds\": " << num(r.server_cpu_seconds, 3) << ", \"cores\": " << num(r.server_cores, 3)
    << ", \"rss_before_kib\": " << r.server_rss_before_kib << ", \"rss_after_kib\": " << r.server_rss_after_kib
    << ", \"rss_per_connection_bytes\": " << num(r.server_rss_per_connection, 1)
    << ", \"cpu_us_per_msg\": " << (server_cpu_us_per_msg(r) >= 0 ? num(server_cpu_us_per_msg(r), 3) : "null")
    << "},\n";
  o << "  \"servers\": [";
  for (std::size_t i = 0; i < r.per_server.size(); ++i) {
    const auto& s = r.per_server[i];
    o << (i ? ", " : "") << "{\"address\": " << quoted(s.address) << ", \"connections\": " << s.connections
      << ", \"sent\": " << s.sent << ", \"received\": " << s.received << "}";
  }
  o << "],\n";
  o << "  \"intervals\": [";
  for (std::size_t i = 0; i < r.intervals.size(); ++i) o << (i ? ",\n    " : "\n    ") << interval_json(r.intervals[i]);
  o << (r.intervals.empty() ? "]\n}\n" : "\n  ]\n}\n");
  return o.str();
}

}  // namespace chat::bench
