#!/usr/bin/env python3
"""Regenerates every quoted output in part1/README.md; part1/regen-readme.sh says how, and calls this.

    part1/regen_readme.py ROOT BUILD CHECK   (CHECK 1: only compare, and fail if it differs)
"""
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
