// chat-server's TLS flags (docs/operations.md, TLS), kept beside the rest of the TLS code
// so that the shared main only calls this.
#pragma once

#include <CLI/CLI.hpp>

#include "server/tls_config.hpp"

namespace chat {

// Adds --tls-cert, --tls-key, --tls-port, --tls-handshake-timeout and --no-plain,
// filling `tls` as they are parsed. --tls-cert and --tls-key need each other, and
// --no-plain needs them; --tls-port and --tls-handshake-timeout
// take effect only with --tls-cert. `tls` must outlive the parse.
void add_tls_options(CLI::App& app, server::tls_config& tls);

}  // namespace chat
