#!/usr/bin/env bash
# TLS against plain TCP on one chat-server (both ports open), interleaved A/B in every
# repetition (the order alternates), server pinned to core 0 and chat-bench to core 1
# as in bench/run.sh:
#   relay       PAIRS pairs at window WINDOW: messages per second, p99, server CPU per message
#   handshakes  IDLE connections opened and registered: connections per second (over TLS each
#               one is a full handshake, no resumption) and the server's RSS per connection
# Prints the medians and the TLS/plain ratios, and keeps every run's JSON in OUT.
#
#   bench/tls.sh [OUT]      (default bench/results/<date>-tls)
# Knobs (environment): REPS=5 DURATION=5 WARMUP=1 PAIRS=100 WINDOW=16 IDLE=2000 THREADS=1
#   NO_BUILD=1 skips the Release build (a smoke check of a tree already built); BENCH_RT=1 as in run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
OUT=${1:-bench/results/$(date -u +%F)-tls}
bench_knobs REPS=5 DURATION=5 WARMUP=1 PAIRS=100 WINDOW=16 IDLE=2000 THREADS=1
PORT=$(free_port)
TLS_PORT=$(free_port)
mkdir -p "$OUT"
bench_rt tls.sh
[ "${NO_BUILD:-0}" = 1 ] || bench_build
sh tests/support/make_test_certs.sh "$OUT/certs" >/dev/null
machine_info >"$OUT/machine.txt"
echo "scheduling: ${rt[*]:-normal}; server ($THREADS threads) on core 0, chat-bench on core 1" >>"$OUT/machine.txt"
cat "$OUT/machine.txt"

# The server of the run under way (start_listening sets server_pid); also ended on the way out.
end_server() {
  if [ -n "$server_pid" ]; then { kill "$server_pid" && wait "$server_pid"; } 2>/dev/null || true; fi
  server_pid=""
}
trap end_server EXIT

# run NAME TRANSPORT(plain|tls) ARGS...: one chat-bench run into $OUT/NAME.json.
run() {
  local name=$1 transport=$2
  shift 2
  local target=(--port "$PORT")
  [ "$transport" = tls ] && target=(--port "$TLS_PORT" --tls)
  taskset -c 1 "${rt[@]}" build/bin/chat-bench --no-progress --threads 1 --server-pid "$server_pid" "${target[@]}" \
    --label "$name" --json "$OUT/$name.json" "$@" >"$OUT/$name.txt" 2>&1 ||
    echo "tls.sh: $name failed (see $OUT/$name.txt)" >&2
}

for rep in $(seq "$REPS"); do
  order=(plain tls)
  [ $((rep % 2)) -eq 0 ] && order=(tls plain)
  for transport in "${order[@]}"; do
    # A fresh server per run: no run inherits another's memory or sessions.
    start_listening chat-server "$TLS_PORT" "$OUT/server.log" taskset -c 0 "${rt[@]}" build/bin/chat-server \
      --port "$PORT" --tls-port "$TLS_PORT" --tls-cert "$OUT/certs/server.pem" --tls-key "$OUT/certs/server.key" \
      --threads "$THREADS" --log-level warn
    wait_listening "$PORT" "$server_pid" 15
    echo "== rep $rep: $transport"
    run "relay-$transport-$rep" "$transport" --pairs "$PAIRS" --window "$WINDOW" --duration "$DURATION" \
      --warmup "$WARMUP"
    run "handshakes-$transport-$rep" "$transport" --idle "$IDLE" --duration 0.1 --warmup 0
    end_server
  done
done

python3 bench/tls_summary.py "$OUT" | tee "$OUT/summary.txt"
