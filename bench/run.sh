#!/usr/bin/env bash
# shellcheck disable=SC2153  # the upper-case knobs are set by bench_knobs (bench/lib.sh)
# The benchmark suite: builds Release, then for chat-server and nats-server alike
# (each started fresh per run, pinned to core 0, one thread) runs chat-bench
# pinned to core 1 over the standard matrix, REPS times, interleaving the two
# servers so both see the same machine. Writes bench/results/<date>/*.json, a
# summary (medians, ratios to NATS) and gnuplot plots, and prints the table.
#
#   bench/run.sh                 the whole suite (about 20 minutes)
#   bench/run.sh matrix rate     only some parts: matrix rate idle cores
#
# Knobs (environment): REPS=3 DURATION=5 WARMUP=1 PAIRS="1 100 1000 9900"
#   WINDOWS="1 16" RATES="5000 ... 60000" IDLE="1000 10000 19000" SERVERS="chat nats"
#   BENCH_RT=1: run servers and chat-bench under SCHED_FIFO (chrt -f 10) so that compile jobs
#   on a shared machine cannot delay their wake-ups; the kernel's RT throttling still leaves
#   others 5 % of each core. Off by default (bench/lib.sh says why).
# 10,000 pairs means 20,000 connections, one more than a 20,000-descriptor limit allows
# the server (or chat-bench) once its own descriptors are counted: the suite runs 9,900.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

bench_knobs REPS=3 DURATION=5 WARMUP=1 PAIRS="1 100 1000 9900" WINDOWS="1 16" \
  RATES="5000 10000 15000 20000 25000 30000 40000 60000" IDLE="1000 10000 19000" SERVERS="chat nats" PORT=17555 \
  OUT="bench/results/$(date -u +%F)"
SERVER_CORE=0
BENCH_CORE=1
PARTS=${*:-matrix rate idle cores}

command -v nats-server >/dev/null || { echo "run.sh: nats-server not found (tools/dev deps)" >&2; SERVERS=chat; }
command -v gnuplot >/dev/null || echo "run.sh: gnuplot not found: no plots (tools/dev deps)" >&2

bench_rt run.sh

echo "== build (Release)"
bench_build
mkdir -p "$OUT"

{
  machine_info
  echo "nats-server: $(nats-server --version 2>/dev/null || echo absent)"
  echo "scheduling: ${rt[*]:-normal}; server on core $SERVER_CORE, chat-bench on core $BENCH_CORE"
  echo "duration ${DURATION}s + warm-up ${WARMUP}s, ${REPS} repetitions"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt"

start_server() {  # kind threads pin(yes/no)
  local kind=$1 threads=${2:-1} pin=${3:-yes}
  local prefix=()
  [ "$pin" = yes ] && prefix=(taskset -c "$SERVER_CORE")
  case "$kind" in
    chat) start_listening "run.sh: chat-server" "$PORT" "$OUT/server.log" "${prefix[@]}" "${rt[@]}" \
            build/bin/chat-server --port "$PORT" --threads "$threads" --log-level warn ;;
    nats) start_listening "run.sh: nats-server" "$PORT" "$OUT/server.log" "${prefix[@]}" "${rt[@]}" \
            nats-server -a 127.0.0.1 -p "$PORT" ;;
  esac
}

stop_server() {
  [ -n "$server_pid" ] || return 0
  stop_process "$server_pid"
  server_pid=""
}
trap stop_server EXIT

# bench NAME PIN(yes/no) ARGS...: one chat-bench run into $OUT/NAME.json and NAME.txt.
bench() {
  local name=$1 pin=$2
  shift 2
  local prefix=()
  [ "$pin" = yes ] && prefix=(taskset -c "$BENCH_CORE")
  bench_measure "$OUT/$name" "${prefix[@]}" "${rt[@]}" build/bin/chat-bench --no-progress --port "$PORT" \
    --server-pid "$server_pid" --duration "$DURATION" --warmup "$WARMUP" "$@"
  python3 bench/run_line.py "$OUT/$name.json" "$name" "$bench_status" "$bench_load"
}

# each_server NAME ARGS...: for every server of $SERVERS, a fresh pinned server and one pinned
# chat-bench run (--threads 1) named <server>_NAME.
each_server() {
  local name=$1 kind
  shift
  for kind in $SERVERS; do
    start_server "$kind"
    bench "${kind}_${name}" yes --proto "$kind" --threads 1 "$@"
    stop_server
  done
}

# each_rep LIST NAME FLAG ARGS...: for every repetition and, within it, every value V of LIST:
# each_server NAME<V>_rep<R> FLAG V ARGS...
each_rep() {
  local list=$1 name=$2 flag=$3 rep value
  shift 3
  for rep in $(seq "$REPS"); do
    for value in $list; do
      each_server "${name}${value}_rep${rep}" "$flag" "$value" "$@"
    done
  done
}

for part in $PARTS; do
  case "$part" in
    matrix)
      echo "== throughput: pairs x window (closed loop)"
      for rep in $(seq "$REPS"); do
        for pairs in $PAIRS; do
          for window in $WINDOWS; do
            each_server "pairs${pairs}_w${window}_rep${rep}" --pairs "$pairs" --window "$window" --setup-timeout 120
          done
        done
      done ;;
    rate)
      echo "== latency: 1,000 pairs, open loop"
      each_rep "$RATES" rate --rate --pairs 1000 --drain-timeout 60 ;;
    idle)
      echo "== memory: idle registered connections (fresh server each)"
      each_rep "$IDLE" idle --idle --setup-timeout 120 ;;
    cores)
      echo "== cores: chat-server --threads 1 vs 2 (and nats-server), unpinned, chat-bench --threads 2 unpinned"
      for rep in $(seq "$REPS"); do
        for threads in 1 2; do
          start_server chat "$threads" no
          bench "chat_threads${threads}_rep${rep}" no --threads 2 --pairs 1000 --window 16
          stop_server
        done
        if [[ " $SERVERS " == *" nats "* ]]; then
          start_server nats 1 no  # NATS beside them, unpinned too
          bench "nats_unpinned_rep${rep}" no --proto nats --threads 2 --pairs 1000 --window 16
          stop_server
        fi
      done ;;
    *) echo "run.sh: unknown part '$part' (matrix rate idle cores)" >&2; exit 2 ;;
  esac
done

echo "load at end: $(cat /proc/loadavg)" >> "$OUT/machine.txt"
python3 bench/summarize.py "$OUT"
[ "$failures" -eq 0 ] || { echo "run.sh: $failures run(s) failed: see $OUT/*.txt" >&2; exit 1; }
