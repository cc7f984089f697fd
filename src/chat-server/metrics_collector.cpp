#include "chat-server/metrics_collector.hpp"

#include <string>
#include <utility>

namespace chat {

using namespace chat::server;  // the core this program wires together
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

// One sample of a counter or a gauge, with at most one label.
MetricFamily& add(MetricFamily& f, double value, std::string label = {}, std::string_view label_value = {}) {
  ClientMetric m;
  if (!label.empty()) m.label.push_back({std::move(label), std::string(label_value)});
  if (f.type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
  return f;
}

MetricFamily one(std::string name, std::string help, MetricType type, double value) {
  auto f = family(std::move(name), std::move(help), type);
  add(f, value);
  return f;
}

// A counter with one sample per reason in `reasons` (a list from server_stats.hpp).
template <typename Reasons, typename Counts>
MetricFamily by_reason(std::string name, std::string help, const Reasons& reasons, const Counts& counts) {
  auto f = family(std::move(name), std::move(help), MetricType::Counter);
  for (const auto reason : reasons)
    add(f, static_cast<double>(counts.load(reason)), "reason", protocol::wire_name(reason));
  return f;
}

// One sample of a histogram, with at most one label.
ClientMetric histogram_metric(const metrics_histogram& h, std::string label = {}, std::string_view label_value = {}) {
  const auto snap = h.read();
  ClientMetric m;
  if (!label.empty()) m.label.push_back({std::move(label), std::string(label_value)});
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < metrics_histogram::bounds_ns.size(); ++i) {
    cumulative += snap.counts[i];
    m.histogram.bucket.push_back({cumulative, static_cast<double>(metrics_histogram::bounds_ns[i]) / 1e9});
  }
  // prometheus-cpp writes the +Inf bucket itself, from the sample count.
  m.histogram.sample_count = snap.count;
  m.histogram.sample_sum = static_cast<double>(snap.sum_ns) / 1e9;
  return m;
}

MetricFamily histogram(std::string name, std::string help, const metrics_histogram& h) {
  auto f = family(std::move(name), std::move(help), MetricType::Histogram);
  f.metric.push_back(histogram_metric(h));
  return f;
}

// Cluster mode's series (docs/operations.md, Metrics), per node.
void add_cluster(std::vector<MetricFamily>& out, const cluster::cluster_stats& c) {
  const auto n = [](auto v) { return static_cast<double>(v); };
  out.push_back(one("chat_cluster_messages_sent_total", "MSG lines sent to users on other nodes", MetricType::Counter,
                    n(c.messages_sent.load())));
  out.push_back(one("chat_cluster_messages_received_total", "MSG lines from users on other nodes delivered here",
                    MetricType::Counter, n(c.messages_received.load())));
  out.push_back(one("chat_cluster_nats_connected", "1 while this node is connected to NATS, 0 while it reconnects",
                    MetricType::Gauge, n(c.nats_connected.load(std::memory_order_relaxed))));
  auto kv = family("chat_cluster_kv_seconds",
                   "How long the cluster's name store takes to claim a name (with retries while it elects a "
                   "leader) or release one",
                   MetricType::Histogram);
  kv.metric.push_back(histogram_metric(c.kv_claim, "op", "claim"));
  kv.metric.push_back(histogram_metric(c.kv_release, "op", "release"));
  out.push_back(std::move(kv));
}

}  // namespace

std::vector<prometheus::MetricFamily> metrics_collector::Collect() const {
  constexpr auto r = std::memory_order_relaxed;
  const auto n = [](auto v) { return static_cast<double>(v); };
  std::vector<MetricFamily> out;
  out.push_back(one("chat_connections_accepted_total", "Client connections accepted and served (not turned away)",
                    MetricType::Counter, n(stats_.connections_accepted.load(r))));
  out.push_back(one("chat_messages_relayed_total", "MSG lines relayed to a chat partner", MetricType::Counter,
                    n(stats_.messages_relayed.load())));
  out.push_back(
      one("chat_received_bytes_total", "Bytes read from clients", MetricType::Counter, n(stats_.bytes_in.load())));
  out.push_back(
      one("chat_sent_bytes_total", "Bytes written to clients", MetricType::Counter, n(stats_.bytes_out.load())));
  out.push_back(one("chat_slow_consumers_total", "Clients cut off because their send queue passed --max-queue",
                    MetricType::Counter, n(stats_.slow_consumers.load(r))));
  out.push_back(one("chat_rate_limited_pauses_total", "Times a client's reads paused for --msg-rate",
                    MetricType::Counter, n(stats_.rate_limited.load(r))));
  out.push_back(by_reason("chat_timeouts_total", "Connections ended by a timeout, by BYE reason", timeout_reasons,
                          stats_.timeouts));
  out.push_back(by_reason("chat_connections_turned_away_total", "Connections refused at accept, by BYE reason",
                          turned_away_reasons, stats_.turned_away));
  out.push_back(one("chat_tls_handshake_failures_total",
                    "TLS handshakes that failed or passed --tls-handshake-timeout (never a session)",
                    MetricType::Counter, n(stats_.tls_handshake_failures.load(r))));
  auto errors = family("chat_errors_total", "ERR lines sent to clients, by code", MetricType::Counter);
  for (std::size_t i = 0; i < protocol::error_code_count; ++i) {
    const auto code = static_cast<protocol::error_code>(i);
    add(errors, n(stats_.errors.load(code)), "code", protocol::wire_name(code));
  }
  out.push_back(std::move(errors));

  out.push_back(one("chat_connections", "Client connections open now", MetricType::Gauge, n(live_connections_())));
  out.push_back(one("chat_registered_users", "Connections registered under a name", MetricType::Gauge,
                    n(stats_.registered.load(r))));
  out.push_back(one("chat_active_chats", "Chats open now", MetricType::Gauge, n(stats_.active_chats.load(r))));
  // Kept as wrapping additions and subtractions across shards; a sum read in the
  // middle of a move between shards may be off by what moved, never negative in the end.
  const auto queued = static_cast<std::int64_t>(stats_.queued_bytes.load());
  out.push_back(one("chat_outbox_queued_bytes", "Bytes queued for clients and not yet written", MetricType::Gauge,
                    n(queued > 0 ? queued : 0)));
  out.push_back(histogram("chat_outbox_wait_seconds",
                          "How long bytes wait in a client's send queue before the write that takes them, per "
                          "write batch (from the first byte queued into an empty queue)",
                          stats_.outbox_wait));
  if (cluster_ && cluster_->enabled.load(std::memory_order_relaxed)) add_cluster(out, *cluster_);
  return out;
}

}  // namespace chat
