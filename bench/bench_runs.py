"""The one reader of a bench/run.sh results folder, shared by bench/summarize.py (its tables)
and report/plots/render.py (the report's plots and figures): which file holds which run, the
runs grouped by configuration, and medians that skip what a run did not measure. It also reads
any results folder's run JSON for report/build.py, loose or packed by bench/pack.sh."""
import fnmatch
import glob
import json
import os
import re
import statistics
import tarfile

# bench/pack.sh's archive of a results folder's per-run files, inside that folder.
ARCHIVE = "raw.tar.xz"

# <server>_<workload>_rep<n>.json, as bench/run.sh names each run's JSON.
NAME = re.compile(r"^(chat|nats)_(?:pairs(\d+)_w(\d+)|rate(\d+)|idle(\d+)|threads(\d+))_rep(\d+)\.json$")
SERVERS = ("chat", "nats")


def run_key(file_name):
    """(server, kind, x, window) of a run's JSON file name, or None for any other file:
    kind is pairs (x pairs, at window), rate (x offered msgs/s), idle (x connections) or threads
    (x server threads); window is 0 but for pairs."""
    m = NAME.match(file_name)
    if not m:
        return None
    server, pairs, window, rate, idle, threads, _ = m.groups()
    if pairs:
        return server, "pairs", int(pairs), int(window)
    if rate:
        return server, "rate", int(rate), 0
    if idle:
        return server, "idle", int(idle), 0
    return server, "threads", int(threads), 0


def documents(folder, pattern):
    """[(name, JSON document)] of the files directly in FOLDER whose name matches the glob PATTERN, in
    name order: loose, or packed into FOLDER/raw.tar.xz (a loose file wins over its packed copy)."""
    folder = os.fspath(folder)
    texts = {}
    archive = os.path.join(folder, ARCHIVE)
    if os.path.exists(archive):
        with tarfile.open(archive, "r:xz") as tar:
            for member in tar:
                if member.isfile() and "/" not in member.name and fnmatch.fnmatchcase(member.name, pattern):
                    texts[member.name] = tar.extractfile(member).read()
    for path in glob.glob(os.path.join(glob.escape(folder), pattern)):
        with open(path, "rb") as f:
            texts[os.path.basename(path)] = f.read()
    return [(name, json.loads(texts[name])) for name in sorted(texts)]


def load_runs(folder):
    """{(server, kind, x, window): [chat-bench JSON document of each repetition]}, in file order."""
    runs = {}
    for name, doc in documents(folder, "*.json"):
        key = run_key(name)
        if key is not None:
            runs.setdefault(key, []).append(doc)
    return runs


def median(values):
    """The median of the values that are not None; None when none is left."""
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def load_average(doc):
    """The 1-minute load average bench/run.sh put in the run's label ("... load=1.23"), or None."""
    m = re.search(r"load=([0-9.]+)", doc.get("label", ""))
    return float(m.group(1)) if m else None
