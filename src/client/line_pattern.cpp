#include "client/line_pattern.hpp"

// GCC 12 with ASan at -O2 reports -Wmaybe-uninitialized inside <regex>'s
// std::function members (libstdc++'s own code, a known false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <regex>

namespace chat::client {

struct line_pattern::compiled {
  std::regex regex;
};

std::optional<line_pattern> line_pattern::compile(std::string_view text, std::string* error) {
  try {
    auto regex =
        std::make_shared<const compiled>(compiled{std::regex(text.begin(), text.end(), std::regex::ECMAScript)});
    return line_pattern(std::move(regex));
  } catch (const std::regex_error& e) {
    if (error != nullptr) *error = e.what();
    return std::nullopt;
  }
}

bool line_pattern::found_in(std::string_view line) const {
  return std::regex_search(line.begin(), line.end(), regex_->regex);
}

}  // namespace chat::client

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
