# shellcheck shell=bash
# Sourced by every bench/*.sh (after `cd` to the repository root) and by part1/capture-real.sh: the
# one copy of what the scripts share. Defines functions only; the caller keeps `set -euo pipefail`.
#
#   bench_knobs NAME=DEFAULT...
#                             set each knob NAME to DEFAULT unless the environment gives it a value
#                             (the knobs every script documents in its header comment)
#   bench_build               build Release through tools/dev (the one way every script builds)
#   bench_rt NAME             set the array `rt` to (chrt -f 10) when BENCH_RT=1 and SCHED_FIFO is
#                             allowed here, else to (): prefix commands with "${rt[@]}"
#   free_port                 print a TCP port on 127.0.0.1 that the kernel just picked as free
#   wait_listening PORT PID SECONDS
#                             wait until something listens on TCP PORT; fail early if process PID
#                             ends, or after SECONDS
#   start_listening NAME PORT LOG COMMAND...
#                             start COMMAND in the background with stdout and stderr appended to LOG,
#                             set `server_pid` and wait (15 s) until it listens on PORT; exit 1 if not
#   wait_for_log FILE PATTERN SECONDS PID
#                             wait until FILE holds a line matching PATTERN (grep -E); fail (return 1)
#                             early if process PID ends, or after SECONDS
#   stop_process PID [SIGNAL] [SECONDS]
#                             send SIGNAL (TERM) to PID, wait up to SECONDS (10) for it to end, then
#                             SIGKILL it; reaps it when it is this shell's child
#   bench_measure STEM COMMAND...
#                             run COMMAND (a chat-bench command line) with --json STEM.json and
#                             --label load=L appended, its output into STEM.txt; set bench_load to L
#                             (the 1-minute load average at the start) and bench_status to ok or
#                             FAILED, counting a failure in `failures`
#   machine_info              print the machine, commit and load lines every results folder keeps
#
# SCHED_FIFO is opt-in (BENCH_RT=1): a real-time task that keeps its core busy starves everything
# else on a shared machine, other people's jobs included. Off, the figures carry the load of the
# moment (each run's JSON keeps the load average in its label).

bench_knobs() {
  local knob name
  for knob in "$@"; do
    name=${knob%%=*}
    [ -n "${!name:-}" ] || printf -v "$name" '%s' "${knob#*=}"
  done
}

bench_build() {
  ./tools/dev build release >/dev/null
}

# shellcheck disable=SC2034  # rt is the caller's: it prefixes the server's command
bench_rt() {
  rt=()
  [ "${BENCH_RT:-0}" = 1 ] || return 0
  if chrt -f 10 true 2>/dev/null; then
    rt=(chrt -f 10)
  else
    echo "$1: cannot use SCHED_FIFO here, running as ordinary tasks" >&2
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_listening() {
  local port=$1 pid=$2 seconds=$3 i
  for ((i = 0; i < seconds * 20; i++)); do
    ss -Hltn "sport = :$port" | grep -q . && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

wait_for_log() {
  local file=$1 pattern=$2 seconds=$3 pid=$4 i
  for ((i = 0; i < seconds * 20; i++)); do
    grep -qE "$pattern" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

stop_process() {
  local pid=$1 signal=${2:-TERM} seconds=${3:-10} i
  kill -s "$signal" "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  for ((i = 0; i < seconds * 20; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "pid $pid outlived SIG$signal by $seconds s: killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

server_pid=""
start_listening() {
  local name=$1 port=$2 log=$3
  shift 3
  "$@" >>"$log" 2>&1 &
  server_pid=$!
  wait_listening "$port" "$server_pid" 15 && return 0
  echo "$name did not start listening on port $port (see $log)" >&2
  exit 1
}

failures=0 bench_load="" bench_status=""
bench_measure() {
  local stem=$1
  shift
  bench_load=$(cut -d' ' -f1 /proc/loadavg)
  # shellcheck disable=SC2034  # bench_status is read by the caller after each run
  if "$@" --json "$stem.json" --label "load=$bench_load" >"$stem.txt" 2>&1; then
    bench_status=ok
  else
    bench_status=FAILED
    failures=$((failures + 1))
  fi
}

machine_info() {
  echo "date: $(date -u +%FT%TZ)"
  echo "host: $(uname -srm)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cores online)"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "fd limit: soft $(ulimit -Sn), hard $(ulimit -Hn)"
  echo "commit: $(git rev-parse --short HEAD) ($(git rev-parse --abbrev-ref HEAD))"
  echo "compiler: $(c++ --version | head -1)"
  echo "load at start: $(cat /proc/loadavg)"
}
