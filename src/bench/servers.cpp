#include "bench/servers.hpp"

#include <charconv>
#include <sstream>
#include <stdexcept>

namespace chat::bench {

std::vector<std::pair<std::string, std::uint16_t>> parse_servers(const std::string& spec) {
  std::vector<std::pair<std::string, std::uint16_t>> out;
  std::istringstream items(spec);
  std::string item;
  while (std::getline(items, item, ',')) {
    if (item.empty()) continue;
    const auto colon = item.rfind(':');
    if (colon == std::string::npos || colon == 0) throw std::invalid_argument("not HOST:PORT: " + item);
    auto host = item.substr(0, colon);
    if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const auto port_text = item.substr(colon + 1);
    unsigned port = 0;
    const auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (host.empty() || r.ec != std::errc{} || r.ptr != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      throw std::invalid_argument("not HOST:PORT with a port 1-65535: " + item);
    }
    out.emplace_back(std::move(host), static_cast<std::uint16_t>(port));
  }
  if (out.empty()) throw std::invalid_argument("no servers in '" + spec + "'");
  return out;
}

}  // namespace chat::bench
