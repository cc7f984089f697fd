#include "chat-server/metrics_endpoint.hpp"

#include <CivetServer.h>
#include <civetweb.h>
#include <prometheus/exposer.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "chat-server/metrics_collector.hpp"
#include "chat-server/port_advice.hpp"
#include "server/server.hpp"

namespace chat {

using namespace chat::server;  // the core this program wires together
namespace {

constexpr const char* metrics_path = "/metrics";

// civetweb gives an accepted connection a worker thread until the connection closes, and waits
// request_timeout_ms (30 s by default) for each request on it. With one worker, each idle or trickling
// connection (a port scanner, a load balancer's check) delayed the next scrape by 30 s. So: a worker for
// each of that many held connections and for a few scrapers besides, and a request deadline no longer
// than Prometheus's own scrape timeout. An idle worker is a sleeping thread: about 20 KiB resident.
constexpr int held_connections_served = 64;
constexpr int scrapers_served = 8;
constexpr int request_timeout_ms = 10'000;

std::vector<std::string> civetweb_options(const std::string& where) {
  return {"listening_ports",    where,
          "num_threads",        std::to_string(held_connections_served + scrapers_served),
          "request_timeout_ms", std::to_string(request_timeout_ms)};
}

// prometheus-cpp answers only GET; civetweb answers its HEAD with 404. Uptime checkers send HEAD, so it
// is answered here: GET's status and type, no body. Content-Length is left out, as HEAD allows: it is
// known only by collecting every metric.
int answer_head(mg_connection* connection) {
  const auto* request = mg_get_request_info(connection);
  if (std::strcmp(request->request_method, "HEAD") != 0 || request->local_uri == nullptr ||
      std::strcmp(request->local_uri, metrics_path) != 0) {
    return 0;  // civetweb goes on: prometheus-cpp's handler, or 404
  }
  mg_printf(connection, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n");
  return 200;
}

// civetweb says why it cannot listen only in a message ("cannot bind to 127.0.0.1:9464: 98 (Address
// already in use)"); CivetServer's exception then only guesses. The number is the errno.
constexpr std::string_view bind_failure_prefix = "cannot bind to ";
thread_local std::error_code last_bind_failure;  // set on the thread that starts the server

// civetweb's own messages, which it would otherwise drop.
int log_civetweb_message(const mg_connection*, const char* message) {
  const std::string_view text(message);
  if (text.starts_with(bind_failure_prefix)) {
    if (const auto colon = text.rfind(": "); colon != std::string_view::npos) {
      last_bind_failure = std::error_code(std::atoi(message + colon + 2), std::system_category());
    }
  }
  spdlog::warn("metrics HTTP server: {}", message);
  return 1;  // logged
}

CivetCallbacks http_callbacks() {
  CivetCallbacks callbacks;
  callbacks.begin_request = answer_head;
  callbacks.log_message = log_civetweb_message;
  return callbacks;
}

}  // namespace

metrics_endpoint::metrics_endpoint(const metrics_config& config, const server::server& s,
                                   const cluster::cluster_stats* cluster)
    : collector_(std::make_shared<metrics_collector>(s.stats(), cluster, [&s] { return s.live_sessions(); })) {
  const auto where = config.host + ":" + std::to_string(config.port.value_or(0));
  try {
    last_bind_failure.clear();
    // civetweb copies the callbacks.
    const auto callbacks = http_callbacks();
    exposer_ = std::make_unique<prometheus::Exposer>(civetweb_options(where), &callbacks);
  } catch (const std::exception& e) {
    if (!last_bind_failure) throw std::runtime_error("metrics: cannot listen on " + where + ": " + e.what());
    const auto advice = port_advice(last_bind_failure, "--metrics-port");
    throw std::runtime_error("metrics: cannot listen on " + where + ": " + last_bind_failure.message() +
                             (advice.empty() ? "" : "; " + advice));
  }
  exposer_->RegisterCollectable(collector_, metrics_path);
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
