// chat-server's cluster flags: --cluster, --node-name, --cluster-replicas.
#pragma once

#include <CLI/CLI.hpp>

#include "cluster/config.hpp"

namespace chat {

// Adds the flags to `app`; parsing fills `config` (servers split at commas, each checked to be nats://HOST:PORT).
void add_cluster_options(CLI::App& app, cluster::cluster_config& config);

}  // namespace chat
