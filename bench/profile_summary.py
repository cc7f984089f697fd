#!/usr/bin/env python3
"""Summarises bench/profile.sh's perf reports of chat-server side by side, as a Markdown table.

    bench/profile_summary.py LABEL=DIR [LABEL=DIR ...] [--window 16]

Reads DIR/server_w<window>_perf_dso.txt (share of samples per library) and
DIR/server_w<window>_perf_flat.txt (per symbol), and prints for each run: the
kernel's share, the allocator's (malloc, free and their internals), the mutexes',
and the ten hottest symbols. Every figure is read from perf's own output.
"""
import re
import sys
from pathlib import Path

ALLOCATOR = re.compile(r"^(_int_malloc|_int_free|malloc|cfree|free|unlink_chunk|malloc_consolidate|"
                       r"tcache_get|_int_realloc|realloc|operator new|operator delete)")
MUTEX = re.compile(r"^(pthread_mutex_(un)?lock|__lll_lock_wait|__lll_unlock_wake)")


def read(path):
    rows = []
    for line in Path(path).read_text().splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\S+)(?:\s+\[[.k]\]\s+(.*?))?\s*(?:-\s+-)?\s*$", line)
        if m:
            rows.append((float(m.group(1)), m.group(2), (m.group(3) or "").strip()))
    return rows


def summarise(label, directory, window):
    dso = read(Path(directory) / f"server_w{window}_perf_dso.txt")
    flat = read(Path(directory) / f"server_w{window}_perf_flat.txt")
    kernel = sum(p for p, d, _ in dso if d.startswith("[kernel"))
    alloc = sum(p for p, _, s in flat if ALLOCATOR.match(s.split("@")[0]))
    mutex = sum(p for p, _, s in flat if MUTEX.match(s.split("@")[0]))
    top = [f"{p:.1f} % {s[:60]}" for p, _, s in flat[:10]]
    return label, kernel, alloc, mutex, top


def main():
    window = "16"
    runs = []
    args = sys.argv[1:]
    if "--window" in args:
        i = args.index("--window")
        window = args[i + 1]
        del args[i:i + 2]
    for arg in args:
        label, _, directory = arg.partition("=")
        runs.append(summarise(label, directory, window))
    print(f"| chat-server, 1,000 pairs, window {window} | " + " | ".join(r[0] for r in runs) + " |")
    print("|---|" + "---|" * len(runs))
    print("| kernel | " + " | ".join(f"{r[1]:.1f} %" for r in runs) + " |")
    print("| malloc/free | " + " | ".join(f"{r[2]:.1f} %" for r in runs) + " |")
    print("| mutexes | " + " | ".join(f"{r[3]:.1f} %" for r in runs) + " |")
    for i in range(10):
        print(f"| hottest {i + 1} | " + " | ".join(r[4][i] if i < len(r[4]) else "" for r in runs) + " |")


if __name__ == "__main__":
    main()
