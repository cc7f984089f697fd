#!/usr/bin/env bash
# Profiles chat-server (pinned to core 0, --threads 1) while chat-bench (core 1)
# drives 1,000 pairs: perf record (cpu-clock: this VM exposes no hardware PMU),
# perf stat (context switches) and strace -c (syscalls per message), at window 16
# (throughput) and window 1 (ping-pong). Also strace -c of chat-bench itself in
# both protocols, to show what the bench spends per message. BENCH_RT=1 runs server and
# chat-bench under SCHED_FIFO (chrt -f 10); off by default (bench/lib.sh says why).
#   bench/profile.sh            writes bench/results/<date>/profile/
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
OUT=${OUT:-bench/results/$(date -u +%F)/profile}
SERVER=${SERVER:-build/bin/chat-server}  # another build of chat-server to profile (a "before")
PORT=${PORT:-17556}
mkdir -p "$OUT"
bench_rt profile.sh
bench_build

start() {  # chat|nats
  if [ "$1" = chat ]; then
    start_listening profile.sh "$PORT" /dev/null taskset -c 0 "${rt[@]}" \
      "$SERVER" --port "$PORT" --threads 1 --log-level warn
  else
    start_listening profile.sh "$PORT" /dev/null taskset -c 0 "${rt[@]}" nats-server -a 127.0.0.1 -p "$PORT"
  fi
}
stop() { stop_process "$server_pid"; }
trap stop EXIT

# bench NAME PROTO WINDOW: 2 s warm-up then 4 s measured, in the background.
bench() {
  taskset -c 1 "${rt[@]}" build/bin/chat-bench --no-progress --port "$PORT" --proto "$2" --threads 1 --pairs 1000 \
    --window "$3" --warmup 2 --duration 4 --server-pid "$server_pid" --json "$OUT/$1.json" >"$OUT/$1.txt" 2>&1 &
  bench_pid=$!
  sleep 2
}

ONLY_BENCH_STRACE=${ONLY_BENCH_STRACE:-0}
for w in 16 1; do
  if [ "$ONLY_BENCH_STRACE" = 0 ]; then
  start chat
  bench "perf_w$w" chat "$w"
  perf record -F 1999 -g -p "$server_pid" -o "$OUT/server_w$w.perf" -- sleep 4 2>/dev/null >/dev/null
  wait "$bench_pid"
  perf report -i "$OUT/server_w$w.perf" --no-children --sort dso,symbol --stdio -g none --percent-limit 0.3 \
    2>/dev/null | grep -E '^ +[0-9]' | sed 's/ *$//' >"$OUT/server_w${w}_perf_flat.txt" || true
  perf report -i "$OUT/server_w$w.perf" --children --sort symbol --stdio -g none --percent-limit 2 2>/dev/null |
    grep -E '^ +[0-9]' | sed 's/ *$//' >"$OUT/server_w${w}_perf_children.txt" || true
  perf report -i "$OUT/server_w$w.perf" --no-children --sort dso --stdio -g none 2>/dev/null |
    grep -E '^ +[0-9]' | sed 's/ *$//' >"$OUT/server_w${w}_perf_dso.txt" || true
  stop

  start chat
  bench "pstat_w$w" chat "$w"
  perf stat -e task-clock,context-switches,cpu-migrations -p "$server_pid" -o "$OUT/server_w${w}_perfstat.txt" -- sleep 4
  wait "$bench_pid"
  stop

  fi
  for kind in chat nats; do
    if [ "$ONLY_BENCH_STRACE" = 0 ]; then
    start "$kind"
    bench "strace_${kind}_w$w" "$kind" "$w"
    timeout -s INT 4 strace -c -f -p "$server_pid" -o "$OUT/syscalls_server_${kind}_w$w.txt" || true
    wait "$bench_pid"
    stop
    fi
    start "$kind"
    bench "strace_bench_${kind}_w$w" "$kind" "$w"
    # Every thread of chat-bench: -p with a plain PID would trace only its main thread.
    timeout -s INT 4 strace -c -f -p "$(find /proc/"$bench_pid"/task -mindepth 1 -maxdepth 1 -printf '%f\n' | paste -sd,)" -o "$OUT/syscalls_bench_${kind}_w$w.txt" || true
    wait "$bench_pid"
    stop
  done
done
rm -f "$OUT"/*.perf
echo "profile.sh: results in $OUT"
