// The two faces of a connection. The router (the control plane) sees a `peer`:
// it can queue lines for it, stop or end it, and open or close its chats. One
// side of an established chat sees only its partner's `msg_sink`: somewhere to
// put MSG lines (a local send queue now; a connection on another node later).
// Neither knows what is behind it, so the router is unit-tested with fakes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "server/outbox.hpp"

namespace chat::server {

// Identifies one connection for the life of the server process.
using session_id = std::uint64_t;

class msg_sink {
 public:
  enum class result {
    delivered,      // queued for the partner
    not_in_chat,    // the partner no longer accepts this chat (or is closing): ask the router
    slow_consumer,  // the partner was cut by the slow-consumer policy: tell the router
  };

  virtual ~msg_sink() = default;
  // Thread-safe. Queues `MSG <sender> <text>\n` for the partner if it still
  // accepts `chat`. `text` is non-empty, valid UTF-8, at most --max-line bytes.
  virtual result deliver_msg(chat_id chat, std::string_view sender, std::string_view text) = 0;
  // The partner's connection, for the router.
  virtual session_id sink_id() const = 0;
};

class peer {
 public:
  using clock = std::chrono::steady_clock;

  virtual ~peer() = default;

  // Thread-safe. Queues a line (ending in LF); `slow_consumer` means the policy
  // cut it and the router must end it.
  virtual outbox::push_result deliver(std::string_view line) = 0;
  // Thread-safe. Queues the last line (possibly empty); the connection ends after it.
  virtual void deliver_last(std::string_view line) = 0;
  // Thread-safe. Stops reading (server shutdown, BYE); what is queued still goes out.
  virtual void stop_reading() = 0;
  // Thread-safe. Closes the connection now, with a reset (a slow consumer cannot be flushed).
  virtual void abort() = 0;
  // Thread-safe. Closes the connection after `grace` unless it has ended by then.
  virtual void abort_after(std::chrono::milliseconds grace) = 0;

  // Thread-safe. The router has handled one request this peer posted and queued
  // its replies: the peer may send MSG straight to its partner again once all are handled.
  virtual void request_done() = 0;
  // Thread-safe. The peer is now in chat `chat` as `self_name`, with `partner`:
  // its queue accepts the chat's MSG lines, and it may send its own straight to partner.
  virtual void enter_chat(chat_id chat, std::string self_name, std::shared_ptr<msg_sink> partner) = 0;
  // Thread-safe. Its chat ended: when this returns, its queue refuses the chat's MSG lines.
  virtual void leave_chat() = 0;
  // The sink that a partner of this peer sends its MSG lines to.
  virtual std::shared_ptr<msg_sink> sink() = 0;

  // Thread-safe: when it connected, and when it last sent a complete line
  // (a client trickling bytes without LF does not count as active).
  virtual clock::time_point connected_at() const = 0;
  virtual clock::time_point last_activity() const = 0;
  // Bytes queued for it (the slow-consumer log line).
  virtual std::size_t queued_bytes() const = 0;
  // "from 127.0.0.1:40000" or similar, for logs.
  virtual std::string describe() const = 0;
};

}  // namespace chat::server
