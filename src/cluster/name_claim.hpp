// A name's claim in the name bucket (docs/cluster.md, How it works): the key is the name's
// case-folded form as a KV token, the value says who holds it, "<node identity> <session>
// <name as registered>". Every node writes and reads claims through these, and nothing
// else spells them. Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/peer.hpp"

namespace chat::cluster {

struct claim_owner {
  std::string node;  // the holder's node identity
  server::session_id sid = 0;
  std::string name;  // as registered
};

// The key that `name` (as a user typed it) is claimed under.
std::string claim_key(std::string_view name);
std::string claim_value(const std::string& node, server::session_id sid, const std::string& name);
// Nullopt for a value that is not a claim.
std::optional<claim_owner> parse_claim_value(std::string_view value);

}  // namespace chat::cluster
