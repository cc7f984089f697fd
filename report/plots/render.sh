#!/usr/bin/env bash
# usage: report/plots/render.sh RESULTS_DIR OUTDIR [SOAK_JSON]
#   SOAK_JSON (argument or environment) defaults to RESULTS_DIR/soak.json; soak.pdf is skipped with a
#   message when that file is missing or has no "intervals" array.
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 RESULTS_DIR OUTDIR [SOAK_JSON]" >&2
  exit 2
fi
exec python3 "$(dirname "$0")/render.py" "$@"
