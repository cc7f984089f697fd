#!/usr/bin/env python3
"""Summary of bench/tls.sh: the medians of the successful runs in OUT (relay-{plain,tls}-*.json,
handshakes-{plain,tls}-*.json), TLS against plain and their ratio, one line per figure on stdout.

    python3 bench/tls_summary.py OUT
"""
import glob, json, os, statistics, sys
out = sys.argv[1]
def figures(kind, transport, pick):
    values = []
    for path in sorted(glob.glob(os.path.join(out, f"{kind}-{transport}-*.json"))):
        d = json.load(open(path))
        if d.get("ok"):
            values.append(pick(d))
    return values
rows = [
    ("relay msgs/s", "relay", lambda d: d["throughput"]),
    ("relay p99 us", "relay", lambda d: d["latency_ns"]["p99"] / 1e3),
    ("server us CPU/msg", "relay", lambda d: d["server"]["cpu_us_per_msg"] or 0),
    ("handshakes/s", "handshakes", lambda d: d["connect_rate"]),
    ("server RSS/conn B", "handshakes", lambda d: d["server"]["rss_per_connection_bytes"]),
]
print(f"{'median of ok runs':20} {'plain':>12} {'tls':>12} {'tls/plain':>10}   runs")
for label, kind, pick in rows:
    plain, tls = figures(kind, "plain", pick), figures(kind, "tls", pick)
    if not plain or not tls:
        print(f"{label:20} {'-':>12} {'-':>12} {'-':>10}   {len(plain)}/{len(tls)}")
        continue
    p, t = statistics.median(plain), statistics.median(tls)
    print(f"{label:20} {p:12.1f} {t:12.1f} {t / p if p else 0:10.3f}   {len(plain)}/{len(tls)}")
