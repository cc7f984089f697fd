#include "client/line_editor.hpp"

#include <langinfo.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <clocale>
#include <cstdio>
#include <cstring>
#include <cwchar>
#include <cwctype>

#include "chat/protocol.hpp"
#include "client/edit_layout.hpp"

namespace chat::client {
namespace {

constexpr int history_size = 500;
constexpr wchar_t end_of_file_key = L'\x04';  // Ctrl-D, as libedit reports it on an empty line
// Bracketed paste (xterm, and every common terminal since): once enabled, the terminal
// wraps pasted text in ESC[200~ ... ESC[201~, so a pasted Tab can be told from a typed one.
constexpr const char* bracketed_paste_on = "\x1b[?2004h";
constexpr const char* bracketed_paste_off = "\x1b[?2004l";

bool starts_with_ignoring_case(std::wstring_view text, std::wstring_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::towlower(static_cast<wint_t>(text[i])) != std::towlower(static_cast<wint_t>(prefix[i]))) return false;
  }
  return true;
}

std::wstring common_prefix(const std::vector<std::wstring>& words) {
  std::wstring prefix = words.front();
  for (const auto& w : words) {
    std::size_t n = 0;
    while (n < prefix.size() && n < w.size() && prefix[n] == w[n]) ++n;
    prefix.resize(n);
  }
  return prefix;
}

int terminal_columns() {
  winsize size{};
  return ::ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0 ? size.ws_col : 80;
}

}  // namespace

void use_utf8_locale() {
  std::setlocale(LC_ALL, "");
  if (std::strcmp(::nl_langinfo(CODESET), "UTF-8") != 0) std::setlocale(LC_CTYPE, "C.UTF-8");
}

std::wstring to_wide(std::string_view utf8) {
  std::wstring out;
  std::mbstate_t state{};
  std::size_t i = 0;
  while (i < utf8.size()) {
    wchar_t c = 0;
    const auto n = std::mbrtowc(&c, utf8.data() + i, utf8.size() - i, &state);
    if (n == static_cast<std::size_t>(-1) || n == static_cast<std::size_t>(-2)) {
      state = {};
      ++i;  // not UTF-8: skipped
      continue;
    }
    out += c;
    i += n == 0 ? 1 : n;
  }
  return out;
}

std::string to_utf8(std::wstring_view wide) {
  std::string out;
  std::mbstate_t state{};
  std::array<char, MB_LEN_MAX> bytes{};
  for (const wchar_t c : wide) {
    const auto n = std::wcrtomb(bytes.data(), c, &state);
    if (n == static_cast<std::size_t>(-1)) {
      state = {};
      continue;
    }
    out.append(bytes.data(), n);
  }
  return out;
}

line_editor::line_editor(FILE* out, std::string_view prompt) : prompt_(to_wide(prompt)), out_(out) {
  // libedit takes its terminal modes and width from the output descriptor and stops
  // editing when that is not a terminal; the terminal is fd 0's (stdout may be a
  // file: `chat-client > log`), so it is given as both.
  el_ = el_init_fd("chat-client", stdin, out, stderr, STDIN_FILENO, STDIN_FILENO, STDERR_FILENO);
  el_wset(el_, EL_CLIENTDATA, this);
  el_wset(el_, EL_EDITOR, L"emacs");
  el_wset(el_, EL_SIGNAL, 0);    // signals are the session's (asio::signal_set)
  el_wset(el_, EL_SAFEREAD, 1);  // should fd 0 be non-blocking after all, make it block again
  el_wset(el_, EL_PROMPT, &line_editor::prompt_function);
  history_ = history_winit();
  HistEventW event{};
  history_w(history_, &event, H_SETSIZE, history_size);
  history_w(history_, &event, H_SETUNIQUE, 1);
  el_wset(el_, EL_HIST, history_w, history_);
  el_wset(el_, EL_ADDFN, L"chat-tab", L"complete a command or a user name, or keep a pasted Tab",
          &line_editor::bound_function<&line_editor::tab>);
  el_wset(el_, EL_BIND, L"^I", L"chat-tab", nullptr);
  el_wset(el_, EL_ADDFN, L"chat-paste-begins", L"pasted text follows",
          &line_editor::bound_function<&line_editor::paste_begins>);
  el_wset(el_, EL_BIND, L"\\e[200~", L"chat-paste-begins", nullptr);
  el_wset(el_, EL_ADDFN, L"chat-paste-ends", L"pasted text ended",
          &line_editor::bound_function<&line_editor::paste_ends>);
  el_wset(el_, EL_BIND, L"\\e[201~", L"chat-paste-ends", nullptr);
  std::fputs(bracketed_paste_on, out_);
  // Enter ends the line where it stands (libedit's ed-newline moves below it first),
  // so the session can replace it with what it stands for (a message as the conversation).
  el_wset(el_, EL_ADDFN, L"chat-accept", L"finish the line in place",
          &line_editor::bound_function<&line_editor::accept>);
  el_wset(el_, EL_BIND, L"^M", L"chat-accept", nullptr);
  el_wset(el_, EL_BIND, L"^J", L"chat-accept", nullptr);
  // The incremental search (em-inc-search-prev) draws its own "bck:" prompt inside
  // the line and reads keys by itself; a prefix search through history does neither.
  el_wset(el_, EL_BIND, L"^R", L"ed-search-prev-history", nullptr);
  // Unbuffered: el_wgets returns after every key (this also draws the prompt).
  el_wset(el_, EL_UNBUFFERED, 1);
}

line_editor::~line_editor() {
  std::fputs(bracketed_paste_off, out_);
  el_end(el_);  // back to the terminal modes found at start
  history_wend(history_);
}

wchar_t* line_editor::prompt_function(EditLine* el) {
  line_editor* self = nullptr;
  el_wget(el, EL_CLIENTDATA, &self);
  return self->prompt_.data();
}

template <unsigned char (line_editor::*action)()>
unsigned char line_editor::bound_function(EditLine* el, int /*key*/) {
  line_editor* self = nullptr;
  el_wget(el, EL_CLIENTDATA, &self);
  return (self->*action)();
}

unsigned char line_editor::paste_begins() {
  pasting_ = true;
  return CC_NORM;
}

unsigned char line_editor::paste_ends() {
  pasting_ = false;
  return CC_NORM;
}

unsigned char line_editor::tab() {
  // Pasted text goes in as pasted. A terminal without bracketed paste still gives a
  // paste away: its bytes come in one burst, so more wait behind the Tab, while a
  // typed Tab arrives alone.
  int waiting = 0;
  if (pasting_ || (::ioctl(STDIN_FILENO, FIONREAD, &waiting) == 0 && waiting > 0)) {
    el_winsertstr(el_, L"\t");
    return CC_REFRESH;
  }
  return complete();
}

unsigned char line_editor::accept() {
  const LineInfoW* info = el_wline(el_);
  accepted_cursor_ = static_cast<std::size_t>(info->cursor - info->buffer);
  el_cursor(el_, static_cast<int>(info->lastchar - info->cursor));
  el_winsertstr(el_, L"\n");  // el_wgets sees the line end, as after ed-newline
  return CC_NEWLINE;
}

unsigned char line_editor::complete() {
  const LineInfoW* info = el_wline(el_);
  const std::wstring_view before(info->buffer, static_cast<std::size_t>(info->cursor - info->buffer));
  const auto space = before.find_last_of(L' ');
  const auto word = before.substr(space == std::wstring_view::npos ? 0 : space + 1);
  const bool first_word =
      before.substr(0, before.size() - word.size()).find_first_not_of(L' ') == std::wstring_view::npos;

  std::vector<std::wstring> matches;
  if (first_word) {
    // Commands in capitals (the course's style outside a chat; in a chat only a leading MSG is
    // taken as such), or after a slash in lower case: every row of the protocol's command table.
    const bool slash = word.starts_with(L'/');
    for (const auto& spec : protocol::commands) {
      auto command = to_wide(spec.keyword);
      if (slash) {
        std::ranges::transform(command, command.begin(), [](wchar_t c) { return std::towlower(c); });
        command.insert(0, 1, L'/');
      }
      if (starts_with_ignoring_case(command, word)) matches.push_back(std::move(command));
    }
  } else {
    for (const auto& name : names_) {
      auto wide = to_wide(name);
      if (wide.starts_with(word)) matches.push_back(std::move(wide));
    }
  }
  if (matches.empty()) return CC_ERROR;
  auto completion = common_prefix(matches);
  if (matches.size() == 1) completion += L' ';
  if (completion.size() > word.size()) {
    // Replaces the word: a command typed in lower case comes back in capitals.
    el_wdeletestr(el_, static_cast<int>(word.size()));
    el_winsertstr(el_, completion.c_str());
  }
  return matches.size() == 1 ? CC_REFRESH : CC_REFRESH_BEEP;
}

std::optional<line_editor::typed> line_editor::read_key() {
  int count = 0;
  const wchar_t* buffer = el_wgets(el_, &count);
  if (buffer == nullptr || count <= 0) return std::nullopt;
  const std::wstring_view text(buffer, static_cast<std::size_t>(count));
  if (text.size() == 1 && text[0] == end_of_file_key) {
    start_new_line();
    return typed{true, {}, {}};
  }
  if (text.back() != L'\n') return std::nullopt;
  const auto line = text.substr(0, text.size() - 1);
  const auto row = edit_cursor_row(prompt_, line, std::min(accepted_cursor_, line.size()), terminal_columns());
  return typed{false, to_utf8(line), erase_from_row(row)};
}

void line_editor::start_new_line() {
  // Leaving unbuffered mode and entering it again empties the line, resets the
  // history position and draws a fresh prompt (libedit's readline layer does the same).
  el_wset(el_, EL_UNBUFFERED, 0);
  el_wset(el_, EL_UNBUFFERED, 1);
}

bool line_editor::line_empty() const {
  const LineInfoW* info = el_wline(el_);
  return info->lastchar == info->buffer;
}

std::string line_editor::take_line() {
  const LineInfoW* info = el_wline(el_);
  const std::wstring text(info->buffer, static_cast<std::size_t>(info->lastchar - info->buffer));
  el_cursor(el_, static_cast<int>(info->lastchar - info->cursor));
  el_wdeletestr(el_, static_cast<int>(text.size()));
  return to_utf8(text);
}

void line_editor::put_line(std::string_view text) {
  const auto wide = to_wide(text);
  el_winsertstr(el_, wide.c_str());
}

int line_editor::columns() const {
  int columns = 0;
  el_get(el_, EL_GETTC, "co", &columns);
  return columns > 0 ? columns : 80;
}

std::string line_editor::erase() const {
  // Measured at the terminal's width now: a terminal that was just resized has
  // already reflowed the rows, though its SIGWINCH may not have been handled yet.
  const LineInfoW* info = el_wline(el_);
  const std::wstring_view line(info->buffer, static_cast<std::size_t>(info->lastchar - info->buffer));
  const auto cursor = static_cast<std::size_t>(info->cursor - info->buffer);
  return erase_from_row(edit_cursor_row(prompt_, line, cursor, terminal_columns()));
}

void line_editor::redraw() {
  if (terminal_columns() != columns()) el_resize(el_);
  el_wset(el_, EL_REFRESH);
}

void line_editor::suspend() {
  std::fputs(bracketed_paste_off, out_);
  std::fflush(out_);
}

void line_editor::give_back_terminal() {
  el_wset(el_, EL_PREP_TERM, 0);
}

void line_editor::resume() {
  el_wset(el_, EL_PREP_TERM, 1);
  std::fputs(bracketed_paste_on, out_);
  redraw();
}

void line_editor::set_prompt(std::string_view prompt) {
  prompt_ = to_wide(prompt);
}

void line_editor::add_history(const std::string& line) {
  HistEventW event{};
  const auto wide = to_wide(line);
  history_w(history_, &event, H_ENTER, wide.c_str());
}

}  // namespace chat::client
