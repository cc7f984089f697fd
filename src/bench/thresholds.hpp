// --fail-if: pass conditions a CI job sets on a run (k6's thresholds), e.g. "p99<5ms",
// "p99.9<=20ms", "rate>=100000", "errors==0". Each is checked once the run is over; a run
// whose every message was delivered but that misses one of them exits 3 (see chat_bench_main.cpp).
//
// Grammar: METRIC OP VALUE, spaces allowed between the parts.
//   METRIC  pN (any percentile 0 < N <= 100: p50, p99, p99.9, p99.99), max, mean   latency, VALUE
//           needs a unit: ns, us (or µs), ms, s
//           rate    messages delivered per second over the measured window (VALUE: a number, "/s" optional)
//           errors  lost + duplicated + reordered + corrupted + protocol/connection errors (a count)
//   OP      <  <=  >  >=  ==  !=
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bench/config.hpp"

namespace chat::bench {

struct threshold {
  enum class metric { percentile, max, mean, rate, errors };
  enum class comparison { lt, le, gt, ge, eq, ne };

  std::string text;  // as given, for messages
  metric what = metric::percentile;
  double quantile = 0;  // percentile only: 0.99 for p99
  comparison op = comparison::lt;
  double limit = 0;  // latency in ns, rate in msgs/s, errors as a count
};

// Parses one condition; throws std::invalid_argument saying what is wrong.
threshold parse_threshold(std::string_view text);

// The figure a condition looks at, in its unit (ns, msgs/s, count). Latency conditions on a run
// that measured no latency (idle, or failed before measuring) have no figure: -1.
double threshold_figure(const threshold& t, const bench_result& r);

// One line per condition the run does not meet, e.g.
// "p99<5ms: p99 was 7.312 ms". Empty when all hold.
std::vector<std::string> threshold_breaches(const std::vector<threshold>& conditions, const bench_result& r);

}  // namespace chat::bench
