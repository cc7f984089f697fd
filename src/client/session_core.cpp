#include "client/session_core.hpp"

#include <asio/experimental/awaitable_operators.hpp>
#include <cstdio>

#include "chat/protocol.hpp"
#include "client/client_config.hpp"
#include "client/commands.hpp"

namespace chat::client {

using namespace asio::experimental::awaitable_operators;

session_core::session_core(const asio::any_io_executor& ex, server_connection& connection)
    : connection_(connection), changed_(ex, asio::steady_timer::time_point::max()) {}

awaitable<void> session_core::run(front_end& front) {
  // Whichever side ends first cancels the other: the reader ends when the
  // connection does (or the front end stops it), the feeding side only after the
  // connection is gone or given up.
  co_await (read_loop(front) || feed_then_wait_for_close(front));
}

awaitable<void> session_core::read_loop(front_end& front) {
  for (;;) {
    co_await front.before_read();
    auto [ec, line] = co_await connection_.read_line();
    if (ec) {
      closed_ = true;
      close_error_ = ec;
      changed_.cancel();
      co_return;
    }
    if (protocol::split_server_line(line).head == "BYE") bye_seen_ = true;
    if (line == "OK BYE") ok_bye_seen_ = true;
    const bool more = front.on_line(std::move(line));
    changed_.cancel();
    if (!more) co_return;
  }
}

awaitable<void> session_core::feed_then_wait_for_close(front_end& front) {
  co_await front.feed();
  // Even after a failed write: the reader may still have lines to show (a BYE
  // that raced our write), so it decides when the session is over. OK BYE, then
  // the server closes; a deadline in case it never does.
  const auto deadline = std::chrono::steady_clock::now() + close_grace;
  while (!closed_) {
    if (!co_await wait_for_change(deadline)) {
      close_timed_out_ = true;
      co_return;
    }
  }
}

awaitable<bool> session_core::send(std::string line) {
  if (closed_) co_return false;
  if (is_quit(line)) quit_sent_ = true;
  const auto ec = co_await connection_.write_line(std::move(line));
  co_return !ec;
}

awaitable<bool> session_core::wait_for_change(std::chrono::steady_clock::time_point deadline) {
  changed_.expires_at(deadline);
  auto [ec] = co_await changed_.async_wait(use_tuple);
  co_return ec == asio::error::operation_aborted;
}

int session_core::exit_status(std::string_view on_bye, std::string_view on_lost) const {
  if (bye_seen_) {
    if (!on_bye.empty()) std::fprintf(stderr, "chat-client: %.*s\n", static_cast<int>(on_bye.size()), on_bye.data());
    return exit_connection_lost;
  }
  if (quit_sent_ && ok_bye_seen_ && closed_ && !close_timed_out_) return exit_ok;
  if (close_timed_out_) {
    std::fprintf(stderr, "chat-client: the server did not close the connection after OK BYE\n");
  } else {
    const auto why = describe_read_error(close_error_);
    std::fprintf(stderr, "chat-client: %.*s: %s\n", static_cast<int>(on_lost.size()), on_lost.data(), why.c_str());
  }
  return exit_connection_lost;
}

std::string session_core::lost_reason() const {
  return describe_read_error(close_error_);
}

void session_core::reset() {
  quit_sent_ = ok_bye_seen_ = bye_seen_ = closed_ = close_timed_out_ = false;
  close_error_ = {};
}

}  // namespace chat::client
