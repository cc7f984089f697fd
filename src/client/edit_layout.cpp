#include "client/edit_layout.hpp"

#include <algorithm>
#include <cwchar>
#include <cwctype>

namespace chat::client {
namespace {

// A cursor over the rows of a terminal `columns` wide, advanced as libedit's re_putc does.
struct layout_cursor {
  int columns;
  int column = 0;
  std::size_t row = 0;

  void put(int width) {
    if (column + width > columns) {  // does not fit: padded to the next row
      ++row;
      column = 0;
    }
    column += width;
    if (column >= columns) {
      ++row;
      column = 0;
    }
  }

  void add(wchar_t c, int width) {
    if (c == L'\t') {
      do put(1);
      while (column % 8 != 0);
      return;
    }
    put(width);
  }
};

constexpr wchar_t zero_width_joiner = L'\x200D';

// An emoji skin-tone modifier (U+1F3FB-U+1F3FF, Unicode TR 51, section 2.4).
bool skin_tone(wchar_t c) {
  return c >= 0x1F3FB && c <= 0x1F3FF;
}

// The cursor's row when each character is `width(previous, c)` columns wide.
template <typename Width>
std::size_t cursor_row(std::wstring_view prompt, std::wstring_view line, std::size_t cursor, int columns, Width width) {
  layout_cursor at{columns};
  wchar_t previous = 0;
  for (const wchar_t c : prompt) {
    at.add(c, width(previous, c));
    previous = c;
  }
  for (std::size_t i = 0; i < line.size(); ++i) {
    const int w = width(previous, line[i]);
    if (i == cursor) {
      // A wide character that does not fit takes the cursor to the next row with it.
      return w > 1 && at.column + w > columns ? at.row + 1 : at.row;
    }
    at.add(line[i], w);
    previous = line[i];
  }
  return at.row;
}

}  // namespace

int libedit_width(wchar_t c) {
  if (c == L'\t') return 1;
  if (c == L'\n') return 0;
  if (c < 0x100 && std::iswcntrl(static_cast<wint_t>(c))) return 2;
  if (std::iswprint(static_cast<wint_t>(c))) {
    const int width = ::wcwidth(c);
    return width < 0 ? 0 : width;
  }
  return c > 0xFFFF ? 8 : 7;
}

std::size_t edit_cursor_row(std::wstring_view prompt, std::wstring_view line, std::size_t cursor, int columns) {
  if (columns <= 0) columns = 80;
  const auto per_code_point =
      cursor_row(prompt, line, cursor, columns, [](wchar_t, wchar_t c) { return libedit_width(c); });
  // A terminal that joins what libedit echoed as it was typed draws a ZWJ sequence or an
  // emoji with a skin tone as one picture: the part after the joiner, and the modifier, add
  // no columns. The cursor is at least that high; wiping from the lower of the two rows
  // can leave a stale row, but never erases a line above the edit area.
  const auto joined = cursor_row(prompt, line, cursor, columns, [](wchar_t previous, wchar_t c) {
    return previous == zero_width_joiner || skin_tone(c) ? 0 : libedit_width(c);
  });
  return std::min(per_code_point, joined);
}

std::string erase_from_row(std::size_t row) {
  std::string out = "\r";
  if (row > 0) out += "\x1b[" + std::to_string(row) + "A";
  out += "\x1b[J";
  return out;
}

}  // namespace chat::client
