// Cluster mode's statistics (docs/operations.md, Metrics): written by the cluster code where
// the events happen, read by /metrics (metrics_collector.cpp) when Prometheus
// scrapes. The MSG counters are sharded like the relay's own (sharded_counter.hpp):
// a cross-node MSG takes no lock and shares no cache line for them.
#pragma once

#include <atomic>

#include "server/metrics_histogram.hpp"
#include "server/sharded_counter.hpp"

namespace chat::cluster {

struct cluster_stats {
  // Set once when the node joins its cluster, before serving: /metrics shows the
  // cluster's series only then.
  std::atomic<bool> enabled{false};
  server::sharded_counter messages_sent;      // MSG frames published to other nodes
  server::sharded_counter messages_received;  // MSG frames from other nodes delivered to a user here
  std::atomic<int> nats_connected{0};         // 1 while the NATS connection is up, 0 while it reconnects
  // How long a name claim (create-if-absent, with its retries while the store elects a
  // leader) and a name release (the conditional delete) take, from the call to its answer.
  server::metrics_histogram kv_claim;
  server::metrics_histogram kv_release;
};

}  // namespace chat::cluster
