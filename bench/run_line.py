#!/usr/bin/env python3
"""One line per chat-bench run for bench/run.sh's console: throughput and latency (or bytes per idle
connection), server CPU per message, CPU shares and the load average.

usage: bench/run_line.py RUN.json NAME STATUS LOAD
"""
import json
import sys


def main():
    path, name, status, load = sys.argv[1:]
    try:
        with open(path) as f:
            d = json.load(f)
    except (OSError, ValueError):
        print(f"  {name:28} {status}  (no JSON)")
        return
    lat = d["latency_ns"]
    if d["config"]["mode"] == "idle":
        extra = f"{d['server']['rss_per_connection_bytes']:.0f} B/conn"
    else:
        extra = (f"{d['throughput']:>9.0f} msg/s  p50 {lat['p50'] / 1e3:8.1f}  p99 {lat['p99'] / 1e3:8.1f}  "
                 f"p99.9 {lat['p999'] / 1e3:8.1f} us")
        per_msg = d["server"].get("cpu_us_per_msg")
        if per_msg is not None:
            extra += f"  server {per_msg:5.2f} us/msg"
    print(f"  {name:28} {status:6} {extra}  bench {d['bench']['cores'] * 100:3.0f}%  "
          f"server {d['server']['cores'] * 100:3.0f}%{'  BENCH-BOUND' if d['bench']['bound'] else ''}  load {load}")


if __name__ == "__main__":
    main()
