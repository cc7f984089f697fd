#include "chat/client/interactive_session.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <asio/experimental/awaitable_operators.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <variant>

#include "chat/client/client_config.hpp"
#include "chat/client/commands.hpp"
#include "chat/client/display.hpp"
#include "chat/protocol.hpp"

namespace chat::client {
namespace {

using namespace asio::experimental::awaitable_operators;

constexpr std::chrono::seconds close_grace{10};
constexpr std::chrono::seconds exit_drain{5};
// The local time as HH:MM, in front of every server line and our own messages.
std::string clock_time() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  ::localtime_r(&now, &local);
  std::array<char, 8> text{};
  const auto n = std::strftime(text.data(), text.size(), "%H:%M", &local);
  return std::string(text.data(), n);
}

constexpr std::string_view ask_name = "*** type your name (1 to 32 of A-Z a-z 0-9 _ - .)";
constexpr std::string_view keepalive_ping = "PING keepalive";
constexpr std::string_view keepalive_pong = "PONG keepalive";
// Far enough away to stand for "never" without overflowing the clock.
constexpr std::chrono::hours never{24 * 365};
// Output waiting for a slow terminal: past the first bound the socket is not read
// (the server's queue and TCP hold the rest), below the second it is read again.
constexpr std::size_t hold_above = 64 * 1024;
constexpr std::size_t resume_below = 16 * 1024;

// Opens fd 0's terminal again: asio sets O_NONBLOCK on what it waits on, and
// that must not be the description fds 0-2 share with the shell.
int open_terminal_for_waiting() {
  const int fd = ::open("/proc/self/fd/0", O_RDONLY | O_NOCTTY | O_CLOEXEC);
  return fd >= 0 ? fd : ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
}

std::array<int, 3> standard_descriptor_flags() {
  std::array<int, 3> flags{};
  for (int fd = 0; fd < 3; ++fd) flags[static_cast<std::size_t>(fd)] = ::fcntl(fd, F_GETFL);
  return flags;
}

}  // namespace

interactive_session::interactive_session(const asio::any_io_executor& ex, server_connection& connection,
                                         std::optional<std::string> name, std::chrono::milliseconds keepalive)
    : connection_(connection),
      name_(std::move(name)),
      saved_flags_(standard_descriptor_flags()),
      output_(ex),
      input_(ex, open_terminal_for_waiting()),
      signals_(ex, SIGINT, SIGTERM, SIGHUP),
      resize_(ex, SIGWINCH),
      close_timer_(ex),
      keepalive_(keepalive),
      keepalive_timer_(ex) {
  use_utf8_locale();
}

interactive_session::~interactive_session() {
  remove_editor();
  for (int fd = 0; fd < 3; ++fd) {
    const int flags = saved_flags_[static_cast<std::size_t>(fd)];
    if (flags != -1 && ::fcntl(fd, F_GETFL) != flags) ::fcntl(fd, F_SETFL, flags);
  }
}

void interactive_session::remove_editor() {
  if (!editor_) return;
  // Wipe the prompt and line, then give the terminal back in its own mode.
  output_.write(editor_->erase());
  editor_.reset();
}

void interactive_session::show(std::string_view text) {
  // libedit has no call to clear its lines: wipe them by hand ...
  std::string out = editor_ ? editor_->erase() : std::string();
  out.append(text);
  out += '\n';
  output_.write(out);
  // ... and let libedit draw prompt (it may have changed) and the half-typed line again from its own buffer.
  if (editor_) {
    editor_->set_prompt(state_.prompt());
    editor_->redraw();
  }
}

std::string interactive_session::describe(std::string_view line) {
  const auto [head, rest] = protocol::split_server_line(line);
  if (head == "OK" && protocol::split_word(rest).first == "WHO") {
    std::string asked;
    if (!who_asked_.empty()) {
      asked = std::move(who_asked_.front());
      who_asked_.pop_front();
    }
    if (editor_) editor_->set_names(who_reply_names(line));
    return describe_who_reply(line, asked);
  }
  // The server's HELP knows the commands; the client adds its typing rules.
  if (head == "OK" && protocol::split_word(rest).first == "HELP") {
    return describe_server_line(line) + "\n" + std::string(typing_help);
  }
  return describe_server_line(line);
}

std::string interactive_session::echo_of(const std::string& typed) const {
  const auto sent = typed.empty() ? std::string() : state_.to_send(typed);
  if (state_.name() && state_.partner() && sent.starts_with("MSG ")) {
    // Our own message, shown as the conversation.
    return clock_time() + " <" + escape_for_terminal(*state_.name()) + "> " +
           escape_for_terminal(std::string_view(sent).substr(4));
  }
  return state_.prompt() + escape_for_terminal(typed);
}

awaitable<int> interactive_session::run(std::string greeting) {
  show(clock_time() + " " + describe_server_line(greeting));
  // The server cuts off a connection that does not register in time: ask first.
  if (!name_) show(std::string(ask_name));
  co_await (read_loop() || input_loop());
  remove_editor();
  // What is still queued for the terminal goes before any message on stderr (a
  // bounded wait: the terminal may be paused for good).
  asio::steady_timer drain_deadline(co_await asio::this_coro::executor, exit_drain);
  co_await (output_.wait_until_pending_at_most(0) || drain_deadline.async_wait(use_tuple));

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

awaitable<void> interactive_session::hold_while_terminal_is_behind() {
  if (output_.pending() <= hold_above) co_return;
  show("*** the terminal is not keeping up: incoming lines wait at the server until it does");
  co_await output_.wait_until_pending_at_most(resume_below);
  show("*** the terminal caught up");
}

awaitable<void> interactive_session::read_loop() {
  for (;;) {
    co_await hold_while_terminal_is_behind();
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
    if (keepalives_pending_ > 0 && line == keepalive_pong) {
      --keepalives_pending_;
      continue;
    }
    state_.observe(line);
    show(clock_time() + " " + describe(line));
    if (!state_.name() && head == "ERR") {
      const auto code = protocol::split_word(rest).first;
      if (code == "NAME_TAKEN" || code == "INVALID_NAME") show(std::string(ask_name));
    }
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
      show("QUIT");  // Ctrl-D or the terminal gone: say what it does
      typed = "QUIT";
    } else if (typed->empty()) {
      continue;
    } else {
      if (editor_) editor_->add_history(*typed);
      typed = state_.to_send(*typed);  // / commands, messages inside a chat
      if (typed->empty()) continue;
    }
    const auto parsed = protocol::parse_command(*typed);
    if (const auto* cmd = std::get_if<protocol::command>(&parsed); cmd && cmd->kind == protocol::command_kind::who) {
      who_asked_.push_back(cmd->argument);
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

bool interactive_session::read_terminal() {
  for (bool first = true;; first = false) {
    int pending = 0;
    if (::ioctl(STDIN_FILENO, FIONREAD, &pending) != 0) return false;  // EIO: hung up
    if (pending > 0) {
      if (auto key = editor_->read_key()) {
        if (key->end_of_input) {
          typed_.emplace_back(std::nullopt);
        } else {
          // The line as typed gives way to what it stands for.
          output_.write(key->erase + echo_of(key->line) + "\n");
          editor_->start_new_line();
          typed_.emplace_back(std::move(key->line));
        }
      }
      continue;
    }
    if (!first) return true;
    // Woken with nothing to read: a hang-up, unless the wake-up was spurious.
    pollfd p{STDIN_FILENO, POLLIN, 0};
    if (::poll(&p, 1, 0) < 0) return true;
    return (p.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) == 0;
  }
}

awaitable<void> interactive_session::edit_and_send() {
  if (name_) {
    auto line = "REGISTER " + *name_;
    if (!co_await send(std::move(line))) co_return;
  }
  editor_.emplace(output_.stream(), state_.prompt());
  while (!quit_sent_) {
    int pending = 0;
    if (::ioctl(STDIN_FILENO, FIONREAD, &pending) == 0 && pending > 0) {
      // Keys that came while another event won the race below: asio's epoll
      // waits are edge-triggered, and that edge is spent.
      if (!read_terminal()) typed_.emplace_back(std::nullopt);
      if (!co_await send_typed() || closed_) co_return;
      continue;
    }
    keepalive_timer_.expires_after(keepalive_.count() > 0 ? keepalive_ : std::chrono::milliseconds(never));
    auto ready = co_await (input_.async_wait(asio::posix::stream_descriptor::wait_read, use_tuple) ||
                           signals_.async_wait(use_tuple) || keepalive_timer_.async_wait(use_tuple) ||
                           resize_.async_wait(use_tuple) || output_.wait_until_failed());
    if (closed_) co_return;
    switch (ready.index()) {
      case 0: {
        auto [ec] = std::get<0>(ready);
        // EOF or EIO on the terminal (its window closed) acts like Ctrl-D.
        if (ec || !read_terminal()) typed_.emplace_back(std::nullopt);
        break;
      }
      case 1: {
        auto [ec, signal] = std::get<1>(ready);
        if (ec) co_return;  // cancelled: the connection is gone
        typed_.clear();
        typed_.emplace_back(std::nullopt);
        break;
      }
      case 2: {
        // Idle for a whole keepalive period: a PING keeps the server's idle timeout away.
        auto [ec] = std::get<2>(ready);
        if (ec) co_return;
        ++keepalives_pending_;
        if (!co_await send(std::string(keepalive_ping))) co_return;
        continue;
      }
      case 3: {
        auto [ec, signal] = std::get<3>(ready);
        if (ec) co_return;
        // The terminal reflowed the rows to its new width: wipe them, draw again.
        output_.write(editor_->erase());
        editor_->redraw();
        continue;
      }
      default:
        // The terminal cannot be written any more: nobody is there to type either.
        typed_.clear();
        typed_.emplace_back(std::nullopt);
        break;
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
