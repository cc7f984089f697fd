#!/usr/bin/env python3
"""Retakes report/data/prometheus/queries.txt: what a real Prometheus answered about chat-server.

Usage: report/data/prometheus/take.py [build/bin/chat-server] [/usr/bin/prometheus]

The set-up is the end-to-end test's (tests/e2e/metrics_prometheus.py, e2e.metrics.prometheus_scrape):
chat-server on ephemeral ports with --metrics-port 0, Noy relaying 40 messages to Elias, Dana asking
for a user who is not there, then
Debian's Prometheus scraping it every second. Once Prometheus has the relayed count, this asks it
the queries below through its HTTP API and writes each query with the answer's series and values.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import metrics_prometheus as mp  # noqa: E402

QUERIES = [
    'up{job="chat"}',
    'chat_messages_relayed_total{job="chat"}',
    'chat_registered_users{job="chat"}',
    'chat_active_chats{job="chat"}',
    'chat_errors_total{job="chat",code="NO_SUCH_USER"}',
    'chat_outbox_wait_seconds_count{job="chat"}',
    'chat_outbox_wait_seconds_bucket{job="chat",le=~"1e-05|5e-05|0.0001|0.001|\\\\+Inf"}',
    'histogram_quantile(0.99, sum by (le) (chat_outbox_wait_seconds_bucket{job="chat"}))',
]


def answer(expr, doc):
    """The answer's series, one line each: labels other than job and instance, then the value."""
    lines = []
    le = lambda series: float(series["metric"].get("le", "0").replace("+Inf", "inf"))
    for series in sorted(doc["data"]["result"], key=le):
        labels = {k: v for k, v in series["metric"].items() if k not in ("job", "instance")}
        name = labels.pop("__name__", "")
        shown = name + ("{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}" if labels else "")
        lines.append(f"  {shown or '(value)'} {series['value'][1]}")
    return lines or ["  (no series)"]


def main():
    server_bin = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/bin/chat-server")
    prometheus_bin = sys.argv[2] if len(sys.argv) > 2 else "/usr/bin/prometheus"
    server, port, metrics_port = mp.start_chat_server(server_bin)
    clients = mp.relay(port)
    # a third user asks for a user who is not there: a labelled counter with a value other than 0
    dana = mp.Client(port)
    dana.line()  # the greeting
    dana.send("REGISTER Dana\nCONNECT Nobody\n")
    if dana.line() != "OK REGISTERED Dana" or not dana.line().startswith("ERR NO_SUCH_USER"):
        mp.fail("no ERR NO_SUCH_USER")
    clients += (dana,)
    version = subprocess.run([prometheus_bin, "--version"], capture_output=True, text=True).stdout
    out = [f"# {version.splitlines()[0].split(' (')[0]}, scraping chat-server every second",
           "# each query, then the series of its answer (job and instance labels left out)"]
    with tempfile.TemporaryDirectory(prefix="chat-prometheus-") as workdir:
        prometheus, prometheus_port = mp.start_prometheus(prometheus_bin, workdir, metrics_port)
        try:
            end = time.monotonic() + mp.PROMETHEUS_DEADLINE
            while time.monotonic() < end:
                if (mp.query(prometheus_port, 'chat_messages_relayed_total{job="chat"}') == mp.MESSAGES
                        and mp.query(prometheus_port, 'chat_errors_total{job="chat",code="NO_SUCH_USER"}') == 1):
                    break
                time.sleep(0.5)
            else:
                mp.fail("Prometheus never saw the relayed messages")
            for expr in QUERIES:
                mp.query(prometheus_port, expr)
                out += [expr] + answer(expr, mp.SEEN[expr])
        finally:
            mp.stop(prometheus)
    for c in clients:
        c.sock.close()
    server.stop(signal.SIGTERM, timeout=mp.DEADLINE)
    path = os.path.join(ROOT, "report/data/prometheus/queries.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print(f"take.py: wrote {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
