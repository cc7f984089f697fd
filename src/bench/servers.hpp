// --servers HOST:PORT,HOST:PORT,...: several servers (nodes of one cluster) that
// chat-bench spreads its clients over.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace chat::bench {

// Splits "127.0.0.1:5555,127.0.0.1:5556" (an IPv6 host in brackets: "[::1]:5555") into (host, port)
// pairs; throws std::invalid_argument naming the bad item (no port, port 0 or above 65535, empty list).
std::vector<std::pair<std::string, std::uint16_t>> parse_servers(const std::string& spec);

// Which of `servers` servers client i uses. Paired clients (2k, 2k+1) go to servers k and k+1
// (mod servers), so with more than one server the two ends of every pair are on different
// servers and a message always crosses between them; idle connections go round robin.
inline std::size_t server_of(std::size_t client, std::size_t servers, bool paired) {
  if (servers <= 1) return 0;
  return paired ? (client / 2 + client % 2) % servers : client % servers;
}

}  // namespace chat::bench
