// What the client knows of the lines it sends. They go out as typed and the server
// parses them; the client only has to recognise QUIT, after which the server reads
// nothing more and answers OK BYE.
#pragma once

#include <charconv>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "chat/protocol.hpp"

namespace chat::client {

inline bool is_quit(std::string_view line) {
  const auto parsed = protocol::parse_command(line);
  const auto* cmd = std::get_if<protocol::command>(&parsed);
  return cmd != nullptr && cmd->kind == protocol::command_kind::quit;
}

// A script line `@wait SECONDS REGEX` is not sent: the script waits until a server
// line received since the last @wait matched (ECMAScript regex_search on the line
// as printed) or fails after SECONDS. No CHAT/1 command starts with '@'.
inline constexpr std::string_view wait_directive_prefix = "@wait ";

struct wait_directive {
  std::chrono::milliseconds timeout;
  std::string pattern;
};

// The directive in a line starting with wait_directive_prefix; nothing if its
// SECONDS (a whole number, 1 to 86400) or its pattern is missing.
inline std::optional<wait_directive> parse_wait_directive(std::string_view line) {
  line.remove_prefix(std::min(line.size(), wait_directive_prefix.size()));
  const auto [seconds_text, pattern] = protocol::split_word(line);
  long seconds = 0;
  const auto [end, ec] = std::from_chars(seconds_text.data(), seconds_text.data() + seconds_text.size(), seconds);
  if (ec != std::errc{} || end != seconds_text.data() + seconds_text.size() || seconds < 1 || seconds > 86400 ||
      pattern.empty()) {
    return std::nullopt;
  }
  return wait_directive{std::chrono::seconds(seconds), std::string(pattern)};
}

}  // namespace chat::client
