// What chat-bench prints: the summary table for people and the JSON document
// (every figure and the whole histogram) for plots and reports.
#pragma once

#include <string>

#include "chat/bench/config.hpp"

namespace chat::bench {

std::string summary_table(const bench_result& result);
std::string to_json(const bench_result& result);

}  // namespace chat::bench
