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
#include <random>
#include <variant>

#include "chat/display.hpp"
#include "chat/protocol.hpp"
#include "client/backoff.hpp"
#include "client/client_config.hpp"
#include "client/colours.hpp"
#include "client/commands.hpp"
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

// "1.2 s": a delay as the user reads it.
std::string seconds_text(std::chrono::milliseconds delay) {
  std::array<char, 32> text{};
  const int n = std::snprintf(text.data(), text.size(), "%.1f s", static_cast<double>(delay.count()) / 1000.0);
  return std::string(text.data(), static_cast<std::size_t>(std::max(n, 0)));
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
      resize_(ex, SIGWINCH),
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
    // The server's register timeout is no reason to hurry someone asked for a name.
    if (asking_name_cut_off() && co_await reopen_quietly()) continue;
    // A BYE other than SHUTDOWN is the server's verdict on this client (idle,
    // too slow, ...): coming back would defeat it. A restart or a lost network is not.
    const bool dropped = ended_without_quit() && (!core_.bye_seen() || bye_reason_ == "SHUTDOWN");
    if (!dropped || !options_.reconnect || !co_await reconnect()) break;
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

bool interactive_session::ended_without_quit() const {
  return core_.closed() && !core_.quit_sent() && !output_.failed();
}

bool interactive_session::asking_name_cut_off() const {
  return ended_without_quit() && core_.bye_seen() && bye_reason_ == "REGISTER_TIMEOUT" && !state_.name();
}

void interactive_session::adopt(session_opening opened) {
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

void interactive_session::show_event(std::string_view text) {
  show(clock_time() + " " + painted(text));
}

awaitable<bool> interactive_session::reconnect() {
  lost_reason_ = core_.bye_seen() ? "the server said BYE " + bye_reason_ : core_.lost_reason();
  bye_reason_.clear();
  show_event("*** connection lost (" + lost_reason_ + "): reconnecting");
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
  std::optional<std::chrono::steady_clock::time_point> name_deadline;
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
    if (co_await register_again(*name, name_deadline, next)) co_return;
    core_.connection().close();
  }
}

awaitable<bool> interactive_session::register_again(const std::string& name,
                                                    std::optional<std::chrono::steady_clock::time_point>& name_deadline,
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
  const auto [head, rest] = protocol::split_server_line(line);
  const auto now = std::chrono::steady_clock::now();
  if (head == "ERR" && protocol::split_word(rest).first == "NAME_TAKEN") {
    // Most likely our own old connection, which the server has not yet seen
    // close: it lets the name go when it does, at the latest after its idle timeout.
    if (!name_deadline) name_deadline = now + options_.name_wait;
    if (now + next_delay < *name_deadline) {
      show_event("*** the name " + escape_for_terminal(name) +
                 " is still taken (the server has not yet noticed the old connection is gone); next try in " +
                 seconds_text(next_delay));
      co_return false;
    }
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
    // Not shown: the client connects again and goes on asking (asking_name_cut_off).
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
                           resize_.async_wait(use_tuple) || output_.wait_until_failed());
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
