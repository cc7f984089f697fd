// The property checks behind the fuzz targets. Each takes one input and aborts
// on the first broken invariant. They are plain functions so that the same code
// runs under libFuzzer (fuzz/fuzz_*.cpp, clang) and over the committed corpora
// and crash inputs in the normal test suite (tests/fuzz_regression, any compiler).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

// assert() vanishes under NDEBUG (Release, RelWithDebInfo), and a check that
// cannot fail finds nothing: this one always aborts, which libFuzzer reports as a crash.
#define FUZZ_CHECK(cond) ((cond) ? void(0) : ::chat::fuzz::check_failed(#cond, __FILE__, __LINE__))

namespace chat::fuzz {

[[noreturn]] inline void check_failed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
  std::fflush(stderr);
  std::abort();
}

// Protocol parser: the input is split at LF like the session's framer would,
// and each line goes through parse_command, its reply formatter and back.
void check_protocol(std::string_view data);

// Line framer: the input's first 5 bytes choose max_line and the chunking, the
// rest is the byte stream compared with a reference splitter.
void check_line_framer(std::string_view data);

// Part 1's CSV reader (parse_csv) and the schema on top of it (read_chat_rows).
void check_csv(std::string_view data);

}  // namespace chat::fuzz
