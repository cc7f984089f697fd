#!/usr/bin/env python3
"""One row of bench/syscalls.sh's table: the server's system calls over perf stat's 2 s window,
the messages relayed in that window (chat-bench's measured rate x 2 s), and calls per message.

usage: syscalls_row.py RUN_JSON PERF_STAT_CSV KIND REP
prints: KIND REP CALLS MESSAGES CALLS_PER_MESSAGE
"""
import json
import sys

WINDOW_S = 2  # perf stat -p PID -- sleep 2


def main(run_json, perf_csv, kind, rep):
    with open(run_json) as f:
        rate = json.load(f)["throughput"]  # messages per second over the measured phase
    with open(perf_csv) as f:
        calls = int(f.read().split(",")[0])
    messages = rate * WINDOW_S
    print(kind, rep, calls, round(messages), round(calls / messages, 3))


if __name__ == "__main__":
    main(*sys.argv[1:5])
