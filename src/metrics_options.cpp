#include "chat/metrics_options.hpp"

#include "chat/server_options.hpp"

namespace chat {

void add_metrics_options(CLI::App& app, metrics_config& config) {
  app.add_option_function<std::uint16_t>(
         "--metrics-port", [&config](std::uint16_t port) { config.port = port; },
         "Serve Prometheus metrics at http://METRICS-HOST:PORT/metrics (default: off; 0 picks a free port, logged)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--metrics-host", config.host,
                 "Address /metrics listens on (0.0.0.0 or :: to let another host scrape it)")
      ->check(check_listen_address)
      ->capture_default_str();
}

}  // namespace chat
