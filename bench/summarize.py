#!/usr/bin/env python3
"""Medians of a bench/run.sh result folder: summary.md (tables, ratios to NATS) and
summary.json; then the report's plots of the same runs (report/plots/render.py: throughput-vs-pairs.pdf,
latency-vs-rate.pdf, memory-per-connection.pdf, figures.json).

usage: bench/summarize.py bench/results/<date>
"""
import glob
import json
import os
import subprocess
import sys

from bench_runs import load_average, load_runs, median


def med(docs, get):
    return median(get(d) for d in docs)


def cpu_us_per_msg(d):
    """Server CPU microseconds per delivered message; computed for JSON written before the field existed."""
    if "cpu_us_per_msg" in d["server"]:
        return d["server"]["cpu_us_per_msg"]
    cpu, n = d["server"]["cpu_seconds"], d["messages"]["measured"]
    return cpu * 1e6 / n if cpu is not None and cpu >= 0 and n else None


def figures(docs):
    ok = all(d["ok"] for d in docs)
    return {
        "runs": len(docs),
        "ok": ok,
        "errors": sum(d["total_errors"] for d in docs) + sum(1 for d in docs if d["error"]),
        "throughput": med(docs, lambda d: d["throughput"]),
        "p50_us": med(docs, lambda d: d["latency_ns"]["p50"] / 1e3),
        "p99_us": med(docs, lambda d: d["latency_ns"]["p99"] / 1e3),
        "p999_us": med(docs, lambda d: d["latency_ns"]["p999"] / 1e3),
        "bench_cores": med(docs, lambda d: d["bench"]["cores"]),
        "bench_bound": sum(1 for d in docs if d["bench"]["bound"]),
        "server_cores": med(docs, lambda d: d["server"]["cores"]),
        "cpu_us_per_msg": med(docs, cpu_us_per_msg),
        "rss_per_conn": med(docs, lambda d: d["server"]["rss_per_connection_bytes"]),
        "connect_rate": med(docs, lambda d: d["connect_rate"]),
        "load": med(docs, load_average),
    }


def fmt(v, unit="", digits=0):
    if v is None:
        return "-"
    return f"{v:,.{digits}f}{unit}"


def pct(d, key):
    """A core fraction of `d` as a percentage ("-" never: a missing one counts as 0)."""
    return fmt((d.get(key) or 0) * 100, '%')


def table(title, header):
    """A section's title and the head of its Markdown table, every column right-aligned."""
    return [title, "", header, "|" + "---:|" * (header.count("|") - 1)]


def ratio(a, b, inverse=False):
    if a is None or b in (None, 0) or a == 0:
        return "-"
    return f"{(b / a if inverse else a / b):.2f}x"


def main():
    folder = sys.argv[1]
    runs = load_runs(folder)
    fig = {k: figures(v) for k, v in runs.items()}
    get = lambda *k: fig.get(k, {})
    lines = []
    # One machine.txt per invocation of run.sh (a folder may hold parts run separately).
    for machine in sorted(glob.glob(os.path.join(folder, "machine*.txt"))):
        lines += [f"`{os.path.basename(machine)}`:", "```", open(machine).read().rstrip(), "```", ""]

    pairs = sorted({k[2] for k in fig if k[1] == "pairs"})
    windows = sorted({k[3] for k in fig if k[1] == "pairs"})
    if pairs:
        lines += table("### Throughput (closed loop, msgs/s delivered, median)",
                       "| pairs | window | chat-server | NATS | ratio | server CPU us/msg (chat/NATS) | CPU ratio | chat p99 us | NATS p99 us | bench CPU (chat/NATS) | server CPU (chat/NATS) | load |")
        for w in windows:
            for p in pairs:
                c, n = get("chat", "pairs", p, w), get("nats", "pairs", p, w)
                if not c and not n:
                    continue
                bound = " (bench-bound)" if c.get("bench_bound") else ""
                lines.append(
                    f"| {p:,} | {w} | {fmt(c.get('throughput'))}{bound} | {fmt(n.get('throughput'))} | "
                    f"{ratio(c.get('throughput'), n.get('throughput'))} | "
                    f"{fmt(c.get('cpu_us_per_msg'), '', 2)} / {fmt(n.get('cpu_us_per_msg'), '', 2)} | "
                    f"{ratio(c.get('cpu_us_per_msg'), n.get('cpu_us_per_msg'))} | {fmt(c.get('p99_us'))} | {fmt(n.get('p99_us'))} | "
                    f"{pct(c, 'bench_cores')} / {pct(n, 'bench_cores')} | {pct(c, 'server_cores')} / {pct(n, 'server_cores')} | "
                    f"{fmt(c.get('load'), '', 1)} |")
        lines.append("")

    def section(kind, title, header, row):
        """A table with one row(key) per run key of `kind`, in order; nothing without such runs."""
        keys = sorted({k[2] for k in fig if k[1] == kind})
        if keys:
            lines.extend(table(title, header) + [row(key) for key in keys] + [""])

    def rate_row(r):
        c, n = get("chat", "rate", r, 0), get("nats", "rate", r, 0)
        return (f"| {r:,} | {fmt(c.get('throughput'))} | {fmt(c.get('p50_us'))} / {fmt(c.get('p99_us'))} / {fmt(c.get('p999_us'))} | "
                f"{fmt(n.get('throughput'))} | {fmt(n.get('p50_us'))} / {fmt(n.get('p99_us'))} / {fmt(n.get('p999_us'))} | "
                f"{ratio(n.get('p99_us'), c.get('p99_us'))} | {pct(c, 'bench_cores')} / {pct(n, 'bench_cores')} |")

    def idle_row(conns):
        c, n = get("chat", "idle", conns, 0), get("nats", "idle", conns, 0)
        return (f"| {conns:,} | {fmt(c.get('rss_per_conn'))} | {fmt(n.get('rss_per_conn'))} | "
                f"{fmt(c.get('connect_rate'))} | {fmt(n.get('connect_rate'))} |")

    def threads_row(t):
        c = get("chat", "threads", t, 0)
        return (f"| {t} | {fmt(c.get('throughput'))} | {fmt(c.get('cpu_us_per_msg'), '', 2)} | "
                f"{pct(c, 'server_cores')} | {pct(c, 'bench_cores')} |")

    section("rate", "### Latency vs offered rate (1,000 pairs, open loop, from intended send time, median)",
            "| offered/s | chat delivered/s | chat p50 / p99 / p99.9 us | NATS delivered/s | NATS p50 / p99 / p99.9 us | p99 ratio (NATS/chat) | bench CPU chat/NATS |",
            rate_row)
    section("idle", "### Memory per idle registered connection (server RSS growth / connections, median)",
            "| connections | chat-server B/conn | NATS B/conn | chat connect+register/s | NATS connect+sub/s |", idle_row)
    section("threads", "### Cores (unpinned, 1,000 pairs, window 16, chat-bench --threads 2)",
            "| chat-server --threads | msgs/s | server CPU us/msg | server CPU | bench CPU |", threads_row)

    failed = sorted("_".join(map(str, k)) for k, v in fig.items() if not v["ok"])
    lines.append("Runs with errors: " + (", ".join(failed) if failed else "none") + ".")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(folder, "summary.md"), "w") as f:
        f.write(text)
    with open(os.path.join(folder, "summary.json"), "w") as f:
        json.dump({"_".join(map(str, k)): v for k, v in sorted(fig.items())}, f, indent=1)
    print(text)

    # The plots are the report's own (report/plots/render.py and its gnuplot scripts), drawn here.
    render = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "report", "plots", "render.py")
    try:
        subprocess.run([sys.executable, render, folder, folder], check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"summarize: no plots ({e})", file=sys.stderr)


if __name__ == "__main__":
    main()
