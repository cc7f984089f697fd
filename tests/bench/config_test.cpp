#include "bench/config.hpp"

#include <catch2/catch.hpp>

using chat::bench::bench_config;
using chat::bench::validate;
using chat::bench::workload;

TEST_CASE("validate fills defaults", "[args]") {
  bench_config c;
  c.clients = 10;
  REQUIRE(validate(c).empty());
  CHECK(c.pairs == 5);
  CHECK(c.window == 16);
  CHECK(c.mode() == workload::window);
  CHECK(c.threads >= 1);
  CHECK(c.threads <= 5);
  CHECK(c.connections() == 10);
}

TEST_CASE("validate refuses flags that do not go together", "[args]") {
  const auto why = [](auto change) {
    bench_config c;
    c.pairs = 4;
    change(c);
    return validate(c);
  };
  CHECK_THAT(why([](bench_config& c) { c.window = 4, c.rate = 1000; }), Catch::Contains("one workload"));
  CHECK_THAT(why([](bench_config& c) { c.idle = 10; }), Catch::Contains("--idle"));
  CHECK_THAT(why([](bench_config& c) { c.clients = 8; }), Catch::Contains("not both"));
  CHECK_THAT(why([](bench_config& c) { c.pairs = 0, c.clients = 7; }), Catch::Contains("even"));
  CHECK_THAT(why([](bench_config& c) { c.payload = 10; }), Catch::Contains("--payload"));
  CHECK_THAT(why([](bench_config& c) { c.payload = 100000; }), Catch::Contains("--payload"));
  CHECK_THAT(why([](bench_config& c) { c.duration = 0; }), Catch::Contains("--duration"));
  CHECK_THAT(why([](bench_config& c) { c.warmup = -1; }), Catch::Contains("--warmup"));
  CHECK_THAT(why([](bench_config& c) { c.name_prefix = "bad name"; }), Catch::Contains("--name-prefix"));
  CHECK_THAT(why([](bench_config& c) { c.threads = 1000; }), Catch::Contains("--threads"));
}

TEST_CASE("no workload named: 100 pairs, window 16", "[args]") {
  bench_config c;
  REQUIRE(validate(c).empty());
  CHECK(c.pairs == 100);
  CHECK(c.window == 16);
  CHECK(c.mode() == workload::window);
  bench_config rate;
  rate.rate = 500;
  REQUIRE(validate(rate).empty());
  CHECK(rate.pairs == 100);
  CHECK(rate.window == 0);
}

TEST_CASE("idle needs no pairs", "[args]") {
  bench_config c;
  c.idle = 100;
  REQUIRE(validate(c).empty());
  CHECK(c.mode() == workload::idle);
  CHECK(c.connections() == 100);
}

TEST_CASE("source address ranges", "[args]") {
  const auto a = chat::bench::parse_source_addrs("127.0.0.1-127.0.0.8");
  REQUIRE(a.size() == 8);
  CHECK(a.front() == "127.0.0.1");
  CHECK(a.back() == "127.0.0.8");
  CHECK(chat::bench::parse_source_addrs("10.0.0.1,10.0.0.3").size() == 2);
  CHECK_THROWS(chat::bench::parse_source_addrs("127.0.0.9-127.0.0.1"));
  CHECK_THROWS(chat::bench::parse_source_addrs("localhost"));
  CHECK_THROWS(chat::bench::parse_source_addrs(""));
}
