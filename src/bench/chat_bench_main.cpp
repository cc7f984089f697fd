// chat-bench: parse flags, run the benchmark, print the summary, write the JSON.
// Exit status: 0 all delivered and checked, 1 any error, 2 bad flags, 3 a --fail-if missed
// (bench/output.hpp).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "bench/config.hpp"
#include "bench/output.hpp"
#include "bench/payload.hpp"
#include "bench/report.hpp"
#include "bench/runner.hpp"
#include "bench/servers.hpp"
#include "bench/thresholds.hpp"
#include "chat/cli.hpp"

namespace {

// --interval is 0 (off) or a slice of 0.1 s to an hour: shorter slices hold too few messages for a p99.
const CLI::Validator interval_range =
    chat::cli::number_check<double>([](double value) { return value == 0 || (value >= 0.1 && value <= 3600); },
                                    "0 or in range 0.1 to 3600", "FLOAT 0 or in [0.1 - 3600]");

}  // namespace

int main(int argc, char** argv) {
  chat::bench::bench_config c;
  std::string proto = "chat";
  std::string sources;
  std::size_t threads = 0;
  bool no_progress = false;
  std::vector<std::string> fail_if;
  std::string servers;
  chat::bench::output_options output;

  CLI::App app{"chat-bench: load generator for tcp-chat (and NATS) servers; checks every delivery"};
  chat::cli::prepare(app, "chat-bench");
  app.add_option("--host", c.host, "Server address")->capture_default_str();
  app.add_option("--port", c.port, "Server port")->transform(chat::cli::range(1, 65535))->capture_default_str();
  app.add_option("--proto", proto, "chat (CHAT/1) or nats")
      ->check(CLI::IsMember({"chat", "nats"}))
      ->capture_default_str();
  auto* clients = app.add_option("--clients", c.clients, "Simulated clients (even: they talk in pairs)")
                      ->transform(chat::cli::range(std::size_t{2}, std::size_t{1} << 20));
  app.add_option("--pairs", c.pairs, "Pairs of clients (instead of --clients)")
      ->transform(chat::cli::range(std::size_t{1}, std::size_t{1} << 19))
      ->excludes(clients);
  app.add_option("--window", c.window, "Closed loop: messages in flight per sender (default 16)")
      ->transform(chat::cli::range(std::size_t{1}, std::size_t{1} << 16));
  app.add_option("--rate", c.rate, "Open loop: messages per second in total, latency from intended send time")
      ->transform(chat::cli::range(0.01, 1e9));
  app.add_option("--idle", c.idle, "Open and register N connections and hold them")
      ->transform(chat::cli::range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--payload", c.payload, "Bytes per message (sequence number, timestamp and check word take 48)")
      ->transform(chat::cli::range(chat::bench::min_payload, chat::bench::max_payload))
      ->capture_default_str();
  app.add_option("--duration", c.duration, "Seconds measured")
      ->transform(chat::cli::range(0.1, 86400.0))
      ->capture_default_str();
  app.add_option("--warmup", c.warmup, "Seconds run before measuring (not counted)")
      ->transform(chat::cli::range(0.0, 3600.0))
      ->capture_default_str();
  app.add_option("--interval", c.interval,
                 "Also report every SECONDS of the measured phase: messages, p50/p99/p99.9/max latency and "
                 "(with --server-pid) server RSS, as a line on stdout (without the progress line) and in the JSON; "
                 "0: off")
      ->transform(interval_range)
      ->capture_default_str();
  app.add_option("--threads", threads, "Threads (default: the cores this process may use)")
      ->transform(chat::cli::range(std::size_t{1}, std::size_t{256}));
  app.add_option("--server-pid", c.server_pid, "Server PID: its RSS and CPU time are read from /proc")
      ->transform(chat::cli::range(1, 4194304));  // Linux's PID_MAX_LIMIT
  app.add_option("--json", c.json_path,
                 "Write every figure and the histogram to this file; '-': to stdout (the summary then goes to stderr)");
  app.add_option("--fail-if", fail_if,
                 "Pass condition checked at the end, repeatable: pN (p50, p99, p99.9, ...), max or mean with a unit "
                 "(ns us ms s), rate (msgs/s) or errors, with < <= > >= == !=, e.g. 'p99<5ms' 'rate>=100000' "
                 "'errors==0'. Exit 3 when one is not met")
      ->type_name("COND");
  app.add_flag("--quiet", output.quiet, "No progress, interval lines or summary: only failures, on stderr");
  app.add_option("--servers", servers,
                 "Spread clients over several servers (nodes of one cluster): HOST:PORT,HOST:PORT,...; the two "
                 "ends of every pair are on different servers. Replaces --host and --port");
  app.add_option("--source-addrs", sources, "Local addresses to spread connections over, e.g. 127.0.0.1-127.0.0.8");
  app.add_option("--drain-timeout", c.drain_timeout, "Seconds to wait for messages in flight at the end")
      ->transform(chat::cli::range(0.0, 3600.0))
      ->capture_default_str();
  app.add_option("--setup-timeout", c.setup_timeout, "Seconds allowed for connect, register and pair")
      ->transform(chat::cli::range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--name-prefix", c.name_prefix, "Client names are PREFIX_<n> (default b<pid>)");
  app.add_option("--label", c.label, "Free text copied into the JSON");
  app.add_flag("--spin", c.spin,
               "Busy-poll instead of sleeping: exact open-loop send times and no wake-up costs, at the price of "
               "a whole core per thread (idle polls are not counted as bench CPU)");
  app.add_flag("--no-progress", no_progress, "No live progress line even on a terminal");
  app.add_flag("--tls", c.tls,
               "Connect over TLS (chat-server's --tls-port; the certificate is not checked). Every connection "
               "makes a full handshake, so with --idle the connections/s figure is the handshake rate");
  // --help and --version exit 0; every refused flag exits 2, like validate()'s refusals.
  if (const auto status = chat::cli::parse(app, argc, argv)) return *status;

  c.proto = proto == "nats" ? chat::bench::protocol_kind::nats : chat::bench::protocol_kind::chat;
  c.threads = threads;
  c.progress = !no_progress && !output.quiet && isatty(STDERR_FILENO);
  output.json_path = c.json_path;
  output.progress = c.progress;
  try {
    for (const auto& f : fail_if) output.thresholds.push_back(chat::bench::parse_threshold(f));
  } catch (const std::exception& e) {
    std::cerr << "chat-bench: --fail-if " << e.what() << "\n";
    return 2;
  }
  try {
    if (!sources.empty()) c.source_addrs = chat::bench::parse_source_addrs(sources);
  } catch (const std::exception& e) {
    std::cerr << "chat-bench: --source-addrs: " << e.what() << "\n";
    return 2;
  }
  try {
    if (!servers.empty()) c.servers = chat::bench::parse_servers(servers);
  } catch (const std::exception& e) {
    std::cerr << "chat-bench: --servers: " << e.what() << "\n";
    return 2;
  }
  if (auto why = chat::bench::validate(c); !why.empty()) {
    std::cerr << "chat-bench: " << why << "\n";
    return 2;
  }

  chat::bench::run_hooks hooks;
  hooks.interval_closed = [&output](const chat::bench::interval_figures& f) { chat::bench::print_interval(f, output); };
  return chat::bench::finish_run(chat::bench::run(c, hooks), output);
}
