// Where libedit puts the prompt and the line being edited on a terminal of a given
// width, so the client can wipe them before printing a server line above them.
// libedit has no call for this (GNU readline's rl_clear_visible_line); the layout
// rules below are libedit's own (refresh.c: re_putc, re_addc, re_refresh), so the
// arithmetic agrees with what libedit drew.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chat::client {

// Columns libedit gives one character: wcwidth(3) for printable ones (0 for
// combining marks and joiners, 2 for CJK and most emoji), 2 for an ASCII control
// (^X), 7 or 8 for another unprintable one (\U+XXXX), 1 for a tab (expanded to the
// next stop by edit_cursor_row). Per code point, as libedit measures: a ZWJ
// sequence or a skin-tone modifier counts each of its parts, where a terminal
// may draw the whole cluster in two columns (best effort; docs/client.md).
int libedit_width(wchar_t c);

// The row (0 = the prompt's first row) on which libedit leaves the cursor when it
// has drawn `prompt` and `line` with the cursor before line[cursor], on a terminal
// `columns` wide: a character that does not fit on a row moves whole to the next,
// and a row filled to its last column moves the cursor to the next row.
// libedit echoes a typed ZWJ to the terminal, which may then join the sequence into
// one picture (tmux does; libedit's own redraws drop the joiner and draw per code
// point), so the row is the lower of the per-code-point layout and the one where a
// character after a ZWJ, and a skin-tone modifier, take no columns: a wipe from it
// never reaches above the edit area, at worst leaves a stale row (docs/client.md).
std::size_t edit_cursor_row(std::wstring_view prompt, std::wstring_view line, std::size_t cursor, int columns);

// The bytes that wipe the edit area from the cursor's row: back to column 0, up
// `row` rows, clear to the end of the screen.
std::string erase_from_row(std::size_t row);

}  // namespace chat::client
