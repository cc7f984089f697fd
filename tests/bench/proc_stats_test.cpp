#include "bench/proc_stats.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>

using chat::bench::stat_cpu_ticks;

TEST_CASE("stat line: utime + stime counted from the last parenthesis", "[proc]") {
  // Fields 14 and 15 are 7 and 5; the command name holds spaces and a ')'.
  CHECK(stat_cpu_ticks("42 (a b) c) S 1 2 3 4 5 6 7 8 9 10 7 5 0 0 20 0 1") == 12);
  CHECK(stat_cpu_ticks("1 (chat-server) R 0 0 0 0 0 0 0 0 0 0 300 40") == 340);
}

TEST_CASE("stat line: malformed lines give -1", "[proc]") {
  CHECK(stat_cpu_ticks("") == -1);
  CHECK(stat_cpu_ticks("1 (x S 0 0") == -1);
  CHECK(stat_cpu_ticks("1 (x) S 1 2 3") == -1);
  CHECK(stat_cpu_ticks("1 (x) S 1 2 3 4 5 6 7 8 9 10 u 5") == -1);
}

TEST_CASE("this process: CPU time and RSS from /proc", "[proc]") {
  volatile unsigned long spin = 0;
  for (unsigned long i = 0; i < 50'000'000; ++i) spin = spin + i;
  CHECK(chat::bench::cpu_seconds_of(getpid()) > 0);
  CHECK(chat::bench::rss_kib_of(getpid()) > 0);
  CHECK(chat::bench::cpu_seconds_of(0) == -1);
  CHECK(chat::bench::rss_kib_of(-5) == -1);
  CHECK(chat::bench::usable_cores() >= 1);
}
