#!/usr/bin/env bash
# What /metrics costs the relay: chat-server with metrics off against on, interleaved in one run
# (off, on, on, off, off, on, ...), so drifts of a shared machine fall on both sides alike.
# "On" is --metrics-port with a scraper fetching /metrics every SCRAPE seconds throughout the
# run, so the figure includes the outbox-wait timing on the hot path and the scrapes themselves.
#
#   bench/metrics_overhead.sh                    REPS=5 pairs of runs of 10 s each (about 5 minutes)
#   REPS=1 DURATION=5 WARMUP=0 bench/metrics_overhead.sh   a smoke run
#
# Every server runs pinned to core 0 (--threads THREADS), chat-bench to core 1.
# Knobs: REPS=5 PAIRS=100 WINDOW=16 PAYLOAD=64 THREADS=1 DURATION=10 WARMUP=2 SCRAPE=1 PORT=17755
#        OUT=bench/results/<date>-metrics BENCH_RT=0 (bench/lib.sh)
# Results: OUT/summary.md (median throughput off and on, the overhead in per cent, every run),
# OUT/metrics_overhead.json, OUT/machine.txt, OUT/raw/ (each chat-bench JSON, server stderr, a scrape).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

bench_knobs REPS=5 PAIRS=100 WINDOW=16 PAYLOAD=64 THREADS=1 DURATION=10 WARMUP=2 SCRAPE=1 PORT=17755 \
  OUT="bench/results/$(date -u +%F)-metrics"
SERVER_CORE=0
BENCH_CORE=1

bench_rt metrics_overhead.sh
echo "== build (Release)"
bench_build
mkdir -p "$OUT/raw"
{
  machine_info
  echo "scheduling: ${rt[*]:-normal}; server on core $SERVER_CORE (--threads $THREADS), chat-bench on core $BENCH_CORE"
  echo "load: --pairs $PAIRS --window $WINDOW --payload $PAYLOAD, ${DURATION}s + warm-up ${WARMUP}s; scrape every ${SCRAPE}s when on; $REPS pairs of runs"
} >"$OUT/machine.txt"
cat "$OUT/machine.txt"

scraper_pid=""
cleanup() {
  [ -z "$scraper_pid" ] || kill "$scraper_pid" 2>/dev/null || true
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT

# run MODE NAME: one server (metrics MODE: on or off) and one chat-bench run against it.
run() {
  local mode=$1 name=$2 args=(--port "$PORT" --threads "$THREADS" --log-level warn --stats-interval 0)
  local metrics_port=""
  if [ "$mode" = on ]; then
    metrics_port=$(free_port)
    args+=(--metrics-port "$metrics_port")
  fi
  start_listening chat-server "$PORT" "$OUT/raw/$name.server.txt" taskset -c "$SERVER_CORE" "${rt[@]}" \
    build/bin/chat-server "${args[@]}"
  if [ "$mode" = on ]; then
    # The scraper shares chat-bench's core, as a Prometheus elsewhere would not take the server's.
    (while sleep "$SCRAPE"; do taskset -c "$BENCH_CORE" curl -sf "http://127.0.0.1:$metrics_port/metrics" >"$OUT/raw/$name.scrape.txt" || true; done) &
    scraper_pid=$!
  fi
  taskset -c "$BENCH_CORE" "${rt[@]}" build/bin/chat-bench --port "$PORT" --pairs "$PAIRS" --window "$WINDOW" \
    --payload "$PAYLOAD" --duration "$DURATION" --warmup "$WARMUP" --threads 1 --server-pid "$server_pid" --quiet \
    --label "metrics $mode, load $(cut -d' ' -f1-3 /proc/loadavg)" --json "$OUT/raw/$name.json" ||
    echo "metrics_overhead.sh: chat-bench failed in $name (kept in the summary as failed)" >&2
  if [ -n "$scraper_pid" ]; then
    kill "$scraper_pid" 2>/dev/null || true
    wait "$scraper_pid" 2>/dev/null || true
    scraper_pid=""
  fi
  kill "$server_pid"
  wait "$server_pid" || true
  server_pid=""
}

for ((rep = 1; rep <= REPS; rep++)); do
  # Alternate which goes first, so neither side always runs on a warmer (or busier) machine.
  if ((rep % 2)); then order="off on"; else order="on off"; fi
  for mode in $order; do
    echo "== rep $rep: metrics $mode"
    run "$mode" "$mode-$rep"
  done
done

python3 bench/metrics_overhead_summary.py "$OUT" "$REPS"
