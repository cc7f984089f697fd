// chat-server: parse flags, then hand over to chat::server::server.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>

#include "chat-server/cluster_options.hpp"
#include "chat-server/metrics_endpoint.hpp"
#include "chat-server/metrics_options.hpp"
#include "chat-server/port_advice.hpp"
#include "chat-server/server_options.hpp"
#include "chat-server/tls_options.hpp"
#include "chat/cli.hpp"
#include "cluster/node.hpp"
#include "server/listen_error.hpp"
#include "server/server.hpp"

namespace {

// A line must leave room for a command and a 32-character name (REGISTER <name>, CONNECT <name>).
constexpr std::size_t min_max_line = 64 + chat::protocol::max_name_length;

}  // namespace

int main(int argc, char** argv) {
  chat::server::server_config config;  // the defaults: server_defaults.hpp
  std::string log_level{chat::server::defaults::log_level};
  const auto in_seconds = [](std::chrono::milliseconds d) { return std::chrono::duration<double>(d).count(); };
  double shutdown_seconds = in_seconds(config.shutdown_timeout);
  double idle_seconds = in_seconds(config.idle_timeout);
  double register_seconds = in_seconds(config.register_timeout);
  double stats_seconds = in_seconds(config.stats_interval);

  CLI::App app{"tcp-chat server: REGISTER a name, CONNECT to a user, exchange MSG lines (protocol CHAT/1)"};
  chat::cli::prepare(app, "chat-server");
  app.add_option("--host", config.host, "Address to listen on (0.0.0.0 or :: to serve a network)")
      ->check(chat::check_listen_address)
      ->capture_default_str();
  app.add_option("--port", config.port, "TCP port (0 picks a free one)")
      ->transform(chat::cli::range(0, 65535))
      ->capture_default_str();
  app.add_option("--threads", config.threads, "Worker threads (default: one per core)")
      ->transform(chat::cli::range(1, 1024));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  app.add_option("--max-line", config.max_line, "Longest accepted line in bytes, without its LF")
      ->transform(chat::cli::range(min_max_line, chat::protocol::max_max_line))
      ->capture_default_str();
  app.add_option("--max-clients", config.max_clients,
                 "Most clients at once (default: what the open-files limit allows)")
      ->transform(chat::cli::range(1, 1 << 24));
  app.add_option("--max-queue", config.output.hard_bytes,
                 "Bytes queued for one client before it is cut off as a slow consumer; never less than two longest "
                 "server lines with their LFs (" +
                     std::to_string(2 * (chat::protocol::max_server_line(chat::protocol::default_max_line) + 1)) +
                     " bytes with the default --max-line)")
      ->transform(chat::cli::range(4096, 1 << 30))
      ->capture_default_str();
  app.add_option("--send-buffer", config.output.kernel_send_buffer,
                 "Kernel send buffer of each client socket in bytes (SO_SNDBUF; 0: Linux autotunes it, up to "
                 "tcp_wmem's maximum). A client that never reads costs at most --max-queue plus twice this")
      ->transform(chat::cli::range(0, 1 << 30))
      ->capture_default_str();
  app.add_option("--max-per-ip", config.max_per_ip, "Most connections from one address (0: no limit)")
      ->transform(chat::cli::range(0, 1 << 24))
      ->capture_default_str();
  app.add_option("--msg-rate", config.msg_rate,
                 "Lines per second one client may send; past it its reads pause (0: no limit)")
      ->transform(chat::cli::range(0.0, 1e9))
      ->capture_default_str();
  app.add_option("--msg-burst", config.msg_burst,
                 "Lines a client may send at once above --msg-rate (default: one second's worth)")
      ->transform(chat::cli::range(0.0, 1e9));
  app.add_option("--idle-timeout", idle_seconds, "Seconds without a complete line before BYE IDLE_TIMEOUT")
      ->transform(chat::cli::range(0.1, 1e7))
      ->capture_default_str();
  app.add_option("--register-timeout", register_seconds,
                 "Seconds to REGISTER after connecting before BYE REGISTER_TIMEOUT")
      ->transform(chat::cli::range(0.1, 1e7))
      ->capture_default_str();
  app.add_option("--stats-interval", stats_seconds, "Seconds between stats log lines (0: none)")
      ->transform(chat::cli::range(0.0, 1e7))
      ->capture_default_str();
  app.add_option("--shutdown-timeout", shutdown_seconds, "Seconds to flush clients on SIGINT/SIGTERM before forcing")
      ->transform(chat::cli::range(0.0, 3600.0))
      ->capture_default_str();
  chat::add_tls_options(app, config.tls);
  chat::add_metrics_options(app, config.metrics);
  chat::cluster::cluster_config cluster;
  chat::add_cluster_options(app, cluster);
  // Last: --config and the CHAT_* variables cover every option added before.
  if (const auto status = chat::parse_server_command_line(app, argc, argv)) return *status;

  // Logs go to stderr, as a daemon's do; stdout stays free.
  spdlog::set_default_logger(spdlog::stderr_color_mt("chat-server"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  const auto ms = [](double seconds) { return std::chrono::milliseconds(static_cast<long>(seconds * 1000)); };
  config.shutdown_timeout = ms(shutdown_seconds);
  config.idle_timeout = ms(idle_seconds);
  config.register_timeout = ms(register_seconds);
  config.stats_interval = ms(stats_seconds);
  // The queue must hold a longest MSG beside what is already queued for a reading client (its
  // CONNECTED event, say): room for one line only cut a reader off when its writer was a moment late.
  const auto queue_floor = 2 * (chat::protocol::max_server_line(config.max_line) + 1);
  if (config.output.hard_bytes < queue_floor) {
    spdlog::warn("--max-queue {} is below two longest server lines at --max-line {}: using {}",
                 config.output.hard_bytes, config.max_line, queue_floor);
    config.output.hard_bytes = queue_floor;
  }

  // Cluster mode is plugged into the core here: the server knows it only through its seam.
  chat::cluster::cluster_stats cluster_stats;
  if (cluster.enabled()) config.join_cluster = chat::cluster::joiner(cluster, cluster_stats);

  try {
    chat::server::server server(config);
    // Null when off; goes before the server.
    const auto metrics = chat::start_metrics(config.metrics, server, cluster.enabled() ? &cluster_stats : nullptr);
    server.start();
    server.wait();
  } catch (const chat::server::listen_error& e) {
    const auto advice = chat::port_advice(
        e.why(), e.which() == chat::server::listener::tls ? std::string_view("--tls-port") : "--port");
    spdlog::error("cannot start: {}{}{}", e.what(), advice.empty() ? "" : "; ", advice);
    return 1;
  } catch (const std::exception& e) {
    spdlog::error("cannot start: {}", e.what());
    return 1;
  }
  return 0;
}
