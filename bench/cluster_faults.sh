#!/usr/bin/env bash
# shellcheck disable=SC2153  # the upper-case knobs are set by bench_knobs (bench/lib.sh)
# Violation counts per fault kind over RUNS fault runs of each kind (tests/cluster/fault_test.py:
# a fresh 3-server NATS cluster and 3 nodes in a private network namespace per run, one fault,
# the heal, and the history checker). Needs root (unshare -n, nft). Writes
# bench/results/<date>-cluster-faults/: runs.txt (every violation), summary.json (counts per run)
# and table.md (runs with each kind of violation out of runs, total counts in brackets). Every
# run's history and logs (~2 MB a run) go to HISTORIES (default: a new temporary folder).
#
#   bench/cluster_faults.sh                 RUNS=10 KINDS="none node_kill node_pause nats_kill nats_pause node_cut nats_cut"
#   RUNS=3 KINDS="none node_pause" bench/cluster_faults.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

seed=$(date +%s)
histories=$(mktemp -d /tmp/chat-fault-runs-XXXXXX)
bench_knobs RUNS=10 KINDS="none node_kill node_pause nats_kill nats_pause node_cut nats_cut" SEED="$seed" \
  HISTORIES="$histories"
OUT=${OUT:-bench/results/$(date -u +%F)-cluster-faults}
mkdir -p "$OUT"
[ -x build/bin/chat-server ] || bench_build
schedule=$(for k in $KINDS; do printf '%s:%s,' "$k" "$RUNS"; done)
machine_info >"$OUT/machine.txt"
status=0
python3 tests/cluster/fault_test.py "${schedule%,}" build/bin/chat-server --out "$HISTORIES" --seed "$SEED" \
  | tee "$OUT/runs.txt" || status=$?
cp "$HISTORIES/summary.json" "$OUT/"
# The table is the part after the runs' lines: keep it on its own for the docs.
sed -n '/^runs with each violation/,$p' "$OUT/runs.txt" >"$OUT/table.md"
echo "results in $OUT, histories in $HISTORIES (fault_test.py exit status $status: 1 = violations found, 2 = a broken run)"
