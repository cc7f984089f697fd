// What chat-bench prints: the summary table for people and the JSON document
// (every figure and the whole histogram) for plots and reports.
#pragma once

#include <string>
#include <vector>

#include "bench/config.hpp"

namespace chat::bench {

// The human summary. `missed`: the --fail-if conditions not met (threshold_breaches),
// named on the result line, which says OK only when every one was met too.
std::string summary_table(const bench_result& result, const std::vector<std::string>& missed = {});
std::string to_json(const bench_result& result);

// The server's CPU time over the measured window divided by the messages delivered in it, in
// microseconds per message: a steadier figure than msgs/s, which depends on how the load generator
// batches. -1 without --server-pid or when nothing was delivered.
double server_cpu_us_per_msg(const bench_result& result);

}  // namespace chat::bench
