#!/usr/bin/env python3
"""Builds report/final_report.pdf from report/sections/*.md.

Every figure in the text comes from a run, never from the keyboard:
  {{name}}             a value from the data this script gathers (see gather()); unknown names fail
  <!-- run: CMD -->    on a line of its own: CMD runs (bash, from the repository root) and its output
                       replaces the line as a code block headed by `$ CMD`
  <!-- md: CMD -->     the same, but the output is Markdown (a table, say) and goes in as it is
Diagrams and plots are drawn afresh by report/diagrams/render.sh and report/plots/render.sh; the
Wireshark screenshots are committed PNGs (report/screenshots/take.sh retakes them).

  report/build.py OUT_PDF     writes OUT_PDF (intermediate files in build-report/)
  REPORT_DRAFT=1 report/build.py OUT_PDF    marks missing values and figures instead of failing
"""
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "report"
WORK = ROOT / "build-report"
FIGURES = WORK / "figures"

sys.path.insert(0, str(ROOT / "bench"))
from bench_runs import documents  # noqa: E402  (a results folder's run JSON, loose or packed)

# The runs the report quotes.
FINAL_RESULTS = "bench/results/2026-11-30-final"  # the matrix on the final code
FIRST_RESULTS = "bench/results/2026-11-24"  # the same matrix on the first version of the server (the "before")
EARLIER_RESULTS = "bench/results/2026-11-24-final"  # the one-router server after its memory work
FUZZ_LOG = "fuzz/results/2026-11-24-600s.txt"
SOAK_JSON = "bench/results/2026-11-30-soak/soak.json"  # with memcheck.txt beside it
THREADS_JSON = "bench/results/2026-11-24-threads/thread_cost.json"
SWEEP_TXT = "bench/results/2026-11-30-sweep/sweep_cost.txt"
DATAPLANE_RESULTS = "bench/results/2026-11-30-dataplane"  # the matrix on the direct MSG path
CLUSTER_RELAY = "bench/results/2026-11-30-cluster-relay"  # bench/cluster.sh: same-node against cross-node
CLUSTER_IDLE = "bench/results/2026-11-30-cluster-idle"  # IDLE=50000 bench/cluster.sh
CLUSTER_DOC = "docs/cluster.md"  # its "Figures" table: the fault timings the cluster tests printed


def cover_date():
    """The cover's date (report/metadata.yaml, `date: "30 November 2026"`) as seconds since the epoch
    at 00:00 UTC: the date the PDF's metadata and the plots carry, so that the PDF is dated as its cover
    and rebuilding gives the same bytes whatever the day."""
    text = (REPORT / "metadata.yaml").read_text(encoding="utf-8")
    day = datetime.datetime.strptime(re.search(r'^date: "(.+)"$', text, flags=re.M)[1], "%d %B %Y")
    return str(int(day.replace(tzinfo=datetime.timezone.utc).timestamp()))


SOURCE_DATE_EPOCH = cover_date()


def run(cmd, **kwargs):
    return subprocess.run(cmd, cwd=ROOT, check=True, text=True, capture_output=True, **kwargs).stdout


def load_json(path):
    with open(ROOT / path, encoding="utf-8") as f:
        return json.load(f)


def thousands(n):
    return f"{round(n):,}"


def test_counts():
    """Tests per row of the testing table, from ctest's own list of the Release build. Names are
    layer.component.case; a component that starts with a program's name (client, bench, encap)
    counts for that program's row, whatever its layer."""
    listing = json.loads(run(["ctest", "--test-dir", "build", "-N", "--show-only=json-v1"]))
    rows = {}
    for test in listing["tests"]:
        layer, component = test["name"].split(".")[:2]
        program = re.match(r"(client|bench|encap)", component)
        row = program.group(1) if program else layer
        rows[row] = rows.get(row, 0) + 1
    data = {f"tests.{row}": str(n) for row, n in rows.items()}
    data["tests.total"] = str(sum(rows.values()))
    return data


def bench_results(alias, folder):
    """A bench/run.sh folder's medians (summary.json) as ALIAS.<run>.<field>, ALIAS.ratio.<run>
    (chat / NATS throughput) and ALIAS.machine.<field> (machine.txt)."""
    summary = load_json(f"{folder}/summary.json")
    data = {}
    for run_name, fig in summary.items():
        for field, v in fig.items():
            data[f"{alias}.{run_name}.{field}"] = thousands(v) if isinstance(v, (int, float)) else str(v)
        if run_name.startswith("chat_"):
            peer = summary.get("nats_" + run_name[5:])
            if peer and peer["throughput"] > 0:
                data[f"{alias}.ratio.{run_name[5:]}"] = f"{fig['throughput'] / peer['throughput']:.2f}x"
            if peer and peer.get("rss_per_conn", 0) > 0:
                data[f"{alias}.mem_ratio.{run_name[5:]}"] = f"{fig['rss_per_conn'] / peer['rss_per_conn']:.2f}x"
    for line in (ROOT / folder / "machine.txt").read_text(encoding="utf-8").splitlines():
        field, _, v = line.partition(": ")
        data[f"{alias}.machine.{field.replace(' ', '_')}"] = v
        if field in ("load at start", "load at end"):  # /proc/loadavg: 1, 5 and 15 min, then tasks
            when = field.split()[-1]
            for minutes, load in zip((1, 5, 15), v.split()[:3]):
                data[f"{alias}.load.{when}_{minutes}"] = f"{float(load):.0f}"
    # the 1-minute load chat-bench found before each run (bench/run.sh labels its JSON "load=L")
    run_docs = documents(ROOT / folder, "*_rep*.json")
    loads = sorted(float(m[1]) for _, doc in run_docs if (m := re.match(r"load=([0-9.]+)", doc.get("label") or "")))
    if loads:
        data.update({f"{alias}.load.runs_min": f"{loads[0]:.1f}", f"{alias}.load.runs_max": f"{loads[-1]:.1f}",
                     f"{alias}.load.runs_median": f"{loads[len(loads) // 2]:.1f}"})
    data[f"{alias}.dir"] = folder
    data[f"{alias}.runs_total"] = str(sum(fig["runs"] for fig in summary.values()))
    for _, doc in run_docs:
        if doc["messages"]["lost"]:
            data[f"{alias}.lost_run_sent"] = thousands(doc["messages"]["sent"])
    return data


def bench_tables(alias, folder):
    """Compact Markdown tables of a bench/run.sh folder's medians: ALIAS.table.{throughput,latency,memory,cores}."""
    s = load_json(f"{folder}/summary.json")
    runs = lambda kind: sorted({tuple(int(x) for x in k.split("_")[2:]) for k in s if k.startswith(f"chat_{kind}_")},
                               key=lambda key: (key[-1], key[0]) if kind == "pairs" else key)
    pct = lambda v: f"{v * 100:.0f} %"
    us = lambda v: thousands(v)

    def mark(fig):
        notes = []
        if fig.get("errors"):
            notes.append(f"{fig['errors']} run with errors")
        if fig.get("bench_bound"):
            notes.append("bench-bound")
        return f" ({', '.join(notes)})" if notes else ""

    def chat_and_nats(kind, header, cells):
        """One row per run of KIND: CELLS(key, chat-server's medians, NATS's medians) in HEADER's columns."""
        columns = header.count("|") - 1
        rows = [header, "|" + "---:|" * columns]
        for key in runs(kind):
            run_name = "_".join(str(k) for k in (kind, *key))
            rows.append("| " + " | ".join(cells(key, s["chat_" + run_name], s["nats_" + run_name])) + " |")
        return rows

    tables = {}
    tables["throughput"] = chat_and_nats(
        "pairs", "| pairs | window | chat-server msgs/s | NATS msgs/s | ratio | server CPU µs/msg chat / NATS "
        "| bench CPU % chat / NATS |",
        lambda key, c, n: [thousands(key[0]), str(key[1]), f"{thousands(c['throughput'])}{mark(c)}",
                           f"{thousands(n['throughput'])}{mark(n)}", f"{c['throughput'] / n['throughput']:.2f}x",
                           f"{cpu_per_message(c):.2f} / {cpu_per_message(n):.2f}",
                           f"{c['bench_cores'] * 100:.0f} / {n['bench_cores'] * 100:.0f}"])
    percentiles = lambda fig: f"{us(fig['p50_us'])} / {us(fig['p99_us'])} / {us(fig['p999_us'])}{mark(fig)}"
    tables["latency"] = chat_and_nats(
        "rate", "| offered /s | chat-server p50 / p99 / p99.9 µs | NATS p50 / p99 / p99.9 µs | bench CPU chat / NATS |",
        lambda key, c, n: [thousands(key[0]), percentiles(c), percentiles(n),
                           f"{pct(c['bench_cores'])} / {pct(n['bench_cores'])}"])
    upto = [r for (r, _) in runs("rate") if r <= 20000]
    worst = lambda kind, field: max(s[f"{kind}_rate_{r}_0"][field] for r in upto)
    extra = {f"{alias}.rate.upto": thousands(max(upto)),
             f"{alias}.rate.chat_p99_max": us(worst("chat", "p99_us")),
             f"{alias}.rate.chat_p999_max": us(worst("chat", "p999_us")),
             f"{alias}.rate.nats_p99_max": us(worst("nats", "p99_us")),
             f"{alias}.rate.nats_p999_max": us(worst("nats", "p999_us"))}
    tables["memory"] = chat_and_nats(
        "idle", "| idle connections | chat-server B/conn | NATS B/conn | ratio | connect + register /s chat / NATS |",
        lambda key, c, n: [thousands(key[0]), thousands(c["rss_per_conn"]), thousands(n["rss_per_conn"]),
                           f"{c['rss_per_conn'] / n['rss_per_conn']:.2f}x",
                           f"{thousands(c['connect_rate'])} / {thousands(n['connect_rate'])}"])
    rows = ["| chat-server threads | msgs/s | server CPU | bench CPU |", "|---:|---:|---:|---:|"]
    for (threads, _) in runs("threads"):
        c = s[f"chat_threads_{threads}_0"]
        rows.append(f"| {threads} | {thousands(c['throughput'])} | {pct(c['server_cores'])} | {pct(c['bench_cores'])} |")
    tables["cores"] = rows
    for window in {key[1] for key in runs("pairs")}:
        keys = [f"pairs_{pairs}_{w}" for (pairs, w) in runs("pairs") if w == window]
        for server in ("chat", "nats"):
            cpu = [cpu_per_message(s[f"{server}_{k}"]) for k in keys]
            extra |= {f"{alias}.cpu.{server}_{k}": f"{c:.2f}" for k, c in zip(keys, cpu)}
            extra[f"{alias}.cpu_range.{server}_w{window}"] = f"{min(cpu):.1f} to {max(cpu):.1f}"
        ratios = [s[f"chat_{k}"]["throughput"] / s[f"nats_{k}"]["throughput"] for k in keys]
        extra[f"{alias}.ratio_range.w{window}"] = f"{min(ratios):.2f}x to {max(ratios):.2f}x"
    return extra | {f"{alias}.table.{name}": "\n".join(rows) for name, rows in tables.items()}


def fuzz_runs(path):
    """tools/dev fuzz's summary lines ("target: N runs, R exec/s, cov: C ft: F") as a table."""
    rows = []
    for line in (ROOT / path).read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(\w+): (\d+) runs, (\d+) exec/s, cov: (\d+) ft: (\d+)$", line)
        if m:
            rows.append(f"| fuzz_{m[1]} | {thousands(int(m[2]))} | {thousands(int(m[3]))} | {m[4]} | {thousands(int(m[5]))} |")
    if not rows:
        sys.exit(f"report/build.py: no fuzz summary lines in {path}")
    return {"fuzz.table": "| target | executions | exec/s | cov | ft |\n|---|---:|---:|---:|---:|\n" + "\n".join(rows)}


def coverage_run(now):
    """The ctest summary line of the coverage run (report/data/coverage/ctest.txt), and whether the
    suite has grown since: NOW is today's test count."""
    line = (ROOT / "report/data/coverage/ctest.txt").read_text(encoding="utf-8").splitlines()[0].strip()
    then = int(re.search(r"out of (\d+)", line)[1])
    grown = f"; the suite has {now} tests now" if now != then else ""
    return {"coverage.ctest": line + grown}


def soak_run(path):
    """chat-bench's JSON of bench/soak.sh: totals, whole-run percentiles and per-interval figures."""
    doc = load_json(path)
    us = lambda ns: f"{ns / 1000:,.0f}" if ns >= 10_000 else f"{ns / 1000:,.1f}"
    intervals = doc["intervals"]
    p99s = sorted(i["p99_ns"] for i in intervals)
    data = {f"soak.{k}": thousands(v) for k, v in doc["messages"].items()}
    data.update({
        "soak.dir": str(Path(path).parent),
        "soak.rate": thousands(doc["config"]["rate"]),
        "soak.pairs": thousands(doc["config"]["pairs"]),
        "soak.seconds": thousands(doc["config"]["duration"]),
        "soak.interval": thousands(doc["config"]["interval"]),
        "soak.intervals": str(len(intervals)),
        "soak.p50_us": us(doc["latency_ns"]["p50"]),
        "soak.p99_us": us(doc["latency_ns"]["p99"]),
        "soak.p999_us": us(doc["latency_ns"]["p999"]),
        "soak.max_us": us(doc["latency_ns"]["max"]),
        "soak.iv_p99_min_us": us(p99s[0]),
        "soak.iv_p99_median_us": us(p99s[len(p99s) // 2]),
        "soak.iv_p99_max_us": us(p99s[-1]),
        "soak.iv_p99_over_1ms": str(sum(p > 1_000_000 for p in p99s)),
        "soak.rss_first_kib": thousands(intervals[0]["server_rss_kib"]),
        "soak.rss_last_kib": thousands(intervals[-1]["server_rss_kib"]),
        "soak.rss_max_kib": thousands(max(i["server_rss_kib"] for i in intervals)),
        "soak.server_cpu": f"{doc['server']['cores'] * 100:.0f} %",
        "soak.bench_cpu": f"{doc['bench']['cores'] * 100:.0f} %",
    })
    return data


def thread_cost(path):
    """bench/thread_cost.sh's medians: thread per client against chat-server, idle and in traffic."""
    doc = load_json(path)
    idle = {(r["server"], r["connections"]): r["median"] for r in doc["idle"]}
    traffic = {(r["server"], r["pairs"], r["window"]): r["median"] for r in doc["traffic"]}
    names = {"threads": "thread per client", "chat1": "chat-server"}
    rows = ["| conns | server | RSS | with kernel | connects/s |", "|---:|---|---:|---:|---:|"]
    for (server, n), m in sorted(idle.items(), key=lambda kv: (kv[0][1], kv[0][0] != "threads")):
        if server == "chat2":
            continue
        total = m["rss_per_conn_bytes"] + m["kernel_stack_per_conn_bytes"] + m["vmpte_per_conn_bytes"]
        rows.append(f"| {thousands(n)} | {names[server]} | {thousands(m['rss_per_conn_bytes'])} B"
                    f" | {thousands(total)} B | {thousands(m['connect_rate_per_s'])} |")
    data = {"threads.idle_table": "\n".join(rows)}
    rows = ["| pairs × window | threads: msgs/s | p99 | chat-server: msgs/s | p99 | ratio |",
            "|---|---:|---:|---:|---:|---:|"]
    for (server, pairs, window), m in sorted(traffic.items(), key=lambda kv: (kv[0][2], kv[0][1])):
        if server != "threads":
            continue
        ours = traffic[("chat1", pairs, window)]
        ms = lambda us: f"{us / 1000:,.1f} ms" if us >= 1000 else f"{us:,.0f} µs"
        rows.append(f"| {thousands(pairs)} × {window} | {thousands(m['throughput'])} | {ms(m['p99_us'])}"
                    f" | {thousands(ours['throughput'])} | {ms(ours['p99_us'])}"
                    f" | {ours['throughput'] / m['throughput']:.2f}x |")
    data["threads.traffic_table"] = "\n".join(rows)
    big = max(n for _, n in idle)
    th, ours = idle[("threads", big)], idle[("chat1", big)]
    th_total = th["rss_per_conn_bytes"] + th["kernel_stack_per_conn_bytes"] + th["vmpte_per_conn_bytes"]
    ours_total = ours["rss_per_conn_bytes"] + ours["kernel_stack_per_conn_bytes"] + ours["vmpte_per_conn_bytes"]
    data.update({
        "threads.n": thousands(big),
        "threads.stack_resident": thousands(th["stack_rss_per_thread_bytes"]),
        "threads.vmsize_mb": f"{th['vmsize_per_conn_bytes'] / 1e6:.1f}",
        "threads.commit_gb": f"{th['commit_charge_per_conn_bytes'] * big / 1e9:.0f}",
        "threads.create_us": f"{th['thread_spawn_ns_mean'] / 1000:.0f}",
        "threads.rss_ratio": f"{th['rss_per_conn_bytes'] / ours['rss_per_conn_bytes']:.1f}",
        "threads.total_ratio": f"{th_total / ours_total:.1f}",
        "threads.dir": str(Path(path).parent),
    })
    return data


def sweep_cost(path):
    """bench/sweep_cost.sh's medians (ms of server CPU per second held) for binaries A and B."""
    data = {"sweep.dir": str(Path(path).parent)}
    for line in (ROOT / path).read_text(encoding="utf-8").splitlines():
        m = re.match(r"([AB]): server CPU over each hold .*; median ([0-9.]+) ms per second held", line)
        if m:
            data[f"sweep.{m.group(1)}"] = m.group(2)
    if "sweep.A" not in data or "sweep.B" not in data:
        raise ValueError(f"{path}: no medians for A and B")
    return data


def cpu_per_message(fig):
    """Server CPU in µs per delivered message of one summary.json entry: chat-bench's own figure, or,
    in folders from before chat-bench reported it, the server's median cores over the median throughput."""
    return fig.get("cpu_us_per_msg") or fig["server_cores"] / fig["throughput"] * 1e6


def before_after(before, after):
    """The closed-loop runs both bench/run.sh folders hold, chat-server on BEFORE's code against AFTER's:
    before_after.table (msgs/s, ratio to NATS in the same run, server CPU µs per message)."""
    b, a = load_json(f"{before}/summary.json"), load_json(f"{after}/summary.json")
    keys = sorted({k[len("chat_pairs_"):] for k in a if k.startswith("chat_pairs_") and k in b},
                  key=lambda k: tuple(reversed([int(x) for x in k.split("_")])))
    rows = ["| pairs | window | msgs/s before | msgs/s after | ratio to NATS before / after "
            "| server CPU µs/msg before / after |", "|" + "---:|" * 6]
    for k in keys:
        pairs, window = k.split("_")
        cb, ca, nb, na = b["chat_pairs_" + k], a["chat_pairs_" + k], b["nats_pairs_" + k], a["nats_pairs_" + k]
        rows.append(f"| {thousands(int(pairs))} | {window} | {thousands(cb['throughput'])} | {thousands(ca['throughput'])} "
                    f"| {cb['throughput'] / nb['throughput']:.2f}x / {ca['throughput'] / na['throughput']:.2f}x "
                    f"| {cpu_per_message(cb):.2f} / {cpu_per_message(ca):.2f} |")
    return {"before_after.table": "\n".join(rows)}


def msg_path(before, after):
    """1,000 pairs at window 16 on the one-router server (BEFORE) and on the direct MSG path (AFTER),
    from each bench/run.sh folder's medians: path.<when>.{throughput,nats,ratio,cpu_us,load,dir}.
    Server CPU per message: cpu_per_message."""
    data = {}
    for when, folder in (("before", before), ("after", after)):
        s = load_json(f"{folder}/summary.json")
        c, n = s["chat_pairs_1000_16"], s["nats_pairs_1000_16"]
        cpu_us = cpu_per_message(c)
        data.update({f"path.{when}.throughput": thousands(c["throughput"]),
                     f"path.{when}.nats": thousands(n["throughput"]),
                     f"path.{when}.ratio": f"{c['throughput'] / n['throughput']:.2f}x",
                     f"path.{when}.cpu_us": f"{cpu_us:.2f}",
                     f"path.{when}.load": f"{c['load']:.1f}",
                     f"path.{when}.dir": folder})
    return data


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def cluster_relay(folder):
    """bench/cluster.sh's interleaved runs (same-pP-rR.json, cross-pP-rR.json): per number of pairs,
    the median cross / same throughput (cluster.relay.ratio.P), and over all pairs the range of the
    median node CPU per message and of its cross / same ratio, and one pair's median p50 both ways."""
    runs = {}
    for name, doc in documents(ROOT / folder, "*-p*-r*.json"):
        where, pairs = re.match(r"(same|cross)-p(\d+)-r\d+\.json$", name).groups()
        runs.setdefault((where, int(pairs)), []).append(doc)
    pairs = sorted({p for _, p in runs})
    med = lambda where, p, field: median(field(doc) for doc in runs[(where, p)])
    tput = lambda doc: doc["throughput"]
    cpu = lambda doc: doc["server"]["cpu_us_per_msg"]
    p50 = lambda doc: doc["latency_ns"]["p50"] / 1000
    data = {f"cluster.relay.ratio.{p}": f"{med('cross', p, tput) / med('same', p, tput):.2f}x" for p in pairs}
    cross, same = [med("cross", p, cpu) for p in pairs], [med("same", p, cpu) for p in pairs]
    cpu_ratio = [c / s for c, s in zip(cross, same)]
    one_cross, one_same = med("cross", pairs[0], p50), med("same", pairs[0], p50)
    data.update({
        "cluster.relay.dir": folder,
        "cluster.relay.repetitions": str(len(runs[("cross", pairs[0])])),
        "cluster.relay.cross_cpu": f"{min(cross):.1f} to {max(cross):.1f}",
        "cluster.relay.same_cpu": f"{min(same):.1f} to {max(same):.1f}",
        "cluster.relay.cpu_ratio": f"{min(cpu_ratio):.0f}-{max(cpu_ratio):.0f}x",
        "cluster.relay.p50_cross_1": f"{one_cross:.0f}",
        "cluster.relay.p50_same_1": f"{one_same:.0f}",
        "cluster.relay.rtt_gain_ms": f"{(one_cross - one_same) / 1000:.1f}",
    })
    return data


def cluster_idle(folder, dataplane):
    """IDLE=N bench/cluster.sh: its idle-summary.txt (users registered in S s, held H s; per node its
    connections, bytes per connection and idle CPU), its chat-bench processes (idle-K.json), the load
    before (machine.txt) and after, and the relay beside the idle users (cross-p100-beside-idle.json);
    with the single node's bytes per idle connection of DATAPLANE's matrix for comparison."""
    summary = (ROOT / folder / "idle-summary.txt").read_text(encoding="utf-8")
    users, seconds, held = re.match(r"(\d+) users registered .* in ([0-9.]+) s; held (\d+) s", summary).groups()
    nodes = [(int(conns), int(per_conn), float(cpu)) for conns, per_conn, cpu in
             re.findall(r"^ *node .* conns +(\d+) .* (\d+) B/conn +idle CPU +([0-9.]+) ms/s", summary, flags=re.M)]
    benches = [doc for _, doc in documents(ROOT / folder, "idle-[0-9]*.json")]
    machine = (ROOT / folder / "machine.txt").read_text(encoding="utf-8")
    load_before = float(re.search(r"^load at start: ([0-9.]+)", machine, flags=re.M)[1])
    load_after = float(re.search(r"load after: ([0-9.]+)", summary)[1])
    [(_, beside)] = documents(ROOT / folder, "cross-p100-beside-idle.json")
    rate = int(users) / float(seconds)  # registrations per second, the whole cluster
    per_node_users = int(users) / len(nodes)
    return {
        "cluster.idle.dir": folder,
        "cluster.idle.users": thousands(int(users)),
        "cluster.idle.nodes": str(len(nodes)),
        "cluster.idle.nats_servers": str(len(re.findall(r"^ *nats-server ", summary, flags=re.M))),
        "cluster.idle.benches": str(len(benches)),
        "cluster.idle.bench_conns": thousands(benches[0]["config"]["idle"]),
        "cluster.idle.held_s": held,
        "cluster.idle.kb_per_user": f"{sum(n[1] for n in nodes) / len(nodes) / 1000:.1f}",
        "cluster.idle.cpu_ms": f"{sum(n[2] for n in nodes) / len(nodes):.0f}",
        "cluster.idle.rate": thousands(round(rate, -2)),
        "cluster.idle.claim_ms": f"{len(nodes) / rate * 1000:.1f}",
        "cluster.idle.node_users": thousands(per_node_users),
        "cluster.idle.restart_s": thousands(round(per_node_users / (rate / len(nodes)), -1)),
        "cluster.idle.load": f"{load_before:.0f}-{load_after:.0f}",
        "cluster.idle.single_node_b": thousands(load_json(f"{dataplane}/summary.json")["chat_idle_19000_0"]["rss_per_conn"]),
        "cluster.beside.pairs": str(beside["config"]["pairs"]),
        "cluster.beside.window": str(beside["config"]["window"]),
        "cluster.beside.throughput": thousands(round(beside["throughput"], -3)),
        "cluster.beside.cpu_us": f"{beside['server']['cpu_us_per_msg']:.1f}",
        "cluster.beside.load": f"{float(beside['label'].removeprefix('load=')):.0f}",
    }


def cluster_faults(path):
    """The fault timings of docs/cluster.md's "Figures" table (what the cluster.faults.* tests printed):
    a node killed (partners told, names free), the stream leader killed (last REGISTER answered),
    quorum lost (ERR UNAVAILABLE, REGISTER back after the restart)."""
    rows = dict(re.findall(r"^\| (.+?) \| (.+?) \|$", (ROOT / path).read_text(encoding="utf-8"), flags=re.M))
    cell = lambda start: next(v for k, v in rows.items() if k.startswith(start))
    told, free = re.match(r"([0-9.-]+) s, ([0-9.-]+) s", cell("`kill -9` of a node")).groups()
    leader = re.search(r"last OK ([0-9.-]+) s", cell("`kill -9` of the stream leader"))[1]
    unavailable, back = re.search(r"^([0-9.]+) s .* works ([0-9.]+) s", cell("2 of 3 NATS servers killed")).groups()
    return {"cluster.fault.node_told": told, "cluster.fault.node_free": free, "cluster.fault.leader": leader,
            "cluster.fault.quorum_unavailable": unavailable, "cluster.fault.quorum_back": back}


def gather():
    data = {}
    for loader in (test_counts, lambda: coverage_run(int(data["tests.total"])), lambda: bench_results("final", FINAL_RESULTS),
                   lambda: bench_tables("final", FINAL_RESULTS), lambda: bench_results("first", FIRST_RESULTS), lambda: bench_tables("first", FIRST_RESULTS),
                   lambda: bench_results("earlier", EARLIER_RESULTS), lambda: fuzz_runs(FUZZ_LOG),
                   lambda: soak_run(SOAK_JSON), lambda: thread_cost(THREADS_JSON), lambda: sweep_cost(SWEEP_TXT),
                   lambda: msg_path(FIRST_RESULTS, DATAPLANE_RESULTS), lambda: before_after(FIRST_RESULTS, FINAL_RESULTS), lambda: cluster_relay(CLUSTER_RELAY),
                   lambda: cluster_idle(CLUSTER_IDLE, DATAPLANE_RESULTS), lambda: cluster_faults(CLUSTER_DOC)):
        try:
            data.update(loader())
        except (OSError, KeyError, ValueError) as e:
            if not DRAFT:
                raise
            print(f"report/build.py: draft: {e}", file=sys.stderr)
    return data


DRAFT = os.environ.get("REPORT_DRAFT") == "1"


def fill(text, data, source):
    def value(match):
        key = match.group(1).strip()
        if key not in data and DRAFT:
            return f"**??{key}??**"
        if key not in data:
            sys.exit(f"report/build.py: {source}: no value for {{{{{key}}}}}")
        return data[key]

    def command_output(match):
        kind, cmd = match.group(1), match.group(2).strip()
        result = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=ROOT, text=True, capture_output=True)
        if result.returncode != 0 and DRAFT:
            print(f"report/build.py: draft: `{cmd}` failed:\n{result.stderr}", file=sys.stderr)
            return "**??command failed??**"
        if result.returncode != 0:
            sys.exit(f"report/build.py: {source}: `{cmd}` failed ({result.returncode}):\n{result.stderr}")
        if not result.stdout.strip():
            # an empty code box: most often a sed range whose start line the code no longer has
            print(f"report/build.py: warning: {source}: `{cmd}` printed nothing", file=sys.stderr)
        if kind == "md":
            return result.stdout.rstrip()
        return f"```text\n$ {cmd}\n{result.stdout.rstrip()}\n```"

    def figure(match):
        if (WORK / match.group(2)).exists():
            return match.group(0)
        if DRAFT:
            return f"**??missing {match.group(2)}??**"
        sys.exit(f"report/build.py: {source}: no {match.group(2)}")

    text = re.sub(r"\{\{([^}]+)\}\}", value, text)  # first: commands may use values
    text = re.sub(r"^!\[(.*)\]\((figures/[^)]+)\)", figure, text, flags=re.M)
    return re.sub(r"^<!-- (run|md): (.*?) -->$", command_output, text, flags=re.M)


def draw_figures():
    FIGURES.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
    renders = [["report/diagrams/render.sh", str(FIGURES)],
               ["report/plots/render.sh", FINAL_RESULTS, str(FIGURES), SOAK_JSON]]
    for cmd in renders:
        result = subprocess.run(["bash", *cmd], cwd=ROOT, env=env)
        if result.returncode != 0 and not DRAFT:
            sys.exit(f"report/build.py: {' '.join(cmd)} failed")
    for png in sorted((REPORT / "screenshots").glob("*.png")):
        shutil.copy(png, FIGURES / png.name)


def latex(env):
    """pdflatex on build-report/report.tex until the contents and references settle (as pandoc
    does it, at most 4 runs), keeping report.log for check_overfull. It starts without the last
    build's auxiliary files, and runs at least twice: LaTeX does not say "rerun" when only the
    contents' page numbers changed, so a stale report.toc could otherwise go to print."""
    for stale in ("report.aux", "report.toc", "report.out"):
        (WORK / stale).unlink(missing_ok=True)
    for run_number in range(1, 5):
        result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "report.tex"],
                                cwd=WORK, env=env, text=True, capture_output=True, errors="replace")
        if result.returncode != 0:
            sys.exit(f"report/build.py: pdflatex failed; see {WORK / 'report.log'}:\n{result.stdout[-3000:]}")
        log = (WORK / "report.log").read_text(encoding="latin-1")
        if run_number >= 2 and "Rerun to get" not in log and "Label(s) may have changed" not in log:
            return


def check_overfull(log_path):
    """Fails on every overfull box in pdflatex's log, however small: an `Overfull \\hbox` (text, a
    table or a code line running into the margin or the next column) or an `Overfull \\vbox` (a page
    whose contents run over its foot, as a code box kept whole under a figure did). Prints each with
    the text LaTeX quotes for it, so it can be found in the sections."""
    text = log_path.read_text(encoding="latin-1")
    boxes = []
    for m in re.finditer(r"^Overfull \\([hv])box \((\d+(?:\.\d+)?)pt too (wide|high)\)(.*)\n((?:.+\n){0,2})", text, flags=re.M):
        # a page's overflow is reported while it is being output: the next page shipped, "[N", is it
        page = re.search(r"\[(\d+)", text[m.end():]) if m[1] == "v" else None
        where = f" (printed page {page[1]})" if page else ""
        boxes.append(f"  {m[1]}box {m[2]}pt too {m[3]}{m[4]}{where}\n    {m[5].strip()[:200]}")
    if boxes and not DRAFT:
        sys.exit(f"report/build.py: {len(boxes)} overfull box(es) in {log_path.name}:\n" + "\n".join(boxes))
    for box in boxes:
        print(f"report/build.py: draft: overfull {box}", file=sys.stderr)


# Each captured image the report prints, with the font size its UI text has in the capture, in pixels
# (report/screenshots/README.md, "Print size": Wireshark's panes in DejaVu Sans Mono 12 pt at 96 dpi).
SCREENSHOT_FONT_PX = {"wireshark-handbuilt.png": 16, "wireshark-real-follow.png": 16}
# The rule for screenshots (issue 16): font px / the image's px per inch in the PDF * 72 >= this.
SCREENSHOT_MIN_PT = 7.0


def check_screenshots(pdf):
    """Fails unless every raster image in PDF is a known capture (SCREENSHOT_FONT_PX, matched by its
    pixel size) whose text prints at SCREENSHOT_MIN_PT or more; returns "file: N pt on page P" per image.
    The resolution is pdfimages's, as placed on the page."""
    sizes = {}
    for name in SCREENSHOT_FONT_PX:
        header = (REPORT / "screenshots" / name).read_bytes()[16:24]  # PNG IHDR: width, height
        sizes[(int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big"))] = name
    report, problems = [], []
    for line in run(["pdfimages", "-list", str(pdf)]).splitlines()[2:]:
        f = line.split()
        page, width, height, ppi = int(f[0]), int(f[3]), int(f[4]), float(f[12])
        name = sizes.get((width, height))
        if name is None:
            problems.append(f"a {width}x{height} image on page {page} is no capture in SCREENSHOT_FONT_PX")
            continue
        points = SCREENSHOT_FONT_PX[name] / ppi * 72
        report.append(f"{name}: {SCREENSHOT_FONT_PX[name]} px / {ppi:.0f} px/in x 72 = {points:.1f} pt (PDF page {page})")
        if points < SCREENSHOT_MIN_PT:
            problems.append(f"{name} prints its text at {points:.1f} pt (< {SCREENSHOT_MIN_PT} pt)")
    if problems and not DRAFT:
        sys.exit("report/build.py: " + "; ".join(problems))
    return report


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = Path(sys.argv[1]).resolve()
    WORK.mkdir(exist_ok=True)
    draw_figures()
    data = gather()
    sections = sorted((REPORT / "sections").glob("*.md"))
    filled = WORK / "report.md"
    filled.write_text("\n\n".join(fill(s.read_text(encoding="utf-8"), data, s.name) for s in sections),
                      encoding="utf-8")
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH, FORCE_SOURCE_DATE="1")
    subprocess.run(["pandoc", str(REPORT / "metadata.yaml"), str(filled), "--from=markdown", "--standalone",
                    "--listings", f"--lua-filter={REPORT / 'cover.lua'}",
                    # layout.lua measures text, so it runs before inline-code.lua turns code into raw LaTeX
                    f"--lua-filter={REPORT / 'layout.lua'}", f"--lua-filter={REPORT / 'inline-code.lua'}",
                    "--number-sections", "--toc", f"--include-in-header={REPORT / 'preamble.tex'}",
                    "-o", "report.tex"], cwd=WORK, check=True, env=env)
    latex(env)
    check_overfull(WORK / "report.log")
    for line in check_screenshots(WORK / "report.pdf"):
        print(f"report/build.py: {line}")
    shutil.copy(WORK / "report.pdf", out)
    print(f"report/build.py: wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main()
