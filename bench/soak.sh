#!/usr/bin/env bash
# Soak: chat-server (--threads 1, core 0) under chat-bench (core 1) for a long open-loop run.
# chat-bench checks every delivery and, every 10 s (--interval), records that interval's latency
# percentiles and the server's RSS, so the run shows whether p99 and memory stay flat.
#   bench/soak.sh [SECONDS] [RATE] [PAIRS] [OUT]   defaults: 600 s, 20000 msgs/s, 1000 pairs,
#                                                   bench/results/<date>
# BENCH_RT=1 runs both under SCHED_FIFO (chrt -f 10), so that other people's compile jobs on a shared
# machine do not decide the latencies; off by default (bench/lib.sh says why).
# Writes OUT/soak.json (every figure, with the "intervals" array), OUT/soak.txt (chat-bench's
# output: one line per interval, then the summary) and OUT/soak-intervals.txt (bench/soak_summary.py).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds=${1:-600} rate=${2:-20000} pairs=${3:-1000} out=${4:-bench/results/$(date +%F)}
mkdir -p "$out"

bench_build
bench_rt soak.sh
port=$(free_port)
trap 'stop_process "$server_pid"' EXIT
start_listening soak.sh "$port" "$out/soak-server.log" taskset -c 0 "${rt[@]}" \
  build/bin/chat-server --port "$port" --threads 1 --log-level warn
status=0
taskset -c 1 "${rt[@]}" build/bin/chat-bench --port "$port" --pairs "$pairs" --rate "$rate" --duration "$seconds" --warmup 5 \
  --interval 10 --server-pid "$server_pid" --json "$out/soak.json" --no-progress | tee "$out/soak.txt" || status=$?
python3 bench/soak_summary.py "$out/soak.json" | tee "$out/soak-intervals.txt"
exit $status
