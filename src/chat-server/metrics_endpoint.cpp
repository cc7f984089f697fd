#include "chat-server/metrics_endpoint.hpp"

#include <prometheus/exposer.h>
#include <spdlog/spdlog.h>

#include <stdexcept>
#include <string>

#include "chat-server/metrics_collector.hpp"
#include "server/server.hpp"

namespace chat {

using namespace chat::server;  // the core this program wires together

metrics_endpoint::metrics_endpoint(const metrics_config& config, const server::server& s,
                                   const cluster::cluster_stats* cluster)
    : collector_(std::make_shared<metrics_collector>(s.stats(), cluster, [&s] { return s.live_sessions(); })) {
  const auto where = config.host + ":" + std::to_string(config.port.value_or(0));
  try {
    // One worker thread: a scrape every few seconds needs no more.
    exposer_ = std::make_unique<prometheus::Exposer>(where, 1);
  } catch (const std::exception& e) {
    throw std::runtime_error("metrics: cannot listen on " + where + ": " + e.what());
  }
  exposer_->RegisterCollectable(collector_);
  const auto ports = exposer_->GetListeningPorts();
  if (ports.empty()) throw std::runtime_error("metrics: no listening port on " + where);
  port_ = static_cast<std::uint16_t>(ports.front());
}

metrics_endpoint::~metrics_endpoint() = default;

std::unique_ptr<metrics_endpoint> start_metrics(const metrics_config& config, const server::server& s,
                                                const cluster::cluster_stats* cluster) {
  if (!config.enabled()) return nullptr;
  auto endpoint = std::make_unique<metrics_endpoint>(config, s, cluster);
  // Scripts and tests wait for this line to learn the port.
  spdlog::info("metrics on http://{}:{}/metrics", config.host, endpoint->port());
  return endpoint;
}

}  // namespace chat
