// Properties of chat::protocol checked on every line of a fuzz input:
// - is_valid_utf8 agrees with an independent validator (Unicode table 3-7);
// - bad UTF-8 or a NUL is BAD_ENCODING, whatever else the line holds;
// - the result does not change when the keyword's case changes;
// - a parsed command's argument is what docs/protocol.md says (trimmed, a suffix of the line)
//   and the canonical spelling "KEYWORD argument" parses back to the same command;
// - every reply the server would build from it ends in its only LF, and a client
//   framing and splitting that reply reads the argument back byte for byte.
#include <algorithm>
#include <string>
#include <variant>

#include "chat/line_framer.hpp"
#include "chat/protocol.hpp"
#include "checks.hpp"

namespace chat::fuzz {
namespace {

using namespace chat::protocol;

bool in(unsigned char c, unsigned char lo, unsigned char hi) {
  return c >= lo && c <= hi;
}

// Well-formed UTF-8 byte sequences straight from the Unicode standard's table 3-7,
// a different algorithm from the decoder in src/common/protocol.cpp on purpose.
bool reference_utf8(std::string_view s) {
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  auto tail = [&](std::size_t k) { return k < s.size() && in(at(k), 0x80, 0xBF); };
  while (i < s.size()) {
    const unsigned char c = at(i);
    if (c <= 0x7F) {
      i += 1;
    } else if (in(c, 0xC2, 0xDF)) {
      if (!tail(i + 1)) return false;
      i += 2;
    } else if (in(c, 0xE0, 0xEF)) {
      const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
      const unsigned char hi = c == 0xED ? 0x9F : 0xBF;
      if (i + 1 >= s.size() || !in(at(i + 1), lo, hi) || !tail(i + 2)) return false;
      i += 3;
    } else if (in(c, 0xF0, 0xF4)) {
      const unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
      const unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;
      if (i + 1 >= s.size() || !in(at(i + 1), lo, hi) || !tail(i + 2) || !tail(i + 3)) return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

// 1 to 32 of A-Z a-z 0-9 _ - . spelled out, rather than through the locale-dependent isalnum.
bool reference_name(std::string_view s) {
  if (s.empty() || s.size() > max_name_length) return false;
  return std::ranges::all_of(s, [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
  });
}

char ascii_upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}
char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// The line with its first word (the keyword, after any leading spaces) re-cased.
std::string recase_keyword(std::string_view line, bool upper, bool alternate) {
  std::string out(line);
  std::size_t i = out.find_first_not_of(' ');
  for (bool flip = false; i < out.size() && out[i] != ' '; ++i, flip = !flip) {
    const bool to_upper = alternate ? flip : upper;
    out[i] = to_upper ? ascii_upper(out[i]) : ascii_lower(out[i]);
  }
  return out;
}

std::string_view strip_trailing_crs(std::string_view s) {
  while (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

// Names, tokens and prefixes lose trailing spaces and CRs (docs/protocol.md, Rules, "Arguments").
std::string_view trim_trailing_spaces(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// A server line must be exactly one line: ends with LF, holds no other.
std::string_view check_reply(const std::string& reply) {
  FUZZ_CHECK(!reply.empty());
  FUZZ_CHECK(reply.back() == '\n');
  FUZZ_CHECK(reply.find('\n') == reply.size() - 1);
  return std::string_view(reply).substr(0, reply.size() - 1);
}

// What a client reads from the reply: the same framer the server uses (the client
// and chat-bench share it), with room for the longest reply a max_line input can make.
std::string client_reads(const std::string& reply) {
  line_framer framer(2 * default_max_line + 64);
  std::string line;
  int lines = 0;
  const auto used = framer.feed(
      reply,
      [&](std::string_view l) {
        line = l;
        ++lines;
        return true;
      },
      [] {
        check_failed("a reply is never too long for the client's framer", __FILE__, __LINE__);
        return true;
      });
  FUZZ_CHECK(used == reply.size());
  FUZZ_CHECK(lines == 1);
  FUZZ_CHECK(framer.buffered() == 0);
  return line;
}

// What the client read back from a reply that carried `sent` must be `sent`, byte for byte.
void check_read_back(std::string_view received, std::string_view sent) {
  FUZZ_CHECK(received == sent);
}

void check_relay(const std::string& text) {
  // The server stamps the sender; the partner must get the text back unmodified (docs/protocol.md, Rules, "Relay").
  const std::string reply = format_msg("alice", text);
  check_reply(reply);
  const std::string line = client_reads(reply);
  const auto [head, rest] = split_server_line(line);
  FUZZ_CHECK(head == "MSG");
  const auto [sender, received] = split_word(rest);
  FUZZ_CHECK(sender == "alice");
  check_read_back(received, text);
}

void check_name_functions(std::string_view arg) {
  FUZZ_CHECK(is_valid_name(arg) == reference_name(arg));
  const std::string key = name_key(arg);
  FUZZ_CHECK(key.size() == arg.size());
  FUZZ_CHECK(name_key(key) == key);
  std::string upper(arg);
  std::ranges::transform(upper, upper.begin(), ascii_upper);
  FUZZ_CHECK(name_key(upper) == key);
  if (is_valid_name(arg)) {
    const std::string name(arg);
    const std::string who = format_who(7, &name, 1);
    FUZZ_CHECK(check_reply(who) == "OK WHO 7 " + name);
  }
}

void check_command(std::string_view line, const command& cmd) {
  const std::string& arg = cmd.argument;
  FUZZ_CHECK(arg.empty() || arg.front() != ' ');
  FUZZ_CHECK(arg.find('\n') == std::string::npos);
  FUZZ_CHECK(is_valid_utf8(arg) && arg.find('\0') == std::string::npos);
  switch (cmd.kind) {
    case command_kind::msg:
      // CRs at the end of a line are dropped before parsing (a receiver would drop them).
      FUZZ_CHECK(strip_trailing_crs(line).ends_with(arg));
      FUZZ_CHECK(arg.empty() || arg.back() != '\r');
      check_relay(arg);
      break;
    case command_kind::register_name:
    case command_kind::connect:
      FUZZ_CHECK(!arg.empty());
      [[fallthrough]];
    case command_kind::ping:
    case command_kind::who:
      FUZZ_CHECK(arg.empty() || (arg.back() != ' ' && arg.back() != '\r'));
      FUZZ_CHECK(trim_trailing_spaces(strip_trailing_crs(line)).ends_with(arg));
      break;
    case command_kind::disconnect:
    case command_kind::quit:
    case command_kind::help:
      FUZZ_CHECK(arg.empty());
      break;
  }

  // The canonical spelling of the command means the same thing.
  std::string canonical(keyword(cmd.kind));
  if (!arg.empty()) canonical.append(" ").append(arg);
  FUZZ_CHECK(parse_command(canonical) == parse_result{cmd});

  // The reply (or event) that carries the argument back out, read as a client would.
  switch (cmd.kind) {
    case command_kind::ping: {
      const std::string reply = format_pong(arg);
      check_reply(reply);
      const std::string read = client_reads(reply);  // named: the split below views into it
      const auto [head, rest] = split_server_line(read);
      FUZZ_CHECK(head == "PONG");
      check_read_back(rest, arg);  // a client waits for PONG <its token>
      break;
    }
    case command_kind::register_name:
    case command_kind::connect: {
      check_name_functions(arg);
      // Replies and events spell only registered, hence valid, names (docs/protocol.md, Rules, "Names").
      if (!is_valid_name(arg)) break;
      const std::string ok = format_ok(cmd.kind == command_kind::connect ? "CONNECTED" : "REGISTERED", arg);
      const std::string ok_read = client_reads(ok);  // named: the splits below view into it
      const auto [ok_head, ok_rest] = split_server_line(ok_read);
      FUZZ_CHECK(ok_head == "OK" && split_word(ok_rest).second == arg);
      const std::string event_read = client_reads(format_connected(arg));
      const auto [event_head, event_rest] = split_server_line(event_read);
      FUZZ_CHECK(event_head == "CONNECTED" && event_rest == arg);
      break;
    }
    case command_kind::who:
      check_name_functions(arg);
      break;
    case command_kind::disconnect:
      check_reply(format_disconnected("alice"));
      break;
    case command_kind::quit:
      FUZZ_CHECK(check_reply(format_ok_bye()) == "OK BYE");
      break;
    case command_kind::help:
      check_reply(format_help());
      break;
    case command_kind::msg:
      break;
  }
}

void check_line(std::string_view line) {
  const parse_result result = parse_command(line);

  const bool utf8 = reference_utf8(line);
  FUZZ_CHECK(is_valid_utf8(line) == utf8);
  if (!utf8 || line.find('\0') != std::string_view::npos) {
    FUZZ_CHECK(result == parse_result{parse_error{error_code::bad_encoding}});
  }

  // Keywords are case-insensitive: re-casing the first word changes nothing.
  FUZZ_CHECK(parse_command(recase_keyword(line, true, false)) == result);
  FUZZ_CHECK(parse_command(recase_keyword(line, false, false)) == result);
  FUZZ_CHECK(parse_command(recase_keyword(line, false, true)) == result);

  if (const auto* error = std::get_if<parse_error>(&result)) {
    // The parser alone can only refuse the encoding, the keyword or a missing name.
    FUZZ_CHECK(error->code == error_code::bad_encoding || error->code == error_code::unknown_command ||
               error->code == error_code::missing_argument);
    const std::string reply = format_error(error->code);
    const auto [head, rest] = split_server_line(check_reply(reply));
    FUZZ_CHECK(head == "ERR" && split_word(rest).first == wire_name(error->code));
    return;
  }
  check_command(line, std::get<command>(result));
}

}  // namespace

void check_protocol(std::string_view data) {
  // The session hands the parser LF-free lines with one trailing CR removed: do the same,
  // so one corpus file can hold several commands.
  while (!data.empty()) {
    const auto lf = data.find('\n');
    std::string_view line = data.substr(0, lf);
    data.remove_prefix(lf == std::string_view::npos ? data.size() : lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    check_line(line);
  }
}

}  // namespace chat::fuzz
