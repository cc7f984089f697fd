// What the client knows of the lines it sends. They go out as typed and the server
// parses them; the client only has to recognise QUIT, after which the server reads
// nothing more and answers OK BYE.
#pragma once

#include <string_view>
#include <variant>

#include "chat/protocol.hpp"

namespace chat::client {

inline bool is_quit(std::string_view line) {
  const auto parsed = protocol::parse_command(line);
  const auto* cmd = std::get_if<protocol::command>(&parsed);
  return cmd != nullptr && cmd->kind == protocol::command_kind::quit;
}

}  // namespace chat::client
