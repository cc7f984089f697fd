// Counters of a running server: written where the events happen (router,
// sessions, listener), read by the stats log line, by /metrics (a collector
// reads them when Prometheus scrapes: metrics_collector.hpp) and by tests. The
// per-message counters are sharded by thread so that the relay's threads share
// no cache line.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "chat/protocol.hpp"
#include "server/metrics_histogram.hpp"
#include "server/sharded_counter.hpp"

namespace chat::server {

// Which BYE reasons are timeouts and which turn a connection away at accept:
// the one list that the counters, the stats line and /metrics's labels follow.
inline constexpr std::array timeout_reasons{protocol::bye_reason::idle_timeout, protocol::bye_reason::register_timeout};
inline constexpr std::array turned_away_reasons{protocol::bye_reason::server_full, protocol::bye_reason::address_limit};

// Counts of events by the protocol's code or reason (an index of its enum).
template <typename Enum, std::size_t N>
class counts_by {
 public:
  void add(Enum e) { counts_[static_cast<std::size_t>(e)].fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t load(Enum e) const { return counts_[static_cast<std::size_t>(e)].load(std::memory_order_relaxed); }
  // All of them, whatever the code or reason.
  std::uint64_t load() const {
    std::uint64_t sum = 0;
    for (const auto& c : counts_) sum += c.load(std::memory_order_relaxed);
    return sum;
  }

 private:
  std::array<std::atomic<std::uint64_t>, N> counts_{};
};

struct server_stats {
  // Gauges.
  std::atomic<std::size_t> registered{0};
  std::atomic<std::size_t> active_chats{0};
  sharded_counter queued_bytes;  // bytes in every send queue: added when queued, taken off when written or dropped
  // Counters.
  std::atomic<std::uint64_t> connections_accepted{0};  // sessions opened (not those turned away)
  sharded_counter messages_relayed;
  sharded_counter bytes_in;
  sharded_counter bytes_out;
  std::atomic<std::uint64_t> slow_consumers{0};
  std::atomic<std::uint64_t> rate_limited{0};            // times a reader paused for its message rate
  std::atomic<std::uint64_t> reply_backlogs{0};          // times a reader paused for its own replies to drain
  std::atomic<std::uint64_t> tls_handshake_failures{0};  // failed or timed out: never became a session
  counts_by<protocol::bye_reason, protocol::bye_reason_count> timeouts;     // by timeout_reasons
  counts_by<protocol::bye_reason, protocol::bye_reason_count> turned_away;  // by turned_away_reasons
  counts_by<protocol::error_code, protocol::error_code_count> errors;       // ERR lines sent, by code
  // How long bytes wait in a send queue, per write batch: from the first byte
  // queued into an empty queue to the write that takes it. Recorded only when
  // time_outbox_waits is set (metrics on), which must happen before the server starts.
  metrics_histogram outbox_wait;
  bool time_outbox_waits = false;

  // One line for the log: "connections=... registered=... ...".
  std::string summary(std::size_t connections) const;
};

}  // namespace chat::server
