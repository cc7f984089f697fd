#include "chat-server/settings_file.hpp"

#include <cctype>
#include <iterator>
#include <string_view>

namespace chat {

namespace {

class settings_reader {
 public:
  explicit settings_reader(std::string text) : text_(std::move(text)) {}

  std::vector<setting_line> lines() {
    std::vector<setting_line> found;
    for (;;) {
      skip_blanks_and_comments();
      if (at_end()) return found;
      if (peek() == '[') fail("a table ([...]) is no setting: every key is written at the top level");
      setting_line entry;
      entry.line = line_;
      entry.key = key();
      skip_spaces();
      if (peek() == '.') fail("a dotted key is no setting: every key is written at the top level");
      if (peek() != '=') fail("expected KEY = VALUE");
      ++at_;
      skip_spaces();
      entry.value = value();
      skip_spaces();
      if (peek() == '#') skip_comment();
      if (!at_end() && peek() != '\n' && peek() != '\r') fail("unexpected text after the value");
      found.push_back(std::move(entry));
    }
  }

 private:
  [[noreturn]] void fail(const std::string& why) const { throw settings_syntax_error(line_, why); }
  bool at_end() const { return at_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[at_]; }
  bool ahead(std::string_view what) const { return std::string_view(text_).substr(at_).starts_with(what); }

  void skip_spaces() {
    while (peek() == ' ' || peek() == '\t') ++at_;
  }
  void skip_comment() {
    while (!at_end() && peek() != '\n') ++at_;
  }
  void skip_blanks_and_comments() {
    for (;;) {
      skip_spaces();
      if (peek() == '#') skip_comment();
      if (ahead("\r\n")) ++at_;
      if (peek() != '\n') return;
      ++at_;
      ++line_;
    }
  }

  std::string key() {
    const auto start = at_;
    while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '-' || peek() == '_') ++at_;
    if (at_ == start) fail(peek() == '"' || peek() == '\'' ? "write the key without quotes" : "expected KEY = VALUE");
    return text_.substr(start, at_ - start);
  }

  toml_value value() {
    if (ahead("\"\"\"") || ahead("'''")) fail("multi-line strings are not used by any setting");
    if (peek() == '"') return {toml_value::form::string, basic_string(), {}};
    if (peek() == '\'') return {toml_value::form::string, literal_string(), {}};
    if (peek() == '[') return array();
    if (peek() == '{') fail("an inline table is no setting value");
    const auto start = at_;
    while (!at_end() && std::string_view(" \t\r\n,]#").find(peek()) == std::string_view::npos) ++at_;
    if (at_ == start) fail("a value is missing");
    return {toml_value::form::bare, text_.substr(start, at_ - start), {}};
  }

  toml_value array() {
    toml_value list{toml_value::form::array, {}, {}};
    ++at_;  // '['
    for (;;) {
      skip_blanks_and_comments();
      if (peek() == ']') break;
      if (peek() == '[') fail("an array of arrays is no setting value");
      list.items.push_back(value());
      skip_blanks_and_comments();
      if (peek() == ',') {
        ++at_;
      } else if (peek() != ']') {
        fail("expected ',' or ']' in the array");
      }
    }
    ++at_;  // ']'
    return list;
  }

  std::string literal_string() {
    ++at_;
    const auto start = at_;
    while (!at_end() && peek() != '\'' && peek() != '\n') ++at_;
    if (peek() != '\'') fail("a string is not closed on its line");
    return text_.substr(start, at_++ - start);
  }

  std::string basic_string() {
    std::string out;
    ++at_;
    for (;;) {
      if (at_end() || peek() == '\n') fail("a string is not closed on its line");
      const char c = text_[at_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      const char e = peek();
      ++at_;
      switch (e) {
        case 'b':
          out += '\b';
          break;
        case 't':
          out += '\t';
          break;
        case 'n':
          out += '\n';
          break;
        case 'f':
          out += '\f';
          break;
        case 'r':
          out += '\r';
          break;
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case 'u':
          utf8(4, out);
          break;
        case 'U':
          utf8(8, out);
          break;
        default:
          fail(std::string("unknown escape \\") + e);
      }
    }
  }

  // \uXXXX or \UXXXXXXXX as UTF-8.
  void utf8(std::size_t digits, std::string& out) {
    if (at_ + digits > text_.size()) fail("a \\u escape needs its hex digits");
    std::size_t used = 0;
    const auto code = std::stoul(text_.substr(at_, digits), &used, 16);
    if (used != digits || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) fail("a bad \\u escape");
    at_ += digits;
    const auto byte = [](unsigned long bits) { return static_cast<char>(bits); };
    if (code < 0x80) {
      out += byte(code);
    } else if (code < 0x800) {
      out += byte(0xC0 | (code >> 6));
      out += byte(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += byte(0xE0 | (code >> 12));
      out += byte(0x80 | ((code >> 6) & 0x3F));
      out += byte(0x80 | (code & 0x3F));
    } else {
      out += byte(0xF0 | (code >> 18));
      out += byte(0x80 | ((code >> 12) & 0x3F));
      out += byte(0x80 | ((code >> 6) & 0x3F));
      out += byte(0x80 | (code & 0x3F));
    }
  }

  std::string text_;
  std::size_t at_ = 0;
  std::size_t line_ = 1;
};

}  // namespace

std::vector<setting_line> read_settings(std::istream& input) {
  return settings_reader(std::string(std::istreambuf_iterator<char>(input), {})).lines();
}

}  // namespace chat
