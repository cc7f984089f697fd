#!/usr/bin/env python3
"""chat-server's /metrics over HTTP, as monitoring meets it.

Usage: metrics_http.py SCENARIO PATH/TO/chat-server
  blinding  64 connections that send nothing or trickle a request, as a port scanner or a load
            balancer's health check leaves them, do not delay a scrape
  head      HEAD /metrics answers 200 without a body, as uptime checkers expect; GET still has one
Every wait has a deadline; a failure prints what was seen and exits 1.
"""
import http.client
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import server_e2e  # noqa: E402
from server_e2e import fail, main, start_server  # noqa: E402

# Connections held open on the metrics port while scraping; half idle, half trickling.
HELD_CONNECTIONS = 64
# A scrape must be answered within 100 ms; this bound only has to hold on a loaded 2-core machine and
# still fail by far when one held connection holds the only worker (a 30 s wait each).
SCRAPE_BOUND = 5.0
TRICKLE_INTERVAL = 0.5  # seconds between the bytes of a trickled request
TRICKLED_REQUEST = b"GET /metrics HTTP/1.1\r\nHost: chat-server\r\nUser-Agent: a very slow scanner\r\n\r\n"


def metrics_server(binary):
    """chat-server with /metrics on an ephemeral port; returns the metrics port."""
    server = start_server(binary, "--metrics-port", "0", "--stats-interval", "0")
    match = server.wait_for_log(r"metrics on http://127\.0\.0\.1:(\d+)/metrics")
    if not match:
        fail("the server did not report its metrics port")
    return int(match.group(1))


def request(port, method, path, timeout=server_e2e.DEADLINE):
    """(status, body, seconds taken) of one request on a new connection."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        body = response.read()
        return response.status, body, time.monotonic() - started
    except (socket.timeout, TimeoutError):
        fail(f"{method} {path}: no answer within {timeout} s")
    finally:
        connection.close()


def trickle(sock, stop):
    """Sends TRICKLED_REQUEST one byte per TRICKLE_INTERVAL until it is sent or `stop` is set."""
    for byte in TRICKLED_REQUEST:
        if stop.wait(TRICKLE_INTERVAL):
            return
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return  # cut by the server: allowed


def blinding(binary):
    port = metrics_server(binary)
    stop = threading.Event()
    held = [socket.create_connection(("127.0.0.1", port), timeout=server_e2e.DEADLINE)
            for _ in range(HELD_CONNECTIONS)]
    tricklers = [threading.Thread(target=trickle, args=(sock, stop), daemon=True) for sock in held[::2]]
    for t in tricklers:
        t.start()
    try:
        took = []
        for _ in range(3):
            status, body, seconds = request(port, "GET", "/metrics", timeout=SCRAPE_BOUND)
            if status != 200 or b"chat_messages_relayed_total" not in body:
                fail(f"scrape answered {status}: {body[:200]!r}")
            took.append(seconds)
        print(f"scrapes with {HELD_CONNECTIONS} held connections took " +
              ", ".join(f"{s * 1000:.1f} ms" for s in took) + f" (target 100 ms, bound {SCRAPE_BOUND:.0f} s)")
        if max(took) >= SCRAPE_BOUND:
            fail(f"a scrape took {max(took):.1f} s")
    finally:
        stop.set()
        for t in tricklers:
            t.join(server_e2e.DEADLINE)
        for sock in held:
            sock.close()


def head(binary):
    port = metrics_server(binary)
    status, body, _ = request(port, "HEAD", "/metrics")
    if status != 200 or body:
        fail(f"HEAD /metrics answered {status} with {len(body)} bytes of body")
    status, body, _ = request(port, "GET", "/metrics")
    if status != 200 or b"chat_messages_relayed_total" not in body:
        fail(f"GET /metrics after HEAD answered {status}: {body[:200]!r}")
    status, _, _ = request(port, "HEAD", "/elsewhere")
    if status != 404:
        fail(f"HEAD /elsewhere answered {status}, expected 404")


if __name__ == "__main__":
    scenario, binary = sys.argv[1], sys.argv[2]
    main({"blinding": blinding, "head": head}[scenario], binary)
    print("ok:", scenario)
