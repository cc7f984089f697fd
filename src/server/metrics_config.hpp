// Where chat-server serves its Prometheus metrics (/metrics), if at all.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "server/server_defaults.hpp"

namespace chat::server {

struct metrics_config {
  std::string host{defaults::metrics_host};  // a numeric IPv4 address (civetweb in Debian has no IPv6)
  std::optional<std::uint16_t> port;         // none: no metrics (the default); 0 picks a free port (logged)

  bool enabled() const { return port.has_value(); }
};

}  // namespace chat::server
