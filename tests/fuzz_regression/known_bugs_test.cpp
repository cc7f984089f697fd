// Faults the fuzzers found in src/ (now fixed), each replayed from its committed
// input under fuzz/crashes/ along the whole path a line takes: the server's
// framer, the parser, the formatter, then the receiving client's framer and split.
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "chat/line_framer.hpp"
#include "chat/protocol.hpp"
#include "framed_lines.hpp"

namespace {

namespace protocol = chat::protocol;

std::string crash_input(const std::string& name) {
  std::ifstream in(std::string(CHAT_FUZZ_CRASHES_DIR) + "/" + name, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Lines as a chat_core session frames them.
std::vector<std::string> frame(const std::string& bytes) {
  chat::line_framer framer(protocol::default_max_line);
  std::vector<std::string> lines;
  const auto used = chat::testing::feed_lines(framer, bytes, lines);
  REQUIRE(used == bytes.size());
  return lines;
}

protocol::command parse_one(const std::string& bytes) {
  const auto lines = frame(bytes);
  REQUIRE(lines.size() == 1);
  const auto result = protocol::parse_command(lines.front());
  REQUIRE(std::holds_alternative<protocol::command>(result));
  return std::get<protocol::command>(result);
}

}  // namespace

TEST_CASE("fuzz finding: a MSG text ending in CR reaches the partner as the server accepted it") {
  // "MSG hi\r\r\n": the session strips one CR, the text is "hi\r" and the server accepts it.
  const auto cmd = parse_one(crash_input("msg-text-ending-in-cr"));
  REQUIRE(cmd.kind == protocol::command_kind::msg);
  // The partner gets "MSG alice hi\r\n" and its framer drops the CR as half of a CRLF.
  const auto received = frame(protocol::format_msg("alice", cmd.argument));
  REQUIRE(received.size() == 1);
  const auto [head, rest] = protocol::split_server_line(received.front());
  CHECK(head == "MSG");
  // docs/protocol.md, Rules, "Relay": every MSG from A reaches B "unmodified".
  CHECK(protocol::split_word(rest).second.size() == cmd.argument.size());  // Catch2 prints no CR
  CHECK(protocol::split_word(rest).second == cmd.argument);
}

TEST_CASE("fuzz finding: a PING token ending in CR comes back as the server accepted it") {
  // "PING t\r\r\n": the token is "t\r"; the client waiting for "PONG t\r" reads "PONG t".
  const auto cmd = parse_one(crash_input("ping-token-ending-in-cr"));
  REQUIRE(cmd.kind == protocol::command_kind::ping);
  const auto received = frame(protocol::format_pong(cmd.argument));
  REQUIRE(received.size() == 1);
  const auto [head, rest] = protocol::split_server_line(received.front());
  CHECK(head == "PONG");
  CHECK(rest.size() == cmd.argument.size());
  CHECK(rest == cmd.argument);
}
