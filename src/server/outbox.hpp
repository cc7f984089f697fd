// A client's send queue: bytes, not line objects, held in a chain of pooled
// chunks and bounded by the slow-consumer policy. Producers are the router (on
// its strand) and, for MSG, the partner's reader (on the partner's strand),
// which formats `MSG <sender> <text>\n` straight into it; the session's writer
// takes the whole chain at once for one gathered write. The writer exists only
// while bytes are queued: a push says when the queue was idle, and the caller
// then starts one. An idle queue holds no chunk.
//
// Chats: the queue accepts MSG lines only for the chat it was told to accept
// (accept_chat), and refuses them from the moment refuse_chats() returns. The
// router calls refuse_chats() before it queues DISCONNECTED, so no MSG of an
// ended chat can follow it, and a chat's id is never reused, so no MSG of a
// former partner lands in a later chat.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>

#include "server/chunk.hpp"
#include "server/server_stats.hpp"
#include "server/slow_consumer.hpp"

namespace chat::server {

// Identifies one chat (one CONNECT that succeeded); 0 is none.
using chat_id = std::uint64_t;

class outbox {
 public:
  enum class push_result {
    queued,         // a writer is already running and will send it
    queued_start,   // the queue was idle: the caller must start a writer
    slow_consumer,  // the policy cut this client: dropped, and every later push is `ended`
    ended,          // the connection is closing (last line queued, cut, or failed): dropped
    not_in_chat,    // push_msg only: the queue does not accept that chat (any more): dropped
  };

  // A batch taken by the writer: the chunks to write, in order.
  struct batch {
    chunk* head = nullptr;
    std::size_t bytes = 0;
    bool last = false;  // the connection ends after this batch
    // When its first byte was queued into the empty queue (set only when `stats` times waits).
    std::chrono::steady_clock::time_point queued_at{};
  };

  // `stats`, if given, keeps the server-wide gauge of queued bytes and, when it
  // asks for it, the time each batch's first byte was queued; it must outlive the queue.
  explicit outbox(const output_limits& limits, server_stats* stats = nullptr) : limits_(limits), stats_(stats) {}
  ~outbox();
  outbox(const outbox&) = delete;
  outbox& operator=(const outbox&) = delete;

  // Thread-safe. Queues a line (with its LF) unless the policy cuts the client.
  push_result push(std::string_view line);
  // Thread-safe. Queues the last line (it may be empty), whatever the limits:
  // the writer sends everything before it, then it, then ends the connection.
  push_result push_last(std::string_view line);
  // Thread-safe. Queues `MSG <sender> <text>\n` if this queue accepts `chat`.
  push_result push_msg(chat_id chat, std::string_view sender, std::string_view text);

  // Thread-safe. From now on push_msg accepts `chat` (and no other).
  void accept_chat(chat_id chat);
  // Thread-safe. From now on push_msg accepts no chat.
  void refuse_chats();

  // Writer side: moves everything queued into `out`. Returns false, and marks
  // the queue idle, when there is nothing left.
  bool take(batch& out);
  // Writer side: the batch was written; its bytes no longer count and its chunks go back to the pool.
  void written(batch& done);
  // Writer side: the connection failed; queued and later bytes are dropped.
  void abandon();

  std::size_t queued_bytes() const;
  const output_limits& limits() const { return limits_; }

 private:
  using clock = std::chrono::steady_clock;
  // Applies the slow-consumer verdict to `adding` more bytes; false means cut (and ends the queue).
  bool admit(std::size_t adding);
  push_result queue(std::initializer_list<std::string_view> parts);
  void append(std::string_view bytes);
  // Before `size` more bytes become pending: the server-wide gauge and the batch's start time.
  void count_queued(std::size_t size);

  mutable std::mutex mutex_;
  output_limits limits_;
  chunk* head_ = nullptr;
  chunk* tail_ = nullptr;
  std::size_t pending_ = 0;  // bytes in head_..tail_
  std::size_t queued_ = 0;   // bytes pending or being written
  clock::time_point over_soft_since_{};
  server_stats* stats_;
  clock::time_point first_queued_{};  // of the bytes pending now (only when stats_ times waits)
  chat_id accepted_chat_ = 0;
  bool writing_ = false;  // a writer is running
  bool ended_ = false;    // the last line is queued, or the client was cut
  bool last_queued_ = false;
};

}  // namespace chat::server
