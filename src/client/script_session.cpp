#include "chat/client/script_session.hpp"

#include <poll.h>
#include <unistd.h>

#include <asio/experimental/awaitable_operators.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <random>

#include "chat/client/client_config.hpp"
#include "chat/client/commands.hpp"
#include "chat/client/display.hpp"
#include "chat/client/line_pattern.hpp"
#include "chat/protocol.hpp"

namespace chat::client {
namespace {

using namespace asio::experimental::awaitable_operators;

// How long the server may take to close after OK BYE before we give up on it.
constexpr std::chrono::seconds close_grace{10};
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
                               std::optional<std::string> name)
    : connection_(connection),
      input_(input),
      name_(std::move(name)),
      wake_(ex, asio::steady_timer::time_point::max()) {}

awaitable<int> script_session::run(std::string greeting) {
  // Whichever loop ends first cancels the other: the reader ends when the
  // connection does or stdout fails, the input loop only after the connection is
  // gone or given up.
  if (print_line(greeting)) {
    co_await (read_loop() || input_loop());
  } else {
    stdout_error_ = errno;
  }

  if (!wait_failure_.empty()) {
    std::fprintf(stderr, "chat-client: @wait: %s\n", wait_failure_.c_str());
    co_return exit_connection_lost;
  }
  if (stdout_error_ != 0) {
    // Like any filter whose reader left (| head): stop, and say so.
    std::fprintf(stderr, "chat-client: cannot write to stdout: %s\n", std::strerror(stdout_error_));
    co_return exit_connection_lost;
  }

  if (bye_seen_) {
    std::fprintf(stderr, "chat-client: the server ended the session\n");
    co_return exit_connection_lost;
  }
  if (quit_sent_ && ok_bye_seen_ && closed_ && !close_timed_out_) co_return exit_ok;
  if (close_timed_out_) {
    std::fprintf(stderr, "chat-client: the server did not close the connection after OK BYE\n");
  } else {
    const auto why = describe_read_error(close_error_);
    std::fprintf(stderr, "chat-client: connection lost before the script was done: %s\n", why.c_str());
  }
  co_return exit_connection_lost;
}

awaitable<void> script_session::read_loop() {
  for (;;) {
    auto [ec, line] = co_await connection_.read_line();
    if (ec) {
      closed_ = true;
      close_error_ = ec;
      wake_.cancel();
      co_return;
    }
    const auto [head, rest] = protocol::split_server_line(line);
    if (!eof_token_.empty() && head == "PONG" && rest == eof_token_) {
      eof_pong_seen_ = true;  // the client's own check: not part of the transcript
      wake_.cancel();
      continue;
    }
    if (head == "BYE") bye_seen_ = true;
    if (line == "OK BYE") {
      ok_bye_seen_ = true;
      wake_.cancel();
      // The reply to our own closing QUIT is housekeeping, like the PING.
      if (!script_quit_) continue;
    }
    if (!print_line(line)) {
      stdout_error_ = errno;
      co_return;
    }
    received_.push_back(escape_for_terminal(line));  // for @wait, as printed
    if (received_.size() > max_unmatched_lines) {
      received_.pop_front();
      if (unmatched_ > 0) --unmatched_;
    }
    wake_.cancel();
  }
}

awaitable<bool> script_session::send(std::string line) {
  if (closed_) co_return false;
  const auto ec = co_await connection_.write_line(std::move(line));
  co_return !ec;
}

awaitable<void> script_session::wait_for_reader() {
  co_await wake_.async_wait(use_tuple);
}

awaitable<void> script_session::input_loop() {
  co_await feed_script();
  // Even after a failed write: the reader may still have lines to print (a BYE
  // that raced our write), so it decides when the session is over.
  co_await wait_for_close();
}

awaitable<void> script_session::feed_script() {
  if (name_) {
    auto line = "REGISTER " + *name_;
    if (!co_await send(std::move(line))) co_return;
  }
  for (;;) {
    auto line = co_await input_.next_line();
    if (!line || closed_) break;
    if (line->empty()) continue;
    if (line->starts_with(wait_directive_prefix)) {
      if (!co_await wait_for_line(*line)) break;  // failed: QUIT below, then exit 1
      continue;
    }
    const bool quit = is_quit(*line);
    script_quit_ = script_quit_ || quit;
    if (!co_await send(std::move(*line))) co_return;
    if (quit) {
      // The server reads nothing after QUIT: the rest of the script is ignored.
      quit_sent_ = true;
      co_return;
    }
  }
  if (closed_) co_return;
  if (!wait_failure_.empty()) {
    quit_sent_ = true;
    std::string quit = "QUIT";
    co_await send(std::move(quit));
    co_return;
  }

  eof_token_ = make_eof_token();
  auto ping = "PING " + eof_token_;
  if (!co_await send(std::move(ping))) co_return;
  while (!eof_pong_seen_ && !closed_) co_await wait_for_reader();
  if (closed_) co_return;
  quit_sent_ = true;
  std::string quit = "QUIT";
  co_await send(std::move(quit));
}

awaitable<bool> script_session::wait_for_line(std::string_view directive_line) {
  const auto directive = parse_wait_directive(directive_line);
  const auto pattern = directive ? line_pattern::compile(directive->pattern) : std::nullopt;
  if (!pattern) {
    wait_failure_ = "bad script line (@wait SECONDS REGEX): " + std::string(directive_line);
    co_return false;
  }
  asio::steady_timer deadline(co_await asio::this_coro::executor, directive->timeout);
  for (;;) {
    for (; unmatched_ < received_.size(); ++unmatched_) {
      if (pattern->found_in(received_[unmatched_])) {
        received_.erase(received_.begin(), received_.begin() + static_cast<std::ptrdiff_t>(unmatched_) + 1);
        unmatched_ = 0;
        co_return true;
      }
    }
    if (closed_) {
      wait_failure_ = "the connection ended before a line matched: " + directive->pattern;
      co_return false;
    }
    const auto woken = co_await (wake_.async_wait(use_tuple) || deadline.async_wait(use_tuple));
    if (woken.index() == 1) {
      wait_failure_ =
          "no line matched in " + std::to_string(directive->timeout.count() / 1000) + " s: " + directive->pattern;
      co_return false;
    }
  }
}

awaitable<void> script_session::wait_for_close() {
  // OK BYE, then the server closes; a deadline in case it never does.
  wake_.expires_after(close_grace);
  while (!closed_) {
    auto [ec] = co_await wake_.async_wait(use_tuple);
    if (!ec) {
      close_timed_out_ = true;
      co_return;
    }
  }
}

}  // namespace chat::client
