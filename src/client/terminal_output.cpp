#include "client/terminal_output.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

namespace chat::client {
namespace {

// The most handed to one write(2): a terminal takes a few KiB at a time anyway.
constexpr std::size_t max_write = 64 * 1024;
// At exit, how long bytes still queued may take to reach a slow terminal (the
// session has already waited for most of them).
constexpr int exit_drain_ms = 500;

// stdout is neither a terminal nor a pipe (a file: `chat-client > log`), while
// stdin is a terminal: the screen is then stdin's terminal, and stdout a log.
bool stdout_is_a_log() {
  struct stat info {};
  if (::isatty(STDOUT_FILENO) != 0 || ::isatty(STDIN_FILENO) == 0) return false;
  return ::fstat(STDOUT_FILENO, &info) != 0 || !S_ISFIFO(info.st_mode);
}

// Opens fd 1's terminal or pipe again (fd 0's terminal when stdout is a log): a new
// open file description, so the O_NONBLOCK we need stays ours. -1 if it cannot.
int open_own_description(bool log) {
  struct stat info {};
  if (log) return ::open("/proc/self/fd/0", O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (::fstat(STDOUT_FILENO, &info) != 0) return -1;
  if (::isatty(STDOUT_FILENO) == 0 && !S_ISFIFO(info.st_mode)) return -1;
  return ::open("/proc/self/fd/1", O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
}

}  // namespace

terminal_output::terminal_output(const asio::any_io_executor& ex)
    : log_(stdout_is_a_log()), changed_(ex, asio::steady_timer::time_point::max()) {
  fd_ = open_own_description(log_);
  // A regular file or a socket: share fd 1's description, whose writes then
  // block (files never do for long); EAGAIN is still handled should it be non-blocking.
  if (fd_ < 0) fd_ = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  if (fd_ >= 0) writable_.emplace(ex, ::dup(fd_));
  const cookie_io_functions_t functions{nullptr, &terminal_output::stream_write, nullptr, nullptr};
  stream_ = ::fopencookie(this, "w", functions);
  if (stream_ != nullptr) std::setvbuf(stream_, nullptr, _IOFBF, 4096);
  if (fd_ < 0) fail();
}

terminal_output::~terminal_output() {
  if (stream_ != nullptr) std::fclose(stream_);  // its last bytes join the queue
  // The last lines (a bye, the server's reason) are worth a short wait on a slow terminal.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(exit_drain_ms);
  while (!failed_ && pending() > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) break;
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(left)) < 0 && errno != EINTR) break;
    const auto n = ::write(fd_, queue_.data() + written_, std::min(pending(), max_write));
    if (n > 0) {
      written_ += static_cast<std::size_t>(n);
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      break;
    }
  }
  writable_.reset();
  if (fd_ >= 0) ::close(fd_);
}

ssize_t terminal_output::stream_write(void* cookie, const char* data, std::size_t size) {
  static_cast<terminal_output*>(cookie)->append({data, size});
  return static_cast<ssize_t>(size);
}

void terminal_output::write(std::string_view bytes) {
  // libedit's bytes still in the stdio buffer were written before these.
  if (stream_ != nullptr) std::fflush(stream_);
  append(bytes);
}

void terminal_output::append(std::string_view bytes) {
  if (failed_ || bytes.empty()) return;
  queue_.append(bytes);
  flush_now();
}

void terminal_output::flush_now() {
  while (!failed_ && !waiting_ && pending() > 0) {
    const auto n = ::write(fd_, queue_.data() + written_, std::min(pending(), max_write));
    if (n > 0) {
      written_ += static_cast<std::size_t>(n);
      changed_.cancel();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Full: write again once the terminal has room.
      waiting_ = true;
      writable_->async_wait(asio::posix::stream_descriptor::wait_write, [this](asio::error_code ec) {
        // Aborted only when the destructor closes writable_: `this` is gone by the
        // time this runs, so touch nothing (ASan caught the write to waiting_).
        if (ec == asio::error::operation_aborted) return;
        waiting_ = false;
        if (ec) {
          fail();
          return;
        }
        flush_now();
      });
      break;
    }
    fail();  // EIO (hung up), EPIPE, ...: the terminal is gone
  }
  if (written_ == queue_.size()) {
    queue_.clear();
    written_ = 0;
  } else if (written_ > max_write && written_ > queue_.size() / 2) {
    queue_.erase(0, written_);
    written_ = 0;
  }
}

void terminal_output::log(std::string_view line) {
  if (!log_) return;
  std::string text(line);
  text += '\n';
  // A file: its writes block only briefly. A failed one ends the log, not the session.
  for (std::size_t done = 0; done < text.size();) {
    const auto n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      log_ = false;
      return;
    }
    done += static_cast<std::size_t>(n);
  }
}

void terminal_output::drop_pending() {
  if (stream_ != nullptr) std::fflush(stream_);
  queue_.clear();
  written_ = 0;
  changed_.cancel();
}

void terminal_output::fail() {
  failed_ = true;
  queue_.clear();
  written_ = 0;
  changed_.cancel();
}

awaitable<void> terminal_output::wait_until_pending_at_most(std::size_t level) {
  // changed_ never expires: cancel() wakes every waiter, each checks again.
  while (!failed_ && pending() > level) {
    co_await changed_.async_wait(use_tuple);
    // Cancelled from outside (the loser of an ||): stop, or the || would wait for ever.
    const auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) co_return;
  }
}

awaitable<void> terminal_output::wait_until_failed() {
  while (!failed_) {
    co_await changed_.async_wait(use_tuple);
    const auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) co_return;
  }
}

}  // namespace chat::client
