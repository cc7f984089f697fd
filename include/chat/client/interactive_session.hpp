// Interactive mode: stdin is a terminal. libedit (BSD licence; GNU readline is
// GPL-3 and would make the client GPL) edits the line through its callback
// interface, fed one character at a time whenever the terminal is readable, so
// server lines can be shown while the user types: the half-typed line is wiped,
// the event printed above it, and libedit redraws prompt and line below.
#pragma once

#include <deque>
#include <optional>
#include <string>

#include "chat/client/server_connection.hpp"

namespace chat::client {

class interactive_session {
 public:
  interactive_session(const asio::any_io_executor& ex, server_connection& connection, std::optional<std::string> name);
  // Gives the terminal back in the state it was found, whatever way the session ended.
  ~interactive_session();
  interactive_session(const interactive_session&) = delete;
  interactive_session& operator=(const interactive_session&) = delete;

  // Runs until the connection ends; returns the exit status (client_config.hpp).
  awaitable<int> run(std::string greeting);

 private:
  // libedit's line handler: a plain function, so it reaches the session through current_.
  static void on_line(char* line);
  static interactive_session* current_;

  awaitable<void> read_loop();
  awaitable<void> input_loop();
  // Feeds libedit and sends each finished line until QUIT is out or a write fails.
  awaitable<void> edit_and_send();
  awaitable<void> wait_for_close();
  // Sends what libedit has collected, up to a QUIT; false if a write failed.
  awaitable<bool> send_typed();
  awaitable<bool> send(std::string line);
  void install_editor();
  void remove_editor();
  // The bytes that wipe prompt and half-typed line from the screen.
  std::string erase_edit_area() const;
  // Prints a line above the one being edited.
  void show(std::string_view text);

  server_connection& connection_;
  std::optional<std::string> name_;
  asio::posix::stream_descriptor terminal_;  // a dup of fd 0, only waited on: libedit does the reading
  asio::signal_set signals_;                 // Ctrl-C, hang-up, kill: leave with QUIT, terminal restored
  asio::steady_timer close_timer_;

  // Lines completed by libedit and not sent yet; nothing stands for Ctrl-D.
  std::deque<std::optional<std::string>> typed_;
  bool editor_installed_ = false;
  bool quit_sent_ = false;
  bool ok_bye_seen_ = false;
  bool bye_seen_ = false;
  bool closed_ = false;
  bool close_timed_out_ = false;
  asio::error_code close_error_;
};

}  // namespace chat::client
