#include "server/rate_limiter.hpp"

#include <catch2/catch.hpp>

#include "server/server_stats.hpp"

using chat::server::rate_limiter;
using namespace std::chrono_literals;

TEST_CASE("the bucket allows its burst at once, then one token per 1/rate") {
  const auto t0 = rate_limiter::clock::time_point{} + 1h;
  rate_limiter bucket(10, 3, t0);
  for (int i = 0; i < 3; ++i) CHECK(bucket.take(t0) == rate_limiter::clock::duration::zero());
  const auto wait = bucket.take(t0);
  CHECK(wait > 99ms);
  CHECK(wait <= 100ms);
  CHECK(bucket.take(t0 + 50ms) > 0ms);  // half a token is not enough
  CHECK(bucket.take(t0 + 100ms) == rate_limiter::clock::duration::zero());
  CHECK(bucket.take(t0 + 10s) == rate_limiter::clock::duration::zero());  // refilled, capped at the burst
  CHECK(bucket.take(t0 + 10s) == rate_limiter::clock::duration::zero());
  CHECK(bucket.take(t0 + 10s) == rate_limiter::clock::duration::zero());
  CHECK(bucket.take(t0 + 10s) > 0ms);
}

TEST_CASE("a zero rate disables the limit") {
  rate_limiter off(0, 0, rate_limiter::clock::now());
  CHECK_FALSE(off.enabled());
  for (int i = 0; i < 100000; ++i)
    REQUIRE(off.take(rate_limiter::clock::now()) == rate_limiter::clock::duration::zero());
}

TEST_CASE("the stats line names every counter") {
  chat::server::server_stats stats;
  stats.messages_relayed.fetch_add(7);
  stats.slow_consumers = 1;
  const auto line = stats.summary(3);
  CHECK(line.find("connections=3 ") != std::string::npos);
  CHECK(line.find("relayed=7 ") != std::string::npos);
  CHECK(line.find("slow_consumers=1 ") != std::string::npos);
  for (const char* key : {"registered=", "chats=", "bytes_in=", "bytes_out=", "rate_limited=", "reply_backlogs=",
                          "timeouts=", "turned_away=", "tls_handshake_failures=", "errors="}) {
    CHECK(line.find(key) != std::string::npos);
  }
}
