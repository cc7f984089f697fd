// Everything chat-server can be told on its command line, with the defaults.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "chat/cluster/config.hpp"
#include "chat/protocol.hpp"
#include "chat/slow_consumer.hpp"

namespace chat {

struct server_config {
  std::string host = "127.0.0.1";
  std::uint16_t port = protocol::default_port;  // 0 picks an ephemeral port (tests)
  std::size_t threads = 0;                      // 0: one per core
  std::size_t max_line = protocol::default_max_line;
  std::size_t max_clients = 0;  // 0: as many as the open-files limit allows
  output_limits output;         // per client: the slow-consumer policy's limits (--max-queue)
  std::size_t max_per_ip = 0;   // connections from one address; 0: no limit
  double msg_rate = 0;          // lines per second per client; 0: no limit
  double msg_burst = 0;         // lines a client may send at once (default: one second's worth)
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds register_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds stats_interval{std::chrono::minutes(1)};  // 0: no stats line
  std::chrono::milliseconds shutdown_timeout{5000};
  bool handle_signals = true;  // SIGINT and SIGTERM start a graceful shutdown
  cluster_config cluster;      // cluster mode when it names NATS servers (README, Cluster mode)
};

}  // namespace chat
