# shellcheck shell=bash disable=SC2154,SC2153  # node_*, nats_pids and the knobs are bench/cluster.sh's
# Sourced by bench/cluster.sh when IDLE > 0, with 3 nats-servers (nats_pids) and NODES chat-server
# nodes (node_pids, node_ports) running: BENCHES chat-bench processes open and register IDLE idle
# users spread over every node (chat-bench --servers) and hold them; bench/cluster_idle.py samples
# the nodes and nats-servers from /proc; then PAIRS cross-node pairs relay for DURATION s beside them.
servers=$(printf '127.0.0.1:%s,' "${node_ports[@]}")
servers=${servers%,}
per=$(((IDLE + BENCHES - 1) / BENCHES))
pairs=${PAIRS%% *}
echo "== $((per * BENCHES)) idle users on $NODES nodes ($BENCHES chat-bench processes of $per), held $HOLD s"
python3 bench/cluster_idle.py baseline --nodes "${node_pids[@]}" --nats "${nats_pids[@]}" --json "$OUT/idle-base.json"
bench_pids=()
for ((b = 0; b < BENCHES; b++)); do
  # Held long enough for the samples and the relay run after the last registration.
  build/bin/chat-bench --no-progress --idle "$per" --servers "$servers" --source-addrs 127.0.0.1-127.0.0.8 \
    --name-prefix "i$b" --setup-timeout 900 --warmup 0 --duration $((HOLD + DURATION + WARMUP + 20)) --threads 1 \
    --json "$OUT/idle-$b.json" >"$OUT/idle-$b.txt" 2>&1 &
  bench_pids+=($!)
done
python3 bench/cluster_idle.py measure --base "$OUT/idle-base.json" --connections $((per * BENCHES)) --hold "$HOLD" --deadline 900 \
  --nodes "${node_pids[@]}" --nats "${nats_pids[@]}" --logs "$OUT"/node?.log --json "$OUT/idle.json" | tee "$OUT/idle-summary.txt"
run "cross-p$pairs-beside-idle" --pairs "$pairs" --servers "127.0.0.1:${node_ports[0]},127.0.0.1:${node_ports[1]}" \
  --name-prefix cidle
for b in "${!bench_pids[@]}"; do
  if ! wait "${bench_pids[$b]}"; then
    echo "chat-bench $b failed (see $OUT/idle-$b.txt)" >&2
    failures=$((failures + 1))
  fi
done
echo "results in $OUT"
[ "$failures" = 0 ]
