#include "bench/intervals.hpp"

#include <catch2/catch.hpp>

#include "bench/config.hpp"
#include "bench/report.hpp"

using chat::bench::histogram;
using chat::bench::interval_figures;

namespace {

// 1..1000 us, one each: p50 is 500 us, p99 990 us, p99.9 999 us, max 1000 us.
histogram one_to_a_thousand_us() {
  histogram h;
  for (std::uint64_t us = 1; us <= 1000; ++us) h.record(us * 1000);
  return h;
}

bool near(std::uint64_t got, std::uint64_t want) {
  return static_cast<double>(got) >= 0.99 * static_cast<double>(want) &&
         static_cast<double>(got) <= 1.01 * static_cast<double>(want);
}

}  // namespace

TEST_CASE("an interval's figures come from its own histogram", "[intervals]") {
  const auto f = chat::bench::summarize_interval(10.0, 20.0, one_to_a_thousand_us(), 11880);
  CHECK(f.end_seconds == 20.0);
  CHECK(f.seconds == 10.0);
  CHECK(f.messages == 1000);
  CHECK(f.rate() == 100.0);
  CHECK(near(f.p50_ns, 500'000));
  CHECK(near(f.p99_ns, 990'000));
  CHECK(near(f.p999_ns, 999'000));
  CHECK(f.max_ns == 1'000'000);
  CHECK(f.server_rss_kib == 11880);
}

TEST_CASE("an interval with no messages has zero figures", "[intervals]") {
  const auto f = chat::bench::summarize_interval(0.0, 0.0, histogram{}, -1);
  CHECK(f.messages == 0);
  CHECK(f.rate() == 0.0);
  CHECK(f.p50_ns == 0);
  CHECK(f.p99_ns == 0);
  CHECK(f.max_ns == 0);
}

TEST_CASE("an interval's line and JSON object", "[intervals]") {
  auto f = chat::bench::summarize_interval(0.0, 10.0, one_to_a_thousand_us(), 12176);
  const auto line = chat::bench::interval_line(f);
  CHECK_THAT(line, Catch::StartsWith("interval"));
  CHECK_THAT(line, Catch::Contains("1000 msgs"));
  CHECK_THAT(line, Catch::Contains("max 1000.0 us"));
  CHECK_THAT(line, Catch::EndsWith("rss 12176 KiB"));
  const auto json = chat::bench::interval_json(f);
  CHECK_THAT(json, Catch::StartsWith("{\"t\": 10.000, \"seconds\": 10.000, \"messages\": 1000, \"p50_ns\": "));
  CHECK_THAT(json, Catch::Contains("\"max_ns\": 1000000"));
  CHECK_THAT(json, Catch::EndsWith("\"server_rss_kib\": 12176}"));

  f.server_rss_kib = -1;  // no --server-pid
  CHECK_THAT(chat::bench::interval_line(f), !Catch::Contains("rss"));
  CHECK_THAT(chat::bench::interval_json(f), Catch::EndsWith("\"server_rss_kib\": -1}"));
}

TEST_CASE("the JSON report holds an intervals array, empty without --interval", "[intervals]") {
  chat::bench::bench_result r;
  CHECK_THAT(chat::bench::to_json(r), Catch::Contains("\"intervals\": []\n}\n"));
  r.config.interval = 10;
  r.intervals.push_back(chat::bench::summarize_interval(0.0, 10.0, one_to_a_thousand_us(), 100));
  r.intervals.push_back(chat::bench::summarize_interval(10.0, 15.0, histogram{}, 101));
  const auto json = chat::bench::to_json(r);
  CHECK_THAT(json, Catch::Contains("\"interval\": 10.000"));
  CHECK_THAT(json, Catch::Contains("\"intervals\": [\n    {\"t\": 10.000, \"seconds\": 10.000, \"messages\": 1000"));
  CHECK_THAT(json, Catch::Contains(",\n    {\"t\": 15.000, \"seconds\": 5.000, \"messages\": 0"));
  CHECK_THAT(json, Catch::EndsWith("\"server_rss_kib\": 101}\n  ]\n}\n"));
}

TEST_CASE("the interval flag is off (0) or at least 0.1 s", "[intervals][args]") {
  const auto why = [](double interval) {
    chat::bench::bench_config c;
    c.pairs = 1;
    c.interval = interval;
    return chat::bench::validate(c);
  };
  CHECK(why(0).empty());
  CHECK(why(0.1).empty());
  CHECK(why(10).empty());
  CHECK_THAT(why(0.05), Catch::Contains("--interval"));
  CHECK_THAT(why(-1), Catch::Contains("--interval"));
}
