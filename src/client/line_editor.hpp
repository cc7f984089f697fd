// The line being typed, edited by libedit (BSD licence; GNU readline is GPL-3 and
// would make the client GPL) through its native wide-character interface: the
// locale's multibyte text is decoded to wchar_t, so CJK, emoji, combining marks
// and right-to-left text are edited as characters and sent as the exact UTF-8
// typed. libedit runs unbuffered: each call handles one key, so the event loop
// can print server lines between keys. Its output goes to a stdio stream the
// caller gives (the terminal_output queue); it reads fd 0 itself, blocking, and is
// called only when fd 0 has bytes ready.
#pragma once

#include <histedit.h>

#include <optional>
#include <string>
#include <vector>

namespace chat::client {

class line_editor {
 public:
  // Puts the terminal on fd 0 in libedit's mode and draws the prompt on `out`.
  line_editor(FILE* out, std::string_view prompt);
  // Gives the terminal back in the mode it was found in.
  ~line_editor();
  line_editor(const line_editor&) = delete;
  line_editor& operator=(const line_editor&) = delete;

  struct typed {
    bool end_of_input = false;  // Ctrl-D on an empty line
    std::string line;           // UTF-8, without the newline
    std::string erase;          // for a line: the bytes that wipe it (prompt included) from the screen
  };
  // Reads and handles one key (a few bytes for an escape sequence or a multibyte
  // character); a finished line or Ctrl-D when the key ended one. Call only
  // while fd 0 has bytes ready: libedit's read blocks. A finished line stays on
  // the screen, as typed: the caller wipes it (typed::erase), shows what it
  // stands for, and calls start_new_line().
  std::optional<typed> read_key();
  // Empties the line and draws the prompt on the cursor's row.
  void start_new_line();

  // The bytes that wipe prompt and line from the screen, measured at the
  // terminal's current width (after a resize it has reflowed them).
  std::string erase() const;
  // Draws prompt and line again from the cursor's row, after erase() and any
  // output; takes a new terminal width first (SIGWINCH, or a resize not yet signalled).
  void redraw();

  // Before the process stops (Ctrl-Z), in two steps, so that output still queued (this
  // bracketed-paste-off too) can reach the terminal before its modes change with TCSADRAIN:
  // bracketed paste off, then the terminal's modes as found.
  void suspend();
  void give_back_terminal();
  // After it continues: the editor's modes and bracketed paste again, the line drawn anew.
  void resume();

  // True if nothing is typed on the current line.
  bool line_empty() const;
  // Empties the line being edited and returns it (UTF-8); nothing is drawn.
  std::string take_line();
  // Puts `text` (UTF-8) into the line at the cursor; nothing is drawn (redraw() does).
  void put_line(std::string_view text);

  void set_prompt(std::string_view prompt);
  void add_history(const std::string& line);
  // User names offered by a typed Tab after the first word (commands are offered first);
  // a pasted Tab is kept as it is.
  void set_names(std::vector<std::string> names) { names_ = std::move(names); }

 private:
  static wchar_t* prompt_function(EditLine* el);
  // libedit calls a bound function as a plain function: this one finds the editor and calls `action`.
  template <unsigned char (line_editor::*action)()>
  static unsigned char bound_function(EditLine* el, int key);
  unsigned char tab();
  unsigned char complete();
  unsigned char accept();
  unsigned char paste_begins();
  unsigned char paste_ends();
  int columns() const;

  EditLine* el_ = nullptr;
  HistoryW* history_ = nullptr;
  std::wstring prompt_;
  std::vector<std::string> names_;
  std::size_t accepted_cursor_ = 0;  // where the cursor was when Enter finished the line
  bool pasting_ = false;             // between the terminal's bracketed-paste markers
  FILE* out_;
};

// Makes the C library decode and encode UTF-8: the user's locale when it is
// UTF-8 (LANG, LC_ALL, ...), C.UTF-8 otherwise, since CHAT/1 is UTF-8.
void use_utf8_locale();

// UTF-8 to wide characters and back in the current (UTF-8) locale; invalid
// bytes are skipped.
std::wstring to_wide(std::string_view utf8);
std::string to_utf8(std::wstring_view wide);

}  // namespace chat::client
