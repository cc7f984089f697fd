#include "chat/protocol.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "chat/enum_table.hpp"
#include "chat/utf8.hpp"

namespace chat::protocol {
namespace {

static_assert(indexed_by(commands, &command_spec::kind), "commands: one row per command_kind, in its order");

// A value's wire spelling and the text that follows it by default.
template <typename Enum>
struct wire_entry {
  Enum value;
  std::string_view wire;
  std::string_view text;
};

constexpr std::array<wire_entry<error_code>, error_code_count> errors{{
    {error_code::invalid_name, "INVALID_NAME", "names are 1 to 32 characters of A-Z a-z 0-9 _ - ."},
    {error_code::name_taken, "NAME_TAKEN", "that name is in use"},
    {error_code::already_registered, "ALREADY_REGISTERED", "this connection is already registered"},
    {error_code::not_registered, "NOT_REGISTERED", "REGISTER a name first"},
    {error_code::no_such_user, "NO_SUCH_USER", "no user of that name is online"},
    {error_code::self, "SELF", "you cannot open a chat with yourself"},
    {error_code::busy, "BUSY", "that user is in another chat"},
    {error_code::in_chat, "IN_CHAT", "you are in a chat: DISCONNECT first"},
    {error_code::not_in_chat, "NOT_IN_CHAT", "you are not in a chat"},
    {error_code::empty_message, "EMPTY_MESSAGE", "MSG needs some text"},
    {error_code::unknown_command, "UNKNOWN_COMMAND", "unknown command, try HELP"},
    {error_code::missing_argument, "MISSING_ARGUMENT", "this command needs an argument"},
    {error_code::line_too_long, "LINE_TOO_LONG", "line too long, discarded"},
    {error_code::bad_encoding, "BAD_ENCODING", "lines must be UTF-8 without NUL bytes"},
    {error_code::unavailable, "UNAVAILABLE", "the cluster's name service is unavailable, try again"},
}};
static_assert(indexed_by(errors, &wire_entry<error_code>::value), "errors: one row per error_code, in its order");

constexpr std::array<wire_entry<bye_reason>, bye_reason_count> byes{{
    {bye_reason::shutdown, "SHUTDOWN", "the server is shutting down"},
    {bye_reason::slow_consumer, "SLOW_CONSUMER", "you are not reading fast enough"},
    {bye_reason::server_full, "SERVER_FULL", "too many clients, try later"},
    {bye_reason::address_limit, "ADDRESS_LIMIT", "too many connections from your address"},
    {bye_reason::idle_timeout, "IDLE_TIMEOUT", "no activity for too long"},
    {bye_reason::register_timeout, "REGISTER_TIMEOUT", "REGISTER a name sooner after connecting"},
    {bye_reason::name_lost, "NAME_LOST", "this server lost the cluster for a while and another user took your name"},
}};
static_assert(indexed_by(byes, &wire_entry<bye_reason>::value), "byes: one row per bye_reason, in its order");

bool iequals(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](unsigned char x, unsigned char y) { return std::toupper(x) == std::toupper(y); });
}

// Names, tokens and prefixes end at their last character that is neither a space
// nor a CR: a CR there could not come back intact (a receiver drops it).
std::string_view trim_trailing_spaces(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

std::string line_of(std::initializer_list<std::string_view> words) {
  std::size_t size = 1;
  for (auto word : words) size += word.size() + 1;
  std::string line;
  line.reserve(size);
  for (auto word : words) {
    if (word.empty()) continue;
    if (!line.empty()) line += ' ';
    line += word;
  }
  line += '\n';
  return line;
}

}  // namespace

std::pair<std::string_view, std::string_view> split_word(std::string_view text) {
  const auto start = text.find_first_not_of(' ');
  if (start == std::string_view::npos) return {{}, {}};
  text.remove_prefix(start);
  const auto end = text.find(' ');
  if (end == std::string_view::npos) return {text, {}};
  auto rest = text.substr(end);
  const auto rest_start = rest.find_first_not_of(' ');
  rest = rest_start == std::string_view::npos ? std::string_view{} : rest.substr(rest_start);
  return {text.substr(0, end), rest};
}

parse_view_result parse_command_view(std::string_view line) {
  if (!is_valid_utf8(line) || line.find('\0') != std::string_view::npos) {
    return parse_error{error_code::bad_encoding};
  }
  // The framer drops one CR before the LF; any more would come back stripped at
  // the receiver (its framer drops one too), so they are never part of an argument.
  while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const auto [first_word, rest] = split_word(line);
  const auto word = first_word;  // clang 14 cannot capture a structured binding
  const auto row = std::ranges::find_if(commands, [&](const command_spec& c) { return iequals(c.keyword, word); });
  if (row == commands.end()) return parse_error{error_code::unknown_command};

  switch (row->argument) {
    case argument_rule::text:
      // Everything after the separator, inner and trailing spaces included.
      return command_view{row->kind, rest};
    case argument_rule::required_word:
    case argument_rule::optional_word: {
      const auto argument = trim_trailing_spaces(rest);
      if (argument.empty() && row->argument == argument_rule::required_word) {
        return parse_error{error_code::missing_argument};
      }
      return command_view{row->kind, argument};
    }
    case argument_rule::none:
      return command_view{row->kind, {}};
  }
  return parse_error{error_code::unknown_command};
}

parse_result parse_command(std::string_view line) {
  auto parsed = parse_command_view(line);
  if (auto* error = std::get_if<parse_error>(&parsed)) return *error;
  const auto& view = std::get<command_view>(parsed);
  return command{view.kind, std::string(view.argument)};
}

std::string_view keyword(command_kind kind) {
  return spec(kind).keyword;
}

std::string_view wire_name(error_code code) {
  return errors.at(static_cast<std::size_t>(code)).wire;
}
std::string_view default_text(error_code code) {
  return errors.at(static_cast<std::size_t>(code)).text;
}
std::string_view wire_name(bye_reason reason) {
  return byes.at(static_cast<std::size_t>(reason)).wire;
}
std::string_view default_text(bye_reason reason) {
  return byes.at(static_cast<std::size_t>(reason)).text;
}

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > max_name_length) return false;
  return std::ranges::all_of(name,
                             [](unsigned char c) { return std::isalnum(c) != 0 || c == '_' || c == '-' || c == '.'; });
}

std::string name_key(std::string_view name) {
  std::string key(name);
  std::ranges::transform(key, key.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return key;
}

bool is_valid_utf8(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto sequence = utf8::decode(bytes);
    if (!sequence) return false;
    bytes.remove_prefix(sequence->length);
  }
  return true;
}

std::string format_hello() {
  return line_of({"HELLO", version, "tcp-chat server, type HELP"});
}

std::string format_ok(std::string_view what, std::string_view argument) {
  return line_of({"OK", what, argument});
}

std::string format_error(error_code code) {
  return format_error(code, default_text(code));
}

std::string format_error(error_code code, std::string_view text) {
  return line_of({"ERR", wire_name(code), text});
}

std::string format_pong(std::string_view token) {
  return line_of({"PONG", token});
}

std::string format_who(std::size_t total, const std::string* names, std::size_t count) {
  std::string line = "OK WHO " + std::to_string(total);
  for (std::size_t i = 0; i < count; ++i) {
    line += ' ';
    line += names[i];
  }
  line += '\n';
  return line;
}

std::string format_help() {
  std::string line = "OK HELP";
  const char* separator = " ";
  for (const auto& c : commands) {
    line.append(separator).append(c.keyword);
    separator = " | ";
    if (c.argument == argument_rule::none) continue;
    const bool optional = c.argument == argument_rule::optional_word;
    line.append(optional ? " [" : " <").append(c.help).append(optional ? "]" : ">");
  }
  line += '\n';
  return line;
}

std::string format_ok_bye() {
  return "OK BYE\n";
}

std::string format_bye(bye_reason reason) {
  return line_of({"BYE", wire_name(reason), default_text(reason)});
}

std::string format_connected(std::string_view requester) {
  return line_of({"CONNECTED", requester});
}

std::string format_msg(std::string_view sender, std::string_view text) {
  // Not line_of: the text keeps every space it was sent with.
  std::string line;
  line.reserve(sender.size() + text.size() + 6);
  line.append("MSG ").append(sender).append(" ").append(text).append("\n");
  return line;
}

std::string format_disconnected(std::string_view name) {
  return line_of({"DISCONNECTED", name});
}

server_line split_server_line(std::string_view line) {
  const auto [head, rest] = split_word(line);
  return {head, rest};
}

}  // namespace chat::protocol
