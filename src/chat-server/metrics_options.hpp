// chat-server's metrics flags: --metrics-port (off unless given) and --metrics-host.
#pragma once

#include <CLI/CLI.hpp>

#include "server/metrics_config.hpp"

namespace chat {

// Adds --metrics-port and --metrics-host to `app`, bound to `config`.
void add_metrics_options(CLI::App& app, server::metrics_config& config);

}  // namespace chat
