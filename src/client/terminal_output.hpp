// Everything the interactive client puts on its terminal, in order, without ever
// dropping a byte. A terminal can be slower than the network (a paused tmux pane,
// Ctrl-S, a slow link): bytes then wait here, and the session stops reading its
// socket once too many are waiting, so TCP pushes back on the server instead.
//
// The terminal is written through a descriptor of its own, opened anew on the
// same device with O_NONBLOCK: fds 0, 1 and 2 share one open file description
// with the parent shell, and O_NONBLOCK set on it would make the shell's (and
// our own stdio's) writes fail with EAGAIN.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "chat/net.hpp"

namespace chat::client {

class terminal_output {
 public:
  explicit terminal_output(const asio::any_io_executor& ex);
  ~terminal_output();
  terminal_output(const terminal_output&) = delete;
  terminal_output& operator=(const terminal_output&) = delete;

  // Queues bytes after everything queued before (libedit's pending output
  // included) and writes what the terminal takes now; the rest is written as it
  // becomes writable. Never blocks, never drops. Ignored once failed().
  void write(std::string_view bytes);

  // With stdout a file (`chat-client > log`) and stdin a terminal, the screen is
  // stdin's terminal and stdout a log of the conversation: `line` (no escape sequences,
  // no colours) is appended to it. Nothing happens otherwise.
  void log(std::string_view line);
  // A stdio stream for libedit: its bytes join the same queue, in order.
  FILE* stream() const { return stream_; }

  // Bytes accepted by write() and not yet taken by the terminal.
  std::size_t pending() const { return queue_.size() - written_; }

  // Forgets what the terminal has not taken (at exit, when it does not read).
  void drop_pending();
  // The terminal is gone (EIO after a hang-up, EPIPE, ...): nothing more can be shown.
  bool failed() const { return failed_; }

  // Waits until at most `level` bytes are pending or the terminal failed.
  awaitable<void> wait_until_pending_at_most(std::size_t level);

  // Waits until the terminal fails (hang-up); for the session's loops to race against.
  awaitable<void> wait_until_failed();

 private:
  static ssize_t stream_write(void* cookie, const char* data, std::size_t size);
  void append(std::string_view bytes);
  // Writes until the queue is empty or the terminal would block, then waits for room.
  void flush_now();
  void fail();

  bool log_ = false;  // stdout is a log, the screen stdin's terminal (log())
  int fd_ = -1;
  std::optional<asio::posix::stream_descriptor> writable_;  // waits for room on fd_
  FILE* stream_ = nullptr;
  std::string queue_;  // bytes [written_, size) are still to be written
  std::size_t written_ = 0;
  bool waiting_ = false;  // an async_wait for room is pending
  bool failed_ = false;
  asio::steady_timer changed_;  // cancelled whenever pending() shrinks or the terminal fails
};

}  // namespace chat::client
