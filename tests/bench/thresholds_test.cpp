#include "bench/thresholds.hpp"

#include <catch2/catch.hpp>
#include <string>

using chat::bench::bench_result;
using chat::bench::parse_threshold;
using chat::bench::threshold;
using chat::bench::threshold_breaches;

TEST_CASE("fail-if thresholds: percentiles of any precision, with a unit", "[thresholds]") {
  const auto p99 = parse_threshold("p99<5ms");
  CHECK(p99.what == threshold::metric::percentile);
  CHECK(p99.quantile == Approx(0.99));
  CHECK(p99.op == threshold::comparison::lt);
  CHECK(p99.limit == Approx(5e6));
  CHECK(parse_threshold("p99.9 <= 20 ms").quantile == Approx(0.999));
  CHECK(parse_threshold("p99.99<1s").limit == Approx(1e9));
  CHECK(parse_threshold("p50<300us").limit == Approx(3e5));
  CHECK(parse_threshold("p50<300\xC2\xB5s").limit == Approx(3e5));
  CHECK(parse_threshold("p100<900ns").quantile == Approx(1.0));
  CHECK(parse_threshold("max<2.5ms").what == threshold::metric::max);
  CHECK(parse_threshold("mean>1ns").op == threshold::comparison::gt);
}

TEST_CASE("fail-if thresholds: rate and errors", "[thresholds]") {
  const auto rate = parse_threshold("rate>=100000");
  CHECK(rate.what == threshold::metric::rate);
  CHECK(rate.op == threshold::comparison::ge);
  CHECK(rate.limit == 100000);
  CHECK(parse_threshold("rate > 5000/s").limit == 5000);
  const auto errors = parse_threshold("errors==0");
  CHECK(errors.what == threshold::metric::errors);
  CHECK(errors.op == threshold::comparison::eq);
  CHECK(parse_threshold("errors!=3").op == threshold::comparison::ne);
  CHECK(parse_threshold(" errors == 0 ").text == "errors == 0");
}

TEST_CASE("fail-if thresholds: malformed conditions say what is wrong", "[thresholds]") {
  const auto why = [](const char* text) {
    try {
      parse_threshold(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  // A malformed condition, and what its error must say.
  const auto [text, reason] = GENERATE(table<const char*, const char*>({
      {"p99", "no comparison"},
      {"p99<5", "unit"},
      {"p99<5 parsecs", "unit"},
      {"p0<5ms", "percentile"},
      {"p101<5ms", "percentile"},
      {"pxx<5ms", "percentile"},
      {"latency<5ms", "unknown figure"},
      {"rate>=lots", "no number"},
      {"rate>=5ms", "per second"},
      {"errors==0ms", "count"},
      {"p99=<5ms", "no comparison"},
      {"rate>=-5", "no number"},
  }));
  INFO(text);
  CHECK_THAT(why(text), Catch::Contains(reason));
}

TEST_CASE("fail-if thresholds: each missed condition is reported with the measured figure", "[thresholds]") {
  bench_result r;
  for (std::uint64_t v = 1; v <= 1000; ++v) r.latency.record(v * 1000);  // 1 us .. 1 ms
  r.throughput = 50000;
  const std::vector<threshold> all{parse_threshold("p50<1ms"), parse_threshold("p99<500us"),
                                   parse_threshold("rate>=100000"), parse_threshold("errors==0"),
                                   parse_threshold("max<=1s")};
  const auto missed = threshold_breaches(all, r);
  REQUIRE(missed.size() == 2);
  CHECK_THAT(missed[0], Catch::StartsWith("p99<500us: p99 was 9"));
  CHECK_THAT(missed[0], Catch::EndsWith(" us"));
  CHECK(missed[1] == "rate>=100000: rate was 50000 msgs/s");

  r.lost = 2;
  const auto errors = threshold_breaches({parse_threshold("errors==0")}, r);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "errors==0: errors was 2");
}

TEST_CASE("fail-if thresholds: a latency condition on a run without latencies is missed", "[thresholds]") {
  bench_result idle;
  const auto missed = threshold_breaches({parse_threshold("p99<5ms")}, idle);
  REQUIRE(missed.size() == 1);
  CHECK_THAT(missed[0], Catch::Contains("no latency was measured"));
  CHECK(threshold_breaches({parse_threshold("errors==0")}, idle).empty());
}
