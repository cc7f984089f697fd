#!/usr/bin/env bash
# Soak: chat-server (--threads 1, core 0) under chat-bench (core 1) for a long open-loop run,
# printing the server's RSS every 10 s; chat-bench checks every delivery.
#   bench/soak.sh [SECONDS] [RATE] [PAIRS]      defaults: 600 s, 20000 msgs/s, 1000 pairs
# Writes bench/results/<date>/soak.json (chat-bench's figures) and soak-rss.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600} rate=${2:-20000} pairs=${3:-1000}
out=bench/results/$(date +%F)
mkdir -p "$out"
./tools/dev build release >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
taskset -c 0 build/bin/chat-server --port "$port" --threads 1 --log-level warn &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; done
taskset -c 1 build/bin/chat-bench --port "$port" --pairs "$pairs" --rate "$rate" --duration "$seconds" --warmup 5 \
  --server-pid "$server" --json "$out/soak.json" --no-progress > "$out/soak.txt" &
bench=$!
: > "$out/soak-rss.txt"
start=$(date +%s)
while kill -0 $bench 2>/dev/null; do
  echo "$(( $(date +%s) - start )) s  $(awk '/VmRSS/ {print $2, $3}' /proc/$server/status)" | tee -a "$out/soak-rss.txt"
  for _ in $(seq 10); do kill -0 $bench 2>/dev/null || break; sleep 1; done
done
wait $bench
status=$?
cat "$out/soak.txt"
exit $status
