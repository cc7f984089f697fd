// Where libedit leaves the cursor over a wrapped prompt and line: the rows the
// client wipes before printing a server line above them.
#include "client/edit_layout.hpp"

#include <catch2/catch.hpp>
#include <clocale>

using chat::client::edit_cursor_row;
using chat::client::erase_from_row;
using chat::client::libedit_width;

namespace {

// wcwidth(3) needs a UTF-8 locale to know CJK and emoji.
struct utf8_locale {
  utf8_locale() { std::setlocale(LC_CTYPE, "C.UTF-8"); }
};

}  // namespace

TEST_CASE("characters take libedit's columns", "[edit_layout]") {
  utf8_locale locale;
  CHECK(libedit_width(L'a') == 1);
  CHECK(libedit_width(L'\x4F60') == 2);   // 你
  CHECK(libedit_width(L'\x1F600') == 2);  // 😀
  CHECK(libedit_width(L'\x0301') == 0);   // combining acute accent
  CHECK(libedit_width(L'\x200D') == 0);   // ZERO WIDTH JOINER
  CHECK(libedit_width(L'\x05D0') == 1);   // א
  CHECK(libedit_width(L'\x01') == 2);     // shown as ^A
  CHECK(libedit_width(L'\x2028') == 7);   // shown as \U+2028
}

TEST_CASE("the cursor row over ASCII lines", "[edit_layout]") {
  utf8_locale locale;
  CHECK(edit_cursor_row(L"> ", L"", 0, 40) == 0);
  CHECK(edit_cursor_row(L"> ", std::wstring(37, L'a'), 37, 40) == 0);
  // A row filled to its last column puts the cursor on the next one.
  CHECK(edit_cursor_row(L"> ", std::wstring(38, L'a'), 38, 40) == 1);
  CHECK(edit_cursor_row(L"> ", std::wstring(70, L'a'), 70, 40) == 1);
  CHECK(edit_cursor_row(L"> ", std::wstring(70, L'a'), 10, 40) == 0);
  CHECK(edit_cursor_row(L"> ", std::wstring(120, L'a'), 120, 40) == 3);
}

TEST_CASE("wide characters count two columns and do not split across rows", "[edit_layout]") {
  utf8_locale locale;
  const std::wstring cjk(30, L'\x4F60');  // 60 columns after a 2-column prompt
  CHECK(edit_cursor_row(L"> ", cjk, 30, 40) == 1);
  CHECK(edit_cursor_row(L"> ", cjk, 19, 40) == 1);  // the 20th starts row 1 (columns 40-41)
  CHECK(edit_cursor_row(L"> ", cjk, 18, 40) == 0);
  // "> a" then wide characters: the 19th would need columns 39-40 and moves whole to row 1.
  const std::wstring odd = L"a" + std::wstring(19, L'\x4F60');
  CHECK(edit_cursor_row(L"> ", odd, 19, 40) == 1);
  CHECK(edit_cursor_row(L"> ", odd, 18, 40) == 0);
  // Zero-width marks add nothing: 38 columns of e + U+0301 stay on row 0.
  std::wstring accented;
  for (int i = 0; i < 37; ++i) accented += L"e\x0301";
  CHECK(edit_cursor_row(L"> ", accented, accented.size(), 40) == 0);
}

TEST_CASE("the erase sequence goes up to the prompt's row", "[edit_layout]") {
  CHECK(erase_from_row(0) == "\r\x1b[J");
  CHECK(erase_from_row(2) == "\r\x1b[2A\x1b[J");
}

TEST_CASE("a ZWJ sequence may be drawn as one picture: the row is never above the cursor", "[edit_layout]") {
  utf8_locale locale;
  // 👨‍👩‍👧 and a space, 10 times, then "tail" after an 11-column prompt: 85 columns per code
  // point (row 2 at 40 columns), 45 with each family drawn in 2 columns as tmux joins a typed
  // sequence (row 1). The lower row is taken, so a wipe never erases a line above.
  std::wstring line;
  for (int i = 0; i < 10; ++i) line += L"\U0001F468\x200D\U0001F469\x200D\U0001F467 ";
  line += L"tail";
  CHECK(edit_cursor_row(L"Noy\x2192"
                        L"Elias> ",
                        line, line.size(), 40) == 1);
  // Skin tones likewise: 👍🏽 x 20 is 80 columns per code point, 40 joined (row 1, not 2).
  std::wstring thumbs;
  for (int i = 0; i < 20; ++i) thumbs += L"\U0001F44D\U0001F3FD";
  CHECK(edit_cursor_row(L"", thumbs, thumbs.size(), 40) == 1);
}
