#!/usr/bin/env bash
# The router's timeout sweep at many idle sessions: server CPU while N registered clients sit
# idle, for two chat-server binaries, interleaved A/B (a sweep that visited
# every session 4 times a second against deadlines looked at only when due).
#
#   bench/sweep_cost.sh SERVER_A SERVER_B [OUT_DIR]
#
#   IDLE=19000 (clients held; each process may open 20,000 files), HOLD=30 (seconds measured),
#   ROUNDS=3. Server on core 0, chat-bench on core 1; BENCH_RT=1 for SCHED_FIFO (bench/lib.sh).
# Prints, per binary, the server CPU seconds over each hold (from /proc, 10 ms resolution) and
# the median in ms of CPU per second held; writes OUT_DIR/sweep_cost.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
[ $# -ge 2 ] || { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
a=$1 b=$2 out=${3:-bench/results/$(date -u +%F)-sweep}
idle=${IDLE:-19000} hold=${HOLD:-30} rounds=${ROUNDS:-3}
mkdir -p "$out"
bench_build
bench_rt sweep_cost
log=$out/servers.log
: >"$log"
results=$out/runs.txt
: >"$results"
# A failed run (set -e) must not leave its server behind.
trap '[ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true' EXIT
for ((round = 1; round <= rounds; round++)); do
  for side in A B; do
    bin=$a
    [ "$side" = B ] && bin=$b
    port=$(free_port)
    start_listening "$side" "$port" "$log" "${rt[@]}" taskset -c 0 "$bin" --port "$port" --threads 1 --log-level warn
    cpu=$("${rt[@]}" taskset -c 1 build/bin/chat-bench --port "$port" --idle "$idle" --duration "$hold" --warmup 0 --setup-timeout 600 \
      --server-pid "$server_pid" --quiet --json - | python3 -c 'import json, sys; print(json.load(sys.stdin)["server"]["cpu_seconds"])')
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    echo "$side $round $cpu" | tee -a "$results"
  done
done
{
  machine_info
  echo "idle clients: $idle, hold: $hold s, rounds: $rounds"
  echo "A: $a"
  echo "B: $b"
  for side in A B; do
    # The median of the rounds' CPU seconds, as ms of CPU per second held.
    awk -v side="$side" '$1 == side {print $3}' "$results" | sort -g |
      awk -v side="$side" -v hold="$hold" '{v[NR] = $1; all = all " " $1}
        END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
             printf "%s: server CPU over each hold (s):%s; median %.2f ms per second held\n", side, all, m / hold * 1000}'
  done
} | tee "$out/sweep_cost.txt"
