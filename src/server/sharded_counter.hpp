// A counter that many threads bump without sharing a cache line: each thread
// adds to its own shard and a reader sums them. The relay's counters (messages,
// bytes) change on every message on every pool thread; one shared atomic there
// would bounce its cache line between cores on every message.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace chat::server {

class sharded_counter {
 public:
  // Adds `n` on the calling thread's shard (relaxed: a statistic, not a synchronisation point).
  void fetch_add(std::uint64_t n, std::memory_order = std::memory_order_relaxed) {
    shards_[this_thread_shard()].value.fetch_add(n, std::memory_order_relaxed);
  }
  // Takes `n` off on the calling thread's shard. A shard may wrap below zero; the
  // sum wraps back, so a gauge kept with fetch_add and fetch_sub stays exact.
  void fetch_sub(std::uint64_t n) { shards_[this_thread_shard()].value.fetch_sub(n, std::memory_order_relaxed); }
  // The sum of the shards; concurrent additions may or may not be included.
  std::uint64_t load(std::memory_order = std::memory_order_relaxed) const {
    std::uint64_t sum = 0;
    for (const auto& s : shards_) sum += s.value.load(std::memory_order_relaxed);
    return sum;
  }

  // The calling thread's shard, fixed for the thread's life; other sharded
  // statistics (metrics_histogram.hpp) use the same assignment.
  static constexpr std::size_t shard_count = 16;
  static std::size_t this_thread_shard();

 private:
  struct alignas(64) shard {
    std::atomic<std::uint64_t> value{0};
  };

  std::array<shard, shard_count> shards_;
};

inline std::size_t sharded_counter::this_thread_shard() {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t index = next.fetch_add(1, std::memory_order_relaxed) % shard_count;
  return index;
}

}  // namespace chat::server
