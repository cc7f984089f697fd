#include "client/chat_state.hpp"

#include <algorithm>
#include <variant>

#include "chat/protocol.hpp"

namespace chat::client {
namespace {

constexpr char command_mark = '/';
// The protocol's message command; typed at the start of a line in a chat (the course's
// way of sending a message), it is dropped rather than sent as part of the text.
constexpr std::string_view message_prefix = "MSG ";

bool is_message_command(std::string_view line) {
  const auto parsed = protocol::parse_command(line);
  const auto* cmd = std::get_if<protocol::command>(&parsed);
  return cmd != nullptr && cmd->kind == protocol::command_kind::msg;
}

bool is_unknown_command(std::string_view line) {
  const auto parsed = protocol::parse_command(line);
  const auto* error = std::get_if<protocol::parse_error>(&parsed);
  return error != nullptr && error->code == protocol::error_code::unknown_command;
}

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

chat_state::typed_line chat_state::interpret(std::string_view typed) const {
  using enum typed_line::kind;
  const bool escaped = typed.starts_with("//");  // a line starting with '/', not a command
  if (typed.starts_with(command_mark) && !escaped) {
    const auto line = typed.substr(1);
    return {is_message_command(line) ? message : command, std::string(line)};
  }
  const auto text = escaped ? typed.substr(1) : typed;
  if (!name_) {
    // Not registered yet: a command is sent as such, anything else is the name wanted.
    if (!escaped && !is_unknown_command(typed)) return {command, std::string(typed)};
    return {command, "REGISTER " + std::string(text)};
  }
  if (partner_) {
    const bool course_style = text.starts_with(message_prefix) && text.size() > message_prefix.size();
    const auto message_text = course_style && !escaped ? text.substr(message_prefix.size()) : text;
    return {message, std::string(message_prefix) + std::string(message_text)};
  }
  if (escaped || is_unknown_command(typed)) {
    return {refused,
            "!!! not sent: outside a chat a line is a command; to chat, first /connect NAME (/who lists who is "
            "online)"};
  }
  return {is_message_command(typed) ? message : command, std::string(typed)};
}

std::string_view chat_state::typed_line::text() const {
  return std::string_view(line).substr(std::min(line.size(), message_prefix.size()));
}

}  // namespace chat::client
