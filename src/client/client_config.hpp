// What chat-client is told on its command line.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "chat/protocol.hpp"
#include "client/session_options.hpp"
#include "client/tls_options.hpp"

namespace chat::client {

struct client_config {
  std::string host = "127.0.0.1";
  std::uint16_t port = protocol::default_port;
  std::optional<std::string> name;  // sent as REGISTER right after the greeting
  // Interactive mode: a PING after this long without typing keeps an idle user
  // under the server's --idle-timeout (default 300 s). Zero: never.
  std::chrono::milliseconds keepalive{std::chrono::seconds(60)};
  session_options session;  // colours, bell, reconnecting, --fail-on-error
  tls_client_options tls;   // --tls, --ca-file, --insecure
};

// The process exit status, the contract scripts and tests rely on.
enum exit_status : int {
  exit_ok = 0,               // the session ended with our QUIT and the server's OK BYE
  exit_connection_lost = 1,  // the server closed, reset or said BYE before we were done
  exit_usage = 2,            // bad command line
  exit_cannot_connect = 3,   // resolving or connecting failed
  exit_error_reply = 4,      // script mode with --fail-on-error: the session went well, but an ERR reply came
};

}  // namespace chat::client
