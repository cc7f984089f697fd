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

// A script line starting with '@' is a directive to the client, never sent (no
// CHAT/1 command starts with '@'). The one directive, `@wait SECONDS REGEX`, holds
// the script until a server line received since the last @wait matched (ECMAScript
// regex_search on the line as printed), or fails after SECONDS.
inline constexpr char directive_mark = '@';
inline constexpr std::string_view wait_directive_prefix = "@wait ";

struct wait_directive {
  std::chrono::milliseconds timeout;
  std::string pattern;
};

// The directive in a script line starting with directive_mark, or why it is not one
// (for the message that names the line): an unknown name (names are case-sensitive),
// a missing SECONDS or REGEX, SECONDS not a whole number from 1 to 86400. The REGEX
// itself is checked when compiled (line_pattern).
inline std::variant<wait_directive, std::string> parse_directive(std::string_view line) {
  const auto [name, rest] = protocol::split_word(line);
  if (name != wait_directive_prefix.substr(0, wait_directive_prefix.size() - 1)) {
    return "unknown directive " + std::string(name) + "; the one directive is @wait SECONDS REGEX";
  }
  const auto [seconds_text, pattern] = protocol::split_word(rest);
  if (seconds_text.empty()) return std::string("@wait needs SECONDS and a REGEX");
  long seconds = 0;
  const auto [end, ec] = std::from_chars(seconds_text.data(), seconds_text.data() + seconds_text.size(), seconds);
  if (ec != std::errc{} || end != seconds_text.data() + seconds_text.size() || seconds < 1 || seconds > 86400) {
    return "@wait SECONDS must be a whole number from 1 to 86400, not " + std::string(seconds_text);
  }
  if (pattern.empty()) return std::string("@wait needs a REGEX after SECONDS");
  return wait_directive{std::chrono::seconds(seconds), std::string(pattern)};
}

// The directive in a line starting with wait_directive_prefix; nothing if its
// SECONDS (a whole number, 1 to 86400) or its pattern is missing.
inline std::optional<wait_directive> parse_wait_directive(std::string_view line) {
  auto parsed = parse_directive(line);
  if (auto* wait = std::get_if<wait_directive>(&parsed)) return std::move(*wait);
  return std::nullopt;
}

}  // namespace chat::client
