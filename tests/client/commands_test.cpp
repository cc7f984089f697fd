// The one command the client has to recognise in what it sends.
#include "client/commands.hpp"

#include <catch2/catch.hpp>
#include <string_view>

TEST_CASE("QUIT is recognised as the server would parse it", "[commands]") {
  const auto [line, quits] = GENERATE(table<std::string_view, bool>({
      {"QUIT", true},
      {"quit", true},
      {"  Quit and more words", true},
      {"QUITS", false},
      {"MSG QUIT", false},
      {"", false},
  }));
  INFO(line);
  CHECK(chat::client::is_quit(line) == quits);
}

TEST_CASE("@wait script lines are parsed", "[commands]") {
  using chat::client::parse_wait_directive;
  const auto wait = parse_wait_directive("@wait 10 ^MSG Noy hello$");
  REQUIRE(wait);
  CHECK(wait->timeout == std::chrono::seconds(10));
  CHECK(wait->pattern == "^MSG Noy hello$");
  CHECK(parse_wait_directive("@wait 1 a b  c")->pattern == "a b  c");
  // No pattern, a timeout that is not a whole number of seconds, or one out of range.
  for (const auto* bad : {"@wait 10", "@wait x ^a", "@wait 0 ^a", "@wait 1.5 ^a", "@wait 100000 ^a"}) {
    INFO(bad);
    CHECK_FALSE(parse_wait_directive(bad));
  }
}

TEST_CASE("every script line starting with @ is a directive, or says why it is not one", "[commands]") {
  using chat::client::parse_directive;
  auto problem = [](std::string_view line) {
    auto parsed = parse_directive(line);
    const auto* text = std::get_if<std::string>(&parsed);
    return text ? *text : std::string("(a directive)");
  };
  CHECK(problem("@wait") == "@wait needs SECONDS and a REGEX");
  CHECK(problem("@wait 2") == "@wait needs a REGEX after SECONDS");
  CHECK(problem("@wait x ^a") == "@wait SECONDS must be a whole number from 1 to 86400, not x");
  CHECK(problem("@WAIT 2 foo") == "unknown directive @WAIT; the one directive is @wait SECONDS REGEX");
  CHECK(problem("@sleep 2") == "unknown directive @sleep; the one directive is @wait SECONDS REGEX");
  CHECK(problem("@wait 2 ^a") == "(a directive)");
}
