#!/usr/bin/env bash
# Cluster mode against one node (docs/cluster.md): starts a 3-server NATS cluster with
# JetStream and two chat-server nodes on it, then runs chat-bench REPS times over
#   same-node:  every pair on node 1 (--servers with one node);
#   cross-node: one end of every pair on each node (--servers with both: every MSG crosses NATS).
# Writes bench/results/<date>-cluster-relay/*.json (-cluster-idle/ with IDLE) and prints one line per run (throughput, latency,
# server CPU per message of node 1, which --server-pid watches).
# Everything shares this box's cores: 3 nats-servers, 2 nodes and chat-bench; say so with figures.
#
#   bench/cluster.sh            REPS=3 DURATION=5 WARMUP=1 PAIRS="1 100 1000" WINDOW=16
#   SMOKE=1 bench/cluster.sh    one short run of each kind (checks the script works)
#   IDLE=50000 bench/cluster.sh instead: 3 nodes hold IDLE registered idle users (names in the
#                               R3 bucket), opened by BENCHES chat-bench processes (default: 12,500
#                               connections each, under the 20,000 descriptors one process may open)
#                               over --source-addrs 127.0.0.1-127.0.0.8; reports the time to register
#                               them all, each node's RSS per connection and idle CPU over HOLD s
#                               (default 20), and PAIRS cross-node pairs relaying meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

bench_knobs REPS=3 DURATION=5 WARMUP=1 PAIRS="1 100 1000" WINDOW=16 IDLE=0 HOLD=20
NODES=2
if [ "$IDLE" -gt 0 ]; then
  NODES=3
  BENCHES=${BENCHES:-$(((IDLE + 12499) / 12500))}
fi
if [ "${SMOKE:-0}" = 1 ]; then
  REPS=1 DURATION=1 WARMUP=0 PAIRS=10
fi
if [ "$IDLE" -gt 0 ]; then
  OUT=${OUT:-bench/results/$(date -u +%F)-cluster-idle}
else
  OUT=${OUT:-bench/results/$(date -u +%F)-cluster-relay}
fi
mkdir -p "$OUT"
NATS=$(command -v nats-server || echo /usr/sbin/nats-server)
if [ ! -x build/bin/chat-server ] || [ ! -x build/bin/chat-bench ]; then bench_build; fi

work=$(mktemp -d)
pids=()
cleanup() {
  # Nodes before the NATS servers (started last, stopped first), so a node can release its names.
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_process "${pids[$i]}"; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
  # Every client logs three lines: keep the rest and their count.
  for log in "$OUT"/node?.log; do
    { grep -v -e ' opened$' -e ' closed$' -e ' registered as ' "$log" || true
      echo "(per-session lines removed: $(grep -c ' registered as ' "$log") registrations)"; } >"$log.kept"
    mv "$log.kept" "$log"
  done
}
trap cleanup EXIT

machine_info >"$OUT/machine.txt"
cluster_ports=("$(free_port)" "$(free_port)" "$(free_port)")
client_ports=("$(free_port)" "$(free_port)" "$(free_port)")
urls=""
for i in 0 1 2; do
  routes=""
  for j in 0 1 2; do
    [ "$i" = "$j" ] || routes+="${routes:+, }nats-route://127.0.0.1:${cluster_ports[$j]}"
  done
  cat >"$work/n$i.conf" <<CONF
server_name: n$i
host: 127.0.0.1
port: ${client_ports[$i]}
jetstream { store_dir: "$work/js$i", max_memory_store: 256MB }
cluster { name: bench, listen: 127.0.0.1:${cluster_ports[$i]}, routes: [$routes] }
CONF
  urls+="${urls:+,}nats://127.0.0.1:${client_ports[$i]}"
  start_listening "cluster.sh: nats-server n$i" "${client_ports[$i]}" "$OUT/nats$i.log" "$NATS" -c "$work/n$i.conf"
  pids+=("$server_pid")
done

node_ports=()
node_pids=()
for ((i = 0; i < NODES; i++)); do
  node_ports+=("$(free_port)")
  # The name bucket needs its R3 leader: a node retries for 15 s while JetStream starts.
  start_listening "cluster.sh: chat-server node$i" "${node_ports[$i]}" "$OUT/node$i.log" \
    build/bin/chat-server --port "${node_ports[$i]}" --cluster "$urls" --node-name "node$i" --stats-interval 0
  pids+=("$server_pid")
  node_pids+=("$server_pid")
done

nats_pids=("${pids[@]:0:3}")
# run NAME ARGS...: one chat-bench run against node 0 into $OUT/NAME.json and NAME.txt.
run() {
  local name=$1
  shift
  bench_measure "$OUT/$name" build/bin/chat-bench --no-progress --server-pid "${node_pids[0]}" --duration "$DURATION" \
    --warmup "$WARMUP" --window "$WINDOW" "$@"
  python3 bench/run_line.py "$OUT/$name.json" "$name" "$bench_status" "$bench_load" | tee -a "$OUT/summary.txt"
}

if [ "$IDLE" -gt 0 ]; then
  . bench/cluster_idle.sh
  exit 0
fi

echo "== same node vs cross node (3 nats-servers, 2 nodes and chat-bench share $(nproc) cores)"
for rep in $(seq "$REPS"); do
  for pairs in $PAIRS; do
    run "same-p$pairs-r$rep" --pairs "$pairs" --servers "127.0.0.1:${node_ports[0]}" --name-prefix "s${rep}p$pairs"
    run "cross-p$pairs-r$rep" --pairs "$pairs" --servers "127.0.0.1:${node_ports[0]},127.0.0.1:${node_ports[1]}" \
      --name-prefix "c${rep}p$pairs"
  done
done
echo "results in $OUT"
[ "$failures" = 0 ]
