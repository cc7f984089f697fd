// A histogram of durations that many threads record into without a mutex:
// fixed bucket bounds, and counts sharded by thread as in sharded_counter, so
// an observation is a few relaxed additions on the calling thread's own cache
// lines. prometheus-cpp's Histogram::Observe takes a mutex; this is recorded
// on the relay's hot path (once per write batch) and read only when /metrics
// is scraped.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "server/sharded_counter.hpp"

namespace chat::server {

class metrics_histogram {
 public:
  // Upper bounds of the buckets, in nanoseconds (Prometheus's `le`, inclusive),
  // from 1 µs to 10 s in 1-2.5-5 steps; a last bucket (+Inf) takes the rest.
  static constexpr std::array<std::uint64_t, 22> bounds_ns{
      1'000,       2'500,       5'000,         10'000,        25'000,        50'000,        100'000,    250'000,
      500'000,     1'000'000,   2'500'000,     5'000'000,     10'000'000,    25'000'000,    50'000'000, 100'000'000,
      250'000'000, 500'000'000, 1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};
  static constexpr std::size_t bucket_count = bounds_ns.size() + 1;

  // What a reader sees: per-bucket (not cumulative) counts, the number of
  // observations and their sum.
  struct snapshot {
    std::array<std::uint64_t, bucket_count> counts{};
    std::uint64_t count = 0;
    std::uint64_t sum_ns = 0;
  };

  // Records one duration; a negative one counts as zero.
  void observe(std::chrono::nanoseconds d) {
    const auto ns = d.count() > 0 ? static_cast<std::uint64_t>(d.count()) : 0;
    std::size_t i = 0;
    while (i < bounds_ns.size() && ns > bounds_ns[i]) ++i;  // short waits, the common case, stop early
    auto& s = shards_[sharded_counter::this_thread_shard()];
    s.counts[i].fetch_add(1, std::memory_order_relaxed);
    s.sum_ns.fetch_add(ns, std::memory_order_relaxed);
  }

  // Sums the shards. Observations made meanwhile may be partly included; the
  // count is the sum of the bucket counts read, so the two always agree.
  snapshot read() const {
    snapshot out;
    for (const auto& s : shards_) {
      for (std::size_t i = 0; i < bucket_count; ++i) out.counts[i] += s.counts[i].load(std::memory_order_relaxed);
      out.sum_ns += s.sum_ns.load(std::memory_order_relaxed);
    }
    for (const auto c : out.counts) out.count += c;
    return out;
  }

 private:
  struct alignas(64) shard {
    std::array<std::atomic<std::uint64_t>, bucket_count> counts{};
    std::atomic<std::uint64_t> sum_ns{0};
  };
  std::array<shard, sharded_counter::shard_count> shards_;
};

}  // namespace chat::server
