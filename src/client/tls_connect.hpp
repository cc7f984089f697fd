// Opening the connection to chat-server, plain or TLS. Over TLS the client
// sends the host name (SNI, unless it is an address) and checks the server's
// certificate against the trusted CAs and against that name (RFC 6125: the
// subjectAltName's DNS or IP entries), unless --insecure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "client/server_connection.hpp"
#include "client/tls_options.hpp"

namespace chat::client {

struct connect_result {
  std::optional<server_connection> connection;  // empty on failure
  std::string why;  // on failure, for the user: "Connection refused", "the server's certificate has expired ..."
};

// Resolves host, connects to the first address that answers and, with
// tls.enabled, completes the handshake (bounded by handshake_timeout).
awaitable<connect_result> connect_to_server(std::string host, std::uint16_t port, tls_client_options tls);

}  // namespace chat::client
