#include "chat/display.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>

#include "chat/protocol.hpp"
#include "chat/utf8.hpp"

namespace chat::client {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_byte_escape(std::string& out, unsigned char c) {
  out += "\\x";
  out += hex_digits[c >> 4];
  out += hex_digits[c & 0x0F];
}

// \uHHHH, or \UHHHHHHHH past the Basic Multilingual Plane (as in C and Python).
void append_code_point_escape(std::string& out, std::uint32_t code) {
  const int digits = code > 0xFFFF ? 8 : 4;
  out += code > 0xFFFF ? "\\U" : "\\u";
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) out += hex_digits[(code >> shift) & 0x0F];
}

struct code_range {
  std::uint32_t first;
  std::uint32_t last;
};

// Unicode 15 General_Category Cf (format: invisible, yet able to reorder or hide
// text: RLM, ALM, ZWSP, BOM, tag characters, ...), the line and paragraph
// separators U+2028/U+2029, and the C1 controls. Sorted.
constexpr code_range hidden_ranges[] = {
    {0x0080, 0x009F},   {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},   {0x06DD, 0x06DD},
    {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},   {0x180E, 0x180E},   {0x200B, 0x200F},
    {0x2028, 0x202E},   {0x2060, 0x2064},   {0x2066, 0x206F},   {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},
    {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
    {0xE0001, 0xE0001}, {0xE0020, 0xE007F},
};

constexpr std::uint32_t zero_width_joiner = 0x200D;
constexpr std::uint32_t waving_black_flag = 0x1F3F4;  // starts an emoji tag sequence (subdivision flags)
constexpr std::uint32_t cancel_tag = 0xE007F;         // ends it

bool is_hidden_code_point(std::uint32_t code) {
  const auto* range = std::ranges::lower_bound(hidden_ranges, code, {}, &code_range::last);
  return range != std::end(hidden_ranges) && range->first <= code;
}

// A tag that may spell a subdivision flag: tag digits and tag small letters (UTS #51, ED-14a).
bool is_flag_tag(std::uint32_t code) {
  return (code >= 0xE0030 && code <= 0xE0039) || (code >= 0xE0061 && code <= 0xE007A);
}

// The bytes of the tag specification after U+1F3F4 when `bytes` starts with one: 2 to 6
// digit or letter tags and the cancel tag, as in the flag of Scotland (U+1F3F4 g b s c t
// U+E007F; UTS #51, emoji tag sequences); 0 otherwise. Any other tag hides text.
std::size_t flag_tags_length(std::string_view bytes) {
  std::size_t length = 0;
  for (int tags = 0;; ++tags) {
    if (length == bytes.size()) return 0;
    const auto tag = utf8::decode(bytes.substr(length));
    if (!tag) return 0;
    length += tag->length;
    if (tag->code == cancel_tag) return tags >= 2 ? length : 0;
    if (!is_flag_tag(tag->code) || tags == 6) return 0;
  }
}

// Pictographs, dingbats and the emoji presentation selector and skin tones: what
// an emoji ZWJ sequence joins (an approximation of Extended_Pictographic).
bool is_emoji_part(std::uint32_t code) {
  return (code >= 0x1F000 && code <= 0x1FAFF) || (code >= 0x2600 && code <= 0x27BF) ||
         (code >= 0x2300 && code <= 0x23FF) || (code >= 0x2B00 && code <= 0x2BFF) || code == 0xFE0F || code == 0x00A9 ||
         code == 0x00AE || code == 0x203C || code == 0x2049 || code == 0x2122;
}

std::string plural(std::string_view count, std::string_view one, std::string_view many) {
  return std::string(count) + " " + std::string(count == "1" ? one : many);
}

std::size_t count_words(std::string_view text) {
  std::size_t words = 0;
  while (!text.empty()) {
    const auto [word, rest] = protocol::split_word(text);
    if (word.empty()) break;
    ++words;
    text = rest;
  }
  return words;
}

std::string describe_ok(std::string_view rest) {
  const auto [what, argument] = protocol::split_word(rest);
  const auto arg = escape_for_terminal(argument);
  if (what == "REGISTERED") return "*** registered as " + arg;
  if (what == "CONNECTED") return "*** chatting with " + arg;
  if (what == "DISCONNECTED") return "*** chat with " + arg + " closed";
  if (what == "BYE") return "*** bye";
  if (what == "HELP") return "*** commands: " + arg;
  if (what == "WHO") return describe_who_reply(std::string("OK ") + std::string(rest), {});
  return "*** ok " + escape_for_terminal(rest);
}

}  // namespace

std::string escape_for_terminal(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::uint32_t previous = 0;  // the last code point, 0 after an escape
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      previous = c;
      ++i;
      continue;
    }
    if (c < 0x80) {
      if (c == '\t') {
        out += "\\t";
      } else if (c == '\r') {
        out += "\\r";
      } else if (c == '\n') {
        out += "\\n";
      } else {
        append_byte_escape(out, c);  // the other C0 controls and DEL
      }
      previous = 0;
      ++i;
      continue;
    }
    const auto sequence = utf8::decode(bytes.substr(i));
    if (!sequence) {
      append_byte_escape(out, c);  // one bad byte at a time: the next may start a valid sequence
      previous = 0;
      ++i;
      continue;
    }
    const auto code = sequence->code;
    // Two exceptions keep emoji whole: a ZWJ between two emoji (a family, a
    // rainbow flag) and the tags of a subdivision flag draw one visible picture.
    bool shown = !is_hidden_code_point(code);
    if (code == zero_width_joiner && is_emoji_part(previous)) {
      const auto next =
          i + sequence->length < bytes.size() ? utf8::decode(bytes.substr(i + sequence->length)) : std::nullopt;
      shown = next && is_emoji_part(next->code) && next->code != 0xFE0F;
    }
    // A subdivision flag is kept whole with its tags.
    const auto length =
        sequence->length + (code == waving_black_flag ? flag_tags_length(bytes.substr(i + sequence->length)) : 0);
    if (shown) {
      out.append(bytes.substr(i, length));
      previous = code;
    } else {
      append_code_point_escape(out, code);
      previous = 0;
    }
    i += length;
  }
  return out;
}

std::string describe_server_line(std::string_view line) {
  const auto [head, rest] = protocol::split_server_line(line);
  if (head == "MSG") {
    // Not split_word for the text: it keeps the leading spaces it was sent with.
    const auto [sender, ignored] = protocol::split_word(rest);
    auto text = rest.substr(std::min(rest.size(), sender.size() + 1));
    return "<" + escape_for_terminal(sender) + "> " + escape_for_terminal(text);
  }
  if (head == "OK") return describe_ok(rest);
  if (head == "ERR") {
    const auto [code, text] = protocol::split_word(rest);
    return "!!! " + escape_for_terminal(text) + " (" + escape_for_terminal(code) + ")";
  }
  if (head == "CONNECTED") return "*** " + escape_for_terminal(rest) + " opened a chat with you";
  if (head == "DISCONNECTED") return "*** " + escape_for_terminal(rest) + " left the chat";
  if (head == "PONG") return rest.empty() ? "*** pong" : "*** pong " + escape_for_terminal(rest);
  if (head == "BYE") {
    const auto [reason, text] = protocol::split_word(rest);
    return "*** server: " + escape_for_terminal(text) + " (" + escape_for_terminal(reason) + ")";
  }
  if (head == "HELLO") {
    const auto [version, text] = protocol::split_word(rest);
    return "*** connected: " + escape_for_terminal(text) + " (" + escape_for_terminal(version) + ")";
  }
  return escape_for_terminal(line);
}

std::string describe_who_reply(std::string_view line, std::string_view prefix) {
  const auto [ok, rest] = protocol::split_server_line(line);
  const auto [who, argument] = protocol::split_word(rest);
  const auto [total, names] = protocol::split_word(argument);
  const auto where = prefix.empty() ? std::string(" online") : " matching " + escape_for_terminal(prefix);
  if (total == "0") return "*** no users" + where;
  auto text = "*** " + escape_for_terminal(plural(total, "user", "users")) + where + ": " + escape_for_terminal(names);
  // The server lists at most max_who_names of them.
  const auto shown = std::to_string(count_words(names));
  if (shown != total) text += " (" + shown + " shown)";
  return text;
}

std::vector<std::string> who_reply_names(std::string_view line) {
  const auto [ok, rest] = protocol::split_server_line(line);
  auto [who, argument] = protocol::split_word(rest);
  auto [total, names] = protocol::split_word(argument);
  std::vector<std::string> out;
  for (;;) {
    const auto [name, more] = protocol::split_word(names);
    if (name.empty()) break;
    out.emplace_back(name);
    names = more;
  }
  return out;
}

}  // namespace chat::client
