#include "chat/line_framer.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "framed_lines.hpp"

using chat::line_framer;

namespace {

// Feeds everything and records lines, with "<too long>" for each over-long one.
struct recorder {
  line_framer framer;
  std::vector<std::string> events;

  explicit recorder(std::size_t max) : framer(max) {}

  void feed(std::string_view bytes) {
    while (!bytes.empty()) {
      const auto used = framer.feed(
          bytes,
          [&](std::string_view line) {
            events.emplace_back(line);
            return true;
          },
          [&] {
            events.emplace_back("<too long>");
            return true;
          });
      bytes.remove_prefix(used);
    }
  }
};

// Frames `bytes` in one go with a limit of `max` and checks the lines and "<too long>" events, in order.
void check_framed(std::size_t max, std::string_view bytes, const std::vector<std::string>& expected) {
  recorder r(max);
  r.feed(bytes);
  CHECK(r.events == expected);
}

}  // namespace

TEST_CASE("LF ends a line and a CR right before it is dropped") {
  check_framed(100, "one\ntwo\r\nthree\r\r\n\n", {"one", "two", "three\r", ""});
}

TEST_CASE("a CR not before LF is kept") {
  check_framed(100, "a\rb\n", {"a\rb"});
}

TEST_CASE("a line split byte by byte is reassembled") {
  recorder r(100);
  const std::string text = "REGISTER Noy\r\nMSG hi\n";
  for (char c : text) r.feed(std::string_view(&c, 1));
  CHECK(r.events == std::vector<std::string>{"REGISTER Noy", "MSG hi"});
  CHECK(r.framer.buffered() == 0);
}

TEST_CASE("an unfinished line waits for its LF") {
  recorder r(100);
  r.feed("partial");
  CHECK(r.events.empty());
  CHECK(r.framer.buffered() == 7);
  r.feed(" line\n");
  CHECK(r.events == std::vector<std::string>{"partial line"});
}

TEST_CASE("the limit counts bytes without the terminator") {
  check_framed(4, "abcd\nabcd\r\nabcde\nok\n", {"abcd", "abcd", "<too long>", "ok"});
}

TEST_CASE("an over-long line is reported once, early, and discarded to its LF without buffering it") {
  recorder r(8);
  r.feed("0123456789");
  CHECK(r.events == std::vector<std::string>{"<too long>"});
  for (int i = 0; i < 1000; ++i) r.feed("xxxxxxxxxxxxxxxx");
  CHECK(r.framer.buffered() == 0);
  CHECK(r.events.size() == 1);
  r.feed("tail\nnext\n");
  CHECK(r.events == std::vector<std::string>{"<too long>", "next"});
}

TEST_CASE("a callback returning false stops at that line") {
  line_framer framer(100);
  std::vector<std::string> lines;
  const std::string_view bytes = "a\nb\nc";
  const auto used = chat::testing::feed_lines(framer, bytes, lines, false);
  CHECK(used == 2);
  CHECK(lines == std::vector<std::string>{"a"});
}

TEST_CASE("the limit at the default 4096: CR LF is the terminator, further CRs count") {
  const std::size_t max = 4096;
  const std::string full(max, 'x');
  const std::string one_less(max - 1, 'x');
  for (const bool byte_by_byte : {false, true}) {
    CAPTURE(byte_by_byte);
    recorder r(max);
    const std::string text =
        full + "\n" + full + "\r\n" + one_less + "\r\r\n" + full + "\r\r\n" + full + "x\n" + full + "x\r\n" + "ok\n";
    if (byte_by_byte) {
      for (char c : text) r.feed(std::string_view(&c, 1));
    } else {
      r.feed(text);
    }
    CHECK(r.events ==
          std::vector<std::string>{full, full, one_less + "\r", "<too long>", "<too long>", "<too long>", "ok"});
    CHECK(r.framer.buffered() == 0);
  }
}
