// Everything chat-bench can be told, what it measured, and the checks on the
// combination of flags (the parts CLI11's per-flag checks cannot see).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bench/histogram.hpp"
#include "bench/intervals.hpp"
#include "chat/protocol.hpp"

namespace chat::bench {

enum class protocol_kind { chat, nats };
enum class workload { window, rate, idle };

struct bench_config {
  std::string host = "127.0.0.1";
  std::uint16_t port = protocol::default_port;
  protocol_kind proto = protocol_kind::chat;
  std::size_t pairs = 0;    // --pairs, or --clients / 2
  std::size_t clients = 0;  // --clients (even); 0 if --pairs was given
  std::size_t window = 0;   // --window W: closed loop
  double rate = 0;          // --rate R: open loop, messages per second in total
  std::size_t idle = 0;     // --idle N: connections that only register
  std::size_t payload = 64;
  double duration = 10;     // seconds measured
  double warmup = 2;        // seconds run before measuring
  double interval = 0;      // --interval: seconds per row of per-interval figures (0: none)
  std::size_t threads = 0;  // 0: one per core the process may run on
  int server_pid = 0;       // for the server's RSS and CPU time from /proc
  std::string json_path;
  std::vector<std::string> source_addrs;  // local addresses to spread connections over
  double drain_timeout = 5;               // seconds to wait for in-flight messages at the end
  double setup_timeout = 60;              // seconds for connect + register + pair
  std::string name_prefix;                // default: "b" + pid
  bool progress = false;                  // live progress line (on a terminal)
  bool spin = false;                      // busy-poll instead of sleeping (exact send times)
  bool tls = false;                       // --tls: connect over TLS (chat-server's --tls-port)
  std::string label;                      // free text copied to the JSON
  // --servers: (host, port) of each server to spread clients over; empty: host and port above.
  std::vector<std::pair<std::string, std::uint16_t>> servers;

  workload mode() const { return idle ? workload::idle : rate > 0 ? workload::rate : workload::window; }
  std::size_t connections() const { return idle ? idle : 2 * pairs; }
};

// Fills defaults (pairs from clients, else 100; window 16 when no workload was
// named; threads) and returns an empty string, or the reason the flags do not go together.
std::string validate(bench_config& config);

// Expands "127.0.0.1-127.0.0.8" or "10.0.0.1,10.0.0.2" into addresses; throws std::invalid_argument.
std::vector<std::string> parse_source_addrs(const std::string& spec);

// What one server of --servers saw: the clients connected to it, what they sent and what was
// delivered to them.
struct server_counts {
  std::string address;  // host:port as given
  std::size_t connections = 0;
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
};

struct bench_result {
  bench_config config;
  std::string started_at;  // UTC, ISO 8601
  std::string error;       // first fatal error, if any
  std::vector<std::string> error_samples;
  bool bench_bound = false;

  std::size_t connections = 0;  // connected and registered
  double setup_seconds = 0;
  double connect_rate = 0;  // connections registered per second
  double measured_seconds = 0;
  std::uint64_t sent = 0;               // whole run
  std::uint64_t received = 0;           // whole run, distinct and valid
  std::uint64_t measured_received = 0;  // during the measured window
  double throughput = 0;                // measured_received / measured_seconds
  std::uint64_t lost = 0, duplicated = 0, reordered = 0, corrupted = 0;
  std::uint64_t protocol_errors = 0;        // ERR, BYE, unexpected lines, disconnects, send backlog
  histogram latency;                        // ns, measured window only
  std::vector<interval_figures> intervals;  // --interval: the measured window in slices

  double bench_cpu_seconds = 0;        // user + system over the measured window (less idle spinning)
  double bench_spin_idle_seconds = 0;  // --spin: polls that found nothing to do
  double bench_cpu_share = 0;          // of the cores it could use (threads, affinity)
  double bench_cores = 0;              // cpu seconds / wall seconds
  double server_cpu_seconds = -1;
  double server_cores = -1;
  long server_rss_before_kib = -1;
  long server_rss_after_kib = -1;
  double server_rss_per_connection = -1;  // bytes (idle mode)
  std::vector<server_counts> per_server;  // --servers only, in the order given

  std::uint64_t total_errors() const { return lost + duplicated + reordered + corrupted + protocol_errors; }
  bool ok() const { return error.empty() && total_errors() == 0; }
};

}  // namespace chat::bench
