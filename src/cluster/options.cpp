#include "chat/cluster/options.hpp"

#include <regex>

namespace chat {
namespace {

// nats://HOST:PORT, the form libnats takes; a bare HOST:PORT is refused to keep one spelling.
std::string check_nats_url(const std::string& url) {
  static const std::regex form(R"(nats://[^\s:/,]+:[0-9]{1,5})");
  if (std::regex_match(url, form)) return {};
  return "'" + url + "' is not nats://HOST:PORT";
}

std::string check_node_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return "a node name is 1 to 64 characters";
  for (const char c : name) {
    if (c <= ' ' || c > '~') return "a node name holds printable ASCII without spaces";
  }
  return {};
}

}  // namespace

void add_cluster_options(CLI::App& app, cluster_config& config) {
  app.add_option("--cluster", config.servers,
                 "Cluster mode: the NATS servers (with JetStream) to join, nats://HOST:PORT[,nats://HOST:PORT...]")
      ->delimiter(',')
      ->check(check_nats_url);
  app.add_option("--node-name", config.node_name, "This node's name, unique in the cluster (default: HOST:PORT)")
      ->check(check_node_name);
  app.add_option("--cluster-replicas", config.replicas,
                 "Replicas of the cluster's name bucket (1 for a single nats-server -js)")
      ->check(CLI::Range(1, 5))
      ->capture_default_str();
}

}  // namespace chat
