// The interactive session's way back after its connection ended: the I/O of
// connecting again (with backoff.hpp's delays, keys still handled meanwhile) and of
// registering the name again; reconnect_verdict.hpp decides each next step.
#include <asio/experimental/awaitable_operators.hpp>
#include <chrono>
#include <cstdio>
#include <random>

#include "chat/display.hpp"
#include "chat/protocol.hpp"
#include "client/backoff.hpp"
#include "client/frame_allocation_warning.hpp"
#include "client/interactive_session.hpp"
#include "client/reconnect_verdict.hpp"

namespace chat::client {
namespace {

using namespace asio::experimental::awaitable_operators;

// "1.2 s": a delay as the user reads it.
std::string seconds_text(std::chrono::milliseconds delay) {
  std::array<char, 32> text{};
  const int n = std::snprintf(text.data(), text.size(), "%.1f s", static_cast<double>(delay.count()) / 1000.0);
  return std::string(text.data(), static_cast<std::size_t>(std::max(n, 0)));
}

}  // namespace

// Its coroutines moved here from interactive_session.cpp, where GCC did not see them next to the frame's delete.
CHAT_FRAME_ALLOCATION_WARNING_OFF  // client/frame_allocation_warning.hpp

    void
    interactive_session::adopt(session_opening opened) {
  core_.connection().close();
  core_.connection() = std::move(*opened.connection);
  core_.reset();
  // Replies still owed by the old connection never come.
  who_asked_.clear();
  keepalives_pending_ = 0;
}

std::string interactive_session::why_not_opened(const session_opening& opened) {
  return escape_for_terminal(opened.problem.empty() ? describe_server_line(opened.greeting) : opened.problem);
}

awaitable<bool> interactive_session::reopen_quietly() {
  bye_reason_.clear();
  offline_ = true;
  holding_ = true;
  // Keys are still handled meanwhile: the half-typed name stays where it is, and a
  // line finished meanwhile waits for the new connection.
  auto done = co_await (open_session(host_, port_, tls_) || feed());
  offline_ = false;
  holding_ = false;
  if (done.index() != 0) co_return false;  // the user left
  auto opened = std::get<0>(std::move(done));
  if (opened.status != exit_ok) {
    show_event(
        "*** the server closed the connection while you chose a name (REGISTER_TIMEOUT) and cannot be "
        "reached again: " +
        why_not_opened(opened));
    co_return false;
  }
  adopt(std::move(opened));
  co_return true;
}

awaitable<bool> interactive_session::reconnect() {
  const auto lost_reason = core_.bye_seen() ? "the server said BYE " + bye_reason_ : core_.lost_reason();
  bye_reason_.clear();
  show_event("*** connection lost (" + lost_reason + "): reconnecting");
  if (state_.partner()) {
    // Whether the server is still there to tell the partner is not known yet.
    show_event("*** the chat with " + escape_for_terminal(*state_.partner()) + " has ended with the connection");
    state_.end_chat();
  }
  offline_ = true;
  // Keys are still handled: the half-typed line stays, Ctrl-D or Ctrl-C leaves.
  const auto done = co_await (reconnect_with_backoff() || feed());
  offline_ = false;
  co_return done.index() == 0;
}

awaitable<void> interactive_session::reconnect_with_backoff() {
  // The name to register again: the one registered, or the --name not yet confirmed.
  const auto name = state_.name() ? state_.name() : name_;
  name_reclaim reclaim(options_.name_wait);
  std::random_device random;
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (int attempt = 0;; ++attempt) {
    const auto delay = backoff_delay(attempt, jitter(random));
    timer.expires_after(delay);
    co_await timer.async_wait(use_tuple);
    auto opened = co_await open_session(host_, port_, tls_);
    const auto next = backoff_delay(attempt + 1, jitter(random));
    if (opened.status != exit_ok) {
      show_event("*** not connected: " + why_not_opened(opened) + "; next try in " + seconds_text(next));
      continue;
    }
    const auto greeting = std::move(opened.greeting);
    adopt(std::move(opened));
    show_event(describe_server_line(greeting));
    if (!name) {
      show_event(ask_name);
      co_return;
    }
    if (co_await register_again(*name, reclaim, next)) co_return;
    core_.connection().close();
  }
}

awaitable<bool> interactive_session::register_again(const std::string& name, name_reclaim& reclaim,
                                                    std::chrono::milliseconds next_delay) {
  if (!co_await core_.send("REGISTER " + name)) co_return false;
  asio::steady_timer timer(co_await asio::this_coro::executor, core_.close_grace);
  auto reply = co_await (core_.connection().read_line() || timer.async_wait(use_tuple));
  if (reply.index() == 1) {
    show_event("*** no reply to REGISTER; next try in " + seconds_text(next_delay));
    co_return false;
  }
  auto [ec, line] = std::get<0>(std::move(reply));
  if (ec) {
    show_event("*** connection lost again (" + describe_read_error(ec) + "); next try in " + seconds_text(next_delay));
    co_return false;
  }
  const auto step = reclaim.on_reply(line, name_reclaim::clock::now(), next_delay);
  if (step == name_reclaim::step::retry) {
    show_event("*** the name " + escape_for_terminal(name) +
               " is still taken (the server has not yet noticed the old connection is gone); next try in " +
               seconds_text(next_delay));
    co_return false;
  }
  if (step == name_reclaim::step::ask_another_name) {
    state_ = chat_state{};  // unregistered: the next line typed is the name wanted
    name_.reset();          // nor is the name given at the start retried after a later drop
    if (editor_ && !editor_->line_empty()) {
      // A half-typed message is no name: kept aside until a name is registered.
      output_.write(editor_->erase());
      draft_ = editor_->take_line();
    }
  }
  on_line(std::move(line));  // registered, or asks for another name
  co_return true;
}

CHAT_FRAME_ALLOCATION_WARNING_ON

}  // namespace chat::client
