// The terminal-safety filter and the readable form of every server line.
#include "chat/display.hpp"

#include <catch2/catch.hpp>
#include <initializer_list>
#include <string>

#include "chat/protocol.hpp"

using chat::client::describe_server_line;
using chat::client::escape_for_terminal;
using namespace std::string_literals;

namespace {

// One row of a table: what goes in, and the text that must come out.
struct row {
  std::string input;
  std::string expected;
};

void check_escapes(std::initializer_list<row> rows) {
  for (const auto& r : rows) {
    INFO(r.input);
    CHECK(escape_for_terminal(r.input) == r.expected);
  }
}

void check_described(std::initializer_list<row> rows) {
  for (const auto& r : rows) {
    INFO(r.input);
    CHECK(describe_server_line(r.input) == r.expected);
  }
}

}  // namespace

TEST_CASE("printable ASCII and valid UTF-8 pass unchanged", "[display]") {
  check_escapes({
      {"hello, world ~!", "hello, world ~!"},
      {"", ""},
      {"caf\xC3\xA9", "caf\xC3\xA9"},                            // 2 bytes
      {"\xE6\x97\xA5\xE6\x9C\xAC", "\xE6\x97\xA5\xE6\x9C\xAC"},  // 3 bytes
      {"\xF0\x9F\x98\x80!", "\xF0\x9F\x98\x80!"},                // 4 bytes
      {"\xC2\xA0", "\xC2\xA0"},                                  // U+00A0, just past the C1 range
      {"a\\x1b", "a\\x1b"},                                      // backslashes are text
  });
}

TEST_CASE("C0 controls and DEL are escaped", "[display]") {
  check_escapes({
      {"\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"},
      {"ding\x07", "ding\\x07"},
      {"over\rwrite", "over\\rwrite"},
      {"a\tb\nc", "a\\tb\\nc"},
      {"x\x7fy", "x\\x7fy"},
      {"\x01\x1f", "\\x01\\x1f"},
      {"nul\0here"s, "nul\\x00here"},
      // An OSC sequence that would retitle the window.
      {"\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"},
  });
}

TEST_CASE("C1 controls and bidirectional overrides are escaped", "[display]") {
  check_escapes({
      {"\xC2\x80", "\\u0080"},
      {"a\xC2\x9B"
       "31m",
       "a\\u009b31m"},  // CSI
      {"\xC2\x9F", "\\u009f"},
      {"\xE2\x80\xAE"
       "abc",
       "\\u202eabc"},  // RIGHT-TO-LEFT OVERRIDE
      {"\xE2\x81\xA6", "\\u2066"},
  });
}

TEST_CASE("invisible format characters and separators are escaped", "[display]") {
  check_escapes({
      {"a\u200Bb", "a\\u200bb"},                 // ZERO WIDTH SPACE
      {"abc\u200Fdef", "abc\\u200fdef"},         // RIGHT-TO-LEFT MARK
      {"\u200E", "\\u200e"},                     // LEFT-TO-RIGHT MARK
      {"1\u061C2", "1\\u061c2"},                 // ARABIC LETTER MARK
      {"x\u2028y\u2029z", "x\\u2028y\\u2029z"},  // line and paragraph separators
      {"\uFEFFhi", "\\ufeffhi"},                 // BYTE ORDER MARK
      {"soft\u00ADhyphen", "soft\\u00adhyphen"},
      {"\u2060\u2064\u206F", "\\u2060\\u2064\\u206f"},
      {"\u0600\u06DD\u070F\u180E", "\\u0600\\u06dd\\u070f\\u180e"},
      {"\uFFF9\uFFFB", "\\ufff9\\ufffb"},
      {"\U000110BD\U0001D173\U000E0001", "\\U000110bd\\U0001d173\\U000e0001"},
      // Tag characters outside a flag sequence: invisible text.
      {"hi\U000E0041\U000E0042", "hi\\U000e0041\\U000e0042"},
      // A ZWJ or ZWNJ between letters is escaped too.
      {"a\u200Db\u200Cc", "a\\u200db\\u200cc"},
      // Neighbours of the ranges are ordinary text.
      {"\u00AC\u00AE\u200A\u2030\uFEFE", "\u00AC\u00AE\u200A\u2030\uFEFE"},
  });
}

TEST_CASE("emoji sequences built from format characters stay whole", "[display]") {
  const std::string family = "\U0001F468\u200D\U0001F469\u200D\U0001F467";  // man ZWJ woman ZWJ girl
  CHECK(escape_for_terminal(family) == family);
  const std::string rainbow = "\U0001F3F3\uFE0F\u200D\U0001F308";  // white flag VS16 ZWJ rainbow
  CHECK(escape_for_terminal(rainbow) == rainbow);
  const std::string thumbs = "\U0001F44D\U0001F3FD";  // skin tone modifier
  CHECK(escape_for_terminal(thumbs) == thumbs);
  // Scotland: black flag, the tags g b s c t, cancel tag.
  const std::string scotland = "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F";
  check_escapes({
      {scotland, scotland},
      // After the cancel tag the sequence is over.
      {scotland + "\U000E0041", scotland + "\\U000e0041"},
      // A ZWJ at the end, or before something that is not an emoji, is escaped.
      {"\U0001F468\u200D", "\U0001F468\\u200d"},
      {"\U0001F468\u200Dx", "\U0001F468\\u200dx"},
  });
}

TEST_CASE("bytes that are not UTF-8 are escaped one by one", "[display]") {
  check_escapes({
      {"\xFF", "\\xff"},
      {"a\x80"
       "b",
       "a\\x80b"},                                   // lone continuation byte
      {"\xC3", "\\xc3"},                             // truncated at the end
      {"\xC3(", "\\xc3("},                           // bad continuation
      {"\xC0\x80", "\\xc0\\x80"},                    // overlong NUL
      {"\xED\xA0\x80", "\\xed\\xa0\\x80"},           // UTF-16 surrogate
      {"\xF4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"},  // past U+10FFFF
      {"\xF8\x88\x80\x80\x80", "\\xf8\\x88\\x80\\x80\\x80"},
      // A bad byte does not swallow the valid sequence after it.
      {"\xE6\xC3\xA9", "\\xe6\xC3\xA9"},
  });
  // Every output byte is printable ASCII or part of valid UTF-8.
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  const auto escaped = escape_for_terminal(all);
  CHECK(chat::protocol::is_valid_utf8(escaped));
  for (unsigned char c : escaped) CHECK((c >= 0x20 && c != 0x7F));
}

TEST_CASE("replies are shown readably", "[display]") {
  check_described({
      {"OK REGISTERED Noy", "*** registered as Noy"},
      {"OK CONNECTED Elias", "*** chatting with Elias"},
      {"OK DISCONNECTED Elias", "*** chat with Elias closed"},
      {"OK BYE", "*** bye"},
      {"OK HELP REGISTER <name> | QUIT", "*** commands: REGISTER <name> | QUIT"},
      {"OK SOMETHING new", "*** ok SOMETHING new"},
      {"ERR BUSY that user is in another chat", "!!! that user is in another chat (BUSY)"},
      {"PONG", "*** pong"},
      {"PONG t1", "*** pong t1"},
  });
}

TEST_CASE("WHO replies count the users", "[display]") {
  check_described({
      {"OK WHO 3 a b c", "*** 3 users online: a b c"},
      {"OK WHO 1 Noy", "*** 1 user online: Noy"},
      {"OK WHO 0", "*** no users online"},
      {"OK WHO 150 a b", "*** 150 users online: a b (2 shown)"},
  });
}

TEST_CASE("a WHO reply to a prefix counts the matches, labelled so", "[display]") {
  const auto [reply, prefix, shown] = GENERATE(table<std::string, std::string, std::string>({
      {"OK WHO 1 Elias", "E", "*** 1 user matching E: Elias"},
      {"OK WHO 2 Eli Elias", "El", "*** 2 users matching El: Eli Elias"},
      {"OK WHO 0", "Z", "*** no users matching Z"},
      {"OK WHO 2 a b", "", "*** 2 users online: a b"},
      {"OK WHO 1 x", "\x1b", "*** 1 user matching \\x1b: x"},
  }));
  INFO(reply << " to prefix " << prefix);
  CHECK(chat::client::describe_who_reply(reply, prefix) == shown);
  CHECK(chat::client::who_reply_names("OK WHO 3 Noy Elias Eve") == std::vector<std::string>{"Noy", "Elias", "Eve"});
  CHECK(chat::client::who_reply_names("OK WHO 0").empty());
}

TEST_CASE("events are shown readably", "[display]") {
  check_described({
      {"MSG Elias hello", "<Elias> hello"},
      {"MSG Elias   spaced  out ", "<Elias>   spaced  out "},
      {"CONNECTED Noy", "*** Noy opened a chat with you"},
      {"DISCONNECTED Elias", "*** Elias left the chat"},
      {"BYE SHUTDOWN the server is shutting down", "*** server: the server is shutting down (SHUTDOWN)"},
      {"HELLO CHAT/1 tcp-chat server, type HELP", "*** connected: tcp-chat server, type HELP (CHAT/1)"},
      {"WHATEVER \x1b[2J", "WHATEVER \\x1b[2J"},
  });
}

TEST_CASE("the server's own formatter output reads back", "[display]") {
  auto strip = [](std::string line) {
    line.pop_back();  // the LF
    return line;
  };
  check_described({
      {strip(chat::protocol::format_msg("Noy", "hi there")), "<Noy> hi there"},
      {strip(chat::protocol::format_error(chat::protocol::error_code::name_taken)),
       "!!! that name is in use (NAME_TAKEN)"},
      {strip(chat::protocol::format_bye(chat::protocol::bye_reason::slow_consumer)),
       "*** server: you are not reading fast enough (SLOW_CONSUMER)"},
  });
}

TEST_CASE("nothing a peer sends reaches the terminal raw", "[display]") {
  const auto shown = describe_server_line(
      "MSG Eve \x1b]0;title\x07\xC2\x9B"
      "2J\x1b[H\r\x7f\xFF");
  CHECK(shown == "<Eve> \\x1b]0;title\\x07\\u009b2J\\x1b[H\\r\\x7f\\xff");
  // A sender name is escaped too, though the server would not accept such a name.
  CHECK(describe_server_line("MSG \x1b[1mX hi") == "<\\x1b[1mX> hi");
}

TEST_CASE("tag characters are shown only inside a real subdivision flag", "[display]") {
  // Tags spelling a sentence after the black flag, with and without a cancel tag: raw,
  // they draw only the flag and hide the sentence from the reader.
  const std::string hidden = "\U0001F3F4\U000E0068\U000E0069\U000E0020\U000E0061\U000E006C\U000E006C";  // "hi all"
  const std::string escaped = "\U0001F3F4\\U000e0068\\U000e0069\\U000e0020\\U000e0061\\U000e006c\\U000e006c";
  CHECK(escape_for_terminal(hidden) == escaped);
  CHECK(escape_for_terminal(hidden + "\U000E007F") == escaped + "\\U000e007f");
  // Too few or too many tags, a tag that is no digit or small letter, no cancel tag: all escaped.
  CHECK(escape_for_terminal("\U0001F3F4\U000E0067\U000E007F") == "\U0001F3F4\\U000e0067\\U000e007f");
  CHECK(escape_for_terminal("\U0001F3F4\U000E0061\U000E0062\U000E0063\U000E0064\U000E0065\U000E0066\U000E0067"
                            "\U000E007F") ==
        "\U0001F3F4\\U000e0061\\U000e0062\\U000e0063\\U000e0064\\U000e0065\\U000e0066\\U000e0067\\U000e007f");
  CHECK(escape_for_terminal("\U0001F3F4\U000E0047\U000E0042\U000E007F") ==
        "\U0001F3F4\\U000e0047\\U000e0042\\U000e007f");
  CHECK(escape_for_terminal("\U0001F3F4\U000E0067\U000E0062") == "\U0001F3F4\\U000e0067\\U000e0062");
  // Tags without the flag, and a cancel tag alone.
  CHECK(escape_for_terminal("a\U000E0067\U000E0062\U000E007F") == "a\\U000e0067\\U000e0062\\U000e007f");
  // Six tags and the cancel tag: a valid sequence stays whole (digits too: "us" + "ca" + "01" style).
  const std::string six = "\U0001F3F4\U000E0075\U000E0073\U000E0063\U000E0061\U000E0030\U000E0031\U000E007F";
  CHECK(escape_for_terminal(six) == six);
}
