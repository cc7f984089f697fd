#include "chat/protocol.hpp"

#include <catch2/catch.hpp>
#include <cctype>
#include <set>

using namespace chat::protocol;

namespace {

command parsed(std::string_view line) {
  auto result = parse_command(line);
  REQUIRE(std::holds_alternative<command>(result));
  return std::get<command>(result);
}

error_code refused(std::string_view line) {
  auto result = parse_command(line);
  REQUIRE(std::holds_alternative<parse_error>(result));
  return std::get<parse_error>(result).code;
}

}  // namespace

TEST_CASE("every command parses, keywords in any case") {
  CHECK(parsed("REGISTER Noy") == command{command_kind::register_name, "Noy"});
  CHECK(parsed("register Noy") == command{command_kind::register_name, "Noy"});
  CHECK(parsed("CoNnEcT Elias") == command{command_kind::connect, "Elias"});
  CHECK(parsed("MSG hello") == command{command_kind::msg, "hello"});
  CHECK(parsed("DISCONNECT") == command{command_kind::disconnect, ""});
  CHECK(parsed("PING") == command{command_kind::ping, ""});
  CHECK(parsed("ping abc") == command{command_kind::ping, "abc"});
  CHECK(parsed("WHO") == command{command_kind::who, ""});
  CHECK(parsed("who N") == command{command_kind::who, "N"});
  CHECK(parsed("QUIT") == command{command_kind::quit, ""});
  CHECK(parsed("help") == command{command_kind::help, ""});
}

TEST_CASE("words are separated by one or more spaces") {
  CHECK(parsed("REGISTER    Noy") == command{command_kind::register_name, "Noy"});
  CHECK(parsed("  CONNECT Elias  ") == command{command_kind::connect, "Elias"});
  CHECK(parsed("DISCONNECT now") == command{command_kind::disconnect, ""});
  CHECK(parsed("QUIT   ") == command{command_kind::quit, ""});
}

TEST_CASE("MSG keeps the rest of the line, inner and trailing spaces included") {
  CHECK(parsed("MSG hello  there ") == command{command_kind::msg, "hello  there "});
  CHECK(parsed("msg   a,b \"c\"") == command{command_kind::msg, "a,b \"c\""});
  CHECK(parsed("MSG") == command{command_kind::msg, ""});
  CHECK(parsed("MSG    ") == command{command_kind::msg, ""});
  CHECK(parsed("MSG \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D") ==
        command{command_kind::msg, "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"});
}

TEST_CASE("CRs at the end of a line never reach an argument") {
  CHECK(parsed("MSG a\r") == command{command_kind::msg, "a"});
  CHECK(parsed("MSG a\rb\r\r") == command{command_kind::msg, "a\rb"});
  CHECK(parsed("PING t\r") == command{command_kind::ping, "t"});
  CHECK(parsed("MSG \r") == command{command_kind::msg, ""});
  // Spaces and CRs mixed at the end of a name, token or prefix all go (a fuzz finding).
  CHECK(parsed("PING a\r \r") == command{command_kind::ping, "a"});
  CHECK(parsed("REGISTER Noy \r ") == command{command_kind::register_name, "Noy"});
  CHECK(parsed("MSG a\r \r") == command{command_kind::msg, "a\r "});
}

TEST_CASE("missing and unknown") {
  CHECK(refused("REGISTER") == error_code::missing_argument);
  CHECK(refused("REGISTER   ") == error_code::missing_argument);
  CHECK(refused("CONNECT") == error_code::missing_argument);
  CHECK(refused("") == error_code::unknown_command);
  CHECK(refused("   ") == error_code::unknown_command);
  CHECK(refused("HELLO") == error_code::unknown_command);
  CHECK(refused("MSGhello") == error_code::unknown_command);
  CHECK(refused("\tMSG x") == error_code::unknown_command);
}

TEST_CASE("bad UTF-8 and NUL bytes are refused") {
  CHECK(refused(std::string_view("MSG a\0b", 7)) == error_code::bad_encoding);
  CHECK(refused("MSG \xFF") == error_code::bad_encoding);
  CHECK(refused("MSG \xC0\xAF") == error_code::bad_encoding);          // overlong '/'
  CHECK(refused("MSG \xED\xA0\x80") == error_code::bad_encoding);      // surrogate
  CHECK(refused("MSG \xF4\x90\x80\x80") == error_code::bad_encoding);  // past U+10FFFF
  CHECK(refused("MSG \xE2\x82") == error_code::bad_encoding);          // truncated
  CHECK(refused("REGISTER \x80") == error_code::bad_encoding);
}

TEST_CASE("UTF-8 validation accepts every well-formed length") {
  CHECK(is_valid_utf8("plain"));
  CHECK(is_valid_utf8("\xC3\xA9"));
  CHECK(is_valid_utf8("\xE2\x82\xAC"));
  CHECK(is_valid_utf8("\xF0\x9F\x98\x80"));
  CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));
  CHECK_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));
}

TEST_CASE("names") {
  CHECK(is_valid_name("Noy"));
  CHECK(is_valid_name("a"));
  CHECK(is_valid_name("A-z_0.9"));
  CHECK(is_valid_name(std::string(32, 'n')));
  CHECK_FALSE(is_valid_name(std::string(33, 'n')));
  CHECK_FALSE(is_valid_name(""));
  CHECK_FALSE(is_valid_name("No y"));
  CHECK_FALSE(is_valid_name("Noy!"));
  CHECK_FALSE(is_valid_name("\xC3\xA9lias"));
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
