#!/usr/bin/env python3
"""A real Prometheus scrapes chat-server's /metrics.

Usage: metrics_prometheus.py PATH/TO/chat-server PATH/TO/prometheus

Starts chat-server with --metrics-port 0, relays a known number of messages between two
clients, then starts Prometheus (Debian's 2.42) on a free loopback port with a temporary
storage directory and a generated config that scrapes chat-server every second. Its HTTP API
is polled, with a deadline, until `up` is 1, chat_messages_relayed_total equals what was
relayed and the outbox-wait histogram has observations. Both processes are stopped at the end.
Every wait has a deadline; a failure prints what was seen and exits 1.
"""
import atexit
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import server_e2e  # noqa: E402
from server_e2e import Client, start_server, DEADLINE  # noqa: E402

PROMETHEUS_DEADLINE = 90.0  # start-up, the first scrapes and the query, on a loaded machine
MESSAGES = 40

SEEN = {}  # what the last queries answered, shown on failure
PROCESSES = []  # killed at exit if still running, so a failure leaves nothing behind


@atexit.register
def kill_leftovers():
    for proc in PROCESSES:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def fail(message):
    print("last answers:", json.dumps(SEEN, indent=1))
    server_e2e.fail(message)


def start_chat_server(binary):
    """chat-server on ephemeral ports; returns (its harness.Process, chat port, metrics port)."""
    server = start_server(binary, "--metrics-port", "0", "--stats-interval", "0")
    PROCESSES.append(server.proc)
    # The metrics line comes before the listening line.
    match = server.wait_for_log(r"metrics on http://127\.0\.0\.1:(\d+)/metrics")
    if match:
        return server, server.port, int(match.group(1))
    fail("the server did not report its metrics port")


def relay(port):
    """Opens a chat and relays MESSAGES lines from Noy to Elias, each read by Elias."""
    noy, elias = Client(port), Client(port)
    for c, name in ((noy, "Noy"), (elias, "Elias")):
        if not c.line().startswith("HELLO CHAT/1 "):
            fail("no greeting")
        c.send(f"REGISTER {name}\n")
        if c.line() != f"OK REGISTERED {name}":
            fail(f"{name} could not register")
    noy.send("CONNECT Elias\n")
    if noy.line() != "OK CONNECTED Elias" or elias.line() != "CONNECTED Noy":
        fail("no chat")
    noy.send("".join(f"MSG m{i}\n" for i in range(MESSAGES)))
    for i in range(MESSAGES):
        got = elias.line()
        if got != f"MSG Noy m{i}":
            fail(f"message {i}: {got!r}")
    return noy, elias


def free_port():
    """A loopback port free at this instant (Prometheus takes no port 0); the caller retries if it is taken."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_prometheus(binary, workdir, metrics_port):
    config = os.path.join(workdir, "prometheus.yml")
    with open(config, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "scrape_configs:\n  - job_name: chat\n    static_configs:\n"
                f"      - targets: ['127.0.0.1:{metrics_port}']\n")
    for _ in range(3):
        port = free_port()
        log = open(os.path.join(workdir, "prometheus.log"), "w")
        proc = subprocess.Popen([binary, f"--config.file={config}", f"--storage.tsdb.path={workdir}/data",
                                 f"--web.listen-address=127.0.0.1:{port}"],
                                stdout=log, stderr=subprocess.STDOUT)
        PROCESSES.append(proc)
        end = time.monotonic() + PROMETHEUS_DEADLINE
        while time.monotonic() < end and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=2) as r:
                    if r.status == 200:
                        return proc, port
            except OSError:
                time.sleep(0.2)
        stop(proc)
    with open(os.path.join(workdir, "prometheus.log")) as f:
        SEEN["prometheus log"] = f.read()[-3000:]
    fail("Prometheus did not become ready")


def query(port, expr):
    """The value of the instant query `expr`, or None while it has no result."""
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            answer = json.load(r)
    except OSError as e:
        SEEN[expr] = str(e)
        return None
    SEEN[expr] = answer
    if answer.get("status") != "success":
        fail(f"query {expr} failed: {answer}")
    result = answer["data"]["result"]
    if len(result) != 1:
        return None
    return float(result[0]["value"][1])


def stop(proc):
    proc.terminate()
    try:
        return proc.wait(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def main():
    server_binary, prometheus_binary = sys.argv[1], sys.argv[2]
    server, port, metrics_port = start_chat_server(server_binary)
    clients = relay(port)
    with tempfile.TemporaryDirectory(prefix="chat-prometheus-") as workdir:
        prometheus, prometheus_port = start_prometheus(prometheus_binary, workdir, metrics_port)
        try:
            checks = {
                'up{job="chat"}': lambda v: v == 1,
                'chat_messages_relayed_total{job="chat"}': lambda v: v == MESSAGES,
                'chat_outbox_wait_seconds_count{job="chat"}': lambda v: v > 0,
                'chat_outbox_wait_seconds_bucket{job="chat",le="+Inf"}': lambda v: v > 0,
                'chat_registered_users{job="chat"}': lambda v: v == 2,
            }
            end = time.monotonic() + PROMETHEUS_DEADLINE
            pending = dict(checks)
            while pending and time.monotonic() < end:
                for expr, ok in list(pending.items()):
                    value = query(prometheus_port, expr)
                    if value is not None and ok(value):
                        del pending[expr]
                if pending:
                    time.sleep(0.5)
            if pending:
                fail("Prometheus never saw: " + ", ".join(pending))
        finally:
            stop(prometheus)
    for c in clients:
        c.sock.close()
    if server.stop(signal.SIGTERM, timeout=DEADLINE) != 0:
        fail("chat-server did not exit 0 on SIGTERM")
    print(f"ok: Prometheus scraped {MESSAGES} relayed messages, up == 1, outbox-wait observations")


if __name__ == "__main__":
    main()
