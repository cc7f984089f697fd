// Script mode: stdin is not a terminal. Each non-empty input line is sent as it is
// read, and every server line is printed on stdout as it arrives, one per line,
// escaped for the terminal and flushed (tests read it through pipes). At the end
// of input the session is closed cleanly: a PING with a private token shows that
// every reply is in, then QUIT (unless the script sent QUIT itself).
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "client/client_config.hpp"
#include "client/session_core.hpp"
#include "client/stdin_lines.hpp"

namespace chat::client {

class script_session : session_core::front_end {
 public:
  // Registers config.name if given; config.session.fail_on_error makes an ERR reply fail the run.
  script_session(const asio::any_io_executor& ex, server_connection& connection, stdin_lines& input,
                 const client_config& config);

  // Runs until the connection ends; returns the exit status (client_config.hpp).
  awaitable<int> run(std::string greeting);

 private:
  awaitable<void> before_read() override { co_return; }
  // Prints the line (the client's own PING and OK BYE excepted); false if stdout failed.
  bool on_line(std::string line) override;
  // Sends the script, then PING and QUIT at its end; returns early if a write fails.
  awaitable<void> feed() override;
  // Runs a directive script line (`@wait SECONDS REGEX`, line `number` of the script);
  // false (wait_failure_ says why, naming the line) on a timeout, a closed connection,
  // an unknown directive, a missing part or an invalid REGEX.
  awaitable<bool> wait_for_line(std::string_view directive_line, std::size_t number);

  session_core core_;
  stdin_lines& input_;
  std::optional<std::string> name_;
  bool fail_on_error_;

  // Shared by the read loop and feed() on one single-threaded io_context: no locking.
  std::string eof_token_;             // the PING token of the end-of-input check, once sent
  bool eof_pong_seen_ = false;        // its PONG came back
  bool script_quit_ = false;          // the script sent QUIT itself
  int stdout_error_ = 0;              // errno of a failed write to stdout: the session ends
  std::deque<std::string> received_;  // lines printed since the last @wait matched (the latest 10,000)
  std::size_t unmatched_ = 0;         // received_ before this were tried by the current @wait
  std::string wait_failure_;          // why an @wait failed: the script ends with QUIT, status 1
  std::string first_error_;           // the first ERR reply, for --fail-on-error
};

}  // namespace chat::client
