#include "chat/client/interactive_session.hpp"

#include <editline/readline.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <asio/experimental/awaitable_operators.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "chat/client/client_config.hpp"
#include "chat/client/commands.hpp"
#include "chat/client/display.hpp"
#include "chat/protocol.hpp"

namespace chat::client {
namespace {

using namespace asio::experimental::awaitable_operators;

constexpr const char* prompt = "> ";
constexpr std::chrono::seconds close_grace{10};

}  // namespace

interactive_session* interactive_session::current_ = nullptr;

interactive_session::interactive_session(const asio::any_io_executor& ex, server_connection& connection,
                                         std::optional<std::string> name)
    : connection_(connection),
      name_(std::move(name)),
      terminal_(ex, ::dup(STDIN_FILENO)),
      signals_(ex, SIGINT, SIGTERM, SIGHUP),
      close_timer_(ex) {
  current_ = this;
}

interactive_session::~interactive_session() {
  remove_editor();
  current_ = nullptr;
}

void interactive_session::install_editor() {
  if (editor_installed_) return;
  // Signals are ours (signals_): libedit's own handlers would fight asio's.
  rl_catch_signals = 0;
  rl_callback_handler_install(prompt, &interactive_session::on_line);
  editor_installed_ = true;
}

void interactive_session::remove_editor() {
  if (!editor_installed_) return;
  editor_installed_ = false;
  // Wipe the prompt and line, then give the terminal back in cooked mode.
  std::fputs(erase_edit_area().c_str(), stdout);
  std::fflush(stdout);
  rl_callback_handler_remove();
}

void interactive_session::on_line(char* line) {
  if (current_ == nullptr) {
    std::free(line);
    return;
  }
  if (line == nullptr) {
    current_->typed_.emplace_back(std::nullopt);  // Ctrl-D on an empty line
    return;
  }
  current_->typed_.emplace_back(std::string(line));
  std::free(line);  // the callback owns the line (malloc'd by libedit)
}

std::string interactive_session::erase_edit_area() const {
  // Prompt and line may wrap over several rows, and the cursor sits on the row of
  // rl_point: go up to the first row, then clear from there to the end of the screen.
  winsize size{};
  const int columns = ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0 ? size.ws_col : 80;
  std::size_t cursor_column = std::strlen(prompt);
  if (rl_line_buffer != nullptr && rl_point > 0) {
    // One column per character: UTF-8 continuation bytes take none.
    const std::string_view before(rl_line_buffer, static_cast<std::size_t>(rl_point));
    cursor_column += static_cast<std::size_t>(
        std::ranges::count_if(before, [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  }
  const auto row = cursor_column / static_cast<std::size_t>(columns);
  std::string out = "\r";
  if (row > 0) out += "\x1b[" + std::to_string(row) + "A";
  out += "\x1b[J";
  return out;
}

void interactive_session::show(std::string_view text) {
  std::string out;
  // libedit lacks rl_clear_visible_line: clear prompt and line by hand ...
  if (editor_installed_) out += erase_edit_area();
  out.append(text);
  out += '\n';
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  // ... and let libedit draw prompt and the half-typed line again from its own buffer.
  if (editor_installed_) rl_forced_update_display();
}

awaitable<int> interactive_session::run(std::string greeting) {
  show(describe_server_line(greeting));
  co_await (read_loop() || input_loop());
  remove_editor();

  if (bye_seen_) co_return exit_connection_lost;  // the BYE line itself said why
  if (quit_sent_ && ok_bye_seen_ && closed_ && !close_timed_out_) co_return exit_ok;
  if (close_timed_out_) {
    std::fprintf(stderr, "chat-client: the server did not close the connection after OK BYE\n");
  } else {
    const auto why = describe_read_error(close_error_);
    std::fprintf(stderr, "chat-client: connection lost: %s\n", why.c_str());
  }
  co_return exit_connection_lost;
}

awaitable<void> interactive_session::read_loop() {
  for (;;) {
    auto [ec, line] = co_await connection_.read_line();
    if (ec) {
      closed_ = true;
      close_error_ = ec;
      close_timer_.cancel();
      co_return;
    }
    const auto [head, rest] = protocol::split_server_line(line);
    if (head == "BYE") bye_seen_ = true;
    if (line == "OK BYE") ok_bye_seen_ = true;
    show(describe_server_line(line));
  }
}

awaitable<bool> interactive_session::send(std::string line) {
  if (closed_) co_return false;
  const auto ec = co_await connection_.write_line(std::move(line));
  co_return !ec;
}

awaitable<bool> interactive_session::send_typed() {
  // False only if a write failed.
  while (!typed_.empty() && !quit_sent_) {
    auto typed = std::move(typed_.front());
    typed_.pop_front();
    if (!typed) {
      show("QUIT");  // Ctrl-D: say what it does
      typed = "QUIT";
    } else if (typed->empty()) {
      continue;
    } else {
      add_history(typed->c_str());
    }
    quit_sent_ = is_quit(*typed);
    if (!co_await send(std::move(*typed))) co_return false;
  }
  co_return true;
}

awaitable<void> interactive_session::input_loop() {
  co_await edit_and_send();
  // Even after a failed write: the reader may still have lines to show (a BYE
  // that raced our write), so it decides when the session is over.
  co_await wait_for_close();
}

awaitable<void> interactive_session::edit_and_send() {
  if (name_) {
    auto line = "REGISTER " + *name_;
    if (!co_await send(std::move(line))) co_return;
  }
  install_editor();
  while (!quit_sent_) {
    auto ready = co_await (terminal_.async_wait(asio::posix::stream_descriptor::wait_read, use_tuple) ||
                           signals_.async_wait(use_tuple));
    if (closed_) co_return;
    if (ready.index() == 1) {
      auto [ec, signal] = std::get<1>(ready);
      if (ec) co_return;  // cancelled: the connection is gone
      typed_.clear();
      typed_.emplace_back("QUIT");
      show("QUIT");
    } else {
      auto [ec] = std::get<0>(ready);
      if (ec) co_return;
      // Readable with nothing to read is a hung-up terminal: libedit would return
      // without a line every time, and this loop would spin.
      int pending = 0;
      if (::ioctl(terminal_.native_handle(), FIONREAD, &pending) == 0 && pending == 0) {
        typed_.emplace_back(std::nullopt);
      } else {
        rl_callback_read_char();
        // After a finished line libedit leaves it in its buffer and shows no prompt
        // until the next key; installing again empties the line and draws the prompt.
        if (!typed_.empty() && typed_.back()) rl_callback_handler_install(prompt, &interactive_session::on_line);
      }
    }
    const bool sent = co_await send_typed();
    if (!sent || closed_) co_return;
  }
}

awaitable<void> interactive_session::wait_for_close() {
  // OK BYE, then the server closes; a deadline in case it never does.
  close_timer_.expires_after(close_grace);
  while (!closed_) {
    auto [ec] = co_await close_timer_.async_wait(use_tuple);
    if (!ec) {
      close_timed_out_ = true;
      co_return;
    }
  }
}

}  // namespace chat::client
