#!/usr/bin/env bash
# Syscalls per relayed message, chat-server against nats-server in the same run
# (interleaved, REPS each): 1,000 pairs at window 16, server pinned to core 0 and
# chat-bench to core 1; `perf stat -e raw_syscalls:sys_enter` counts the server's
# syscalls over the measured seconds, chat-bench counts the messages delivered.
#   bench/syscalls.sh [OUT]     (default bench/results/<date>-syscalls)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
OUT=${1:-bench/results/$(date -u +%F)-syscalls}
REPS=${REPS:-3}
PORT=${PORT:-$(free_port)}
mkdir -p "$OUT"
bench_build
printf 'server rep syscalls messages syscalls_per_msg\n' >"$OUT/syscalls.txt"
for rep in $(seq "$REPS"); do
  for kind in chat nats; do
    case $kind in
      chat) start_listening chat-server "$PORT" "$OUT/server.log" taskset -c 0 build/bin/chat-server --port "$PORT" \
              --threads 1 --log-level warn ;;
      nats) start_listening nats-server "$PORT" "$OUT/server.log" taskset -c 0 nats-server -a 127.0.0.1 -p "$PORT" ;;
    esac
    taskset -c 1 build/bin/chat-bench --no-progress --port "$PORT" --proto "$kind" --threads 1 --pairs 1000 \
      --window 16 --warmup 2 --duration 4 --json "$OUT/$kind-$rep.json" >/dev/null 2>&1 &
    bench_pid=$!
    sleep 2.5  # inside the measured phase (2 s warm-up, then 4 s)
    perf stat -x, -e raw_syscalls:sys_enter -p "$server_pid" -- sleep 2 2>"$OUT/$kind-$rep.perf"
    wait "$bench_pid"
    stop_process "$server_pid"
    python3 bench/syscalls_row.py "$OUT/$kind-$rep.json" "$OUT/$kind-$rep.perf" "$kind" "$rep" >>"$OUT/syscalls.txt"
  done
done
cat "$OUT/syscalls.txt"
