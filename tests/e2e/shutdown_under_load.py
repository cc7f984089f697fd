#!/usr/bin/env python3
"""SIGTERM while chat-bench drives 1,000 pairs: the server says BYE to every client, flushes
what it accepted and exits 0 within its --shutdown-timeout; no client sees a duplicated,
reordered or corrupted message.

Usage: shutdown_under_load.py PATH/TO/chat-server PATH/TO/chat-bench"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_e2e import DEADLINE, fail, main, start_server  # noqa: E402

SHUTDOWN_TIMEOUT = 10


def relayed_so_far(server):
    for line in reversed(server.log_lines()):
        m = re.search(r"stats: .* relayed=(\d+)", line)
        if m:
            return int(m.group(1))
    return 0


def shutdown_under_load(server_bin, bench_bin):
    server = start_server(server_bin, "--stats-interval", "0.2", "--shutdown-timeout", str(SHUTDOWN_TIMEOUT))
    port = server.port
    report = os.path.join(tempfile.mkdtemp(prefix="shutdown-load."), "bench.json")
    bench = subprocess.Popen([bench_bin, "--port", str(port), "--pairs", "1000", "--window", "16", "--threads", "1",
                              "--duration", "120", "--warmup", "0", "--json", report, "--no-progress"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Under load: wait (on the server's own stats lines) until 100,000 messages have been relayed.
    if not server.wait_for(lambda: relayed_so_far(server) >= 100_000, timeout=3 * DEADLINE):
        bench.kill()
        fail("the load never got going")
    start = time.monotonic()
    server.signal(signal.SIGTERM)
    try:
        code = server.wait(timeout=SHUTDOWN_TIMEOUT + DEADLINE)
    except Exception:
        bench.kill()
        raise
    took = time.monotonic() - start
    if code != 0:
        fail(f"server exit code {code}")
    if took > SHUTDOWN_TIMEOUT + 2:
        fail(f"shutdown took {took:.1f} s")
    if any("forcing" in line for line in server.log_lines()):
        fail("the shutdown was forced, not graceful")
    out, _ = bench.communicate(timeout=DEADLINE * 3)
    if bench.returncode != 1:
        fail(f"chat-bench should report the server's BYE as an error (exit {bench.returncode}):\n{out}")
    with open(report) as f:
        figures = json.load(f)
    text = json.dumps(figures)
    for key in ("duplicated", "reordered", "corrupted"):
        counts = [int(n) for n in re.findall(rf'"{key}": (\d+)', text)]
        if not counts or any(counts):
            fail(f"{key}: {counts}\n{out}")
    if "BYE SHUTDOWN" not in text and "BYE SHUTDOWN" not in out:
        fail(f"no client reported BYE SHUTDOWN:\n{out}")
    print(f"ok: SIGTERM under 1,000 pairs: graceful exit 0 in {took:.2f} s, "
          f"{relayed_so_far(server)} messages relayed before it")


if __name__ == "__main__":
    main(shutdown_under_load, sys.argv[1], sys.argv[2])
