#!/usr/bin/env bash
# Plays the CSV conversation through our real server and two real chat-client
# processes while tcpdump captures the server port on lo, checks that the capture
# carries every CSV message in order, then prints the hand-built and the real
# conversation side by side.
#
#   part1/capture-real.sh [--build DIR] [--csv CSV] [--out PCAP] [--built PCAP] [--port P] [--client BIN]
#                         [--mtu N]
#
# Defaults: --build build, --csv part1/group07_chat_input.csv, --out part1/real_capture.pcap,
# --built part1/group07_handbuilt.pcap, --port 5555 (0: any free port), --client DIR/bin/chat-client.
# --mtu 1500 gives lo an Ethernet MTU for the capture (restored afterwards), so the real
# stack cuts the long message into segments as the hand-built pcap does.
# Needs root (tcpdump on lo, ethtool); without it, it fails and says so.
# Segmentation offload on lo is turned off for the capture (so the kernel does not
# merge segments before tcpdump sees them) and restored afterwards, even on failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

build=$root/build
csv=$here/group07_chat_input.csv
out=$here/real_capture.pcap
built=$here/group07_handbuilt.pcap
port=5555
client=
mtu=
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --csv) csv=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --built) built=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --client) client=$2; shift 2 ;;
    --mtu) mtu=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "capture-real.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
client=${client:-$build/bin/chat-client}

fail() { echo "capture-real.sh: $*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
  fail "must run as root: tcpdump captures on lo and ethtool turns off offload (try: sudo $0 $*)"
fi
for tool in tcpdump tshark ethtool python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (tools/dev deps installs it)"
done
for bin in "$build/bin/chat-server" "$build/bin/chat-encap" "$client"; do
  [ -x "$bin" ] || fail "$bin is missing: build first (tools/dev build)"
done
. "$root/bench/lib.sh"  # wait_for_log, stop_process

work=$(mktemp -d /tmp/capture-real.XXXXXX)
server_pid=
tcpdump_pid=
offload_restore=()
mtu_restore=

cleanup() {
  local code=$?
  if [ -n "$tcpdump_pid" ]; then kill "$tcpdump_pid" 2>/dev/null || true; fi
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  if [ -n "$mtu_restore" ]; then
    ip link set dev lo mtu "$mtu_restore" 2>/dev/null || echo "capture-real.sh: could not restore lo's MTU" >&2
  fi
  if [ ${#offload_restore[@]} -gt 0 ]; then
    ethtool -K lo "${offload_restore[@]}" 2>/dev/null || echo "capture-real.sh: could not restore offload on lo" >&2
  fi
  rm -rf "$work"
  exit $code
}
trap cleanup EXIT
# A signal ends the script through exit, so the EXIT trap still restores lo and stops the children.
trap "exit 130" INT
trap "exit 143" TERM

# wait_for FILE PATTERN SECONDS PID WHAT: a line in FILE, or fail once PID dies or time runs out.
wait_for() {
  wait_for_log "$1" "$2" "$3" "$4" && return 0
  cat "$1" >&2
  fail "$5 exited early or was not ready after $3 s"
}

# Segmentation offload merges consecutive segments on lo before tcpdump sees them.
for feature in tso:tcp-segmentation-offload gso:generic-segmentation-offload; do
  state=$(ethtool -k lo | sed -n "s/^${feature#*:}: \(on\|off\).*/\1/p")
  [ -n "$state" ] && offload_restore+=("${feature%%:*}" "$state")
done
if ethtool -K lo tso off gso off 2>"$work/ethtool.err"; then
  echo "== offload on lo turned off for the capture (was: ${offload_restore[*]:-unknown})"
else
  echo "capture-real.sh: warning: ethtool -K lo tso off gso off failed ($(cat "$work/ethtool.err")):" \
       "segments may be merged" >&2
  offload_restore=()
fi

if [ -n "$mtu" ]; then
  command -v ip >/dev/null || fail "--mtu needs ip (iproute2)"
  mtu_restore=$(cat /sys/class/net/lo/mtu)
  ip link set dev lo mtu "$mtu" || fail "cannot set lo's MTU to $mtu"
  echo "== lo's MTU set to $mtu for the capture (was $mtu_restore)"
fi

echo "== chat-server on 127.0.0.1:$port"
"$build/bin/chat-server" --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
server_pid=$!
wait_for "$work/server.log" "listening on" 10 "$server_pid" "chat-server"
if [ "$port" = 0 ]; then  # --port 0: the server picked one and logged it
  port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$work/server.log" | head -1)
  [ -n "$port" ] || fail "cannot read the port chat-server picked from its log"
  echo "   it picked port $port"
fi

echo "== tcpdump -i lo tcp port $port -> $out"
mkdir -p "$(dirname "$out")"
capture=$work/capture.pcap
# --immediate-mode: hand each packet over at once (otherwise TPACKET_V3 holds a block up to 1 s
# and a short conversation may still sit in the ring when tcpdump is stopped: "0 packets
# captured"); -U: write each packet as it comes; -Z root: keep the rights to write the file.
tcpdump -i lo -n --immediate-mode -U -s 0 -Z root -w "$capture" "tcp port $port" 2>"$work/tcpdump.log" &
tcpdump_pid=$!
wait_for "$work/tcpdump.log" "listening on" 10 "$tcpdump_pid" "tcpdump"

echo "== playing $(basename "$csv") through two chat-client processes"
play_status=0
timeout 120 python3 "$here/play_conversation.py" --csv "$csv" --client "$client" --host 127.0.0.1 --port "$port" \
  || play_status=$?

sleep 1  # the last FIN/ACKs are on the wire within microseconds; leave tcpdump time to write them
stop_process "$tcpdump_pid" INT 5
tcpdump_pid=
stop_process "$server_pid" TERM 10
server_pid=
sed 's/^/  tcpdump: /' "$work/tcpdump.log" | tail -3
[ "$play_status" -eq 0 ] || fail "the conversation did not play (exit $play_status)"
cp "$capture" "$out"

echo "== payload check: every CSV message in order in the real capture (TCP checksum check off)"
python3 "$root/tests/encap/tshark_judge.py" real --pcap "$out" --csv "$csv" || fail "the real capture does not carry the CSV"

echo "== hand-built pcap: $built"
"$build/bin/chat-encap" "$csv" -o "$built" --print none >/dev/null

# gate PCAP TCP_CHECK FILTER: the frames the filter selects, then how many of how many.
gate() {
  local pcap=$1 tcp_check=$2 filter=$3 selected total
  echo "   filter: $filter"
  selected=$(tshark -r "$pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:"$tcp_check" -Y "$filter" 2>/dev/null)
  total=$(tshark -r "$pcap" 2>/dev/null | wc -l)
  [ -n "$selected" ] && echo "${selected//$'\n'/$'\n'  }" | sed '1s/^/  /'
  echo "   $( [ -n "$selected" ] && echo "$selected" | wc -l || echo 0) frames selected of $total"
}
echo "== tshark gate, hand-built (IP and TCP checksum checks on):"
gate "$built" TRUE 'ip.checksum.status != 1 || tcp.checksum.status != 1 || tcp.analysis.flags || _ws.malformed || _ws.expert.severity >= warning'
# Loopback TCP checksums are left to an offload that never happens on lo: they read Bad in any capture,
# so the real capture is judged with the TCP checksum check off (its status is then "unverified").
echo "== tshark gate, real (IP checksum check on, TCP checksum check off):"
gate "$out" FALSE 'ip.checksum.status != 1 || tcp.analysis.flags || _ws.malformed || _ws.expert.severity >= warning'

echo "== side by side"
python3 "$here/side_by_side.py" --csv "$csv" --built "$built" --real "$out" --frames
