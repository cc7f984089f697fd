// How a chat-client session looks and ends, beyond where it connects: colours,
// the bell, reconnecting (interactive mode) and failing on ERR (script mode).
// Set by the flags of client_options.cpp.
#pragma once

#include <chrono>

namespace chat::client {

struct session_options {
  bool no_color = false;  // --no-color: never colour, whatever the terminal
  bool bell = false;      // --bell: ring on an incoming MSG while nothing is half-typed
  bool reconnect = true;  // interactive mode: reconnect when the connection drops (--no-reconnect)
  // Reconnecting: how long a name still held by our old connection is retried
  // before the user is asked for another. The server frees it when it notices the
  // old connection gone, at the latest after its --idle-timeout (default 300 s).
  std::chrono::milliseconds name_wait{std::chrono::seconds(300)};
  bool fail_on_error = false;  // script mode: exit exit_error_reply if any ERR reply arrived
};

}  // namespace chat::client
