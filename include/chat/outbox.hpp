// A session's queue of lines to send, bounded in bytes. The router pushes (from
// its strand), the session's writer drains (from the session's strand): a
// concurrent channel is the hand-off, an atomic counts the bytes not yet written.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>

#include "chat/net.hpp"

namespace chat {

class outbox {
 public:
  // Lines end in "\n" and are never shorter than 4 bytes, so a channel of
  // max_bytes / 4 slots is never full before the byte limit is reached and
  // always has room for the final line.
  outbox(const strand& ex, std::size_t max_bytes) : channel_(ex, max_bytes / 4 + 2), max_bytes_(max_bytes) {}

  enum class push_result { queued, full, ended };

  // Queues a line unless that would pass the byte limit (full: a slow consumer)
  // or the last line is already queued (ended: the line is dropped, as the
  // connection is closing). Call from one strand at a time (the router's).
  push_result push(std::string line) {
    const auto size = line.size();
    if (ended_) return push_result::ended;
    if (queued_.load(std::memory_order_relaxed) + size > max_bytes_) return push_result::full;
    queued_.fetch_add(size, std::memory_order_relaxed);
    if (channel_.try_send(asio::error_code{}, std::move(line))) return push_result::queued;
    queued_.fetch_sub(size, std::memory_order_relaxed);
    return push_result::full;
  }

  // Queues the last line (it may be empty), past the byte limit: the writer sends
  // everything before it, then it, then ends the connection.
  void push_last(std::string line) {
    if (ended_) return;
    ended_ = true;
    queued_.fetch_add(line.size(), std::memory_order_relaxed);
    channel_.try_send(asio::error::eof, std::move(line));
  }

  // Writer side: bytes handed to the socket no longer count.
  void written(std::size_t bytes) { queued_.fetch_sub(bytes, std::memory_order_relaxed); }
  std::size_t queued_bytes() const { return queued_.load(std::memory_order_relaxed); }

  concurrent_channel<void(asio::error_code, std::string)>& channel() { return channel_; }

 private:
  concurrent_channel<void(asio::error_code, std::string)> channel_;
  std::size_t max_bytes_;
  std::atomic<std::size_t> queued_{0};
  bool ended_ = false;  // touched only by the pushing strand
};

}  // namespace chat
