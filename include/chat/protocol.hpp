// Wire protocol v1: keywords, error codes, limits, the command parser and the
// formatter of every line the server sends. Pure functions over bytes, shared by
// the server, the client and chat-bench; no I/O here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace chat::protocol {

inline constexpr std::string_view version = "CHAT/1";
// The port chat-server listens on and chat-client and chat-bench connect to by default: the
// course's, whose own client has 127.0.0.1:12345 written into it.
inline constexpr std::uint16_t default_port = 12345;
inline constexpr std::size_t default_max_line = 4096;  // bytes, without the terminator
inline constexpr std::size_t max_name_length = 32;
inline constexpr std::size_t max_who_names = 100;
// The largest --max-line chat-server accepts (16 MiB).
inline constexpr std::size_t max_max_line = std::size_t{1} << 24;

// The longest line, in bytes without its LF, that a server sends when its clients' lines
// are limited to `max_line` (--max-line). Two lines can be the longest (docs/protocol.md, Framing):
// - a relayed MSG: "MSG <sender> <text>", where the text is at most max_line - 4 bytes
//   (what follows "MSG " in the sender's line) and the name 32: max_line + 33;
// - the WHO reply: "OK WHO <total> <name> ..." with max_who_names names of 32 characters
//   and a total of at most 20 digits: 3,327, whatever max_line is.
// Every other server line is shorter than both (tests/unit/server_line_bound_test.cpp).
constexpr std::size_t max_server_line(std::size_t max_line) {
  const std::size_t msg = max_line + 4 /* "MSG " */ + max_name_length + 1 - 4 /* "MSG " in the sender's line */;
  const std::size_t who = 7 /* "OK WHO " */ + 20 /* digits of a std::size_t */ + max_who_names * (1 + max_name_length);
  return msg > who ? msg : who;
}

enum class command_kind { register_name, connect, msg, disconnect, ping, who, quit, help };
// help is the last command_kind: the command table below has one row per value.
inline constexpr std::size_t command_kind_count = static_cast<std::size_t>(command_kind::help) + 1;

// How a command reads the rest of its line, after the keyword and the spaces that follow it.
enum class argument_rule {
  none,           // ignored: extra words after DISCONNECT, QUIT and HELP do no harm
  optional_word,  // may be empty; trailing spaces and CRs dropped (PING token, WHO prefix)
  required_word,  // as optional_word, but empty is MISSING_ARGUMENT (REGISTER, CONNECT)
  text,           // the rest of the line as sent, inner and trailing spaces kept (MSG)
};

// One command of CHAT/1. Parsing, keyword() and the HELP line read this table; a new
// command is a row here, a handler in the registry, and tests.
struct command_spec {
  command_kind kind;
  std::string_view keyword;  // on the wire, matched without regard to case
  argument_rule argument;
  std::string_view help;      // what HELP calls the argument: "name" gives "<name>", "[name]" if optional
  bool ends_session = false;  // the server reads nothing more from a client after it (QUIT)
};

// Indexed by command_kind, in the order HELP lists them.
inline constexpr std::array<command_spec, command_kind_count> commands{{
    {command_kind::register_name, "REGISTER", argument_rule::required_word, "name"},
    {command_kind::connect, "CONNECT", argument_rule::required_word, "name"},
    {command_kind::msg, "MSG", argument_rule::text, "text"},
    {command_kind::disconnect, "DISCONNECT", argument_rule::none, ""},
    {command_kind::ping, "PING", argument_rule::optional_word, "token"},
    {command_kind::who, "WHO", argument_rule::optional_word, "prefix"},
    {command_kind::quit, "QUIT", argument_rule::none, "", true},
    {command_kind::help, "HELP", argument_rule::none, ""},
}};

// The row of `kind`.
constexpr const command_spec& spec(command_kind kind) {
  return commands[static_cast<std::size_t>(kind)];
}

// Why a line or a command was refused: every value has one wire spelling.
enum class error_code {
  invalid_name,
  name_taken,
  already_registered,
  not_registered,
  no_such_user,
  self,
  busy,
  in_chat,
  not_in_chat,
  empty_message,
  unknown_command,
  missing_argument,
  line_too_long,
  bad_encoding,  // not valid UTF-8, or a NUL byte: refused rather than relayed
  unavailable,   // cluster mode: the shared name service cannot be reached (docs/cluster.md)
};
// unavailable is the last error_code: protocol.cpp's table of wire names has one row per value.
inline constexpr std::size_t error_code_count = static_cast<std::size_t>(error_code::unavailable) + 1;

// Why the server ends a connection (the BYE line).
// name_lost: cluster mode, the node was cut off from NATS and another node's user took the name meanwhile.
enum class bye_reason {
  shutdown,
  slow_consumer,
  server_full,
  address_limit,
  idle_timeout,
  register_timeout,
  name_lost
};
// name_lost is the last bye_reason: protocol.cpp's table has one row per value.
inline constexpr std::size_t bye_reason_count = static_cast<std::size_t>(bye_reason::name_lost) + 1;

struct command {
  command_kind kind;
  // REGISTER/CONNECT: the name; MSG: the text; PING: the token; WHO: the prefix.
  std::string argument;

  bool operator==(const command&) const = default;
};

struct parse_error {
  error_code code;
  bool operator==(const parse_error&) const = default;
};

using parse_result = std::variant<command, parse_error>;

// A parsed command whose argument points into the parsed line: the reader's hot
// path parses a MSG without copying its text (the view lives as long as the line).
struct command_view {
  command_kind kind;
  std::string_view argument;
};

using parse_view_result = std::variant<command_view, parse_error>;

// Parses one line, already stripped of its LF (and of a CR before it); further
// CRs at its end are dropped too, as a receiver's framer would drop them.
// Keywords are case-insensitive and separated from their argument by one or more
// spaces; each command's argument_rule (the `commands` table) says what the rest is.
parse_result parse_command(std::string_view line);
// The same rules, without copying: the argument is a view into `line`.
parse_view_result parse_command_view(std::string_view line);

std::string_view keyword(command_kind kind);  // spec(kind).keyword
std::string_view wire_name(error_code code);
std::string_view default_text(error_code code);
std::string_view wire_name(bye_reason reason);
std::string_view default_text(bye_reason reason);

// 1 to 32 characters of A-Z a-z 0-9 _ - .
bool is_valid_name(std::string_view name);
// Names are unique without regard to case: this is the key they are compared by.
std::string name_key(std::string_view name);
bool is_valid_utf8(std::string_view bytes);

// Every line the server sends, each ending in "\n".
std::string format_hello();
std::string format_ok(std::string_view what, std::string_view argument);  // OK REGISTERED Noy
std::string format_error(error_code code);
std::string format_error(error_code code, std::string_view text);
std::string format_pong(std::string_view token);
std::string format_who(std::size_t total, const std::string* names, std::size_t count);
std::string format_help();  // OK HELP, then every row of `commands`: "REGISTER <name> | ... | HELP"
std::string format_ok_bye();
std::string format_bye(bye_reason reason);
std::string format_connected(std::string_view requester);
std::string format_msg(std::string_view sender, std::string_view text);
std::string format_disconnected(std::string_view name);

// A line received by a client, split into its first word and the rest.
struct server_line {
  std::string_view head;  // OK, ERR, PONG, HELLO, BYE, CONNECTED, MSG, DISCONNECTED
  std::string_view rest;
};
server_line split_server_line(std::string_view line);

// Splits "<word> <rest>" at the first run of spaces.
std::pair<std::string_view, std::string_view> split_word(std::string_view text);

}  // namespace chat::protocol
