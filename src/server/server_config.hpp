// Everything chat-server can be told on its command line; the defaults come from server_defaults.hpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "chat/protocol.hpp"
#include "server/cluster_link.hpp"
#include "server/metrics_config.hpp"
#include "server/server_defaults.hpp"
#include "server/slow_consumer.hpp"
#include "server/tls_config.hpp"

namespace chat::server {

struct server_config {
  std::string host{defaults::host};
  std::uint16_t port = defaults::port;  // 0 picks an ephemeral port (tests)
  std::size_t threads = 0;              // 0: one per core
  std::size_t max_line = defaults::max_line;
  std::size_t max_clients = 0;  // 0: as many as the open-files limit allows
  output_limits output;         // per client: the slow-consumer policy's limits (--max-queue)
  std::size_t max_per_ip = 0;   // connections from one address; 0: no limit
  double msg_rate = 0;          // lines per second per client; 0: no limit
  double msg_burst = 0;         // lines a client may send at once (default: one second's worth)
  std::chrono::milliseconds idle_timeout = defaults::idle_timeout;
  std::chrono::milliseconds register_timeout = defaults::register_timeout;
  std::chrono::milliseconds stats_interval = defaults::stats_interval;  // 0: no stats line
  std::chrono::milliseconds shutdown_timeout = defaults::shutdown_timeout;
  bool handle_signals = true;   // SIGINT and SIGTERM start a graceful shutdown
  cluster_joiner join_cluster;  // cluster mode when set (docs/cluster.md); empty: a single node
  tls_config tls;               // off unless a certificate is given
  metrics_config metrics;       // /metrics for Prometheus (off unless a port is given)
};

}  // namespace chat::server
