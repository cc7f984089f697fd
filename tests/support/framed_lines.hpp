// One call of line_framer::feed that collects the complete lines it finds (tests/unit/line_framer_test.cpp,
// tests/fuzz_regression/known_bugs_test.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "chat/line_framer.hpp"

namespace chat::testing {

// Feeds `bytes` to `framer` once, appending each complete line to `lines`. The line callback answers
// `keep_going` (false: the framer stops after the first line); an over-long line is skipped.
// Returns the bytes the framer used.
inline std::size_t feed_lines(line_framer& framer, std::string_view bytes, std::vector<std::string>& lines,
                              bool keep_going = true) {
  return framer.feed(
      bytes,
      [&](std::string_view line) {
        lines.emplace_back(line);
        return keep_going;
      },
      [] { return true; });
}

}  // namespace chat::testing
