#include "chat-server/cluster_options.hpp"

#include <string_view>

#include "chat/cli.hpp"

namespace chat {
namespace {

// nats://HOST:PORT, the form libnats takes; a bare HOST:PORT is refused to keep one spelling.
// (No std::regex: GCC 12 warns inside it under ASan, and warnings are errors.)
std::string check_nats_url(const std::string& url) {
  const auto bad = "'" + url + "' is not nats://HOST:PORT";
  std::string_view rest(url);
  if (!rest.starts_with("nats://")) return bad;
  rest.remove_prefix(7);
  const auto colon = rest.rfind(':');
  if (colon == 0 || colon == std::string_view::npos) return bad;
  const auto host = rest.substr(0, colon);
  const auto port = rest.substr(colon + 1);
  for (const char c : host) {
    if (c <= ' ' || c == ':' || c == '/' || c == ',') return bad;
  }
  if (port.empty() || port.size() > 5) return bad;
  for (const char c : port) {
    if (c < '0' || c > '9') return bad;
  }
  return {};
}

std::string check_node_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return "a node name is 1 to 64 characters";
  for (const char c : name) {
    if (c <= ' ' || c > '~') return "a node name holds printable ASCII without spaces";
  }
  return {};
}

}  // namespace

void add_cluster_options(CLI::App& app, cluster::cluster_config& config) {
  app.add_option("--cluster", config.servers,
                 "Cluster mode: the NATS servers (with JetStream) to join, nats://HOST:PORT[,nats://HOST:PORT...]")
      ->delimiter(',')
      ->check(check_nats_url);
  app.add_option("--node-name", config.node_name, "This node's name, unique in the cluster (default: HOST:PORT)")
      ->check(check_node_name);
  app.add_option("--cluster-replicas", config.replicas,
                 "Replicas of the cluster's name bucket (1 for a single nats-server -js)")
      ->transform(chat::cli::range(1, 5))
      ->capture_default_str();
}

}  // namespace chat
