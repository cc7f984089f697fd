#include "cluster/name_claim.hpp"

#include <charconv>

#include "chat/protocol.hpp"
#include "cluster/wire.hpp"

namespace chat::cluster {

std::string claim_key(std::string_view name) {
  return wire::token(protocol::name_key(name));
}

std::string claim_value(const std::string& node, server::session_id sid, const std::string& name) {
  return node + " " + std::to_string(sid) + " " + name;
}

std::optional<claim_owner> parse_claim_value(std::string_view value) {
  const auto first = value.find(' ');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = value.find(' ', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  claim_owner o;
  o.node = std::string(value.substr(0, first));
  const auto sid = value.substr(first + 1, second - first - 1);
  if (std::from_chars(sid.data(), sid.data() + sid.size(), o.sid).ec != std::errc{}) return std::nullopt;
  o.name = std::string(value.substr(second + 1));
  return o;
}

}  // namespace chat::cluster
