#include "client/script_session.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>

#include "chat/display.hpp"
#include "chat/protocol.hpp"
#include "client/client_config.hpp"
#include "client/commands.hpp"
#include "client/line_pattern.hpp"

namespace chat::client {
namespace {

// Far enough away to stand for "no deadline".
constexpr auto never = std::chrono::steady_clock::time_point::max();
// Lines kept for a later @wait: a script that never waits must not grow without bound.
constexpr std::size_t max_unmatched_lines = 10000;

// Writes a server line to stdout, whole: a pipe that is full is waited for (the
// loop then stops reading the socket, and TCP pushes back). False with errno set
// if stdout is closed (EPIPE: the reader left) or failed.
bool print_line(std::string_view line) {
  auto text = escape_for_terminal(line);
  text += '\n';
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto n = ::write(STDOUT_FILENO, rest.data(), rest.size());
    if (n >= 0) {
      rest.remove_prefix(static_cast<std::size_t>(n));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      pollfd p{STDOUT_FILENO, POLLOUT, 0};  // non-blocking by someone else's choice
      ::poll(&p, 1, -1);
    } else if (errno != EINTR) {
      return false;
    }
  }
  return true;
}

// A token no script is likely to use, so its PONG is known to be ours.
std::string make_eof_token() {
  std::random_device random;
  return "chat-client-eof-" + std::to_string(::getpid()) + "-" + std::to_string(random());
}

}  // namespace

script_session::script_session(const asio::any_io_executor& ex, server_connection& connection, stdin_lines& input,
                               const client_config& config)
    : core_(ex, connection), input_(input), name_(config.name), fail_on_error_(config.session.fail_on_error) {}

awaitable<int> script_session::run(std::string greeting) {
  if (print_line(greeting)) {
    co_await core_.run(*this);
  } else {
    stdout_error_ = errno;
  }

  if (!wait_failure_.empty()) {
    std::fprintf(stderr, "chat-client: %s\n", wait_failure_.c_str());
    co_return exit_connection_lost;
  }
  if (stdout_error_ != 0) {
    // Like any filter whose reader left (| head): stop, and say so.
    std::fprintf(stderr, "chat-client: cannot write to stdout: %s\n", std::strerror(stdout_error_));
    co_return exit_connection_lost;
  }
  const int status = core_.exit_status("the server ended the session", "connection lost before the script was done");
  // A failed session says so first; one that went well fails on the ERR.
  if (status == exit_ok && fail_on_error_ && !first_error_.empty()) {
    std::fprintf(stderr, "chat-client: --fail-on-error: the server answered %s\n",
                 escape_for_terminal(first_error_).c_str());
    co_return exit_error_reply;
  }
  co_return status;
}

bool script_session::on_line(std::string line) {
  const auto [head, rest] = protocol::split_server_line(line);
  if (!eof_token_.empty() && head == "PONG" && rest == eof_token_) {
    eof_pong_seen_ = true;  // the client's own check: not part of the transcript
    return true;
  }
  if (head == "ERR" && first_error_.empty()) first_error_ = line;
  // The reply to our own closing QUIT is housekeeping, like the PING.
  if (line == "OK BYE" && !script_quit_) return true;
  if (!print_line(line)) {
    stdout_error_ = errno;
    return false;
  }
  received_.push_back(escape_for_terminal(line));  // for @wait, as printed
  if (received_.size() > max_unmatched_lines) {
    received_.pop_front();
    if (unmatched_ > 0) --unmatched_;
  }
  return true;
}

awaitable<void> script_session::feed() {
  if (name_) {
    auto line = "REGISTER " + *name_;
    if (!co_await core_.send(std::move(line))) co_return;
  }
  for (std::size_t number = 1;; ++number) {
    auto line = co_await input_.next_line();
    if (!line || core_.closed()) break;
    if (line->empty()) continue;
    if (line->starts_with(directive_mark)) {
      if (!co_await wait_for_line(*line, number)) break;  // failed: QUIT below, then exit 1
      continue;
    }
    const bool quit = is_quit(*line);
    script_quit_ = script_quit_ || quit;
    // The server reads nothing after QUIT: the rest of the script is ignored.
    if (!co_await core_.send(std::move(*line)) || quit) co_return;
  }
  if (core_.closed()) co_return;
  if (wait_failure_.empty()) {
    eof_token_ = make_eof_token();
    auto ping = "PING " + eof_token_;
    if (!co_await core_.send(std::move(ping))) co_return;
    while (!eof_pong_seen_ && !core_.closed()) co_await core_.wait_for_change(never);
    if (core_.closed()) co_return;
  }
  std::string quit = "QUIT";
  co_await core_.send(std::move(quit));
}

awaitable<bool> script_session::wait_for_line(std::string_view directive_line, std::size_t number) {
  auto parsed = parse_directive(directive_line);
  std::string problem;
  const auto* directive = std::get_if<wait_directive>(&parsed);
  const auto pattern = directive ? line_pattern::compile(directive->pattern, &problem) : std::nullopt;
  if (!pattern) {
    if (directive) problem = "@wait REGEX is not a valid ECMAScript regular expression: " + problem;
    wait_failure_ = "bad script line " + std::to_string(number) + " (" +
                    (directive ? problem : std::get<std::string>(parsed)) + "): " + std::string(directive_line);
    co_return false;
  }
  const auto deadline = std::chrono::steady_clock::now() + directive->timeout;
  for (;;) {
    for (; unmatched_ < received_.size(); ++unmatched_) {
      if (pattern->found_in(received_[unmatched_])) {
        received_.erase(received_.begin(), received_.begin() + static_cast<std::ptrdiff_t>(unmatched_) + 1);
        unmatched_ = 0;
        co_return true;
      }
    }
    if (core_.closed()) {
      wait_failure_ = "@wait: the connection ended before a line matched: " + directive->pattern;
      co_return false;
    }
    if (!co_await core_.wait_for_change(deadline)) {
      wait_failure_ = "@wait: no line matched in " + std::to_string(directive->timeout.count() / 1000) +
                      " s: " + directive->pattern;
      co_return false;
    }
  }
}

}  // namespace chat::client
