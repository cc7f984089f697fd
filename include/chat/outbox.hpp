// A session's queue of lines to send, bounded in bytes. The router pushes from
// its strand; the session's writer takes everything queued at once. The writer
// coroutine exists only while there is something to write: push() says when
// the queue was idle, and the caller then starts one. An idle session so holds
// no writer frame and no buffer, which is most of what a connection costs.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace chat {

class outbox {
 public:
  enum class push_result {
    queued,        // a writer is already running and will send it
    queued_start,  // the queue was idle: the caller must start a writer
    full,          // over the byte limit: a slow consumer
    ended,         // the last line is already queued (or the connection failed): dropped
  };

  explicit outbox(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // Thread-safe. Queues a line unless that would pass the byte limit.
  push_result push(std::string line) { return add(std::move(line), false); }
  // Thread-safe. Queues the last line (it may be empty), past the byte limit:
  // the writer sends everything before it, then it, then ends the connection.
  push_result push_last(std::string line) { return add(std::move(line), true); }

  // Writer side: swaps everything queued into `batch`. Returns false, and marks
  // the queue idle, when there is nothing left; `last` tells the end was taken.
  bool take(std::vector<std::string>& batch, bool& last);
  // Writer side: bytes handed to the socket no longer count.
  void written(std::size_t bytes);
  // Writer side: the connection failed; later lines are dropped.
  void abandon();

  std::size_t queued_bytes() const;

 private:
  push_result add(std::string line, bool last);

  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  std::size_t max_bytes_;
  std::size_t queued_ = 0;  // bytes queued or being written
  bool writing_ = false;    // a writer is running
  bool ended_ = false;      // the last line is queued
  bool last_queued_ = false;
};

}  // namespace chat
