#!/usr/bin/env python3
"""bench/thread_cost.sh's poller: samples a server's VmRSS, VmSize, VmPTE and Threads (/proc/PID/status) and
the system's KernelStack, Committed_AS and PageTables (/proc/meminfo) every 0.1 s until STOP exists, then
writes the first sample ("before"), the peaks and the stacks' resident bytes (from smaps) to OUT as JSON.
It creates STOP minus ".stop" plus ".ready" once the first sample is taken.

usage: bench/proc_poller.py PID OUT.json STOP_FILE STACK_KIB
"""
import json, os, sys, time
pid, out, stop = sys.argv[1:4]
def sample():
    s = {}
    try:
        for line in open(f"/proc/{pid}/status"):
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmSize", "VmPTE", "Threads"):
                s[k] = int(v.split()[0])
        for line in open("/proc/meminfo"):
            k, _, v = line.partition(":")
            if k in ("KernelStack", "Committed_AS", "PageTables"):
                s["sys_" + k] = int(v.split()[0])
    except OSError:
        return None
    return s
before = sample()
open(stop[:-5] + ".ready", "w").close()
if before is None:
    sys.exit(1)
peak = dict(before)
at_peak_threads = dict(before)
# Once the thread count has held its peak for 0.3 s: the resident bytes of the thread stacks
# (anonymous writable mappings of the stack size, ulimit -s less the guard page) from smaps.
stack_kib = int(sys.argv[4])
stacks, steady = None, 0
def stack_rss():
    count = rss = 0
    size = None
    try:
        for line in open(f"/proc/{pid}/smaps"):
            if line[0] in "0123456789abcdef" and "-" in line.split()[0]:
                f = line.split()
                anon_rw = len(f) == 5 and f[1].startswith("rw")
            elif line.startswith("Size:"):
                size = int(line.split()[1])
            elif line.startswith("Rss:") and anon_rw and size in (stack_kib - 4, stack_kib):
                count += 1
                rss += int(line.split()[1])
    except OSError:
        return None
    return {"stacks": count, "stack_rss_kib": rss}
while not os.path.exists(stop):
    s = sample()
    if s is None:
        break
    for k, v in s.items():
        peak[k] = max(peak[k], v)
    steady = steady + 1 if s["Threads"] == at_peak_threads["Threads"] else 0
    if s["Threads"] >= at_peak_threads["Threads"]:
        at_peak_threads = s
    if steady == 3 and s["Threads"] > 2 and (stacks is None or stacks["threads"] < s["Threads"]):
        stacks = stack_rss()
        if stacks:
            stacks["threads"] = s["Threads"]
    time.sleep(0.1)
json.dump({"before": before, "peak": peak, "at_peak_threads": at_peak_threads, "smaps_stacks": stacks},
          open(out, "w"))