// Where chat-bench's results go and what its exit status says, once a run is over.
//
// Exit status (documented in docs/bench.md):
//   0  every message delivered and checked, every --fail-if condition met
//   1  a delivery, protocol or connection error (lost, duplicated, reordered or corrupted
//      messages, ERR/BYE/unexpected lines, refused or dropped connections), or the JSON could
//      not be written; --fail-if is not consulted
//   2  bad flags
//   3  everything delivered, but a --fail-if condition was not met
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "bench/config.hpp"
#include "bench/intervals.hpp"
#include "bench/thresholds.hpp"

namespace chat::bench {

inline constexpr int exit_ok = 0;
inline constexpr int exit_errors = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_thresholds = 3;

struct output_options {
  std::string json_path;  // "": no JSON; "-": JSON on stdout, and the text for people on stderr
  bool quiet = false;     // no summary or interval lines: only failures and missed thresholds (stderr)
  bool progress = false;  // the live line is on stderr (interval lines would break it up)
  std::vector<threshold> thresholds;
};

// The stream for people: stdout, or stderr when the JSON takes stdout.
std::FILE* human_stream(const output_options& o);

// One --interval line, unless quiet or the live line is shown.
void print_interval(const interval_figures& f, const output_options& o);

// Prints the summary (or, when quiet, only what went wrong), writes the JSON, prints each
// --fail-if condition the run missed, and returns the exit status above.
int finish_run(const bench_result& r, const output_options& o);

}  // namespace chat::bench
