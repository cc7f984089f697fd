// chat-client's TLS flags on its command line (CLI11 stays out of the client library).
#pragma once

#include <CLI/CLI.hpp>

#include "client/tls_options.hpp"

namespace chat::client {

// Adds --tls, --ca-file and --insecure (the last two need --tls), filling `tls`, which must outlive the parse.
void add_tls_flags(CLI::App& app, tls_client_options& tls);

}  // namespace chat::client
