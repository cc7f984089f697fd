#include "chat/client/display.hpp"

#include <cstdint>
#include <optional>

#include "chat/protocol.hpp"

namespace chat::client {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_byte_escape(std::string& out, unsigned char c) {
  out += "\\x";
  out += hex_digits[c >> 4];
  out += hex_digits[c & 0x0F];
}

void append_code_point_escape(std::string& out, std::uint32_t code) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += hex_digits[(code >> shift) & 0x0F];
}

struct decoded {
  std::uint32_t code;
  std::size_t length;
};

// Decodes the multi-byte UTF-8 sequence starting at bytes[0], or nothing if it is
// not valid (truncated, overlong, a surrogate or past U+10FFFF).
std::optional<decoded> decode_sequence(std::string_view bytes) {
  const auto lead = static_cast<unsigned char>(bytes[0]);
  std::size_t length = 0;
  std::uint32_t min = 0;
  std::uint32_t code = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, min = 0x80, code = lead & 0x1Fu;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, min = 0x800, code = lead & 0x0Fu;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, min = 0x10000, code = lead & 0x07u;
  } else {
    return std::nullopt;
  }
  if (bytes.size() < length) return std::nullopt;
  for (std::size_t k = 1; k < length; ++k) {
    const auto c = static_cast<unsigned char>(bytes[k]);
    if ((c & 0xC0) != 0x80) return std::nullopt;
    code = (code << 6) | (c & 0x3Fu);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return std::nullopt;
  return decoded{code, length};
}

bool is_hidden_code_point(std::uint32_t code) {
  return (code >= 0x80 && code <= 0x9F) || (code >= 0x202A && code <= 0x202E) || (code >= 0x2066 && code <= 0x2069);
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
  std::size_t i = 0;
  while (i < bytes.size()) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
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
      ++i;
      continue;
    }
    const auto sequence = decode_sequence(bytes.substr(i));
    if (!sequence) {
      append_byte_escape(out, c);  // one bad byte at a time: the next may start a valid sequence
      ++i;
      continue;
    }
    if (is_hidden_code_point(sequence->code)) {
      append_code_point_escape(out, sequence->code);
    } else {
      out.append(bytes.substr(i, sequence->length));
    }
    i += sequence->length;
  }
  return out;
}

std::string describe_server_line(std::string_view line) {
  const auto [head, rest] = protocol::split_server_line(line);
  if (head == "MSG") {
    // Not split_word for the text: it keeps the leading spaces it was sent with.
    const auto [sender, ignored] = protocol::split_word(rest);
    auto text = rest.substr(std::min(rest.size(), sender.size() + 1));
    return "[" + escape_for_terminal(sender) + "] " + escape_for_terminal(text);
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
