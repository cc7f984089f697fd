#!/usr/bin/env bash
# Packs a results folder before it is committed: what the docs and the report read by name stays loose
# (keep() below), every other file (each run's JSON and text, server logs, raw/, certs/, ...) goes into
# FOLDER/raw.tar.xz. The archive is reproducible: the same files give the same bytes (names sorted,
# times, owners and modes fixed, single-threaded xz). bench/bench_runs.py reads run JSON from it in
# place, so summarize.py, report/plots/render.py and report/build.py need no unpacking; the other
# summarisers (tls_summary.py, thread_cost_summary.py, metrics_overhead_summary.py, ...) read loose
# files: unpack first.
#   bench/pack.sh FOLDER...                       pack (an existing raw.tar.xz is unpacked and packed again)
#   tar -xJf FOLDER/raw.tar.xz -C FOLDER          unpack: the folder as the run left it
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 FOLDER..." >&2; exit 2; }

# keep PATH (relative to the folder): whether PATH stays loose.
keep() {
  case "$1" in
    raw.tar.xz) ;;
    # summaries of every script, and the machine each folder ran on (the report quotes machine.txt)
    summary.* | */summary.* | machine*.txt | */machine*.txt) ;;
    thread_cost.json | */thread_cost.json | metrics_overhead.json | idle-summary.txt | syscalls.txt) ;;
    sweep_cost.txt | soak* | memcheck.txt) ;;
    # the figures and what they were drawn from (report/plots/render.py, older folders' gnuplot data)
    *.png | *.pdf | *.dat | figures.json) ;;
    # the profilers' own reports (bench/profile_summary.py, docs/bench.md); the runs under them are packed
    profile/server_w*_perf*.txt | profile/syscalls_*.txt | profile/massif_*.txt) ;;
    *) return 1 ;;
  esac
}

for folder in "$@"; do
  archive="$folder/raw.tar.xz"
  # a file measured again since the last packing wins over its packed copy
  [ ! -e "$archive" ] || tar -xJf "$archive" -C "$folder" --skip-old-files
  packed=()
  while IFS= read -r -d '' path; do
    path=${path#./}
    keep "$path" || packed+=("$path")
  done < <(cd "$folder" && find . -type f -print0 | LC_ALL=C sort -z)
  if [ ${#packed[@]} -eq 0 ]; then
    echo "$folder: nothing to pack"
    continue
  fi
  printf '%s\0' "${packed[@]}" |
    tar --create --format=gnu --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --mode=u=rw,go=r \
      --no-recursion --null -C "$folder" --files-from=- |
    xz -9 -T1 >"$archive.tmp"
  mv "$archive.tmp" "$archive"
  (cd "$folder" && rm -- "${packed[@]}")
  find "$folder" -mindepth 1 -type d -empty -delete
  echo "$folder: ${#packed[@]} files into raw.tar.xz ($(du -k "$archive" | cut -f1) KiB)"
done
