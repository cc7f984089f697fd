// What chat-bench reads about processes from the kernel: CPU time (its own and the
// server's, from /proc/PID/stat) and resident memory (/proc/PID/status), and how many
// cores this process may run on.
#pragma once

#include <cstddef>
#include <string_view>

namespace chat::bench {

// User + system CPU seconds this process has used so far (getrusage).
double cpu_seconds_self();

// User + system CPU seconds of process `pid` so far, every thread included; -1 if pid <= 0 or
// the process cannot be read. Resolution: one clock tick (_SC_CLK_TCK, usually 10 ms).
double cpu_seconds_of(int pid);

// The utime + stime fields (14 and 15, in clock ticks) of a /proc/PID/stat line; -1 when the
// line is malformed. The command name (field 2) may hold spaces and parentheses: fields are
// counted from the last ')'. See proc(5).
long long stat_cpu_ticks(std::string_view stat_line);

// VmRSS of process `pid` in KiB; -1 if pid <= 0 or it cannot be read.
long rss_kib_of(int pid);

// Cores in this process's affinity mask (at least 1).
std::size_t usable_cores();

}  // namespace chat::bench
