// chat-client as a library call, so main() only parses flags: connect, read the
// greeting, then run the interactive mode on a terminal and the script mode
// otherwise. One thread, one io_context.
#pragma once

#include "client/client_config.hpp"

namespace chat::client {

// Returns the process exit status (exit_status in client_config.hpp).
int run_client(const client_config& config);

}  // namespace chat::client
