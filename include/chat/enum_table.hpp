// Tables indexed by an enum, one row per value in the enum's order, checked when compiled: the
// protocol's command, error and BYE tables, the client's colours and chat-bench's workload names.
// A new enum value without its row, or a row out of order, fails the build.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace chat {

// True when every row sits at the index of its enum value (`key`), and so every value has a row.
template <typename Row, std::size_t N, typename Key>
constexpr bool indexed_by(const std::array<Row, N>& rows, Key Row::*key) {
  for (std::size_t i = 0; i < N; ++i) {
    if (rows[i].*key != static_cast<Key>(i)) return false;
  }
  return true;
}

// A row that gives an enum value its text (a name, an escape sequence).
template <typename Enum>
struct enum_text {
  Enum value;
  std::string_view text;
};

// The text of `value` in `rows` (a table indexed_by its values); `fallback` for a value past the
// table, which only a cast from an out-of-range integer can make.
template <typename Enum, std::size_t N>
constexpr std::string_view text_of(const std::array<enum_text<Enum>, N>& rows, Enum value,
                                   std::string_view fallback = {}) {
  const auto index = static_cast<std::size_t>(value);
  return index < N ? rows[index].text : fallback;
}

}  // namespace chat
