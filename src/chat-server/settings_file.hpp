// The TOML that a chat-server settings file (--config) is written in, read with what the
// value parser needs and CLI11's own reader drops: whether a value was quoted, and its line.
// Only what settings use is read: top-level `key = value` lines with comments, basic and literal
// strings, bare values (numbers, true, false) and arrays of them. Tables, dotted or quoted
// keys, inline tables and multi-line strings are refused with their line, not misread.
#pragma once

#include <cstddef>
#include <istream>
#include <stdexcept>
#include <string>
#include <vector>

namespace chat {

// A value as the file writes it; the setting it belongs to decides whether its form fits.
struct toml_value {
  enum class form { string, bare, array };
  form written = form::bare;
  std::string text;               // a string's characters, or a bare value as written
  std::vector<toml_value> items;  // an array's elements
};

struct setting_line {
  std::string key;
  std::size_t line = 0;  // 1-based, where the key is
  toml_value value;
};

// Thrown for text that is not the TOML above: where (its line) and why; what() says "line N: why".
class settings_syntax_error : public std::runtime_error {
 public:
  settings_syntax_error(std::size_t line, const std::string& why)
      : std::runtime_error("line " + std::to_string(line) + ": " + why), line_(line), why_(why) {}
  std::size_t line() const { return line_; }
  const std::string& why() const { return why_; }

 private:
  std::size_t line_;
  std::string why_;
};

// Every `key = value` in file order (a key written twice appears twice).
std::vector<setting_line> read_settings(std::istream& input);

}  // namespace chat
