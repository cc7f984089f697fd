// A log-linear latency histogram in nanoseconds (HdrHistogram's layout, which
// Debian does not package): values below 256 have a bucket each, above that
// every power of two is split into 128 equal buckets, so a bucket is at most
// 1/128 of its values wide and its midpoint is within 0.4 % of any value in it.
//
// One thread records (record() is a plain load and store per counter, no lock);
// any thread may read a slightly stale but well-formed copy at the same time,
// which is what the once-a-second progress line does.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace chat::bench {

class histogram {
 public:
  static constexpr unsigned sub_bits = 8;
  static constexpr std::uint64_t sub_count = 1u << sub_bits;  // 256
  static constexpr std::uint64_t half_count = sub_count / 2;  // 128
  static constexpr unsigned max_bits = 44;                    // ~4.9 hours in ns; larger values are clamped
  static constexpr std::size_t bucket_count = sub_count + (max_bits - sub_bits) * half_count;
  static constexpr std::uint64_t max_value = (std::uint64_t{1} << max_bits) - 1;

  histogram() = default;
  histogram(const histogram& other) { merge(other); }
  histogram& operator=(const histogram& other);

  // Single writer.
  void record(std::uint64_t value) {
    if (value > max_value) value = max_value;
    bump(buckets_[index_of(value)], 1);
    bump(count_, 1);
    bump(sum_, value);
    if (value > max_.load(std::memory_order_relaxed)) max_.store(value, std::memory_order_relaxed);
    if (value < min_.load(std::memory_order_relaxed)) min_.store(value, std::memory_order_relaxed);
  }

  // Adds another histogram's counts (reads it with relaxed loads).
  void merge(const histogram& other);
  void reset();

  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  std::uint64_t min() const { return count() ? min_.load(std::memory_order_relaxed) : 0; }
  std::uint64_t max() const { return max_.load(std::memory_order_relaxed); }
  double mean() const;
  // The value at quantile q in [0, 1]: the midpoint of the bucket holding the
  // ceil(q * count)-th smallest value, clamped to [min, max]. 0 when empty.
  std::uint64_t percentile(double q) const;

  struct bucket {
    std::uint64_t low;   // smallest value of the bucket
    std::uint64_t high;  // largest value of the bucket
    std::uint64_t count;
  };
  // The non-empty buckets in increasing order (for --json and plots).
  std::vector<bucket> nonzero_buckets() const;

  static std::size_t index_of(std::uint64_t value);
  static std::uint64_t lowest_of(std::size_t index);
  static std::uint64_t highest_of(std::size_t index);

 private:
  static void bump(std::atomic<std::uint64_t>& a, std::uint64_t by) {
    a.store(a.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  }

  std::array<std::atomic<std::uint64_t>, bucket_count> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_{0};
  std::atomic<std::uint64_t> min_{~std::uint64_t{0}};
  std::atomic<std::uint64_t> max_{0};
};

}  // namespace chat::bench
