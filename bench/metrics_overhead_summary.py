#!/usr/bin/env python3
"""Summary of bench/metrics_overhead.sh: reads OUT/raw/{off,on}-REP.json for REP in 1..REPS and writes
OUT/metrics_overhead.json (every run, median throughput and server CPU per message, the overhead in
per cent) and OUT/summary.md, which it also prints.

    python3 bench/metrics_overhead_summary.py OUT REPS
"""
import json, statistics, sys
out, reps = sys.argv[1], int(sys.argv[2])
runs = []
for rep in range(1, reps + 1):
    for mode in ("off", "on"):
        try:
            b = json.load(open(f"{out}/raw/{mode}-{rep}.json"))
        except (OSError, ValueError):
            b = None
        ok = bool(b and b.get("ok"))
        runs.append({"rep": rep, "mode": mode, "ok": ok, "throughput": b["throughput"] if ok else None,
                     "p99_us": b["latency_ns"]["p99"] / 1e3 if ok else None,
                     "cpu_us_per_msg": b["server"].get("cpu_us_per_msg") if ok else None,
                     "server_cores": b["server"].get("cores") if ok else None, "label": b["label"] if b else None})
median = {m: statistics.median([r["throughput"] for r in runs if r["mode"] == m and r["ok"]] or [0])
          for m in ("off", "on")}
overhead = (1 - median["on"] / median["off"]) * 100 if median["off"] else None
# Server CPU per message: what the metrics cost the server itself, and the figure a loaded machine
# disturbs least (throughput also moves when chat-bench or the scraper lose their core).
cpu = {m: statistics.median([r["cpu_us_per_msg"] for r in runs if r["mode"] == m and r["cpu_us_per_msg"]] or [0])
       for m in ("off", "on")}
cpu_overhead = (cpu["on"] / cpu["off"] - 1) * 100 if cpu["off"] else None
json.dump({"runs": runs, "median_throughput": median, "overhead_percent": overhead,
           "median_cpu_us_per_msg": cpu, "cpu_overhead_percent": cpu_overhead},
          open(f"{out}/metrics_overhead.json", "w"), indent=1)
lines = ["# Metrics on against off (interleaved)", "",
         f"Median throughput: off {median['off']:,.0f} msgs/s, on {median['on']:,.0f} msgs/s; "
         + (f"overhead {overhead:.2f} %" if overhead is not None else "no successful off run"), "",
         f"Median server CPU per message: off {cpu['off']:.3f} µs, on {cpu['on']:.3f} µs; "
         + (f"overhead {cpu_overhead:.2f} %" if cpu_overhead is not None else "no successful off run"), "",
         "| rep | metrics | ok | msgs/s | p99 µs | server µs/msg | server cores | label |",
         "|---|---|---|---|---|---|---|---|"]
for r in runs:
    t = f"{r['throughput']:,.0f}" if r["throughput"] else "-"
    p = f"{r['p99_us']:,.0f}" if r["p99_us"] else "-"
    c = f"{r['cpu_us_per_msg']:.3f}" if r["cpu_us_per_msg"] else "-"
    k = f"{r['server_cores']:.2f}" if r["server_cores"] else "-"
    lines.append(f"| {r['rep']} | {r['mode']} | {r['ok']} | {t} | {p} | {c} | {k} | {r['label']} |")
open(f"{out}/summary.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
