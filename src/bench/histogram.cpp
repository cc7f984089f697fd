#include "bench/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace chat::bench {

std::size_t histogram::index_of(std::uint64_t value) {
  if (value < sub_count) return static_cast<std::size_t>(value);
  // shift >= 1: the value keeps its top sub_bits bits, the leading one of which is set.
  const auto shift = static_cast<unsigned>(std::bit_width(value)) - sub_bits;
  return static_cast<std::size_t>(sub_count + (shift - 1) * half_count + ((value >> shift) - half_count));
}

std::uint64_t histogram::lowest_of(std::size_t index) {
  if (index < sub_count) return index;
  const auto j = index - sub_count;
  const auto shift = static_cast<unsigned>(j / half_count) + 1;
  return (half_count + j % half_count) << shift;
}

std::uint64_t histogram::highest_of(std::size_t index) {
  if (index < sub_count) return index;
  const auto shift = static_cast<unsigned>((index - sub_count) / half_count) + 1;
  return lowest_of(index) + (std::uint64_t{1} << shift) - 1;
}

histogram& histogram::operator=(const histogram& other) {
  if (this != &other) {
    reset();
    merge(other);
  }
  return *this;
}

void histogram::merge(const histogram& other) {
  for (std::size_t i = 0; i < bucket_count; ++i) {
    const auto n = other.buckets_[i].load(std::memory_order_relaxed);
    if (n) bump(buckets_[i], n);
  }
  const auto n = other.count();
  if (n == 0) return;
  bump(count_, n);
  bump(sum_, other.sum_.load(std::memory_order_relaxed));
  min_.store(std::min(min_.load(std::memory_order_relaxed), other.min_.load(std::memory_order_relaxed)),
             std::memory_order_relaxed);
  max_.store(std::max(max_.load(std::memory_order_relaxed), other.max()), std::memory_order_relaxed);
}

void histogram::reset() {
  for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
  count_.store(0, std::memory_order_relaxed);
  sum_.store(0, std::memory_order_relaxed);
  min_.store(~std::uint64_t{0}, std::memory_order_relaxed);
  max_.store(0, std::memory_order_relaxed);
}

double histogram::mean() const {
  const auto n = count();
  return n ? static_cast<double>(sum_.load(std::memory_order_relaxed)) / static_cast<double>(n) : 0.0;
}

std::uint64_t histogram::percentile(double q) const {
  // Sum the buckets rather than trusting count_: a concurrent reader may see them a little apart.
  std::uint64_t total = 0;
  for (const auto& b : buckets_) total += b.load(std::memory_order_relaxed);
  if (total == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total)));
  rank = std::clamp<std::uint64_t>(rank, 1, total);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += buckets_[i].load(std::memory_order_relaxed);
    if (seen >= rank) {
      const auto mid = lowest_of(i) + (highest_of(i) - lowest_of(i)) / 2;
      return std::clamp(mid, min(), std::max(min(), max()));
    }
  }
  return max();
}

std::vector<histogram::bucket> histogram::nonzero_buckets() const {
  std::vector<bucket> out;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    const auto n = buckets_[i].load(std::memory_order_relaxed);
    if (n) out.push_back({lowest_of(i), highest_of(i), n});
  }
  return out;
}

}  // namespace chat::bench
