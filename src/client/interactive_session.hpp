// Interactive mode: stdin is a terminal. A line_editor (libedit) edits the line
// one key at a time whenever the terminal is readable, so server lines can be
// shown while the user types: the half-typed line is wiped, the event printed
// above it, and libedit draws prompt and line again below. Everything shown goes
// through one terminal_output queue, so nothing is lost or reordered when the
// terminal is slow; past a bound the socket is no longer read and TCP pushes back.
// When the connection drops it connects again (backoff.hpp) and registers the
// same name, keeping the editor and its half-typed line (docs/client.md); that
// part is in interactive_reconnect.cpp.
#pragma once

#include <array>
#include <chrono>
#include <deque>
#include <optional>
#include <string>

#include "client/chat_state.hpp"
#include "client/client_config.hpp"
#include "client/line_editor.hpp"
#include "client/reconnect_verdict.hpp"
#include "client/session_core.hpp"
#include "client/session_opening.hpp"
#include "client/terminal_output.hpp"

namespace chat::client {

class interactive_session : session_core::front_end {
 public:
  // Registers config.name if given; config.keepalive and config.session shape the session.
  interactive_session(const asio::any_io_executor& ex, server_connection& connection, const client_config& config);
  // Gives the terminal back in the state it was found, whatever way the session ended.
  ~interactive_session();
  interactive_session(const interactive_session&) = delete;
  interactive_session& operator=(const interactive_session&) = delete;

  // Runs until the connection ends; returns the exit status (client_config.hpp).
  awaitable<int> run(std::string greeting);

 private:
  // Stops reading the socket while too much output waits for the terminal.
  awaitable<void> before_read() override;
  // Shows a server line above the one being edited.
  bool on_line(std::string line) override;
  // Feeds libedit and sends each finished line until QUIT is out or a write fails.
  awaitable<void> feed() override;
  // After the connection dropped, unless --no-reconnect or the user left: connects
  // again and registers the name again, keys still handled meanwhile; false if
  // the user left first.
  awaitable<bool> reconnect();
  // Tries with backoff until connected and registered, or connected and asking
  // for another name (ours still taken after options_.name_wait).
  awaitable<void> reconnect_with_backoff();
  // One REGISTER on a new connection: true if it is registered (or asking for
  // another name), false to try again (the name still taken, or the connection lost).
  awaitable<bool> register_again(const std::string& name, name_reclaim& reclaim, std::chrono::milliseconds next_delay);
  // Takes `opened` (status exit_ok) as the connection from now on, closing the old one.
  void adopt(session_opening opened);
  // Why `opened` failed, in words safe for the terminal.
  static std::string why_not_opened(const session_opening& opened);
  // Connects again without a word, keys handled meanwhile, so the user can take their
  // time over the name; false if the user left or the server cannot be reached (said).
  awaitable<bool> reopen_quietly();
  // Waits (at most exit_drain) for the terminal to take what is queued; drops what
  // it did not take, in our queue and the terminal's, so nothing blocks the exit.
  awaitable<void> drain_terminal();
  // Ctrl-Z: the terminal goes back to the shell as it was found, until SIGCONT.
  awaitable<void> suspend();
  // A status line of the client's own, with the time: "12:04 *** ...".
  void show_event(std::string_view text);
  // Hands what the terminal has ready to libedit, one key at a time; false if
  // the terminal is gone (hang-up: EOF or EIO).
  bool read_terminal();
  // Sends what libedit has collected, up to a QUIT; false if a write failed.
  awaitable<bool> send_typed();
  // Prints a line above the one being edited.
  void show(std::string_view text);
  // What replaces a finished line on the screen: "12:04 <Noy> hello" for a message
  // inside a chat, the prompt and the line as typed for anything else.
  std::string echo_of(const std::string& typed) const;
  // The readable form of a server line; WHO replies are matched to the prefix asked.
  std::string describe(std::string_view line);
  // A shown line (after its time stamp) in its colours, if colours are on (colours.hpp).
  std::string painted(std::string_view text) const;
  void remove_editor();

  // Said when a name is wanted: at the start without --name, and after NAME_TAKEN or INVALID_NAME.
  static constexpr std::string_view ask_name = "*** type your name (1 to 32 of A-Z a-z 0-9 _ - .)";

  session_core core_;
  std::optional<std::string> name_;
  std::string host_;  // where to reconnect
  std::uint16_t port_;
  tls_client_options tls_;  // and how
  session_options options_;
  bool colours_ = false;  // decided once, at the start (colours.hpp)
  // fds 0, 1 and 2 share their open file description with the shell: their
  // flags as found, put back at the end (O_NONBLOCK must not leak to the shell).
  std::array<int, 3> saved_flags_{};
  terminal_output output_;  // before editor_: libedit writes into it
  std::optional<line_editor> editor_;
  asio::posix::stream_descriptor input_;  // fd 0's terminal opened again, only waited on: libedit reads fd 0
  asio::signal_set signals_;              // Ctrl-C, hang-up, kill: leave with QUIT, terminal restored
  asio::signal_set terminal_signals_;     // SIGWINCH (resized), SIGTSTP (Ctrl-Z)
  std::chrono::milliseconds keepalive_;
  asio::steady_timer keepalive_timer_;  // restarted by every key: fires only while the user is idle
  asio::steady_timer leaving_;          // never expires: cancelled once QUIT is sent (before_read stops holding)
  int keepalives_pending_ = 0;          // their PONGs are not shown
  std::deque<std::string> who_asked_;   // prefixes of the WHOs sent and not answered yet, in order
  chat_state state_;                    // who we are and chat with: the prompt and the typing rules

  bool offline_ = false;              // reconnecting: typed lines are not sent, Ctrl-D and signals leave
  bool left_offline_ = false;         // the user left while reconnecting
  bool holding_ = false;              // reopen_quietly: lines finished are kept for the new connection
  std::optional<std::string> draft_;  // a half-typed line kept out of the name prompt, given back once registered
  std::string bye_reason_;            // the reason of the server's last BYE

  // Lines completed by libedit and not sent yet; nothing stands for Ctrl-D.
  std::deque<std::optional<std::string>> typed_;
};

}  // namespace chat::client
