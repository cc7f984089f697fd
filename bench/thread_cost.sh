#!/usr/bin/env bash
# shellcheck disable=SC2153  # the upper-case knobs are set by bench_knobs (bench/lib.sh)
# What a thread per client costs: chat-threads-baseline (the course project's design: one thread
# per client, blocking recv, one mutex-guarded map) against chat-server, in one harness.
#
#   bench/thread_cost.sh            idle and traffic parts, 3 repetitions (about 10 minutes)
#   bench/thread_cost.sh idle       only some parts: idle traffic (summary: only rewrite the summary)
#
# Every server is started fresh per run, pinned to core 0, under GNU time (which reports the
# context switches of all its threads, the exited ones included); chat-bench runs pinned to core 1
# with one thread. BENCH_RT=1 runs both under SCHED_FIFO (chrt -f 10); off by default (bench/lib.sh).
#   idle:    chat-bench --idle N holds N registered connections; a poller reads the server's
#            VmRSS, VmSize, VmPTE and Threads (/proc/PID/status) and the system's KernelStack
#            (/proc/meminfo) before and at the peak. chat-bench gives the RSS growth and the
#            connect + REGISTER rate.
#   traffic: chat-bench --pairs P --window W (closed loop; W=1 is ping-pong), and a control run
#            with the same set-up but almost no traffic (--rate 1): context switches per relayed
#            message = (run - control) / messages delivered.
# Knobs: REPS=3 IDLE="1000 5000 9000" PAIRS="100 1000" WINDOWS="1 16" DURATION=5 WARMUP=1 HOLD=3
#        IDLE_SERVERS="threads chat1" TRAFFIC_SERVERS="threads chat1 chat2" BENCH_RT=0 PORT=17655
#        OUT=bench/results/<date>-threads
# Results: OUT/thread_cost.json (every run and the medians), OUT/summary.md, OUT/machine.txt,
# OUT/raw/ (each chat-bench JSON and text, server stderr, rusage, /proc samples).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

bench_knobs REPS=3 IDLE="1000 5000 9000" PAIRS="100 1000" WINDOWS="1 16" DURATION=5 WARMUP=1 HOLD=3 \
  IDLE_SERVERS="threads chat1" TRAFFIC_SERVERS="threads chat1 chat2" PORT=17655 OUT="bench/results/$(date -u +%F)-threads"
PARTS=${*:-idle traffic}
SERVER_CORE=0
BENCH_CORE=1

[ -x /usr/bin/time ] || { echo "thread_cost.sh: needs GNU time (apt-get install time)" >&2; exit 1; }
bench_rt thread_cost.sh

if [ "$PARTS" != summary ]; then
echo "== build (Release)"
bench_build
mkdir -p "$OUT/raw"

{
  machine_info
  echo "ulimit -s: $(ulimit -s) KiB (default thread stack); threads-max $(cat /proc/sys/kernel/threads-max); pid_max $(cat /proc/sys/kernel/pid_max); vm.overcommit_memory $(cat /proc/sys/vm/overcommit_memory)"
  echo "task_struct slab: $(awk '$1 == "task_struct" {print $4 " B per object"}' /proc/slabinfo 2>/dev/null || echo unreadable)"
  echo "scheduling: ${rt[*]:-normal}; server on core $SERVER_CORE, chat-bench on core $BENCH_CORE (--threads 1)"
  echo "traffic: window $WINDOWS, ${DURATION}s + warm-up ${WARMUP}s; idle hold ${HOLD}s; ${REPS} repetitions"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt"
fi

time_pid="" server_pid="" poller_pid="" current=""
# start_server KIND NAME: KIND is threads (chat-threads-baseline), chat1 or chat2 (chat-server --threads 1|2).
start_server() {
  local kind=$1 name=$2 cmd
  case "$kind" in
    threads) cmd=(build/bin/chat-threads-baseline --port "$PORT") ;;
    chat1) cmd=(build/bin/chat-server --port "$PORT" --threads 1 --log-level warn) ;;
    chat2) cmd=(build/bin/chat-server --port "$PORT" --threads 2 --log-level warn) ;;
    *) echo "thread_cost.sh: unknown server $kind" >&2; exit 2 ;;
  esac
  taskset -c "$SERVER_CORE" "${rt[@]}" /usr/bin/time -o "$OUT/raw/$name.rusage" \
    -f 'RUSAGE {"voluntary": %w, "involuntary": %c, "user_s": %U, "sys_s": %S, "maxrss_kib": %M}' \
    "${cmd[@]}" 2>"$OUT/raw/$name.server.txt" &
  time_pid=$!
  wait_listening "$PORT" "$time_pid" 10 ||
    { echo "thread_cost.sh: $kind did not start (see $OUT/raw/$name.server.txt)" >&2; exit 1; }
  server_pid=$(ps -o pid= --ppid "$time_pid" | tr -d ' ')
  # The poller samples the server until the stop file appears; its first sample is "before".
  current=$name
  rm -f "$OUT/raw/$name.stop" "$OUT/raw/$name.ready"
  taskset -c "$BENCH_CORE" python3 bench/proc_poller.py "$server_pid" "$OUT/raw/$name.proc.json" "$OUT/raw/$name.stop" \
    "$(ulimit -s)" &
  poller_pid=$!
  for _ in $(seq 100); do [ -e "$OUT/raw/$name.ready" ] && break; sleep 0.02; done
  rm -f "$OUT/raw/$name.ready"
}

stop_server() {
  [ -n "$time_pid" ] || return 0
  if [ -n "$poller_pid" ]; then
    touch "$OUT/raw/$current.stop"
    wait "$poller_pid" || true
  fi
  stop_process "$server_pid" TERM 10  # a child of GNU time, which still reports its usage after a SIGKILL
  wait "$time_pid" 2>/dev/null || true
  rm -f "$OUT/raw/$current.stop"
  time_pid="" server_pid="" poller_pid="" current=""
}
trap stop_server EXIT

# bench NAME ARGS...: one chat-bench run into raw/NAME.json and raw/NAME.txt.
bench() {
  local name=$1
  shift
  bench_measure "$OUT/raw/$name" taskset -c "$BENCH_CORE" "${rt[@]}" build/bin/chat-bench --no-progress --port "$PORT" \
    --threads 1 --server-pid "$server_pid" "$@"
  if [ "$bench_status" = ok ]; then
    printf '  %-28s ok      load %s  %s\n' "$name" "$bench_load" "$(grep -E 'throughput|per connection|connections ' "$OUT/raw/$name.txt" | tr -s ' ' | tr '\n' ' ')"
  else
    printf '  %-28s FAILED  (%s)\n' "$name" "$(grep -m1 FAILED "$OUT/raw/$name.txt" || echo "see $OUT/raw/$name.txt")"
  fi
}

run() {  # run KIND NAME CHAT-BENCH-ARGS...
  local kind=$1 name=$2
  shift 2
  start_server "$kind" "$name"
  bench "$name" "$@"
  stop_server
}

for part in $PARTS; do
  case "$part" in
    idle)
      echo "== idle: N registered connections held ${HOLD}s (memory, connect rate)"
      for rep in $(seq "$REPS"); do
        for n in $IDLE; do
          for kind in $IDLE_SERVERS; do
            run "$kind" "${kind}_idle${n}_rep${rep}" --idle "$n" --duration "$HOLD" --setup-timeout 120
          done
        done
      done ;;
    traffic)
      echo "== traffic: closed loop, and a control with the same set-up and almost no traffic"
      for rep in $(seq "$REPS"); do
        for pairs in $PAIRS; do
          for kind in $TRAFFIC_SERVERS; do
            for window in $WINDOWS; do
              run "$kind" "${kind}_pairs${pairs}_w${window}_rep${rep}" --pairs "$pairs" --window "$window" \
                --duration "$DURATION" --warmup "$WARMUP" --setup-timeout 120
            done
            run "$kind" "${kind}_pairs${pairs}_control_rep${rep}" --pairs "$pairs" --rate 1 \
              --duration "$DURATION" --warmup "$WARMUP" --setup-timeout 120
          done
        done
      done ;;
    summary) ;;
    *) echo "thread_cost.sh: unknown part '$part' (idle traffic summary)" >&2; exit 2 ;;
  esac
done
[ "$PARTS" = summary ] || echo "load at end: $(cat /proc/loadavg)" >> "$OUT/machine.txt"

python3 bench/thread_cost_summary.py "$OUT"
[ "$failures" -eq 0 ] || { echo "thread_cost.sh: $failures run(s) failed: see $OUT/raw/*.txt" >&2; exit 1; }
