#include "client/interactive_session.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <asio/experimental/awaitable_operators.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <variant>

#include "chat/display.hpp"
#include "chat/protocol.hpp"
#include "client/client_config.hpp"
#include "client/colours.hpp"
#include "client/commands.hpp"
#include "client/reconnect_verdict.hpp"
#include "client/session_opening.hpp"

namespace chat::client {
namespace {

using namespace asio::experimental::awaitable_operators;

// How long output still queued at exit may take to reach the terminal; a terminal
// that does not read (paused, or its reader blocked) loses the rest, so that a
// signal or Ctrl-D always ends the client within about a second.
constexpr std::chrono::seconds exit_drain{1};
// The local time as HH:MM, in front of every server line and our own messages.
std::string clock_time() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  ::localtime_r(&now, &local);
  std::array<char, 8> text{};
  const auto n = std::strftime(text.data(), text.size(), "%H:%M", &local);
  return std::string(text.data(), n);
}

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
                                         const client_config& config)
    : core_(ex, connection),
      name_(config.name),
      host_(config.host),
      port_(config.port),
      tls_(config.tls),
      options_(config.session),
      colours_(colours_wanted(options_.no_color, std::getenv("NO_COLOR"), std::getenv("TERM"),
                              ::isatty(STDOUT_FILENO) != 0)),
      saved_flags_(standard_descriptor_flags()),
      output_(ex),
      input_(ex, open_terminal_for_waiting()),
      signals_(ex, SIGINT, SIGTERM, SIGHUP),
      terminal_signals_(ex, SIGWINCH, SIGTSTP),
      keepalive_(config.keepalive),
      keepalive_timer_(ex),
      leaving_(ex, asio::steady_timer::time_point::max()) {
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
  output_.log(text);
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

std::string interactive_session::painted(std::string_view text) const {
  return paint(text, state_.name() ? escape_for_terminal(*state_.name()) : std::string(), colours_);
}

std::string interactive_session::echo_of(const std::string& typed) const {
  if (typed.empty()) return state_.prompt();
  const auto line = state_.interpret(typed);
  if (state_.name() && state_.partner() && line.what == chat_state::typed_line::kind::message) {
    // Our own message (`/msg hi` too), shown as the conversation.
    return clock_time() + " " +
           painted("<" + escape_for_terminal(*state_.name()) + "> " + escape_for_terminal(line.text()));
  }
  return state_.prompt() + escape_for_terminal(typed);
}

awaitable<int> interactive_session::run(std::string greeting) {
  show(clock_time() + " " + painted(describe_server_line(greeting)));
  // The server cuts off a connection that does not register in time: ask first.
  if (!name_) show_event(ask_name);
  // Before the editor exists, so nothing typed goes out ahead of it; a failed
  // write shows as the reader's lost connection.
  if (name_) co_await core_.send("REGISTER " + *name_);
  editor_.emplace(output_.stream(), state_.prompt());
  for (;;) {
    co_await core_.run(*this);
    const auto next = verdict_after_session({.closed = core_.closed(),
                                             .quit_sent = core_.quit_sent(),
                                             .terminal_failed = output_.failed(),
                                             .bye_seen = core_.bye_seen(),
                                             .bye_reason = bye_reason_,
                                             .registered = state_.name().has_value(),
                                             .reconnect_allowed = options_.reconnect});
    if (next == after_session::reopen_quietly && co_await reopen_quietly()) continue;
    if (next != after_session::reconnect || !co_await reconnect()) break;
  }
  // What is still queued for the terminal goes before any message on stderr (a
  // bounded wait: the terminal may be paused for good).
  co_await drain_terminal();
  remove_editor();

  // Ctrl-D (or a signal) while reconnecting: the user chose to leave, with nothing to QUIT.
  if (left_offline_) co_return exit_ok;
  // After a BYE the line itself said why.
  co_return core_.exit_status({}, "connection lost");
}

void interactive_session::show_event(std::string_view text) {
  show(clock_time() + " " + painted(text));
}

awaitable<void> interactive_session::before_read() {
  if (output_.pending() <= hold_above || core_.quit_sent()) co_return;
  show_event("*** the terminal is not keeping up: incoming lines wait at the server until it does");
  // Once we leave, the socket is read again: OK BYE and the close must come in.
  co_await (output_.wait_until_pending_at_most(resume_below) || leaving_.async_wait(use_tuple));
  if (!core_.quit_sent()) show_event("*** the terminal caught up");
}

awaitable<void> interactive_session::drain_terminal() {
  const auto deadline = std::chrono::steady_clock::now() + exit_drain;
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  co_await (output_.wait_until_pending_at_most(0) || timer.async_wait(use_tuple));
  // Then the terminal's own queue (a pty whose reader is blocked holds some KiB): libedit
  // restores the terminal's modes with TCSADRAIN, which would wait for it.
  int queued = 0;
  while (output_.pending() == 0 && ::ioctl(STDIN_FILENO, TIOCOUTQ, &queued) == 0 && queued > 0 &&
         std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(use_tuple);
  }
  if (output_.pending() > 0 || queued > 0) {
    output_.drop_pending();
    ::tcflush(STDIN_FILENO, TCOFLUSH);
  }
}

bool interactive_session::on_line(std::string line) {
  if (keepalives_pending_ > 0 && line == keepalive_pong) {
    --keepalives_pending_;
    return true;
  }
  state_.observe(line);
  const auto [head, rest] = protocol::split_server_line(line);
  if (head == "BYE") {
    bye_reason_ = protocol::split_word(rest).first;
    // Not shown: the client connects again and goes on asking (verdict_after_session).
    if (bye_reason_ == "REGISTER_TIMEOUT" && !state_.name()) return true;
  }
  // The bell only while nothing is half-typed: it would interrupt typing.
  if (options_.bell && head == "MSG" && editor_ && editor_->line_empty()) output_.write("\a");
  show(clock_time() + " " + painted(describe(line)));
  if (draft_ && state_.name() && editor_) {
    output_.write(editor_->erase());
    editor_->put_line(*draft_);
    draft_.reset();
    editor_->redraw();
  }
  if (!state_.name() && head == "ERR") {
    const auto code = protocol::split_word(rest).first;
    if (code == "NAME_TAKEN" || code == "INVALID_NAME") show_event(ask_name);
  }
  return true;
}

awaitable<bool> interactive_session::send_typed() {
  // False only if a write failed.
  if (holding_) co_return true;
  while (!typed_.empty() && !core_.quit_sent()) {
    // The server said BYE or closed: it reads nothing more. The line waits for what
    // comes next (a new connection, "not sent" while reconnecting, or the exit).
    if ((core_.closed() || core_.bye_seen()) && !offline_) co_return true;
    auto typed = std::move(typed_.front());
    typed_.pop_front();
    if (!typed && offline_) {
      left_offline_ = true;  // nothing to QUIT: the session ends here
      co_return false;
    }
    if (!typed) {
      show("QUIT");  // Ctrl-D or the terminal gone: say what it does
      typed = "QUIT";
    } else if (typed->empty()) {
      continue;
    } else {
      if (editor_) editor_->add_history(*typed);
      if (offline_) {
        show_event("!!! not sent: not connected (Up brings the line back)");
        continue;
      }
      auto line = state_.interpret(*typed);  // / commands, messages inside a chat
      if (line.what == chat_state::typed_line::kind::refused) {
        show_event(line.line);
        continue;
      }
      if (line.line.empty()) continue;
      typed = std::move(line.line);
    }
    const auto parsed = protocol::parse_command(*typed);
    if (const auto* cmd = std::get_if<protocol::command>(&parsed); cmd && cmd->kind == protocol::command_kind::who) {
      who_asked_.push_back(cmd->argument);
    }
    const bool sent = co_await core_.send(std::move(*typed));
    if (core_.quit_sent()) leaving_.cancel();
    if (!sent) co_return false;
  }
  co_return true;
}

awaitable<void> interactive_session::suspend() {
  // The shell gets the terminal back as it was: its own modes, no bracketed paste.
  editor_->suspend();
  co_await drain_terminal();
  editor_->give_back_terminal();
  ::raise(SIGSTOP);  // returns on SIGCONT (fg)
  editor_->resume();
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
          const auto echo = echo_of(key->line);
          output_.write(key->erase + echo + "\n");
          output_.log(echo);
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

awaitable<void> interactive_session::feed() {
  // Lines held while the connection was opened again quietly.
  if (!typed_.empty() && (!co_await send_typed() || (core_.closed() && !offline_))) co_return;
  while (!core_.quit_sent()) {
    int pending = 0;
    if (::ioctl(STDIN_FILENO, FIONREAD, &pending) == 0 && pending > 0) {
      // Keys that came while another event won the race below: asio's epoll
      // waits are edge-triggered, and that edge is spent.
      if (!read_terminal()) typed_.emplace_back(std::nullopt);
      if (!co_await send_typed() || (core_.closed() && !offline_)) co_return;
      continue;
    }
    keepalive_timer_.expires_after(keepalive_.count() > 0 ? keepalive_ : std::chrono::milliseconds(never));
    auto ready = co_await (input_.async_wait(asio::posix::stream_descriptor::wait_read, use_tuple) ||
                           signals_.async_wait(use_tuple) || keepalive_timer_.async_wait(use_tuple) ||
                           terminal_signals_.async_wait(use_tuple) || output_.wait_until_failed());
    // Cancelled, as the loser of an || (the connection gone, or back while offline):
    // the waits above completed without an event, and nothing may be queued from them.
    if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) co_return;
    if (core_.closed() && !offline_) co_return;
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
        if (offline_) continue;
        ++keepalives_pending_;
        if (!co_await core_.send(std::string(keepalive_ping))) co_return;
        continue;
      }
      case 3: {
        auto [ec, signal] = std::get<3>(ready);
        if (ec) co_return;
        if (signal == SIGTSTP) {
          co_await suspend();
          continue;
        }
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
    if (!sent || (core_.closed() && !offline_)) co_return;
  }
}

}  // namespace chat::client
