#include "client/stdin_lines.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace chat::client {

stdin_lines::stdin_lines(const asio::any_io_executor& ex) {
  struct stat info {};
  if (::fstat(STDIN_FILENO, &info) != 0) return;  // no stdin at all: an empty script
  if (S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode)) {
    // A dup, so that closing the descriptor leaves fd 0 alone.
    const int fd = ::dup(STDIN_FILENO);
    if (fd >= 0) {
      stream_.emplace(ex, fd);
      source_ = source::stream;
      return;
    }
  }
  source_ = source::blocking;
}

std::optional<std::string> stdin_lines::take_line() {
  const auto lf = buffer_.find('\n');
  if (lf == std::string::npos) {
    if (!eof_ || buffer_.empty()) return std::nullopt;
    std::string last = std::move(buffer_);
    buffer_.clear();
    if (!last.empty() && last.back() == '\r') last.pop_back();
    return last;
  }
  std::string line = buffer_.substr(0, lf);
  buffer_.erase(0, lf + 1);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

awaitable<void> stdin_lines::read_more() {
  std::array<char, 4096> chunk{};
  switch (source_) {
    case source::closed:
      eof_ = true;
      break;
    case source::blocking: {
      ssize_t n = 0;
      do {
        n = ::read(STDIN_FILENO, chunk.data(), chunk.size());
      } while (n < 0 && errno == EINTR);
      if (n <= 0) {
        eof_ = true;
      } else {
        buffer_.append(chunk.data(), static_cast<std::size_t>(n));
      }
      break;
    }
    case source::stream: {
      auto [ec, n] = co_await stream_->async_read_some(asio::buffer(chunk), use_tuple);
      if (ec) {
        eof_ = true;  // end of the pipe, a read error or cancellation: no more script either way
      } else {
        buffer_.append(chunk.data(), n);
      }
      break;
    }
  }
}

awaitable<std::optional<std::string>> stdin_lines::next_line() {
  for (;;) {
    if (auto line = take_line()) co_return line;
    if (eof_) co_return std::nullopt;
    co_await read_more();
  }
}

}  // namespace chat::client
