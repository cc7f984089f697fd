// Cluster mode's settings (docs/cluster.md, Running it). Empty `servers` means single-node mode.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace chat::cluster {

struct cluster_config {
  std::vector<std::string> servers;  // nats://HOST:PORT, at least one in cluster mode
  std::string node_name;             // unique per node; empty: HOST:PORT of the listener
  int replicas = 3;                  // the name bucket's replicas; 1 for a single nats-server -js
  // How long REGISTER waits for the name service (a leader election takes ~5 s) before ERR UNAVAILABLE.
  std::chrono::milliseconds register_wait{std::chrono::seconds(10)};
  // A cross-node MSG unacknowledged for this long ends its chat (docs/cluster.md, What cluster mode promises).
  std::chrono::milliseconds ack_deadline{std::chrono::seconds(5)};

  // A node's lease in NATS: a node silent for this long counts as dead (its names are freed,
  // its users' partners told), and a node that cannot renew its own for this long stops
  // taking REGISTER until it can. Longer than a JetStream leader election (~5.4 s).
  std::chrono::milliseconds lease{std::chrono::seconds(7)};

  bool enabled() const { return !servers.empty(); }
};

}  // namespace chat::cluster
