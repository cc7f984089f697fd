#!/usr/bin/env python3
"""Fault injection for cluster mode (docs/cluster.md, Fault injection): each run starts a fresh
cluster (3 nats-servers, R3 buckets, 3 nodes) in a private network namespace, runs the workload
(fault_workload.py), applies one fault and heals it, then judges the history
(history_checker.py). Prints every violation and a table of runs with violations per fault kind.

Usage: fault_test.py SCHEDULE PATH/TO/chat-server [--out DIR] [--seed N]
  SCHEDULE: short (1 run per fault kind), long (FAULT_RUNS per kind, default 10), or
            KIND[:RUNS][,KIND[:RUNS]...] with KIND one of: none node_kill node_pause nats_kill
            nats_pause node_cut nats_cut; or `recheck`: judge again the histories kept in --out
            (after a change to the checker), without running anything
Exit status: 0 without violations, 1 with any, 2 for a broken run (the cluster did not start).
Needs root: it re-runs itself under `unshare -n`.
"""
import argparse
import glob
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import history_checker  # noqa: E402
from fault_cluster import NATS_COUNT, NODE_COUNT, FaultCluster, nats_uid, node_uid  # noqa: E402
from fault_workload import History, actor, probe_free, probe_serving, race  # noqa: E402

KINDS = ("none", "node_kill", "node_pause", "nats_kill", "nats_pause", "node_cut", "nats_cut")
NAMES = [f"u{i}" for i in range(9)]  # 18 actors share 9 names: REGISTERs contend
ACTORS_PER_NODE = 6
WARMUP = 4.0
AFTER_HEAL = 12.0
JOIN_WAIT = 45.0
IN_NAMESPACE = "CHAT_FAULTS_NETNS"


def wait(seconds):
    """The schedule's own pacing (fault length, phases): nothing to wait for but time."""
    threading.Event().wait(seconds)


class Fault:
    """One fault of `kind` on a target chosen by `rng`; inject() then heal() record it."""

    def __init__(self, kind, cluster, history, rng, run):
        self.kind, self.cluster, self.history, self.rng, self.run = kind, cluster, history, rng, run
        self.node = rng.randrange(NODE_COUNT)
        self.nats = rng.randrange(NATS_COUNT)
        self.length = {"none": 0.0, "node_kill": 3.0, "node_pause": rng.uniform(8, 12), "nats_kill": 5.0,
                       "nats_pause": 10.0, "node_cut": 12.0, "nats_cut": 12.0}[kind]
        self.what = ""

    def inject(self):
        c, h = self.cluster, self.history
        if self.kind.startswith("nats") and self.run % 2 == 0:
            leader = c.leader()  # every other run hits the name bucket's stream leader
            if leader is not None:
                self.nats, self.what = leader.index, " (the name bucket's leader)"
        target = f"n{self.node}" if self.kind.startswith("node") else f"nats{self.nats}"
        self.what = f"{target}{self.what}, {self.length:.1f} s" if self.kind != "none" else "-"
        h.record("fault", kind=self.kind, target=target)
        if self.kind == "node_kill":
            h.record("stop", node=self.node)
            c.kill(c.nodes[self.node])
        elif self.kind == "node_pause":
            h.record("stop", node=self.node)
            c.pause(c.nodes[self.node])
        elif self.kind == "nats_kill":
            c.kill(c.nats[self.nats].proc)
        elif self.kind == "nats_pause":
            c.pause(c.nats[self.nats].proc)
        elif self.kind == "node_cut":
            c.cut([node_uid(self.node)], [nats_uid(i) for i in range(NATS_COUNT)])
        elif self.kind == "nats_cut":
            c.cut([nats_uid(self.nats)], [nats_uid(i) for i in range(NATS_COUNT) if i != self.nats])

    def heal(self):
        c, h = self.cluster, self.history
        if self.kind == "node_kill":
            c.start_node(self.node)
        elif self.kind == "node_pause":
            c.resume(c.nodes[self.node])
        elif self.kind == "nats_kill":
            c.nats[self.nats].start()
        elif self.kind == "nats_pause":
            c.resume(c.nats[self.nats].proc)
        elif self.kind in ("node_cut", "nats_cut"):
            c.heal_network()
        h.record("heal")
        if self.kind == "node_kill":
            c.wait_listening(self.node)
        if self.kind.startswith("node_"):
            h.record("resume", node=self.node)


def one_run(kind, run, binary, out, seed):
    """Runs one fault run; returns (violations, description) and keeps the history in `out`."""
    rng = random.Random(seed)
    history = History()
    history.record("meta", nodes=NODE_COUNT, names=NAMES + ["racet"], kind=kind, run=run, seed=seed)
    cluster = FaultCluster(binary)
    try:
        cluster.start()
        ports = cluster.node_ports()
        stop = threading.Event()
        workers = [threading.Thread(target=actor, args=(history, i % NODE_COUNT, ports[i % NODE_COUNT], NAMES,
                                                        rng.random(), stop), daemon=True)
                   for i in range(ACTORS_PER_NODE * NODE_COUNT)]
        workers.append(threading.Thread(target=race, args=(history, ports, stop), daemon=True))
        for w in workers:
            w.start()
        fault = Fault(kind, cluster, history, rng, run)
        wait(WARMUP)
        fault.inject()
        wait(fault.length)
        fault.heal()
        healed = time.monotonic()
        probes = [threading.Thread(target=probe_serving, args=(history, i, ports[i], healed + 25), daemon=True)
                  for i in range(NODE_COUNT)]
        for p in probes:
            p.start()
        wait(AFTER_HEAL)
        stop.set()
        end = time.monotonic() + JOIN_WAIT
        for w in workers:
            w.join(max(0.0, end - time.monotonic()))
        stuck = sum(w.is_alive() for w in workers)
        history.record("workload_end", stuck=stuck)
        deadline = max(healed + history_checker.FREE_BOUND,
                       time.monotonic() + history_checker.FREE_AFTER_END) + 1
        # Every name on every node at once: one node that does not answer delays no other's verdict.
        free = [threading.Thread(target=probe_free, args=(history, node, ports[node], name, deadline), daemon=True)
                for name in NAMES + ["racet"] for node in range(NODE_COUNT)]
        for p in free:
            p.start()
        for p in free + probes:
            p.join(max(0.0, deadline + 20 - time.monotonic()))
    finally:
        cluster.close()
    path = os.path.join(out, f"{kind}-{run}.jsonl")
    history.write(path)
    with open(os.path.join(out, f"{kind}-{run}.log"), "w") as f:
        f.write(cluster.log_text())
    return history_checker.check(history_checker.load(path)), fault.what


def parse_schedule(text):
    if text == "short":
        return [(k, 1) for k in KINDS]
    if text == "long":
        return [(k, int(os.environ.get("FAULT_RUNS", "10"))) for k in KINDS]
    schedule = []
    for item in text.split(","):
        kind, _, runs = item.partition(":")
        if kind not in KINDS:
            raise SystemExit(f"unknown fault kind {kind!r} ({' '.join(KINDS)})")
        schedule.append((kind, int(runs or 1)))
    return schedule


def table(results):
    """Runs with each kind of violation, out of runs, per fault kind (and the total counts)."""
    kinds = history_checker.KINDS
    lines = ["| fault | runs | " + " | ".join(kinds) + " |", "|---" * (len(kinds) + 2) + "|"]
    for fault in KINDS:
        runs = [r for r in results if r["kind"] == fault]
        if not runs:
            continue
        cells = []
        for k in kinds:
            hit = sum(1 for r in runs if r["counts"][k])
            total = sum(r["counts"][k] for r in runs)
            cells.append(f"{hit} ({total})" if hit else "0")
        lines.append(f"| {fault} | {len(runs)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(results, broken, out):
    """Prints the table, keeps summary.json in `out`, and exits with the status the usage gives."""
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump({"broken": broken, "results": results}, f, indent=1)
    print("\nruns with each violation (total violations in brackets):")
    print(table(results))
    failed = [r for r in results if any(r["counts"].values())]
    print(f"\n{len(failed)} of {len(results)} runs had violations; {broken} broken runs")
    if broken:
        sys.exit(2)
    sys.exit(1 if failed else 0)


def recheck(out):
    results = []
    for path in sorted(glob.glob(os.path.join(out, "*.jsonl"))):
        records = history_checker.load(path)
        meta = next(r for r in records if r["ev"] == "meta")
        violations = history_checker.check(records)
        counts = history_checker.count(violations)
        results.append({"kind": meta["kind"], "run": meta["run"], "fault": "", "counts": counts})
        print(f"{os.path.basename(path)}: " + (", ".join(f"{k} {n}" for k, n in counts.items() if n) or "no violations"))
    report(results, 0, out)


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("schedule")
    parser.add_argument("chat_server", nargs="?")
    parser.add_argument("--out", default=None)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    if args.schedule == "recheck":
        recheck(args.out)
    if not args.chat_server:
        parser.error("the chat-server binary is missing")
    if os.environ.get(IN_NAMESPACE) != "1":
        env = dict(os.environ, **{IN_NAMESPACE: "1"})
        os.execvpe("unshare", ["unshare", "-n", "--", sys.executable, os.path.abspath(__file__), *sys.argv[1:]], env)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    schedule = parse_schedule(args.schedule)
    out = args.out or tempfile.mkdtemp(prefix="chat-fault-runs-")
    os.makedirs(out, exist_ok=True)
    seed = args.seed if args.seed is not None else int(time.time())
    print(f"fault runs: {sum(n for _, n in schedule)}, seed {seed}, histories in {out}", flush=True)
    results = []
    broken = 0
    for kind, runs in schedule:
        for run in range(runs):
            began = time.monotonic()
            try:
                violations, what = one_run(kind, run, os.path.abspath(args.chat_server), out, seed * 1000 + len(results))
            except AssertionError as e:
                print(f"run {kind}#{run}: BROKEN RUN: {e}", flush=True)
                broken += 1
                continue
            counts = history_checker.count(violations)
            results.append({"kind": kind, "run": run, "fault": what, "counts": counts})
            summary = ", ".join(f"{k} {n}" for k, n in counts.items() if n) or "no violations"
            print(f"run {kind}#{run} ({what}; {time.monotonic() - began:.0f} s): {summary}", flush=True)
            for k, text in violations[:12]:
                print(f"  VIOLATION {k}: {text}")
            if len(violations) > 12:
                print(f"  ... {len(violations) - 12} more in {out}/{kind}-{run}.jsonl")
    report(results, broken, out)


if __name__ == "__main__":
    main()
