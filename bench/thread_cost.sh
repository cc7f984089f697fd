#!/usr/bin/env bash
# What a thread per client costs: chat-threads-baseline (the course project's design: one thread
# per client, blocking recv, one mutex-guarded map) against chat-server, in one harness.
#
#   bench/thread_cost.sh            idle and traffic parts, 3 repetitions (about 10 minutes)
#   bench/thread_cost.sh idle       only some parts: idle traffic (summary: only rewrite the summary)
#
# Every server is started fresh per run, pinned to core 0, under GNU time (which reports the
# context switches of all its threads, the exited ones included); chat-bench runs pinned to core 1
# with one thread. Both under SCHED_FIFO (chrt -f 10) like bench/run.sh, unless BENCH_RT=0.
#   idle:    chat-bench --idle N holds N registered connections; a poller reads the server's
#            VmRSS, VmSize, VmPTE and Threads (/proc/PID/status) and the system's KernelStack
#            (/proc/meminfo) before and at the peak. chat-bench gives the RSS growth and the
#            connect + REGISTER rate.
#   traffic: chat-bench --pairs P --window W (closed loop; W=1 is ping-pong), and a control run
#            with the same set-up but almost no traffic (--rate 1): context switches per relayed
#            message = (run - control) / messages delivered.
# Knobs: REPS=3 IDLE="1000 5000 9000" PAIRS="100 1000" WINDOWS="1 16" DURATION=5 WARMUP=1 HOLD=3
#        IDLE_SERVERS="threads chat1" TRAFFIC_SERVERS="threads chat1 chat2" BENCH_RT=1 PORT=17655
#        OUT=bench/results/<date>-threads
# Results: OUT/thread_cost.json (every run and the medians), OUT/summary.md, OUT/machine.txt,
# OUT/raw/ (each chat-bench JSON and text, server stderr, rusage, /proc samples).
set -euo pipefail
cd "$(dirname "$0")/.."

REPS=${REPS:-3}
IDLE=${IDLE:-"1000 5000 9000"}
PAIRS=${PAIRS:-"100 1000"}
WINDOWS=${WINDOWS:-"1 16"}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
HOLD=${HOLD:-3}
IDLE_SERVERS=${IDLE_SERVERS:-"threads chat1"}
TRAFFIC_SERVERS=${TRAFFIC_SERVERS:-"threads chat1 chat2"}
BENCH_RT=${BENCH_RT:-1}
PORT=${PORT:-17655}
OUT=${OUT:-bench/results/$(date -u +%F)-threads}
PARTS=${*:-idle traffic}
SERVER_CORE=0
BENCH_CORE=1

[ -x /usr/bin/time ] || { echo "thread_cost.sh: needs GNU time (apt-get install time)" >&2; exit 1; }
rt=()
if [ "$BENCH_RT" = 1 ]; then
  if chrt -f 10 true 2>/dev/null; then rt=(chrt -f 10); else echo "thread_cost.sh: no SCHED_FIFO here, running as ordinary tasks" >&2; fi
fi

if [ "$PARTS" != summary ]; then
echo "== build (Release)"
[ -f build/build.ninja ] || cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target chat-server chat-bench chat-threads-baseline >/dev/null
mkdir -p "$OUT/raw"

{
  echo "date: $(date -u +%FT%TZ)"
  echo "host: $(uname -srm)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cores online)"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "fd limit: soft $(ulimit -Sn), hard $(ulimit -Hn)"
  echo "ulimit -s: $(ulimit -s) KiB (default thread stack); threads-max $(cat /proc/sys/kernel/threads-max); pid_max $(cat /proc/sys/kernel/pid_max); vm.overcommit_memory $(cat /proc/sys/vm/overcommit_memory)"
  echo "task_struct slab: $(awk '$1 == "task_struct" {print $4 " B per object"}' /proc/slabinfo 2>/dev/null || echo unreadable)"
  echo "commit: $(git rev-parse --short HEAD) ($(git rev-parse --abbrev-ref HEAD))"
  echo "compiler: $(c++ --version | head -1)"
  echo "scheduling: ${rt[*]:-normal}; server on core $SERVER_CORE, chat-bench on core $BENCH_CORE (--threads 1)"
  echo "traffic: window $WINDOWS, ${DURATION}s + warm-up ${WARMUP}s; idle hold ${HOLD}s; ${REPS} repetitions"
  echo "load at start: $(cat /proc/loadavg)"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt"
fi

time_pid="" server_pid="" poller_pid="" current=""
# start_server KIND NAME: KIND is threads (chat-threads-baseline), chat1 or chat2 (chat-server --threads 1|2).
start_server() {
  local kind=$1 name=$2 cmd
  case "$kind" in
    threads) cmd=(build/bin/chat-threads-baseline --port "$PORT") ;;
    chat1) cmd=(build/bin/chat-server --port "$PORT" --threads 1 --log-level warn) ;;
    chat2) cmd=(build/bin/chat-server --port "$PORT" --threads 2 --log-level warn) ;;
    *) echo "thread_cost.sh: unknown server $kind" >&2; exit 2 ;;
  esac
  taskset -c "$SERVER_CORE" "${rt[@]}" /usr/bin/time -o "$OUT/raw/$name.rusage" \
    -f 'RUSAGE {"voluntary": %w, "involuntary": %c, "user_s": %U, "sys_s": %S, "maxrss_kib": %M}' \
    "${cmd[@]}" 2>"$OUT/raw/$name.server.txt" &
  time_pid=$!
  server_pid=""
  for _ in $(seq 200); do
    [ -n "$server_pid" ] || server_pid=$(ps -o pid= --ppid "$time_pid" | tr -d ' ' || true)
    if [ -n "$server_pid" ] && ss -Hltn "sport = :$PORT" | grep -q .; then break; fi
    sleep 0.05
  done
  ss -Hltn "sport = :$PORT" | grep -q . || { echo "thread_cost.sh: $kind did not start (see $OUT/raw/$name.server.txt)" >&2; exit 1; }
  # The poller samples the server until the stop file appears; its first sample is "before".
  current=$name
  rm -f "$OUT/raw/$name.stop" "$OUT/raw/$name.ready"
  taskset -c "$BENCH_CORE" python3 - "$server_pid" "$OUT/raw/$name.proc.json" "$OUT/raw/$name.stop" "$(ulimit -s)" <<'EOF' &
import json, os, sys, time
pid, out, stop = sys.argv[1:4]
def sample():
    s = {}
    try:
        for line in open(f"/proc/{pid}/status"):
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmSize", "VmPTE", "Threads"):
                s[k] = int(v.split()[0])
        for line in open("/proc/meminfo"):
            k, _, v = line.partition(":")
            if k in ("KernelStack", "Committed_AS", "PageTables"):
                s["sys_" + k] = int(v.split()[0])
    except OSError:
        return None
    return s
before = sample()
open(stop[:-5] + ".ready", "w").close()
if before is None:
    sys.exit(1)
peak = dict(before)
at_peak_threads = dict(before)
# Once the thread count has held its peak for 0.3 s: the resident bytes of the thread stacks
# (anonymous writable mappings of the stack size, ulimit -s less the guard page) from smaps.
stack_kib = int(sys.argv[4])
stacks, steady = None, 0
def stack_rss():
    count = rss = 0
    size = None
    try:
        for line in open(f"/proc/{pid}/smaps"):
            if line[0] in "0123456789abcdef" and "-" in line.split()[0]:
                f = line.split()
                anon_rw = len(f) == 5 and f[1].startswith("rw")
            elif line.startswith("Size:"):
                size = int(line.split()[1])
            elif line.startswith("Rss:") and anon_rw and size in (stack_kib - 4, stack_kib):
                count += 1
                rss += int(line.split()[1])
    except OSError:
        return None
    return {"stacks": count, "stack_rss_kib": rss}
while not os.path.exists(stop):
    s = sample()
    if s is None:
        break
    for k, v in s.items():
        peak[k] = max(peak[k], v)
    steady = steady + 1 if s["Threads"] == at_peak_threads["Threads"] else 0
    if s["Threads"] >= at_peak_threads["Threads"]:
        at_peak_threads = s
    if steady == 3 and s["Threads"] > 2 and (stacks is None or stacks["threads"] < s["Threads"]):
        stacks = stack_rss()
        if stacks:
            stacks["threads"] = s["Threads"]
    time.sleep(0.1)
json.dump({"before": before, "peak": peak, "at_peak_threads": at_peak_threads, "smaps_stacks": stacks},
          open(out, "w"))
EOF
  poller_pid=$!
  for _ in $(seq 100); do [ -e "$OUT/raw/$name.ready" ] && break; sleep 0.02; done
  rm -f "$OUT/raw/$name.ready"
}

stop_server() {
  [ -n "$time_pid" ] || return 0
  if [ -n "$poller_pid" ]; then
    touch "$OUT/raw/$current.stop"
    wait "$poller_pid" || true
  fi
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$server_pid" 2>/dev/null || true  # GNU time still reports its usage
  wait "$time_pid" 2>/dev/null || true
  rm -f "$OUT/raw/$current.stop"
  time_pid="" server_pid="" poller_pid="" current=""
}
trap stop_server EXIT

failures=0
# bench NAME ARGS...: one chat-bench run into raw/NAME.json and raw/NAME.txt.
bench() {
  local name=$1
  shift
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  if taskset -c "$BENCH_CORE" "${rt[@]}" build/bin/chat-bench --no-progress --port "$PORT" --threads 1 \
       --server-pid "$server_pid" --json "$OUT/raw/$name.json" --label "load=$load" "$@" >"$OUT/raw/$name.txt" 2>&1; then
    printf '  %-28s ok      load %s  %s\n' "$name" "$load" "$(grep -E 'throughput|per connection|connections ' "$OUT/raw/$name.txt" | tr -s ' ' | tr '\n' ' ')"
  else
    failures=$((failures + 1))
    printf '  %-28s FAILED  (%s)\n' "$name" "$(grep -m1 FAILED "$OUT/raw/$name.txt" || echo "see $OUT/raw/$name.txt")"
  fi
}

run() {  # run KIND NAME CHAT-BENCH-ARGS...
  local kind=$1 name=$2
  shift 2
  start_server "$kind" "$name"
  bench "$name" "$@"
  stop_server
}

for part in $PARTS; do
  case "$part" in
    idle)
      echo "== idle: N registered connections held ${HOLD}s (memory, connect rate)"
      for rep in $(seq "$REPS"); do
        for n in $IDLE; do
          for kind in $IDLE_SERVERS; do
            run "$kind" "${kind}_idle${n}_rep${rep}" --idle "$n" --duration "$HOLD" --setup-timeout 120
          done
        done
      done ;;
    traffic)
      echo "== traffic: closed loop, and a control with the same set-up and almost no traffic"
      for rep in $(seq "$REPS"); do
        for pairs in $PAIRS; do
          for kind in $TRAFFIC_SERVERS; do
            for window in $WINDOWS; do
              run "$kind" "${kind}_pairs${pairs}_w${window}_rep${rep}" --pairs "$pairs" --window "$window" \
                --duration "$DURATION" --warmup "$WARMUP" --setup-timeout 120
            done
            run "$kind" "${kind}_pairs${pairs}_control_rep${rep}" --pairs "$pairs" --rate 1 \
              --duration "$DURATION" --warmup "$WARMUP" --setup-timeout 120
          done
        done
      done ;;
    summary) ;;
    *) echo "thread_cost.sh: unknown part '$part' (idle traffic summary)" >&2; exit 2 ;;
  esac
done
[ "$PARTS" = summary ] || echo "load at end: $(cat /proc/loadavg)" >> "$OUT/machine.txt"

python3 - "$OUT" <<'EOF'
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
for g in idle:
    m = g["median"]
    lines.append(f"| {g['connections']:,} | {SERVERS.get(g['server'], g['server'])} | {f(m['rss_per_conn_bytes'])} | "
                 f"{f(m['stack_rss_per_thread_bytes'])} | {f(m['vmsize_per_conn_bytes'])} | {f(m['commit_charge_per_conn_bytes'])} | "
                 f"{f(m['vmpte_per_conn_bytes'])} | {f(m['kernel_stack_per_conn_bytes'])} | "
                 f"{f(m['threads_peak'])} | {f(m['connect_rate_per_s'])} | {f(m['thread_spawn_ns_mean'])} | {g['runs_ok']}/{len(g['runs'])} |")
lines += ["", "### Traffic: closed loop, msgs/s delivered (median)", "",
          "| pairs | window | server | msgs/s | p50 us | p99 us | server CPU | server CPU ns/msg | voluntary cs/msg | involuntary cs/msg | runs ok |",
          "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
for g in traffic:
    m = g["median"]
    lines.append(f"| {g['pairs']:,} | {g['window']} | {SERVERS.get(g['server'], g['server'])} | {f(m['throughput'])} | "
                 f"{f(m['p50_us'])} | {f(m['p99_us'])} | {f(m['server_cores'] * 100 if m['server_cores'] is not None else None)} % | "
                 f"{f(m['server_cpu_ns_per_msg'])} | {f(m['voluntary_per_msg'], 3)} | {f(m['involuntary_per_msg'], 3)} | "
                 f"{g['runs_ok']}/{len(g['runs'])} |")
failed = [n for n, r in runs.items() if not ok(r)]
lines += ["", "Runs with errors: " + (", ".join(failed) if failed else "none") + "."]
open(os.path.join(out, "summary.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
[ "$failures" -eq 0 ] || { echo "thread_cost.sh: $failures run(s) failed: see $OUT/raw/*.txt" >&2; exit 1; }
