#!/usr/bin/env python3
"""bench/thread_cost.sh's summary: reads OUT/raw/ (each run's chat-bench JSON, /proc samples, GNU time's
rusage, the baseline server's own report) and writes OUT/thread_cost.json (every run and the medians)
and OUT/summary.md, which it also prints.

usage: bench/thread_cost_summary.py OUT
"""
import glob, json, os, re, statistics, sys
out = sys.argv[1]
raw = os.path.join(out, "raw")
SERVERS = {"threads": "thread per client", "chat1": "chat-server --threads 1", "chat2": "chat-server --threads 2"}

def load(name):
    r = {"name": name}
    try:
        r["bench"] = json.load(open(f"{raw}/{name}.json"))
    except Exception:
        r["bench"] = None
    try:
        r["proc"] = json.load(open(f"{raw}/{name}.proc.json"))
    except Exception:
        r["proc"] = None
    r["rusage"] = None
    try:
        for line in open(f"{raw}/{name}.rusage"):
            if line.startswith("RUSAGE "):
                r["rusage"] = json.loads(line[7:])
    except OSError:
        pass
    r["baseline"] = None
    try:
        for line in open(f"{raw}/{name}.server.txt"):
            if line.startswith('{"tool": "chat-threads-baseline"'):
                r["baseline"] = json.loads(line)
    except OSError:
        pass
    return r

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None

runs = {}
for path in sorted(glob.glob(f"{raw}/*.json")):
    name = os.path.basename(path)[:-5]
    if name.endswith(".proc"):
        continue
    runs[name] = load(name)

def ok(r):
    return r["bench"] is not None and r["bench"]["ok"]

idle, traffic = [], []
groups = {}
for name, r in runs.items():
    m = re.fullmatch(r"(\w+?)_idle(\d+)_rep(\d+)", name)
    if not m:
        continue
    kind, n = m.group(1), int(m.group(2))
    b, p = r["bench"], r["proc"]
    row = {"run": name, "ok": ok(r), "load": b["label"] if b else None}
    if b:
        row["rss_per_conn_bytes"] = b["server"]["rss_per_connection_bytes"]
        row["connect_rate_per_s"] = b["connect_rate"]
        row["connections"] = b["connections"]
    if p and b and b["connections"]:
        bf, pk = p["before"], p["peak"]
        c = b["connections"]
        row["threads_peak"] = pk["Threads"]
        row["vmsize_per_conn_bytes"] = (pk["VmSize"] - bf["VmSize"]) * 1024 / c
        row["vmpte_per_conn_bytes"] = (pk["VmPTE"] - bf["VmPTE"]) * 1024 / c
        row["kernel_stack_per_conn_bytes"] = (pk["sys_KernelStack"] - bf["sys_KernelStack"]) * 1024 / c
        row["commit_charge_per_conn_bytes"] = (pk["sys_Committed_AS"] - bf["sys_Committed_AS"]) * 1024 / c
        st = p.get("smaps_stacks")
        if st and st["stacks"]:
            row["stack_rss_per_thread_bytes"] = st["stack_rss_kib"] * 1024 / st["stacks"]
    if r["baseline"]:
        row["thread_spawn_ns_mean"] = r["baseline"]["spawn_ns_mean"]
    groups.setdefault((kind, n), []).append(row)
for (kind, n), rows in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    good = [x for x in rows if x["ok"]]
    keys = ["rss_per_conn_bytes", "stack_rss_per_thread_bytes", "vmsize_per_conn_bytes", "commit_charge_per_conn_bytes",
            "vmpte_per_conn_bytes", "kernel_stack_per_conn_bytes", "connect_rate_per_s", "threads_peak", "thread_spawn_ns_mean"]
    idle.append({"server": kind, "connections": n, "runs_ok": len(good), "runs": rows,
                 "median": {k: med([x.get(k) for x in good]) for k in keys}})

groups = {}
controls = {}
for name, r in runs.items():
    m = re.fullmatch(r"(\w+?)_pairs(\d+)_control_rep(\d+)", name)
    if m:
        controls.setdefault((m.group(1), int(m.group(2))), []).append(r)
        continue
    m = re.fullmatch(r"(\w+?)_pairs(\d+)_w(\d+)_rep(\d+)", name)
    if m:
        groups.setdefault((m.group(1), int(m.group(2)), int(m.group(3))), []).append(r)
for (kind, pairs, window), rs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
    cs = [c for c in controls.get((kind, pairs), []) if ok(c) and c["rusage"]]
    cvol = med([c["rusage"]["voluntary"] for c in cs])
    cinv = med([c["rusage"]["involuntary"] for c in cs])
    rows = []
    for r in rs:
        b, u = r["bench"], r["rusage"]
        row = {"run": r["name"], "ok": ok(r), "load": b["label"] if b else None}
        if b:
            row.update(throughput=b["throughput"], p50_us=b["latency_ns"]["p50"] / 1e3, p99_us=b["latency_ns"]["p99"] / 1e3,
                       server_cores=b["server"]["cores"], bench_cores=b["bench"]["cores"], bench_bound=b["bench"]["bound"],
                       delivered=b["messages"]["received"])
            if b["throughput"]:
                row["server_cpu_ns_per_msg"] = b["server"]["cores"] / b["throughput"] * 1e9
        if u:
            row.update(voluntary=u["voluntary"], involuntary=u["involuntary"])
        if b and u and b["messages"]["received"] and cvol is not None:
            d = b["messages"]["received"]
            row["voluntary_per_msg"] = (u["voluntary"] - cvol) / d
            row["involuntary_per_msg"] = (u["involuntary"] - cinv) / d
            row["ctxt_per_msg"] = row["voluntary_per_msg"] + row["involuntary_per_msg"]
        rows.append(row)
    good = [x for x in rows if x["ok"]]
    keys = ["throughput", "p50_us", "p99_us", "server_cores", "server_cpu_ns_per_msg", "bench_cores",
            "voluntary_per_msg", "involuntary_per_msg", "ctxt_per_msg"]
    traffic.append({"server": kind, "pairs": pairs, "window": window, "runs_ok": len(good), "runs": rows,
                    "control_voluntary_median": cvol, "control_involuntary_median": cinv,
                    "median": {k: med([x.get(k) for x in good]) for k in keys}})

machine = open(os.path.join(out, "machine.txt")).read()
json.dump({"tool": "bench/thread_cost.sh", "machine": machine, "servers": SERVERS, "idle": idle, "traffic": traffic},
          open(os.path.join(out, "thread_cost.json"), "w"), indent=1)

def f(v, d=0):
    return "-" if v is None else f"{v:,.{d}f}"
lines = ["`machine.txt`:", "```", machine.rstrip(), "```", "",
         "### Idle registered connections (median of the runs that passed)", "",
         "| connections | server | RSS B/conn | of which stack B/thread | VmSize B/conn | commit charge B/conn (system) | page tables B/conn | kernel stacks B/conn (system) | threads | connect+REGISTER /s | thread create ns | runs ok |",
         "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
def row(*cells):
    return "| " + " | ".join(str(c) for c in cells) + " |"
def runs_ok(g):
    return f"{g['runs_ok']}/{len(g['runs'])}"
IDLE_FIGURES = ["rss_per_conn_bytes", "stack_rss_per_thread_bytes", "vmsize_per_conn_bytes", "commit_charge_per_conn_bytes",
                "vmpte_per_conn_bytes", "kernel_stack_per_conn_bytes", "threads_peak", "connect_rate_per_s",
                "thread_spawn_ns_mean"]
for g in idle:
    m = g["median"]
    lines.append(row(f"{g['connections']:,}", SERVERS.get(g['server'], g['server']), *(f(m[k]) for k in IDLE_FIGURES),
                     runs_ok(g)))
lines += ["", "### Traffic: closed loop, msgs/s delivered (median)", "",
          "| pairs | window | server | msgs/s | p50 us | p99 us | server CPU | server CPU ns/msg | voluntary cs/msg | involuntary cs/msg | runs ok |",
          "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
for g in traffic:
    m = g["median"]
    cores = m["server_cores"]
    lines.append(row(f"{g['pairs']:,}", g["window"], SERVERS.get(g['server'], g['server']), f(m["throughput"]),
                     f(m["p50_us"]), f(m["p99_us"]), f(cores * 100 if cores is not None else None) + " %",
                     f(m["server_cpu_ns_per_msg"]), f(m["voluntary_per_msg"], 3), f(m["involuntary_per_msg"], 3),
                     runs_ok(g)))
failed = [n for n, r in runs.items() if not ok(r)]
lines += ["", "Runs with errors: " + (", ".join(failed) if failed else "none") + "."]
open(os.path.join(out, "summary.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))