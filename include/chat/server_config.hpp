// Everything chat-server can be told on its command line, with the defaults.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "chat/protocol.hpp"

namespace chat {

struct server_config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 5555;  // 0 picks an ephemeral port (tests)
  std::size_t threads = 0;    // 0: one per core
  std::size_t max_line = protocol::default_max_line;
  std::size_t max_clients = 0;             // 0: as many as the open-files limit allows
  std::size_t max_outbox_bytes = 1 << 20;  // per client; past it the client is a slow consumer
  std::chrono::milliseconds shutdown_timeout{5000};
  bool handle_signals = true;  // SIGINT and SIGTERM start a graceful shutdown
};

}  // namespace chat
