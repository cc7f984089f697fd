// What /metrics serves: a prometheus-cpp Collectable that reads server_stats
// when Prometheus scrapes, so the hot path keeps its own sharded counters and
// never calls into prometheus-cpp (whose counters and histograms would put
// shared atomics and a mutex on every message). Names follow Prometheus's
// conventions (https://prometheus.io/docs/practices/naming/): a `chat_` prefix,
// base units (seconds, bytes), `_total` on counters.
//
// Served, all as of the moment of the scrape:
//   counters  chat_connections_accepted_total, chat_messages_relayed_total,
//             chat_received_bytes_total, chat_sent_bytes_total,
//             chat_slow_consumers_total, chat_rate_limited_pauses_total,
//             chat_timeouts_total{reason}, chat_connections_turned_away_total{reason},
//             chat_errors_total{code}
//   gauges    chat_connections, chat_registered_users, chat_active_chats, chat_outbox_queued_bytes
//   histogram chat_outbox_wait_seconds (per write batch)
// and in cluster mode (cluster/stats.hpp), per node:
//   counters  chat_cluster_messages_sent_total, chat_cluster_messages_received_total
//   gauge     chat_cluster_nats_connected
//   histogram chat_cluster_kv_seconds{op="claim"|"release"}
// Label values are the protocol's wire names (the BYE reason, the ERR code), so
// they match what clients are told; every value is present from the start, at 0.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <cstddef>
#include <functional>
#include <vector>

#include "cluster/stats.hpp"
#include "server/server_stats.hpp"

namespace chat {

class metrics_collector : public prometheus::Collectable {
 public:
  // `stats` (and `cluster`, null on a single node) must outlive the collector;
  // `live_connections` is called at each scrape, from the HTTP server's thread.
  metrics_collector(const server::server_stats& stats, const cluster::cluster_stats* cluster,
                    std::function<std::size_t()> live_connections)
      : stats_(stats), cluster_(cluster), live_connections_(std::move(live_connections)) {}

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const server::server_stats& stats_;
  const cluster::cluster_stats* cluster_;
  std::function<std::size_t()> live_connections_;
};

}  // namespace chat
