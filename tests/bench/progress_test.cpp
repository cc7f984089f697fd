#include "bench/progress.hpp"

#include <catch2/catch.hpp>
#include <string>

using chat::bench::progress_figures;
using chat::bench::progress_text;

TEST_CASE("progress line: latency in microseconds, as in the summary", "[progress]") {
  progress_figures f;
  f.phase = "measure";
  f.connections = 2000;
  f.rate = 52311.4;
  f.span = 1.0;
  f.measured = true;
  f.p99_ns = 12'345'678;  // 12.3 ms: once shown as "12.3 ms"
  const auto text = progress_text(f);
  CHECK_THAT(text, Catch::Contains("p99 so far 12345.7 us"));
  CHECK_THAT(text, !Catch::Matches(".*[0-9] ms( .*)?"));
  CHECK_THAT(text, Catch::Contains("conns 2000"));
  CHECK_THAT(text, Catch::Contains("errors 0"));
}

TEST_CASE("progress line: the rate says which span it covers", "[progress]") {
  progress_figures f;
  f.phase = "done";
  f.rate = 1000;
  f.span = 0.4;  // the last line covers only what remained of a second
  CHECK_THAT(progress_text(f), Catch::Contains("last 0.4 s: 1000 msgs/s"));
  f.span = 0;
  f.measured = false;
  const auto first = progress_text(f);
  CHECK_THAT(first, !Catch::Contains("msgs/s"));
  CHECK_THAT(first, Catch::Contains("p99 so far -"));
}
