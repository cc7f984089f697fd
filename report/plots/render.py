#!/usr/bin/env python3
"""Report plots and figures from a bench/run.sh results folder.

usage: render.py RESULTS_DIR OUTDIR [SOAK_JSON]      (SOAK_JSON may also come from the environment)

Reads the per-run JSON (<server>_<kind>..._rep<n>.json), takes medians (and min/max) over the
repetitions itself, and writes into OUTDIR:
  throughput-vs-pairs.pdf, latency-vs-rate.pdf, memory-per-connection.pdf, soak.pdf (only when the soak
  JSON has an "intervals" array), figures.json (every number the report text quotes).
A plot whose runs are missing from RESULTS_DIR is skipped with a message. Output is deterministic.
"""
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))
from bench_runs import SERVERS, load_average as load_avg, load_runs, median  # noqa: E402

# --- soak intervals: the one place to adjust when chat-bench's "intervals" key names are final. -----------
# For each field, candidate keys in order (a dotted key looks inside a nested object), each with the factor
# that turns its value into the unit we plot (seconds, messages, microseconds, KiB). The first key present in
# the first interval wins.
SOAK_INTERVALS_KEY = "intervals"
SOAK_FIELDS = {
    # chat-bench --interval: "t" is the interval's end since the measured phase began, "seconds" its length.
    "elapsed_s": [("t", 1), ("elapsed_s", 1), ("elapsed", 1), ("t_s", 1), ("time_s", 1), ("elapsed_ms", 1e-3)],
    "delivered": [("delivered", 1), ("received", 1), ("messages", 1), ("msgs", 1), ("count", 1),
                  ("latency_ns.count", 1)],
    "p50_us": [("p50_us", 1), ("p50_ns", 1e-3), ("latency_us.p50", 1), ("latency_ns.p50", 1e-3), ("p50", 1e-3)],
    "p99_us": [("p99_us", 1), ("p99_ns", 1e-3), ("latency_us.p99", 1), ("latency_ns.p99", 1e-3), ("p99", 1e-3)],
    "p999_us": [("p999_us", 1), ("p999_ns", 1e-3), ("latency_us.p999", 1), ("latency_ns.p999", 1e-3),
                ("p999", 1e-3)],
    "max_us": [("max_us", 1), ("max_ns", 1e-3), ("latency_us.max", 1), ("latency_ns.max", 1e-3), ("max", 1e-3)],
    "rss_kib": [("server_rss_kib", 1), ("rss_kib", 1), ("server.rss_kib", 1), ("server_rss_kb", 1),
                ("rss_kb", 1), ("server_rss_bytes", 1 / 1024), ("rss_bytes", 1 / 1024)],
}
SOAK_REQUIRED = ("elapsed_s", "p99_us", "rss_kib")
# ------------------------------------------------------------------------------------------------------------


def rnd(v, digits):
    return None if v is None else round(v, digits)


def stats(vals, digits):
    """median/min/max of the non-missing values, rounded."""
    vals = [v for v in vals if v is not None]
    if not vals:
        return None, None, None
    return rnd(median(vals), digits), rnd(min(vals), digits), rnd(max(vals), digits)


def load_machines(folder):
    """machine*.txt ('key: value' lines) -> {file: {key: value}}; run.sh writes one per invocation."""
    out = {}
    for path in sorted(glob.glob(os.path.join(folder, "machine*.txt"))):
        fields = {}
        with open(path) as f:
            for line in f:
                if ":" in line:
                    k, v = line.split(":", 1)
                    fields[k.strip().replace(" ", "_")] = v.strip()
        out[os.path.basename(path)] = fields
    return out


def machine_of(doc, machines):
    """The machine file of the run.sh invocation that took this run: the latest one started before it."""
    best = None
    for name, fields in machines.items():
        if fields.get("date", "") <= doc["started_at"] and (best is None or fields["date"] > machines[best]["date"]):
            best = name
    return best


def summarize(docs, machines):
    """Per-configuration figures over the repetitions (latency in µs, CPU in cores = fraction of one core)."""
    f = {"runs": len(docs),
         "errors": sum(d["total_errors"] + (1 if d["error"] else 0) for d in docs),
         "all_ok": all(d["ok"] for d in docs),
         "messages_checked": sum(d["messages"]["received"] for d in docs)}
    idle = docs[0]["config"]["mode"] == "idle"
    series = {
        "delivered_msgs_per_s": ([d["throughput"] for d in docs], 1),
        "latency_p50_us": ([d["latency_ns"]["p50"] / 1e3 for d in docs], 1),
        "latency_p90_us": ([d["latency_ns"]["p90"] / 1e3 for d in docs], 1),
        "latency_p99_us": ([d["latency_ns"]["p99"] / 1e3 for d in docs], 1),
        "latency_p999_us": ([d["latency_ns"]["p999"] / 1e3 for d in docs], 1),
        "latency_max_us": ([d["latency_ns"]["max"] / 1e3 for d in docs], 1),
        "bench_cpu_cores": ([d["bench"]["cores"] for d in docs], 3),
        "server_cpu_cores": ([d["server"]["cores"] for d in docs], 3),
        "bytes_per_idle_connection": ([d["server"]["rss_per_connection_bytes"] if idle else None for d in docs], 1),
        "connect_rate_per_s": ([d["connect_rate"] for d in docs], 1),
        "load_average_1min": ([load_avg(d) for d in docs], 2),
    }
    if idle:  # no messages flow in an idle run
        for k in list(series):
            if k.startswith(("delivered", "latency")):
                del series[k]
    for name, (vals, digits) in series.items():
        med, lo, hi = stats(vals, digits)
        if med is None:
            continue
        f[name + "_median"] = med
        f[name + "_min"] = lo
        f[name + "_max"] = hi
    if not idle:
        f["server_cpu_ns_per_msg_median"] = rnd(statistics.median(
            d["server"]["cpu_seconds"] / d["messages"]["measured"] * 1e9 for d in docs), 0)
        f["bench_cpu_ns_per_msg_median"] = rnd(statistics.median(
            d["bench"]["cpu_seconds"] / d["messages"]["measured"] * 1e9 for d in docs), 0)
    f["bench_bound_runs"] = sum(1 for d in docs if d["bench"]["bound"])
    f["machine_file"] = sorted({machine_of(d, machines) for d in docs} - {None})
    return f


def ratio(a, b, key):
    if not a or not b or a.get(key) in (None, 0) or b.get(key) in (None, 0):
        return None
    return round(a[key] / b[key], 3)


def build_figures(runs, machines, results_dir):
    fig = {"results_dir": results_dir.rstrip("/"),
           "units": "throughput in delivered messages/s; latency in microseconds from (intended) send time; "
                    "CPU in cores (1.0 = one core busy); memory in bytes of server RSS growth per connection; "
                    "load_average_1min is /proc/loadavg at the start of each run; *_median/_min/_max are over "
                    "the repetitions; ratios are chat-server / NATS of the medians",
           "machine": machines}
    every = [d for docs in runs.values() for d in docs]
    fig["all_runs"] = {"runs": len(every), "all_ok": all(d["ok"] for d in every),
                       "errors": sum(d["total_errors"] + (1 if d["error"] else 0) for d in every),
                       "messages_checked": sum(d["messages"]["received"] for d in every)}
    loads = [load_avg(d) for d in every if load_avg(d) is not None]
    if loads:
        fig["all_runs"]["load_average_1min_min"] = min(loads)
        fig["all_runs"]["load_average_1min_max"] = max(loads)

    def section(kind, keyname, ratio_keys):
        out = {}
        for x, w in sorted({(k[2], k[3]) for k in runs if k[1] == kind}):
            entry = {}
            if kind == "pairs":
                entry.update(pairs=x, window=w)
            elif kind == "rate":
                entry.update(pairs=runs.get(("chat", kind, x, w), runs.get(("nats", kind, x, w)))[0]["config"]["pairs"],
                             offered_msgs_per_s=x)
            elif kind == "idle":
                entry.update(connections=x)
            else:
                entry.update(server_threads=x)
            for s in SERVERS:
                if (s, kind, x, w) in runs:
                    entry[s] = summarize(runs[(s, kind, x, w)], machines)
            for rk in ratio_keys:
                r = ratio(entry.get("chat"), entry.get("nats"), rk)
                if r is not None:
                    entry["ratio_chat_to_nats_" + rk] = r
            out[keyname(x, w)] = entry
        return out

    fig["throughput"] = section("pairs", lambda x, w: f"pairs_{x}_window_{w}",
                                ["delivered_msgs_per_s_median", "server_cpu_ns_per_msg_median"])
    fig["latency_vs_rate"] = section("rate", lambda x, w: f"offered_{x}_per_s",
                                     ["latency_p50_us_median", "latency_p99_us_median", "latency_p999_us_median"])
    fig["idle_memory"] = section("idle", lambda x, w: f"connections_{x}", ["bytes_per_idle_connection_median"])
    fig["server_threads"] = section("threads", lambda x, w: f"threads_{x}", [])
    bound = [k[2] for k in runs if k[1] == "rate" and any(d["bench"]["bound"] for d in runs[k])]
    if bound:
        fig["latency_vs_rate_first_bench_bound_rate"] = min(bound)
    return fig


# --- soak -------------------------------------------------------------------------------------------------
def lookup(obj, dotted):
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def soak_rows(doc):
    """-> (rows of {field: value in plot units}, {field: key used}) or (None, reason)."""
    intervals = doc.get(SOAK_INTERVALS_KEY)
    if not isinstance(intervals, list) or not intervals:
        return None, f'no "{SOAK_INTERVALS_KEY}" array'
    chosen = {}
    for field, candidates in SOAK_FIELDS.items():
        for key, factor in candidates:
            if lookup(intervals[0], key) is not None:
                chosen[field] = (key, factor)
                break
    missing = [f for f in SOAK_REQUIRED if f not in chosen]
    if missing:
        return None, (f"intervals lack {', '.join(missing)} (keys seen: {', '.join(sorted(intervals[0]))}); "
                      "adjust SOAK_FIELDS in render.py")
    rows = []
    for iv in intervals:
        row = {}
        for field, (key, factor) in chosen.items():
            v = lookup(iv, key)
            row[field] = None if v is None else v * factor
        rows.append(row)
    return rows, {f: k for f, (k, _) in chosen.items()}


def soak_figures(doc, rows, keys, path):
    L = doc.get("latency_ns", {})
    srv = doc.get("server", {})
    f = {"source": path, "interval_keys_used": keys, "intervals": len(rows),
         "duration_s": doc.get("measured_seconds"), "offered_msgs_per_s": doc.get("config", {}).get("rate"),
         "pairs": doc.get("config", {}).get("pairs"), "delivered_msgs_per_s": doc.get("throughput"),
         "messages": doc.get("messages"), "ok": doc.get("ok"), "errors": doc.get("total_errors"),
         "latency_p50_us": rnd(L.get("p50", 0) / 1e3, 1), "latency_p99_us": rnd(L.get("p99", 0) / 1e3, 1),
         "latency_p999_us": rnd(L.get("p999", 0) / 1e3, 1), "latency_max_us": rnd(L.get("max", 0) / 1e3, 1),
         "bench_cpu_cores": doc.get("bench", {}).get("cores"), "server_cpu_cores": srv.get("cores"),
         "server_rss_before_kib": srv.get("rss_before_kib"), "server_rss_after_kib": srv.get("rss_after_kib")}
    for field in ("p99_us", "p999_us", "rss_kib"):
        vals = [r[field] for r in rows if r.get(field) is not None]
        if vals:
            f[f"interval_{field}_median"] = rnd(statistics.median(vals), 1)
            f[f"interval_{field}_max"] = rnd(max(vals), 1)
    rss = [r for r in rows if r.get("rss_kib") is not None]
    if rss:
        f["rss_kib_first_interval"] = rss[0]["rss_kib"]
        f["rss_kib_last_interval"] = rss[-1]["rss_kib"]
        half = [r["rss_kib"] for r in rss if r["elapsed_s"] >= rss[-1]["elapsed_s"] / 2]
        f["rss_kib_growth_over_second_half"] = half[-1] - half[0]
    return f


# --- plotting ---------------------------------------------------------------------------------------------
def num(v):
    return "NaN" if v is None else repr(v)


def gnuplot(script, out, tmp, **vars_):
    args = "; ".join(f"{k}='{v}'" if isinstance(v, str) else f"{k}={v}" for k, v in sorted(vars_.items()))
    args = f"out='{out}'; tmp='{tmp}'; common='{os.path.join(HERE, 'common.gp')}'" + ("; " + args if args else "")
    subprocess.run(["gnuplot", "-e", args, os.path.join(HERE, script)], check=True)


def fix_date(pdf, stamp):
    """cairo 1.16 ignores SOURCE_DATE_EPOCH: put a fixed CreationDate (same length, so offsets stay valid)."""
    with open(pdf, "rb") as f:
        data = f.read()
    data = re.sub(rb"/CreationDate \(D:\d{14}Z\)", b"/CreationDate (D:" + stamp.encode() + b"Z)", data)
    with open(pdf, "wb") as f:
        f.write(data)


def main():
    args = sys.argv[1:]
    if len(args) not in (2, 3):
        sys.exit(__doc__)
    results, outdir = args[0], args[1]
    soak_path = args[2] if len(args) == 3 else os.environ.get("SOAK_JSON") or os.path.join(results, "soak.json")
    os.makedirs(outdir, exist_ok=True)
    runs = load_runs(results)
    if not runs:
        sys.exit(f"render: no <server>_..._rep<n>.json runs in {results}")
    machines = load_machines(results)
    fig = build_figures(runs, machines, results)

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:  # the last run's start: fixed for fixed input
        latest = max(d["started_at"] for docs in runs.values() for d in docs)
        stamp = re.sub(r"\D", "", latest)[:14]
    else:
        import time
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(int(epoch)))
    made = []
    tmp = tempfile.mkdtemp(prefix="render-plots-")
    try:
        get = lambda *k: runs.get(k)

        # 1. throughput vs pairs: one data file per (server, window): pairs median min max
        windows = sorted({k[3] for k in runs if k[1] == "pairs"})
        if windows:
            for s in SERVERS:
                for w in windows:
                    with open(os.path.join(tmp, f"tput_{s}_w{w}.dat"), "w") as f:
                        for p in sorted({k[2] for k in runs if k[1] == "pairs"}):
                            if get(s, "pairs", p, w):
                                t = fig["throughput"][f"pairs_{p}_window_{w}"][s]
                                f.write(f"{p} {num(t['delivered_msgs_per_s_median'])} "
                                        f"{num(t['delivered_msgs_per_s_min'])} {num(t['delivered_msgs_per_s_max'])}\n")
            out = os.path.join(outdir, "throughput-vs-pairs.pdf")
            gnuplot("throughput.gp", out, tmp, w1=windows[0], w2=windows[-1])
            made.append(out)
        else:
            print("render: no closed-loop (pairs) runs: skipping throughput-vs-pairs.pdf", file=sys.stderr)

        # 2. latency vs offered rate: offered p50 p99 p999 (medians) p99min p99max
        rates = sorted({k[2] for k in runs if k[1] == "rate"})
        if rates:
            for s in SERVERS:
                with open(os.path.join(tmp, f"lat_{s}.dat"), "w") as f:
                    for r in rates:
                        if get(s, "rate", r, 0):
                            t = fig["latency_vs_rate"][f"offered_{r}_per_s"][s]
                            f.write(" ".join(num(v) for v in (
                                r, t["latency_p50_us_median"], t["latency_p99_us_median"],
                                t["latency_p999_us_median"], t["latency_p99_us_min"], t["latency_p99_us_max"])) + "\n")
            out = os.path.join(outdir, "latency-vs-rate.pdf")
            gnuplot("latency.gp", out, tmp, bound=fig.get("latency_vs_rate_first_bench_bound_rate", 0),
                    pairs=f'{fig["latency_vs_rate"][f"offered_{rates[0]}_per_s"]["pairs"]:,}')
            made.append(out)
        else:
            print("render: no open-loop (rate) runs: skipping latency-vs-rate.pdf", file=sys.stderr)

        # 3. memory per idle connection: connections chat(med min max) nats(med min max)
        conns = sorted({k[2] for k in runs if k[1] == "idle"})
        if conns:
            with open(os.path.join(tmp, "mem.dat"), "w") as f:
                for c in conns:
                    e = fig["idle_memory"][f"connections_{c}"]
                    row = [f'"{c:,}"']
                    for s in SERVERS:
                        t = e.get(s, {})
                        row += [num(t.get("bytes_per_idle_connection_" + x)) for x in ("median", "min", "max")]
                    for s in SERVERS:
                        v = e.get(s, {}).get("bytes_per_idle_connection_median")
                        row.append(f'"{v:,.0f} B"' if v is not None else '""')
                    f.write(" ".join(row) + "\n")
            out = os.path.join(outdir, "memory-per-connection.pdf")
            gnuplot("memory.gp", out, tmp)
            made.append(out)
        else:
            print("render: no idle runs: skipping memory-per-connection.pdf", file=sys.stderr)

        # 4. soak time series
        fig["soak"] = None
        if not os.path.exists(soak_path):
            print(f"render: no soak JSON ({soak_path}): skipping soak.pdf", file=sys.stderr)
        else:
            with open(soak_path) as f:
                doc = json.load(f)
            rows, keys = soak_rows(doc)
            if rows is None:
                print(f"render: {soak_path}: {keys}: skipping soak.pdf", file=sys.stderr)
            else:
                with open(os.path.join(tmp, "soak.dat"), "w") as f:
                    prev_t = 0.0
                    for r in rows:
                        dt = r["elapsed_s"] - prev_t
                        rate = r["delivered"] / dt if r.get("delivered") is not None and dt > 0 else None
                        prev_t = r["elapsed_s"]
                        f.write(" ".join(num(v) for v in (
                            r["elapsed_s"], r.get("p50_us"), r["p99_us"], r.get("p999_us"), r.get("max_us"),
                            r["rss_kib"] / 1024, rate)) + "\n")
                out = os.path.join(outdir, "soak.pdf")
                cfg = doc.get("config", {})
                gnuplot("soak.gp", out, tmp, title=f"chat-server soak: {cfg.get('pairs', '?'):,} pairs, {cfg.get('rate', 0):,} msgs/s offered",
                        have_rate=int(any(r.get("delivered") is not None for r in rows)), rate=cfg.get("rate") or 0)
                made.append(out)
                fig["soak"] = soak_figures(doc, rows, keys, soak_path)
    finally:
        shutil.rmtree(tmp)

    for pdf in made:
        fix_date(pdf, stamp)
        print(f"render: wrote {pdf}", file=sys.stderr)
    with open(os.path.join(outdir, "figures.json"), "w") as f:
        json.dump(fig, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    print(f"render: wrote {os.path.join(outdir, 'figures.json')}", file=sys.stderr)


if __name__ == "__main__":
    main()
