#!/usr/bin/env python3
"""bench/soak.sh's summary of a soak run's JSON: delivery counts, the whole run's latency, min/median/max
of the intervals' p99, the server's RSS at the first and last interval, then one row per interval.

usage: bench/soak_summary.py soak.json
"""
import json
import statistics
import sys


def main():
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    iv, m = doc["intervals"], doc["messages"]
    if not iv:
        sys.exit("no intervals in " + sys.argv[1])
    p99 = [i["p99_ns"] / 1e3 for i in iv]
    print(f"{doc['config']['pairs']} pairs at {doc['config']['rate']:.0f} msgs/s for {doc['measured_seconds']:.0f} s, "
          f"{len(iv)} intervals of {doc['config']['interval']:g} s")
    print(f"messages: sent {m['sent']}, received {m['received']}, measured {m['measured']}; lost {m['lost']}, "
          f"duplicated {m['duplicated']}, reordered {m['reordered']}, corrupted {m['corrupted']}, "
          f"protocol errors {doc['protocol_errors']}")
    lat = doc["latency_ns"]
    print(f"whole run latency us: p50 {lat['p50'] / 1e3:.1f}  p99 {lat['p99'] / 1e3:.1f}  "
          f"p99.9 {lat['p999'] / 1e3:.1f}  max {lat['max'] / 1e3:.1f}")
    print(f"interval p99 us: min {min(p99):.1f}  median {statistics.median(p99):.1f}  max {max(p99):.1f}")
    rss = [i["server_rss_kib"] for i in iv]
    print(f"server RSS KiB: first {rss[0]} (at {iv[0]['t']:.0f} s)  last {rss[-1]} (at {iv[-1]['t']:.0f} s)  "
          f"min {min(rss)}  max {max(rss)}")
    print()
    print(f"{'t s':>6} {'msgs/s':>8} {'p50 us':>8} {'p99 us':>8} {'p99.9 us':>9} {'max us':>9} {'rss KiB':>8}")
    for i in iv:
        print(f"{i['t']:6.0f} {i['messages'] / i['seconds']:8.0f} {i['p50_ns'] / 1e3:8.1f} {i['p99_ns'] / 1e3:8.1f} "
              f"{i['p999_ns'] / 1e3:9.1f} {i['max_ns'] / 1e3:9.1f} {i['server_rss_kib']:8d}")


if __name__ == "__main__":
    main()
