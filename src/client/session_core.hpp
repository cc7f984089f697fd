// What both client modes share: one connection read line by line, one write at a
// time, the state the server's replies leave behind (our QUIT acknowledged, a BYE,
// the connection gone) and the exit status it makes. A front end (the terminal's,
// the script's) says what is shown for each line and what is sent.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "client/server_connection.hpp"

namespace chat::client {

class session_core {
 public:
  // The half of a session that is not the socket: a terminal or a script.
  class front_end {
   public:
    virtual ~front_end() = default;
    // Awaited before each read of the socket: a front end that cannot keep up
    // holds the reader here (TCP then pushes back on the server).
    virtual awaitable<void> before_read() = 0;
    // One server line without its LF, after the core has noted what it says;
    // false ends the read loop (where the lines go has failed).
    virtual bool on_line(std::string line) = 0;
    // Sends what the user or the script gives until it is done: QUIT sent, input
    // ended, a write failed, or the connection gone (closed()).
    virtual awaitable<void> feed() = 0;
  };

  session_core(const asio::any_io_executor& ex, server_connection& connection);

  // Reads the socket while front.feed() runs; once feed() is done the session
  // waits up to close_grace for the server to close. Returns when the connection
  // is gone, the read loop was ended by the front end, or the grace ran out.
  awaitable<void> run(front_end& front);

  // Sends one line unless the connection is gone; false if it was not sent. A
  // QUIT marks the session as ended by us.
  awaitable<bool> send(std::string line);

  // Waits until the read loop has handled a line or the connection is gone;
  // false if `deadline` passed first. One waiter at a time.
  awaitable<bool> wait_for_change(std::chrono::steady_clock::time_point deadline);

  // The exit status (client_config.hpp) the session's end makes, saying why on
  // stderr: after a BYE, `on_bye` (nothing if empty: the BYE line itself said
  // why); after a lost connection, `on_lost` and the reason.
  int exit_status(std::string_view on_bye, std::string_view on_lost) const;

  // Forgets the last connection's end: the connection now holds a new socket.
  void reset();

  // Why the connection ended, in words for the user (after closed()).
  std::string lost_reason() const;

  server_connection& connection() { return connection_; }
  bool closed() const { return closed_; }
  bool quit_sent() const { return quit_sent_; }
  bool bye_seen() const { return bye_seen_; }

  // How long the server may take to close after OK BYE before we give up on it.
  static constexpr std::chrono::seconds close_grace{10};

 private:
  awaitable<void> read_loop(front_end& front);
  awaitable<void> feed_then_wait_for_close(front_end& front);

  server_connection& connection_;
  // Cancelled after every change the read loop makes, to wake wait_for_change().
  asio::steady_timer changed_;
  bool quit_sent_ = false;        // QUIT went out, the user's, the script's or ours
  bool ok_bye_seen_ = false;      // the server acknowledged QUIT
  bool bye_seen_ = false;         // the server ended the session (BYE <REASON>)
  bool closed_ = false;           // the connection is gone
  bool close_timed_out_ = false;  // the server kept the connection open after OK BYE
  asio::error_code close_error_;
};

}  // namespace chat::client
