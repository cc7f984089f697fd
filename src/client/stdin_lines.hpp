// Lines of a script read from stdin when it is not a terminal. A pipe is read
// through a posix::stream_descriptor so the server's lines keep coming while the
// script is silent. epoll refuses regular files and /dev/null (asio#111), and CI
// runs us with stdin on /dev/null or closed: those are read with plain blocking
// read(2), which never waits for them.
#pragma once

#include <optional>
#include <string>

#include "chat/net.hpp"

namespace chat::client {

class stdin_lines {
 public:
  explicit stdin_lines(const asio::any_io_executor& ex);

  // The next line without its LF (and without a CR before it), the last line even
  // if it has no LF; nothing at the end of input, on a read error or when cancelled.
  awaitable<std::optional<std::string>> next_line();

 private:
  enum class source { closed, blocking, stream };

  std::optional<std::string> take_line();
  awaitable<void> read_more();

  source source_ = source::closed;
  std::optional<asio::posix::stream_descriptor> stream_;  // a dup of fd 0, for pipes and sockets
  std::string buffer_;
  bool eof_ = false;
};

}  // namespace chat::client
