#include "chat-server/metrics_options.hpp"

#include <asio/ip/address.hpp>

#include "chat-server/server_options.hpp"
#include "chat/cli.hpp"

namespace chat {

using namespace chat::server;  // the core this program wires together
namespace {

// prometheus-cpp serves through civetweb, which Debian 12 builds without IPv6
// (mg_check_feature(8) is 0): an IPv6 address is refused here rather than at start.
std::string check_metrics_address(const std::string& host) {
  if (auto why = check_listen_address(host); !why.empty()) return why;
  if (asio::ip::make_address(host).is_v4()) return {};
  return "'" + host + "': /metrics listens on IPv4 only (Debian's civetweb has no IPv6); use 127.0.0.1 or 0.0.0.0";
}

}  // namespace

void add_metrics_options(CLI::App& app, metrics_config& config) {
  app.add_option_function<std::uint16_t>(
         "--metrics-port", [&config](std::uint16_t port) { config.port = port; },
         "Serve Prometheus metrics at http://METRICS-HOST:PORT/metrics (default: off; 0 picks a free port, logged)")
      ->transform(chat::cli::range(0, 65535));
  app.add_option("--metrics-host", config.host,
                 "IPv4 address /metrics listens on (0.0.0.0 to let another host scrape it)")
      ->check(check_metrics_address)
      ->capture_default_str();
}

}  // namespace chat
