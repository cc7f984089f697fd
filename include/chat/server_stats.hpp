// Counters of a running server: written where the events happen (router,
// sessions, listener), read by the stats log line and by tests. The per-message
// counters are sharded by thread so that the relay's threads share no cache line.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "chat/sharded_counter.hpp"

namespace chat {

struct server_stats {
  std::atomic<std::size_t> registered{0};
  std::atomic<std::size_t> active_chats{0};
  sharded_counter messages_relayed;
  sharded_counter bytes_in;
  sharded_counter bytes_out;
  std::atomic<std::uint64_t> slow_consumers{0};
  std::atomic<std::uint64_t> rate_limited{0};  // times a reader paused for its message rate
  std::atomic<std::uint64_t> reply_backlogs{0};  // times a reader paused for its own replies to drain
  std::atomic<std::uint64_t> timeouts{0};      // idle and register timeouts
  std::atomic<std::uint64_t> turned_away{0};   // over --max-clients or --max-per-ip

  // One line for the log: "connections=... registered=... ...".
  std::string summary(std::size_t connections) const;
};

}  // namespace chat
