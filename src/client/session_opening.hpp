// The start of every session, the first and each reconnection: resolve, connect,
// and read the server's greeting (HELLO CHAT/1, or BYE SERVER_FULL from a full server).
#pragma once

#include <optional>
#include <string>

#include "client/server_connection.hpp"
#include "client/tls_options.hpp"

namespace chat::client {

struct session_opening {
  int status = 0;                               // exit_ok, or the exit status the failure makes (client_config.hpp)
  std::string problem;                          // why it failed, in words for the user ("" for a chat server's BYE)
  std::string greeting;                         // the server's first line, if one came
  std::optional<server_connection> connection;  // when status is exit_ok
};

// Connects to host:port (over TLS with tls.enabled: tls_connect.hpp) and waits
// (bounded) for the greeting.
awaitable<session_opening> open_session(std::string host, std::uint16_t port, tls_client_options tls);

}  // namespace chat::client
