#include "client/chat_state.hpp"

#include <algorithm>
#include <array>
#include <variant>

#include "chat/protocol.hpp"

namespace chat::client {
namespace {

// The assignment's keywords, in the capitals that make a line a command inside a chat.
constexpr std::array<std::string_view, 8> capital_keywords{"REGISTER", "CONNECT", "MSG",  "DISCONNECT",
                                                           "PING",     "WHO",     "QUIT", "HELP"};

}  // namespace

void chat_state::observe(std::string_view server_line) {
  const auto [head, rest] = protocol::split_server_line(server_line);
  if (head == "OK") {
    const auto [what, argument] = protocol::split_word(rest);
    if (what == "REGISTERED") name_ = std::string(argument);
    if (what == "CONNECTED") partner_ = std::string(argument);
    if (what == "DISCONNECTED") partner_.reset();
  } else if (head == "CONNECTED") {
    partner_ = std::string(rest);
  } else if (head == "DISCONNECTED") {
    partner_.reset();
  }
}

std::string chat_state::prompt() const {
  if (!name_) return "name> ";
  if (!partner_) return *name_ + "> ";
  return *name_ + "\u2192" + *partner_ + "> ";
}

std::string chat_state::to_send(std::string_view typed) const {
  if (typed.starts_with('/')) return std::string(typed.substr(1));
  if (!name_) {
    // Not registered yet: a command is sent as such, anything else is the name wanted.
    const auto parsed = protocol::parse_command(typed);
    const auto* error = std::get_if<protocol::parse_error>(&parsed);
    if (error == nullptr || error->code != protocol::error_code::unknown_command) return std::string(typed);
    return "REGISTER " + std::string(typed);
  }
  if (!partner_) return std::string(typed);
  const auto first = protocol::split_word(typed).first;
  if (std::ranges::find(capital_keywords, first) != capital_keywords.end()) return std::string(typed);
  return "MSG " + std::string(typed);
}

std::optional<std::string> chat_state::hint(std::string_view typed) const {
  if (!name_ || partner_ || typed.starts_with('/')) return std::nullopt;
  const auto parsed = protocol::parse_command(typed);
  const auto* error = std::get_if<protocol::parse_error>(&parsed);
  if (error == nullptr || error->code != protocol::error_code::unknown_command) return std::nullopt;
  return "!!! not sent: outside a chat a line is a command; to chat, first /connect NAME (/who lists who is online)";
}

bool chat_state::is_message(std::string_view sent) {
  const auto parsed = protocol::parse_command(sent);
  const auto* cmd = std::get_if<protocol::command>(&parsed);
  return cmd != nullptr && cmd->kind == protocol::command_kind::msg;
}

}  // namespace chat::client
