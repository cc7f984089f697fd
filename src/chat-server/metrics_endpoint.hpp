// /metrics over HTTP for Prometheus: prometheus-cpp's Exposer (civetweb, its
// own threads) serving a metrics_collector of one server. The server's pool is
// not involved: a scrape reads the counters from the HTTP server's thread.
#pragma once

#include <cstdint>
#include <memory>

#include "server/metrics_config.hpp"

namespace prometheus {
class Exposer;
}

namespace chat::server {
class server;
}  // namespace chat::server
namespace chat::cluster {
struct cluster_stats;
}  // namespace chat::cluster

namespace chat {
class metrics_collector;

class metrics_endpoint {
 public:
  // Listens on config.host:*config.port (0 picks a free port). Throws
  // std::runtime_error if it cannot listen there. `s` must outlive the endpoint.
  metrics_endpoint(const server::metrics_config& config, const server::server& s,
                   const cluster::cluster_stats* cluster);
  ~metrics_endpoint();
  metrics_endpoint(const metrics_endpoint&) = delete;
  metrics_endpoint& operator=(const metrics_endpoint&) = delete;

  // The port it listens on (the chosen one when asked for 0).
  std::uint16_t port() const { return port_; }

 private:
  std::shared_ptr<metrics_collector> collector_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::uint16_t port_ = 0;
};

// Starts /metrics if `config` asks for it (and logs where); null otherwise.
std::unique_ptr<metrics_endpoint> start_metrics(const server::metrics_config& config, const server::server& s,
                                                const cluster::cluster_stats* cluster = nullptr);

}  // namespace chat
