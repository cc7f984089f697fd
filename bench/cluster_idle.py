#!/usr/bin/env python3
"""bench/cluster_idle.sh's sampler. `baseline` samples the processes before any client connects;
`measure` waits until the nodes' logs (--logs) say CONNECTIONS users registered (bounded by
--deadline seconds), then samples each node's and each nats-server's RSS and CPU time from /proc, waits --hold seconds and samples again.
Prints a summary and writes it as JSON: the time to open and register everything, each node's
connections and RSS per connection (bytes, growth over the start), and CPU while the users idle
(milliseconds of CPU per second held, node leases and timers only).

usage: bench/cluster_idle.py baseline --nodes PID... --nats PID... --json BASE.json
       bench/cluster_idle.py measure --base BASE.json --connections N --hold S --deadline S
                             --nodes PID... --nats PID... --logs NODE.log... --json OUT.json
"""
import argparse
import json
import os
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def sample(pid):
    """RSS in bytes, user+system CPU in seconds and open descriptors of process pid."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15)
    rss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
    return {"rss": rss, "cpu": cpu, "fds": len(os.listdir(f"/proc/{pid}/fd"))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("step", choices=["baseline", "measure"])
    ap.add_argument("--base")
    ap.add_argument("--connections", type=int)
    ap.add_argument("--hold", type=float)
    ap.add_argument("--deadline", type=float)
    ap.add_argument("--nodes", type=int, nargs="+", required=True)
    ap.add_argument("--nats", type=int, nargs="+", required=True)
    ap.add_argument("--logs", nargs="+", default=[])
    ap.add_argument("--json", required=True)
    a = ap.parse_args()

    if a.step == "baseline":
        with open(a.json, "w") as f:
            json.dump({"start": time.time(), "samples": {pid: sample(pid) for pid in a.nodes + a.nats}}, f)
        return
    with open(a.base) as f:
        saved = json.load(f)
    base = {int(pid): s for pid, s in saved["samples"].items()}
    start = time.monotonic() - (time.time() - saved["start"])
    # Registered means claimed in the name bucket: each node logs "registered as" once the claim is
    # committed, which is long after the connection is accepted (claims queue at each node).
    registered, offsets = 0, {path: 0 for path in a.logs}
    while time.monotonic() - start < a.deadline:
        for path in a.logs:
            with open(path, "rb") as f:
                f.seek(offsets[path])
                chunk = f.read()
            complete = chunk[:chunk.rfind(b"\n") + 1]
            offsets[path] += len(complete)
            registered += complete.count(b" registered as ")
        if registered >= a.connections:
            break
        time.sleep(0.5)
    setup = time.monotonic() - start
    if registered < a.connections:
        print(f"only {registered} of {a.connections} users registered after {a.deadline:.0f} s", file=sys.stderr)
        sys.exit(1)
    held = {pid: sample(pid) for pid in a.nodes + a.nats}
    opened = sum(held[pid]["fds"] - base[pid]["fds"] for pid in a.nodes)
    time.sleep(a.hold)
    after = {pid: sample(pid) for pid in a.nodes + a.nats}

    def row(pid, kind):
        conns = held[pid]["fds"] - base[pid]["fds"]
        r = {"pid": pid, "kind": kind, "connections": conns, "rss_bytes": after[pid]["rss"],
             "rss_growth_bytes": after[pid]["rss"] - base[pid]["rss"],
             "idle_cpu_ms_per_s": 1000 * (after[pid]["cpu"] - held[pid]["cpu"]) / a.hold,
             "setup_cpu_s": held[pid]["cpu"] - base[pid]["cpu"]}
        if kind == "node" and conns > 0:
            r["rss_per_connection_bytes"] = r["rss_growth_bytes"] / conns
        return r

    rows = [row(p, "node") for p in a.nodes] + [row(p, "nats-server") for p in a.nats]
    out = {"connections": opened, "registered": registered, "open_and_register_s": setup, "hold_s": a.hold, "processes": rows,
           "load_after": open("/proc/loadavg").read().split()[:3]}
    with open(a.json, "w") as f:
        json.dump(out, f, indent=2)
    print(f"{registered} users registered ({opened} connections) in {setup:.1f} s; held {a.hold:.0f} s")
    for r in rows:
        per = f"{r['rss_per_connection_bytes']:7.0f} B/conn" if "rss_per_connection_bytes" in r else " " * 14
        print(f"  {r['kind']:11} pid {r['pid']:7}  conns {r['connections']:6}  RSS {r['rss_bytes'] / 2**20:7.1f} MiB"
              f"  {per}  idle CPU {r['idle_cpu_ms_per_s']:6.1f} ms/s  setup CPU {r['setup_cpu_s']:6.1f} s")
    print(f"  load after: {' '.join(out['load_after'])}")


if __name__ == "__main__":
    main()
