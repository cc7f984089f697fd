#include "client/backoff.hpp"

#include <catch2/catch.hpp>

using namespace chat::client;
using std::chrono::milliseconds;

TEST_CASE("backoff doubles from 0.5 s to a 30 s cap, jitter taking up to half of each step", "[backoff]") {
  CHECK(backoff_delay(0, 1.0) == milliseconds(500));
  CHECK(backoff_delay(0, 0.0) == milliseconds(250));
  CHECK(backoff_delay(1, 1.0) == milliseconds(1000));
  CHECK(backoff_delay(3, 1.0) == milliseconds(4000));
  CHECK(backoff_delay(6, 1.0) == milliseconds(30'000));  // 32 s, capped
  CHECK(backoff_delay(1000, 1.0) == milliseconds(30'000));
  CHECK(backoff_delay(1000, 0.0) == milliseconds(15'000));
  CHECK(backoff_delay(2, 0.5) == milliseconds(1500));
  CHECK(backoff_delay(2, 7.0) == milliseconds(2000));  // out-of-range jitter is clamped
}
