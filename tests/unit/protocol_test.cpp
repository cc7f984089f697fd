#include "chat/protocol.hpp"

#include <catch2/catch.hpp>
#include <cctype>
#include <initializer_list>
#include <set>

using namespace chat::protocol;

namespace {

// One row of a parse table: a line and the command it must parse to.
struct parse_case {
  std::string_view line;
  command expected;
};

// One row of a refusal table: a line and the error it must be refused with.
struct refusal_case {
  std::string_view line;
  error_code expected;
};

// One row of a predicate table: a text and whether the predicate accepts it.
struct text_case {
  std::string text;
  bool accepted;
};

void check_parses(std::initializer_list<parse_case> cases) {
  for (const auto& c : cases) {
    INFO(c.line);
    const auto result = parse_command(c.line);
    REQUIRE(std::holds_alternative<command>(result));
    CHECK(std::get<command>(result) == c.expected);
  }
}

void check_refuses(std::initializer_list<refusal_case> cases) {
  for (const auto& c : cases) {
    INFO(c.line);
    const auto result = parse_command(c.line);
    REQUIRE(std::holds_alternative<parse_error>(result));
    CHECK(std::get<parse_error>(result).code == c.expected);
  }
}

template <typename Predicate>
void check_accepts(Predicate accepts, std::initializer_list<text_case> cases) {
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(accepts(c.text) == c.accepted);
  }
}

}  // namespace

TEST_CASE("every command parses, keywords in any case") {
  check_parses({
      // Every command, keywords in any case.
      {"REGISTER Noy", {command_kind::register_name, "Noy"}},
      {"register Noy", {command_kind::register_name, "Noy"}},
      {"CoNnEcT Elias", {command_kind::connect, "Elias"}},
      {"MSG hello", {command_kind::msg, "hello"}},
      {"DISCONNECT", {command_kind::disconnect, ""}},
      {"PING", {command_kind::ping, ""}},
      {"ping abc", {command_kind::ping, "abc"}},
      {"WHO", {command_kind::who, ""}},
      {"who N", {command_kind::who, "N"}},
      {"QUIT", {command_kind::quit, ""}},
      {"help", {command_kind::help, ""}},
      // Words are separated by one or more spaces.
      {"REGISTER    Noy", {command_kind::register_name, "Noy"}},
      {"  CONNECT Elias  ", {command_kind::connect, "Elias"}},
      {"DISCONNECT now", {command_kind::disconnect, ""}},
      {"QUIT   ", {command_kind::quit, ""}},
      // MSG keeps the rest of the line, inner and trailing spaces included.
      {"MSG hello  there ", {command_kind::msg, "hello  there "}},
      {"msg   a,b \"c\"", {command_kind::msg, "a,b \"c\""}},
      {"MSG", {command_kind::msg, ""}},
      {"MSG    ", {command_kind::msg, ""}},
      {"MSG \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D", {command_kind::msg, "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"}},
      // CRs at the end of a line never reach an argument.
      {"MSG a\r", {command_kind::msg, "a"}},
      {"MSG a\rb\r\r", {command_kind::msg, "a\rb"}},
      {"PING t\r", {command_kind::ping, "t"}},
      {"MSG \r", {command_kind::msg, ""}},
      // Spaces and CRs mixed at the end of a name, token or prefix all go (a fuzz finding).
      {"PING a\r \r", {command_kind::ping, "a"}},
      {"REGISTER Noy \r ", {command_kind::register_name, "Noy"}},
      {"MSG a\r \r", {command_kind::msg, "a\r "}},
  });
}

TEST_CASE("missing arguments, unknown commands, bad UTF-8 and NUL bytes are refused") {
  check_refuses({
      // A missing argument, an unknown command.
      {"REGISTER", error_code::missing_argument},
      {"REGISTER   ", error_code::missing_argument},
      {"CONNECT", error_code::missing_argument},
      {"", error_code::unknown_command},
      {"   ", error_code::unknown_command},
      {"HELLO", error_code::unknown_command},
      {"MSGhello", error_code::unknown_command},
      {"\tMSG x", error_code::unknown_command},
      // Bad UTF-8 and NUL bytes.
      {std::string_view("MSG a\0b", 7), error_code::bad_encoding},
      {"MSG \xFF", error_code::bad_encoding},
      {"MSG \xC0\xAF", error_code::bad_encoding},          // overlong '/'
      {"MSG \xED\xA0\x80", error_code::bad_encoding},      // surrogate
      {"MSG \xF4\x90\x80\x80", error_code::bad_encoding},  // past U+10FFFF
      {"MSG \xE2\x82", error_code::bad_encoding},          // truncated
      {"REGISTER \x80", error_code::bad_encoding},
  });
}

TEST_CASE("UTF-8 validation accepts every well-formed length") {
  check_accepts([](const std::string& t) { return is_valid_utf8(t); }, {
                                                                           {"plain", true},
                                                                           {"\xC3\xA9", true},
                                                                           {"\xE2\x82\xAC", true},
                                                                           {"\xF0\x9F\x98\x80", true},
                                                                           {"\xF4\x8F\xBF\xBF", true},
                                                                           {"\xF8\x88\x80\x80\x80", false},
                                                                       });
}

TEST_CASE("names") {
  check_accepts([](const std::string& t) { return is_valid_name(t); }, {
                                                                           {"Noy", true},
                                                                           {"a", true},
                                                                           {"A-z_0.9", true},
                                                                           {std::string(32, 'n'), true},
                                                                           {std::string(33, 'n'), false},
                                                                           {"", false},
                                                                           {"No y", false},
                                                                           {"Noy!", false},
                                                                           {"\xC3\xA9lias", false},
                                                                       });
  CHECK(name_key("NoY") == name_key("noy"));
}

TEST_CASE("every server line is formatted and ends in LF") {
  CHECK(format_hello().starts_with("HELLO CHAT/1 "));
  CHECK(format_ok("REGISTERED", "Noy") == "OK REGISTERED Noy\n");
  CHECK(format_error(error_code::name_taken) == "ERR NAME_TAKEN that name is in use\n");
  CHECK(format_error(error_code::line_too_long, "too long") == "ERR LINE_TOO_LONG too long\n");
  CHECK(format_pong("") == "PONG\n");
  CHECK(format_pong("t1") == "PONG t1\n");
  const std::string names[] = {"a", "b"};
  CHECK(format_who(5, names, 2) == "OK WHO 5 a b\n");
  CHECK(format_who(0, names, 0) == "OK WHO 0\n");
  CHECK(format_help().starts_with("OK HELP "));
  CHECK(format_ok_bye() == "OK BYE\n");
  CHECK(format_bye(bye_reason::shutdown).starts_with("BYE SHUTDOWN "));
  CHECK(format_bye(bye_reason::slow_consumer).starts_with("BYE SLOW_CONSUMER "));
  CHECK(format_bye(bye_reason::server_full).starts_with("BYE SERVER_FULL "));
  CHECK(format_connected("Noy") == "CONNECTED Noy\n");
  CHECK(format_msg("Noy", " two  spaces ") == "MSG Noy  two  spaces \n");
  CHECK(format_disconnected("Elias") == "DISCONNECTED Elias\n");
}

TEST_CASE("every error code has a distinct wire name") {
  std::set<std::string_view> seen;
  for (int c = 0; c <= static_cast<int>(error_code::bad_encoding); ++c) {
    const auto name = wire_name(static_cast<error_code>(c));
    CHECK_FALSE(name.empty());
    CHECK(seen.insert(name).second);
    CHECK(format_error(static_cast<error_code>(c)).starts_with("ERR " + std::string(name) + " "));
  }
  CHECK(seen.size() == 14);
}

TEST_CASE("server lines split into head and rest") {
  const auto line = split_server_line("MSG Noy hello  there");
  CHECK(line.head == "MSG");
  CHECK(line.rest == "Noy hello  there");
  CHECK(split_server_line("OK BYE").rest == "BYE");
  CHECK(split_server_line("PONG").rest.empty());
}

TEST_CASE("HELP lists every row of the command table, in its order") {
  // The line a client of the first server saw, byte for byte: the table reproduces it.
  CHECK(format_help() ==
        "OK HELP REGISTER <name> | CONNECT <name> | MSG <text> | DISCONNECT | PING [token] | WHO [prefix] | "
        "QUIT | HELP\n");
  const std::string help = format_help();
  std::size_t at = 0;
  for (const auto& row : commands) {
    const auto found = help.find(row.keyword, at);
    INFO(row.keyword);
    REQUIRE(found != std::string::npos);
    if (!row.help.empty()) CHECK(help.find(row.help, found) != std::string::npos);
    at = found + row.keyword.size();
  }
}

TEST_CASE("every keyword of the table parses, in any case, to its row's kind") {
  for (const auto& row : commands) {
    INFO(row.keyword);
    CHECK(keyword(row.kind) == row.keyword);
    CHECK(&spec(row.kind) == &row);
    std::string lower(row.keyword);
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (const auto& word : {std::string(row.keyword), lower}) {
      const auto result = parse_command(word + " arg");
      REQUIRE(std::holds_alternative<command>(result));
      CHECK(std::get<command>(result).kind == row.kind);
      CHECK(std::get<command>(result).argument == (row.argument == argument_rule::none ? "" : "arg"));
      const auto bare = parse_command(word);
      if (row.argument == argument_rule::required_word) {
        CHECK(bare == parse_result{parse_error{error_code::missing_argument}});
      } else {
        CHECK(bare == parse_result{command{row.kind, ""}});
      }
    }
  }
}

TEST_CASE("only QUIT ends a session") {
  for (const auto& row : commands) CHECK(row.ends_session == (row.kind == command_kind::quit));
}
