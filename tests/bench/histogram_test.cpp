#include "bench/histogram.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

using chat::bench::histogram;

namespace {

std::uint64_t exact_percentile(std::vector<std::uint64_t> sorted, double q) {
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

void check_percentiles(const std::vector<std::uint64_t>& values) {
  histogram h;
  for (auto v : values) h.record(v);
  auto sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (double q : {0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    const auto want = static_cast<double>(exact_percentile(sorted, q));
    const auto got = static_cast<double>(h.percentile(q));
    INFO("q=" << q << " want " << want << " got " << got);
    CHECK(std::abs(got - want) <= 0.01 * want + 0.5);
  }
  CHECK(h.min() == sorted.front());
  CHECK(h.max() == sorted.back());
  CHECK(h.count() == values.size());
}

}  // namespace

TEST_CASE("histogram buckets are at most 1/128 of their values wide", "[histogram]") {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 200000; ++i) {
    const auto v = rng() >> (rng() % 64);
    const auto capped = std::min(v, histogram::max_value);
    const auto idx = histogram::index_of(capped);
    REQUIRE(idx < histogram::bucket_count);
    REQUIRE(histogram::lowest_of(idx) <= capped);
    REQUIRE(capped <= histogram::highest_of(idx));
    const auto width = histogram::highest_of(idx) - histogram::lowest_of(idx) + 1;
    if (capped >= histogram::sub_count) REQUIRE(width * 128 <= histogram::lowest_of(idx));
  }
  // Neighbouring buckets tile the range without gaps.
  for (std::size_t i = 0; i + 1 < histogram::bucket_count; ++i) {
    REQUIRE(histogram::highest_of(i) + 1 == histogram::lowest_of(i + 1));
  }
  REQUIRE(histogram::highest_of(histogram::bucket_count - 1) == histogram::max_value);
}

TEST_CASE("histogram percentiles are within 1% of the exact ones", "[histogram]") {
  SECTION("uniform 1..100000") {
    std::vector<std::uint64_t> v;
    for (std::uint64_t i = 1; i <= 100000; ++i) v.push_back(i * 997);
    check_percentiles(v);
  }
  SECTION("log-normal latencies with a long tail") {
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> d(11.5, 1.2);  // median ~100 us in ns
    std::vector<std::uint64_t> v;
    for (int i = 0; i < 200000; ++i) v.push_back(static_cast<std::uint64_t>(d(rng)));
    check_percentiles(v);
  }
  SECTION("small exact values") {
    std::vector<std::uint64_t> v{0, 1, 2, 3, 255, 255, 100};
    check_percentiles(v);
  }
}

TEST_CASE("histogram merge, mean and reset", "[histogram]") {
  histogram a, b, all;
  for (std::uint64_t i = 1; i <= 1000; ++i) {
    (i % 2 ? a : b).record(i * 1000);
    all.record(i * 1000);
  }
  histogram merged;
  merged.merge(a);
  merged.merge(b);
  CHECK(merged.count() == all.count());
  CHECK(merged.min() == 1000);
  CHECK(merged.max() == 1000000);
  CHECK(merged.mean() == Approx(500500.0));
  for (double q : {0.5, 0.99}) CHECK(merged.percentile(q) == all.percentile(q));
  CHECK(merged.nonzero_buckets().size() == all.nonzero_buckets().size());
  merged.reset();
  CHECK(merged.count() == 0);
  CHECK(merged.percentile(0.99) == 0);
  histogram huge;
  huge.record(~std::uint64_t{0});
  CHECK(huge.max() == histogram::max_value);
}
