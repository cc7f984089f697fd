#!/usr/bin/env python3
"""Fault tests against the real chat-server binary.

Usage: faults.py SCENARIO PATH/TO/chat-server PATH/TO/chat-client
  killed_clients   real chat-client processes SIGKILLed in the middle of a burst
  reset_flood      a flood of connects, registrations and resets
Every wait has a deadline; the server must keep serving and free every name.
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_e2e import main, Client, fail, start_server, DEADLINE  # noqa: E402


def registered(port, name):
    c = Client(port)
    if not c.line().startswith("HELLO"):
        fail("no greeting")
    c.send(f"REGISTER {name}\n")
    if c.line() != f"OK REGISTERED {name}":
        fail(f"could not register {name}")
    return c


def who(port):
    c = Client(port)
    c.line()
    c.send("WHO\nQUIT\n")
    reply = c.line()
    c.line()
    return reply


def killed_clients(server_bin, client_bin):
    server = start_server(server_bin)
    port = server.port
    pairs = 10
    partners = [registered(port, f"Stay{i}") for i in range(pairs)]
    victims = []
    for i in range(pairs):
        # A real client in script mode: register, open the chat, then a long burst of messages.
        script = f"REGISTER Gone{i}\nCONNECT Stay{i}\n" + "".join(f"MSG burst {n}\n" for n in range(20000))
        victim = subprocess.Popen([client_bin, "--port", str(port)], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        victim.stdin.write(script.encode())
        victim.stdin.flush()
        victims.append(victim)
    for i, stay in enumerate(partners):
        if stay.line() != f"CONNECTED Gone{i}":
            fail("no chat opened")
        # Mid-burst: at least some messages have arrived when the client is killed.
        if not stay.line().startswith(f"MSG Gone{i} burst "):
            fail("no burst")
    for victim in victims:
        victim.send_signal(signal.SIGKILL)
    for i, stay in enumerate(partners):
        # The rest of the burst that reached the server is delivered in order, then the partner is told.
        expected = None
        while True:
            line = stay.line()
            if line == f"DISCONNECTED Gone{i}":
                break
            if not line.startswith(f"MSG Gone{i} burst "):
                fail(f"unexpected {line!r}")
            n = int(line.rsplit(" ", 1)[1])
            if expected is not None and n != expected:
                fail(f"out of order: {n} after {expected - 1}")
            expected = n + 1
    for victim in victims:
        victim.wait(timeout=DEADLINE)
    reply = who(port)
    if reply != "OK WHO 10 " + " ".join(sorted((f"Stay{i}" for i in range(pairs)), key=str.lower)):
        fail(f"names not freed: {reply}")
    server.signal(signal.SIGTERM)
    if server.wait() != 0:
        fail("server exit code")


def reset_flood(server_bin, _client_bin):
    server = start_server(server_bin)
    port = server.port
    for n in range(2000):
        s = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
        if n % 2:
            s.sendall(f"REGISTER flood{n}\n".encode())
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()  # a reset, maybe before the greeting was even sent
    # Every name is freed. The server may still be reading the last resets, so ask
    # again (each answer is a round trip, bounded by a deadline) until none is left.
    c = registered(port, "Checker")
    end = time.monotonic() + DEADLINE
    reply = None
    while time.monotonic() < end:
        c.send("WHO flood\n")
        reply = c.line()
        if reply == "OK WHO 0":
            break
    if reply != "OK WHO 0":
        fail(f"names left behind by resets: {reply[:200]}")
    c.send("REGISTER flood1\n")
    if c.line() != "ERR ALREADY_REGISTERED this connection is already registered":
        fail("connection not usable")
    server.signal(signal.SIGTERM)
    if server.wait() != 0:
        fail("server exit code")


if __name__ == "__main__":
    scenario, server_bin, client_bin = sys.argv[1], sys.argv[2], sys.argv[3]
    main({"killed_clients": killed_clients, "reset_flood": reset_flood}[scenario], server_bin, client_bin)
    print("ok:", scenario)
