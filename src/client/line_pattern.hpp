// The pattern of a script's `@wait SECONDS REGEX` line: an ECMAScript regular
// expression searched in each server line as printed. <regex> stays in one
// translation unit (it is slow to compile, and GCC 12 warns falsely inside it).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace chat::client {

class line_pattern {
 public:
  // Nothing if `text` is not a valid ECMAScript regular expression; then *error, if
  // given, says why (std::regex_error's text).
  static std::optional<line_pattern> compile(std::string_view text, std::string* error = nullptr);
  // True if the pattern matches somewhere in `line` (std::regex_search).
  bool found_in(std::string_view line) const;

 private:
  struct compiled;
  explicit line_pattern(std::shared_ptr<const compiled> regex) : regex_(std::move(regex)) {}
  std::shared_ptr<const compiled> regex_;
};

}  // namespace chat::client
