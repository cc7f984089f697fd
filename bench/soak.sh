#!/usr/bin/env bash
# Soak: chat-server (--threads 1, core 0) under chat-bench (core 1) for a long open-loop run.
# chat-bench checks every delivery and, every 10 s (--interval), records that interval's latency
# percentiles and the server's RSS, so the run shows whether p99 and memory stay flat.
#   bench/soak.sh [SECONDS] [RATE] [PAIRS] [OUT]   defaults: 600 s, 20000 msgs/s, 1000 pairs,
#                                                   bench/results/<date>
# Like run.sh, both run under SCHED_FIFO (chrt -f 10; BENCH_RT=0 turns it off) so that other people's
# compile jobs on a shared machine do not decide the latencies.
# Writes OUT/soak.json (every figure, with the "intervals" array), OUT/soak.txt (chat-bench's
# output: one line per interval, then the summary) and OUT/soak-intervals.txt (the summary below).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600} rate=${2:-20000} pairs=${3:-1000} out=${4:-bench/results/$(date +%F)}
mkdir -p "$out"

# min/median/max of the intervals' p99 and the server's RSS at the first and last interval.
summarize() {
  python3 - "$1" <<'PY'
import json, statistics, sys
doc = json.load(open(sys.argv[1]))
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
PY
}

./tools/dev build release >/dev/null
rt=()
if [ "${BENCH_RT:-1}" = 1 ]; then
  if chrt -f 10 true 2>/dev/null; then rt=(chrt -f 10); else echo "soak.sh: cannot use SCHED_FIFO here, running as ordinary tasks" >&2; fi
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
taskset -c 0 "${rt[@]}" build/bin/chat-server --port "$port" --threads 1 --log-level warn &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; done
status=0
taskset -c 1 "${rt[@]}" build/bin/chat-bench --port "$port" --pairs "$pairs" --rate "$rate" --duration "$seconds" --warmup 5 \
  --interval 10 --server-pid "$server" --json "$out/soak.json" --no-progress | tee "$out/soak.txt" || status=$?
summarize "$out/soak.json" | tee "$out/soak-intervals.txt"
exit $status
