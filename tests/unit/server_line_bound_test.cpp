// protocol::max_server_line against the formatter of every server line: the bound is met
// exactly by a relayed MSG from a 32-character name and by a full WHO reply, and nothing
// the server can send is longer.
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "chat/protocol.hpp"

using namespace chat::protocol;

namespace {

// The server line, without its LF, for the longest argument a client line of max_line bytes can carry.
std::string relayed_msg(std::size_t max_line) {
  const std::string sent = "MSG " + std::string(max_line - 4, 'x');
  const auto parsed = parse_command(sent);
  REQUIRE(std::holds_alternative<command>(parsed));
  const std::string line = format_msg(std::string(max_name_length, 'N'), std::get<command>(parsed).argument);
  return line.substr(0, line.size() - 1);
}

}  // namespace

TEST_CASE("server line bound: a relayed MSG from a 32-character name is max_line + 33", "[protocol][bound]") {
  for (const std::size_t max_line : {std::size_t{96}, default_max_line, std::size_t{65536}, max_max_line}) {
    CAPTURE(max_line);
    CHECK(relayed_msg(max_line).size() == max_line + 33);
    CHECK(max_server_line(max_line) >= max_line + 33);
  }
  // 4,096 bytes sent become 4,129 received: the figure docs/protocol.md gives (Framing).
  CHECK(max_server_line(default_max_line) == 4129);
  CHECK(max_server_line(max_max_line) == max_max_line + 33);
}

TEST_CASE("server line bound: the WHO reply with 100 names of 32 characters", "[protocol][bound]") {
  const std::vector<std::string> names(max_who_names, std::string(max_name_length, 'n'));
  const std::string who = format_who(std::numeric_limits<std::size_t>::max(), names.data(), names.size());
  CHECK(who.size() - 1 == 3327);
  // With a small --max-line the WHO reply is the longest line.
  CHECK(max_server_line(96) == 3327);
  CHECK(max_server_line(0) == 3327);
}

TEST_CASE("server line bound: every other server line is shorter", "[protocol][bound]") {
  const std::size_t floor = max_server_line(0);
  const std::string name(max_name_length, 'n');
  std::vector<std::string> lines = {format_hello(),
                                    format_help(),
                                    format_ok_bye(),
                                    format_connected(name),
                                    format_disconnected(name),
                                    format_ok("REGISTERED", name),
                                    format_ok("CONNECTED", name),
                                    format_ok("DISCONNECTED", name)};
  for (int c = 0; c <= static_cast<int>(error_code::unavailable); ++c)
    lines.push_back(format_error(static_cast<error_code>(c)));
  for (int r = 0; r <= static_cast<int>(bye_reason::name_lost); ++r)
    lines.push_back(format_bye(static_cast<bye_reason>(r)));
  for (const auto& line : lines) {
    CAPTURE(line);
    CHECK(line.size() - 1 <= floor);
  }
  // PONG echoes a token that came in a line of at most max_line bytes.
  const auto ping = parse_command("PING " + std::string(default_max_line - 5, 't'));
  REQUIRE(std::holds_alternative<command>(ping));
  CHECK(format_pong(std::get<command>(ping).argument).size() - 1 <= default_max_line);
}
