#!/usr/bin/env bash
# Retakes report/screenshots/chat-client.ansi: Noy's screen of chat-client, as tmux shows it with
# its colours (tmux capture-pane -p -e), after a short chat with Elias and a server restart.
# Usage: report/screenshots/take-client.sh   (after ./tools/dev build; needs tmux)
# The report draws the capture with report/screenshots/ansi_to_latex.py.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=$root/build/bin
out=$root/report/screenshots/chat-client.ansi
sock=chat-report-$$            # a tmux server of our own, so no other tmux session is touched
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server_pid=

start_server() {
  "$bin/chat-server" --port "$port" --log-level warn &
  server_pid=$!
  for _ in $(seq 100); do   # 10 s
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return; fi
    sleep 0.1
  done
  echo "take-client.sh: chat-server did not listen on $port" >&2
  exit 1
}

stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || true
}

cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then stop_server; fi
}
trap cleanup EXIT

# wait_for SESSION COUNT REGEX: until SESSION's screen has COUNT lines matching REGEX (10 s at most)
wait_for() {
  for _ in $(seq 100); do
    if [ "$(tmux -L "$sock" capture-pane -p -t "$1" | grep -c -E -- "$3")" -ge "$2" ]; then return; fi
    sleep 0.1
  done
  echo "take-client.sh: $1 never showed $2 x '$3'" >&2
  tmux -L "$sock" capture-pane -p -t "$1" >&2
  exit 1
}

type_line() {   # type_line SESSION TEXT: typed as keys, then Enter
  tmux -L "$sock" send-keys -t "$1" -l -- "$2"
  tmux -L "$sock" send-keys -t "$1" Enter
}

start_server
client="env TERM=xterm-256color LANG=C.UTF-8 $bin/chat-client --port $port"
tmux -L "$sock" new-session -d -s noy -x 64 -y 24 "$client --bell"
tmux -L "$sock" new-session -d -s elias -x 64 -y 24 "$client --name Elias"
wait_for noy 1 'type your name'
type_line noy Noy
wait_for noy 1 'registered as Noy'
wait_for elias 1 'registered as Elias'
type_line elias '/connect Noy'
wait_for noy 1 'Elias opened a chat with you'
type_line elias 'hi Noy, the new client has colours'
wait_for noy 1 '<Elias> hi Noy'
type_line noy 'hi Elias! and a bell for each message'
wait_for elias 1 '<Noy> hi Elias'
type_line noy '/who'
wait_for noy 1 '2 users online'
type_line elias 'restarting the server now'
wait_for noy 1 '<Elias> restarting'
stop_server
wait_for noy 1 'connection lost'
tmux -L "$sock" send-keys -t noy -l -- 'ok, see you in a mom'
start_server
wait_for noy 2 'registered as Noy'
tmux -L "$sock" capture-pane -p -e -t noy > "$out"
echo "take-client.sh: wrote ${out#"$root"/}"
