#!/usr/bin/env bash
# Regenerates every quoted output in part1/README.md from the command written above it.
#
#   part1/regen-readme.sh [--build DIR] [--check] [--capture]
#
# A quoted block is marked in the README as
#   <!-- regen: COMMAND -->
#   ```text
#   $ COMMAND
#   ...output...
#   ```
#   <!-- /regen -->
# COMMAND runs with bash from the repository's root; "build/" in it means DIR/
# (default build); $TMP is a scratch directory. --check regenerates into memory and fails if the README differs
# (CTest runs this). --capture first retakes part1/real_capture.pcap with
# capture-real.sh (root); otherwise the committed capture is used.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
check=0
capture=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --check) check=1; shift ;;
    --capture) capture=1; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "regen-readme.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$build/bin/chat-encap" ] || { echo "regen-readme.sh: $build/bin/chat-encap is missing: build first" >&2; exit 1; }
if [ "$capture" -eq 1 ]; then
  "$root/part1/capture-real.sh" --build "$build" >/dev/null
fi

python3 "$root/part1/regen_readme.py" "$root" "$build" "$check"
