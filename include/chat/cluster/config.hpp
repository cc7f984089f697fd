// Cluster mode's settings (README, Cluster mode). Empty `servers` means single-node mode.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace chat {

struct cluster_config {
  std::vector<std::string> servers;  // nats://HOST:PORT, at least one in cluster mode
  std::string node_name;             // unique per node; empty: HOST:PORT of the listener
  int replicas = 3;                  // the name bucket's replicas; 1 for a single nats-server -js
  // How long REGISTER waits for the name service (a leader election takes ~5 s) before ERR UNAVAILABLE.
  std::chrono::milliseconds register_wait{std::chrono::seconds(10)};
  // A cross-node MSG unacknowledged for this long ends its chat (README, Cluster mode).
  std::chrono::milliseconds ack_deadline{std::chrono::seconds(5)};

  bool enabled() const { return !servers.empty(); }
};

}  // namespace chat
