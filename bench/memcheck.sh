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
out=${1:-bench/results/$(date +%F)}
mkdir -p "$out"
log=$out/memcheck.txt
./tools/dev build release >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect \
  --error-exitcode=99 --log-file="$log.vg" \
  build/bin/chat-server --port "$port" --threads 2 --log-level warn --shutdown-timeout 10 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log.vg"' EXIT

# The server starts slowly under valgrind: wait until it accepts (bounded, 60 s).
python3 - "$port" <<'PY'
import socket, sys, time
deadline = time.monotonic() + 60
while True:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5).close()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("chat-server under valgrind did not start listening within 60 s")
        time.sleep(0.1)
PY

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
resets=$(python3 - "$port" <<'PY'
import socket, struct, sys
port = int(sys.argv[1])
def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return s
def read_until(s, want):
    buf = b""
    while want not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit(f"server closed while waiting for {want!r}")
        buf += chunk
    return buf
n = 0
for i in range(100):
    conn().close()                                   # before HELLO is read
    s = conn(); s.sendall(b"REGISTER half"); s.close()  # mid-line
    a, b = conn(), conn()
    a.sendall(f"REGISTER ra{i}\n".encode()); read_until(a, b"OK REGISTERED")
    b.sendall(f"REGISTER rb{i}\nCONNECT ra{i}\n".encode()); read_until(b, b"OK CONNECTED")
    read_until(a, b"CONNECTED")
    a.sendall(b"MSG x\n" * 200)                      # messages in flight when both reset
    b.sendall(b"MSG y\n" * 200)
    (a if i % 2 else b).close()
    (b if i % 2 else a).close()
    n += 4
print(n)
PY
)
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
