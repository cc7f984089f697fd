#!/usr/bin/env bash
# valgrind memcheck of chat-server (Release, --threads 2) after churn: chat-bench pairs in closed and
# open loop, idle registered connections, then clients that reset (RST) their connections in every
# state (before registering, mid-line, in a chat with messages in flight). SIGTERM ends the server;
# valgrind's report goes to OUT/memcheck.txt. Exit 1 on any memcheck error or definite/indirect leak
# ("possible" leaks are listed but do not fail: Asio's thread-local caches can look like them).
#   bench/memcheck.sh [OUT]      default: bench/results/<date>
# About 20 s on the 2-vCPU machine, so CI runs it too (.ci/run, into build/memcheck).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
out=${1:-bench/results/$(date +%F)}
mkdir -p "$out"
log=$out/memcheck.txt
bench_build

port=$(free_port)
valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect \
  --error-exitcode=99 --log-file="$log.vg" \
  build/bin/chat-server --port "$port" --threads 2 --log-level warn --shutdown-timeout 10 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log.vg"' EXIT

# The server starts slowly under valgrind: wait until it listens (bounded, 60 s).
wait_listening "$port" "$server" 60 ||
  { echo "memcheck.sh: chat-server under valgrind did not start listening within 60 s" >&2; exit 1; }

churn=()
bench_failed=0
bench() {
  local rc=0
  build/bin/chat-bench --port "$port" --no-progress --setup-timeout 120 --drain-timeout 30 "$@" > "$out/memcheck-bench.tmp" || rc=$?
  churn+=("chat-bench $*: exit $rc, $(grep -E '^  (delivery|result) ' "$out/memcheck-bench.tmp" | tr -s ' ' | tr '\n' ';')")
  rm -f "$out/memcheck-bench.tmp"
  [ "$rc" -eq 0 ] || bench_failed=1
}
bench --pairs 50 --window 4 --duration 5 --warmup 1 --name-prefix w
bench --pairs 20 --rate 400 --duration 5 --warmup 1 --name-prefix r
bench --idle 300 --duration 2 --name-prefix i

# Abrupt resets: SO_LINGER 0 makes close() send RST, so the server sees ECONNRESET in each state.
resets=$(python3 bench/resets.py "$port")
churn+=("python: $resets connections reset (before HELLO, mid-line, in a chat with 400 messages in flight)")

kill -TERM $server
rc=0
wait $server || rc=$?
trap - EXIT
{
  echo "# bench/memcheck.sh, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD)"
  echo "# chat-server --threads 2 (Release) under valgrind $(valgrind --version | sed 's/valgrind-//')"
  for line in "${churn[@]}"; do echo "# $line"; done
  echo "# chat-server exit status after SIGTERM: $rc (99: valgrind found errors or definite/indirect leaks)"
  cat "$log.vg"
} > "$log"
rm -f "$log.vg"
grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable' "$log"
[ "$rc" -eq 0 ] && [ "$bench_failed" -eq 0 ]
