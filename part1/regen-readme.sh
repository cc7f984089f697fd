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

python3 - "$root" "$build" "$check" <<'PY'
import difflib, os, re, subprocess, sys, tempfile

root, build, check = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
path = os.path.join(root, "part1", "README.md")
text = open(path, encoding="utf-8").read()
block = re.compile(r"(<!-- regen: (.*?) -->\n)(.*?)(<!-- /regen -->)", re.S)
scratch = tempfile.mkdtemp(prefix="regen-readme.")

def run(match):
    command = match.group(2)
    real = re.sub(r"(?<![\w./-])build/", build + "/", command).replace("$TMP", scratch)
    proc = subprocess.run(["bash", "-c", real], cwd=root, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        sys.exit(f"regen-readme.sh: `{command}` failed ({proc.returncode}):\n{proc.stderr}")
    shown = command.replace("$TMP", "/tmp")
    # The scratch name changes at every run, and the build folder with every clone.
    output = proc.stdout.rstrip().replace(scratch, "/tmp").replace(build + "/", "build/")
    return f"{match.group(1)}```text\n$ {shown}\n{output}\n```\n{match.group(4)}"

new = block.sub(run, text)
count = len(block.findall(text))
if check:
    if new != text:
        sys.stdout.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True), "README.md",
                                                   "regenerated"))
        sys.exit("regen-readme.sh: part1/README.md is out of date: run part1/regen-readme.sh")
    print(f"part1/README.md is up to date ({count} quoted outputs)")
else:
    open(path, "w", encoding="utf-8").write(new)
    print(f"part1/README.md: {count} quoted outputs regenerated")
PY
