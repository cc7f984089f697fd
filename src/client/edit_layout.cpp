#include "chat/client/edit_layout.hpp"

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

  void add(wchar_t c) {
    if (c == L'\t') {
      do put(1);
      while (column % 8 != 0);
      return;
    }
    put(libedit_width(c));
  }
};

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
  layout_cursor at{columns};
  for (const wchar_t c : prompt) at.add(c);
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (i == cursor) {
      // A wide character that does not fit takes the cursor to the next row with it.
      const int width = libedit_width(line[i]);
      return width > 1 && at.column + width > columns ? at.row + 1 : at.row;
    }
    at.add(line[i]);
  }
  return at.row;
}

std::string erase_from_row(std::size_t row) {
  std::string out = "\r";
  if (row > 0) out += "\x1b[" + std::to_string(row) + "A";
  out += "\x1b[J";
  return out;
}

}  // namespace chat::client
