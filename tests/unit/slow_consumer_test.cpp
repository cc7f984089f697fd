#include "server/slow_consumer.hpp"

#include <catch2/catch.hpp>

using namespace chat;
using namespace chat::server;
using namespace std::chrono_literals;

TEST_CASE("slow-consumer verdict: the hard limit cuts at once, at one byte past it") {
  const output_limits limits{1000, 0, 0ms};
  CHECK(slow_consumer_verdict(0, 0s, limits) == output_verdict::keep);
  CHECK(slow_consumer_verdict(1000, 0s, limits) == output_verdict::keep);
  CHECK(slow_consumer_verdict(1001, 0s, limits) == output_verdict::cut);
  // With no soft limit, time over it does not matter.
  CHECK(slow_consumer_verdict(999, 1h, limits) == output_verdict::keep);
}

TEST_CASE("slow-consumer verdict: above the soft limit only for soft_duration") {
  const output_limits limits{1000, 500, 2000ms};
  CHECK(slow_consumer_verdict(500, 1h, limits) == output_verdict::keep);  // at the limit is not above it
  CHECK(slow_consumer_verdict(501, 0s, limits) == output_verdict::keep);
  CHECK(slow_consumer_verdict(501, 1999ms, limits) == output_verdict::keep);
  CHECK(slow_consumer_verdict(501, 2000ms, limits) == output_verdict::cut);
  CHECK(slow_consumer_verdict(1001, 0s, limits) == output_verdict::cut);  // the hard limit still applies
}
