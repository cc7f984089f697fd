#!/usr/bin/env bash
# Takes the report's Wireshark screenshots: the real Qt GUI (Debian 12's wireshark-qt) under Xvfb,
# driven by xdotool, captured with xwd and converted with netpbm. One command, no arguments:
#
#   report/screenshots/take.sh
#
# Writes, next to this script:
#   wireshark-handbuilt.png     part1/group07_handbuilt.pcap, frame 25 ("MSG Hi Elias, are you there?")
#                               selected, checksums verified; details and bytes panes only, IPv4, TCP
#                               and Data expanded; payload highlighted (the report's figure fig:wireshark)
#   wireshark-real.png          part1/real_capture.pcap, all 43 frames in the packet list (handshakes,
#                               data, teardowns), frame 21 (the same MSG, as the real stack sent it)
#   wireshark-real-follow.png   Follow TCP Stream of frame 21's connection (Noy's, tcp.stream 0), its
#                               text box (the report's figure fig:follow)
#
# Installs what is missing with apt-get (--no-install-recommends; sudo when not root). Wireshark runs
# with an empty, throw-away configuration directory (no user preferences, no recent files), on its own
# Xvfb display, and both are killed on exit. Every wait is bounded; the whole run takes well under
# two minutes once the packages are installed. Exit 0: all shots written; 1: something failed (said why).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
handbuilt=$root/part1/group07_handbuilt.pcap
real=$root/part1/real_capture.pcap

screen_w=1600
screen_h=1200
# Print size. The report sets each shot at the text width, 465 pt (A4, 2.3 cm margins), so a shot
# W px wide prints its font of F px at F x 465 / W pt. Wireshark's panes use font_px = 16 (DejaVu
# Sans Mono 12 pt on a 96 dpi display); shots 1 and 3 are shot_w = 910 px wide: 16 x 465 / 910 =
# 8.2 pt on paper (README.md has the figures per shot). Widen a shot and its text prints smaller.
dpi=96
font_pt=12
shot_w=910
shot1_h=1012         # the menu bar (cut off: menu_h), details (every row of IPv4 and TCP open), bytes (6 rows)
shot1_details_h=830
menu_h=19
follow_h=1000        # shot 3: the whole stream, the long message wrapped at shot_w ...
follow_text_h=882    # ... in its text box, rows 0-881; below are the window's controls (cut off)
handbuilt_frame=25   # Noy -> server, "MSG Hi Elias, are you there?" (msg_id 10, 29 bytes)
real_frame=21        # the same line in the real capture
real_frames=43       # frames in real_capture.pcap: the packet list shot must show them all

die() { echo "take.sh: $*" >&2; exit 1; }
say() { echo "take.sh: $*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

[ -r "$handbuilt" ] || die "missing $handbuilt"
[ -r "$real" ] || die "missing $real"

# ---- 1. dependencies -------------------------------------------------------------------------
need=()
have wireshark || need+=(wireshark-qt)
have Xvfb || need+=(xvfb)
have xdotool || need+=(xdotool)
have xwd || need+=(x11-apps)
{ have xwdtopnm && have pnmcolormap && have pnmremap && have pnmtopng; } || need+=(netpbm)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
have timeout || die "timeout (coreutils) not found"
if [ ${#need[@]} -gt 0 ]; then
  have apt-get || die "missing ${need[*]} and no apt-get to install them (Debian 12 expected)"
  sudo=
  if [ "$(id -u)" -ne 0 ]; then
    have sudo || die "missing ${need[*]}; run as root or install sudo"
    sudo=sudo
  fi
  say "installing ${need[*]}"
  # wireshark-common asks whether non-root users may capture; answer no (we only read files).
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $sudo debconf-set-selections
  install() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"; }
  install >&2 || { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 && install >&2; } \
    || die "apt-get install ${need[*]} failed"
  for c in wireshark Xvfb xdotool xwd xwdtopnm pnmcolormap pnmremap pnmtopng; do have $c || die "$c still missing after apt-get"; done
fi

# ---- 2. a private X server and a clean Wireshark configuration -------------------------------
tmp=$(mktemp -d /tmp/take-shot.XXXXXX)
xvfb_pid=
ws_pid=
win=
cleanup() {
  [ -z "$ws_pid" ] || { kill "$ws_pid" 2>/dev/null && wait "$ws_pid" 2>/dev/null; } || true
  [ -z "$xvfb_pid" ] || { kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null; } || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# -displayfd: Xvfb picks a free display itself and writes its number once it accepts clients.
Xvfb -displayfd 3 -screen 0 "${screen_w}x${screen_h}x24" -dpi "$dpi" -nolisten tcp -nolisten unix -noreset \
  3>"$tmp/display" 2>"$tmp/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 50); do [ -s "$tmp/display" ] && break; kill -0 "$xvfb_pid" 2>/dev/null || break; sleep 0.2; done
[ -s "$tmp/display" ] || { cat "$tmp/xvfb.log" >&2; die "Xvfb did not start"; }
DISPLAY=:$(head -n1 "$tmp/display")
export DISPLAY
say "Xvfb on $DISPLAY (${screen_w}x${screen_h})"

export LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME=$tmp/home XDG_RUNTIME_DIR=$tmp/run XDG_CONFIG_HOME=$tmp/home/.config
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

# writes a fresh Wireshark configuration directory $1: window at 0,0, $2 x $3 px, upper pane $4 px
# high, lower pane $5 px (wide or high, by layout), layout $6 (2: packet list on top, details and
# bytes side by side below; 1: the three stacked), panes $7 (layout_content_1..3), no "running as
# root" warning; the panes' font fixed (font_pt), IPv4 checksums verified, TCP checksums verified
# if $9 is TRUE (not in the real capture: on loopback the kernel never fills them in)
make_config() {
  local dir=$1 width=$2 height=$3 upper=$4 lower=$5 layout=$6 panes bars=$8 tcp_check=$9
  read -r -a panes <<<"$7"
  rm -rf "$dir" && mkdir -p "$dir"
  cat >"$dir/recent_common" <<RC
gui.geometry_main_x: 0
gui.geometry_main_y: 0
gui.geometry_main_width: $width
gui.geometry_main_height: $height
gui.geometry_main_maximized: FALSE
privs.warn_if_elevated: FALSE
sys.warn_if_no_capture: FALSE
RC
  cat >"$dir/recent" <<RC
gui.geometry_main_upper_pane: $upper
gui.geometry_main_lower_pane: $lower
gui.toolbar_main_show: $bars
gui.filter_toolbar_show: $bars
gui.statusbar_show: $bars
gui.zoom_level: 0
gui.time_format: RELATIVE
RC
  cat >"$dir/preferences" <<PREFS
gui.layout_type: $layout
gui.layout_content_1: ${panes[0]}
gui.layout_content_2: ${panes[1]}
gui.layout_content_3: ${panes[2]}
gui.update.enabled: FALSE
gui.qt.font_name: DejaVu Sans Mono,$font_pt,-1,5,50,0,0,0,0,0
ip.check_checksum: TRUE
tcp.check_checksum: $tcp_check
PREFS
}

# xwd of window $1 as PNG $2, rows $3 (default 0) to $4 (default: the last) only, reduced to 256
# colours (a third of the size, no visible loss on a GUI)
grab() {
  xwd -silent -id "$1" | xwdtopnm 2>/dev/null | pnmcut -top "${3:-0}" -bottom "${4:--1}" >"$tmp/grab.ppm"
  pnmcolormap 256 "$tmp/grab.ppm" 2>/dev/null >"$tmp/map.ppm"
  pnmremap -mapfile="$tmp/map.ppm" "$tmp/grab.ppm" 2>/dev/null | pnmtopng -compression 9 >"$2"
  [ -s "$2" ] || die "could not write $2"
}

# waits (at most ~$2 x 0.25 s) until three grabs of window $1 in a row are identical
settle() {
  local win=$1 tries=$2 prev='' cur same=0
  for _ in $(seq "$tries"); do
    cur=$(xwd -silent -id "$win" | md5sum)
    if [ "$cur" = "$prev" ]; then same=$((same + 1)); [ $same -ge 2 ] && return 0; else same=0; fi
    prev=$cur
    sleep 0.25
  done
  say "warning: window $win still changing after $tries looks; taking it as it is"
}

# waits at most $1 s for a visible window whose name matches $2; prints its id
find_window() {
  timeout "$1" xdotool search --sync --onlyvisible --name "$2" 2>/dev/null | head -n1
}

# starts Wireshark on pcap $1 selecting frame $2 with config dir $3; sets ws_pid and win (its main
# window) here, in this shell, so that stop_wireshark and the exit trap can kill it
start_wireshark() {
  local pcap=$1 frame=$2 conf=$3 name
  name=$(basename "$pcap" | sed 's/[.]/[.]/g')
  WIRESHARK_CONFIG_DIR=$conf wireshark -r "$pcap" -g "$frame" >"$tmp/wireshark.log" 2>&1 &
  ws_pid=$!
  # the title becomes the file's name once it is open
  win=$(find_window 30 "^$name\$") || true
  [ -n "$win" ] || { cat "$tmp/wireshark.log" >&2; die "no Wireshark window for $pcap within 30 s"; }
  kill -0 "$ws_pid" 2>/dev/null || die "Wireshark exited"
  settle "$win" 60
}

stop_wireshark() {
  { kill "$ws_pid" 2>/dev/null && wait "$ws_pid" 2>/dev/null; } || true
  ws_pid=
  win=
}

# clicks window-relative point $2,$3 of window $1, then parks the pointer on the status bar
click() {
  xdotool mousemove --window "$1" "$2" "$3" click 1
  xdotool mousemove --window "$1" $((screen_w - 5)) $((screen_h - 5))
}

# ---- 3. the hand-built pcap: frame 25, every layer open --------------------------------------
say "shot 1: $handbuilt frame $handbuilt_frame"
# details above bytes, no packet list, no tool or status bars: what matters at a printable width
make_config "$tmp/ws1" "$shot_w" "$shot1_h" "$shot1_details_h" 140 1 "PDETAILS PBYTES NONE" FALSE TRUE
start_wireshark "$handbuilt" "$handbuilt_frame" "$tmp/ws1"
# Focus the details pane by clicking its empty lower part (only the five top-level rows are shown
# so far). The tree may have no current row yet, and then the first key only makes "Frame" current
# whatever it is: Home Home = "Frame" in every case. Then open the layers bottom-up, one level each:
# End = "Data", Up = the layer above (still closed, so it is the one just above): Data, TCP, IPv4
# (Ethernet stays closed: its addresses are all zero). Last, select "Data (29 bytes)" so the bytes
# pane highlights the payload: End = its last child, Up Up = Data.
click "$win" 400 600
xdotool key --delay 120 Home Home End Right Up Right Up Right End Up Up
settle "$win" 40
grab "$win" "$here/wireshark-handbuilt.png" "$menu_h"
stop_wireshark

# ---- 4. the real capture: the whole packet list ----------------------------------------------
say "shot 2: $real, all $real_frames frames, frame $real_frame selected"
make_config "$tmp/ws2" "$screen_w" "$screen_h" 850 960 2 "PLIST PDETAILS PBYTES" TRUE FALSE
start_wireshark "$real" "$real_frame" "$tmp/ws2"
# open and select "Data" so the bytes pane highlights the payload
click "$win" 400 $((screen_h - 60))
xdotool key --delay 120 Home Home End Right
settle "$win" 40
grab "$win" "$here/wireshark-real.png"

# ---- 5. the real capture: Follow TCP Stream of that frame's connection -----------------------
say "shot 3: Follow TCP Stream"
# Analyze > Follow > TCP Stream (Ctrl+Alt+Shift+T) follows the selected frame's connection:
# frame 21 is Noy's (tcp.stream 0, client port 34050)
xdotool key ctrl+alt+shift+t
fwin=$(find_window 20 'Follow TCP Stream') || true
[ -n "$fwin" ] || die "no Follow TCP Stream window within 20 s"
# as wide as shot 1 (the same print size), high enough for the whole stream
xdotool windowmove "$fwin" 0 0 windowsize "$fwin" "$shot_w" "$follow_h"
settle "$fwin" 60
grab "$fwin" "$here/wireshark-real-follow.png" 0 $((follow_text_h - 1))
stop_wireshark

ls -l "$here"/*.png >&2
