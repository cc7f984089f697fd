// When the interactive client connects again, and what it does with the answer to
// its REGISTER on a new connection. Pure: fed how a session ended, the server's
// reply and the clock, it answers with the next step; interactive_reconnect.cpp does
// the I/O (connects, sends, waits) and backoff.hpp says how long each wait is.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace chat::client {

// How a session ended, as far as coming back is concerned.
struct session_end {
  bool closed = false;            // the connection is over
  bool quit_sent = false;         // we said QUIT: the user left
  bool terminal_failed = false;   // the terminal cannot be written: nobody is there to type
  bool bye_seen = false;          // the server said BYE first ...
  std::string_view bye_reason;    // ... with this reason (SHUTDOWN, IDLE_TIMEOUT, REGISTER_TIMEOUT, ...)
  bool registered = false;        // a name is registered (or was, on the lost connection)
  bool reconnect_allowed = true;  // not --no-reconnect
};

enum class after_session {
  leave,           // the user left, or the server's BYE was its verdict on this client
  reopen_quietly,  // BYE REGISTER_TIMEOUT while the name was asked for: no lost connection
  reconnect,       // a restart or a lost network: connect again with backoff
};

// A BYE other than SHUTDOWN (idle, too slow, ...) is the server's verdict on this
// client: coming back would defeat it. A restart or a lost network is not; nor is
// the register timeout while the user is still choosing a name.
after_session verdict_after_session(const session_end& end);

// The reply to a REGISTER of the name held before the connection dropped.
class name_reclaim {
 public:
  using clock = std::chrono::steady_clock;

  enum class step {
    done,              // registered, or another answer the user is shown: reconnected
    retry,             // still taken: try again on a new connection after next_delay
    ask_another_name,  // still taken after name_wait: the name is given up
  };

  explicit name_reclaim(std::chrono::milliseconds name_wait) : name_wait_(name_wait) {}

  // `reply` is the server's line. NAME_TAKEN is most likely our own old connection,
  // which the server has not yet seen close: it lets the name go when it does, at the
  // latest after its idle timeout (name_wait, counted from the first NAME_TAKEN).
  step on_reply(std::string_view reply, clock::time_point now, std::chrono::milliseconds next_delay);

 private:
  std::chrono::milliseconds name_wait_;
  std::optional<clock::time_point> deadline_;
};

}  // namespace chat::client
