#!/usr/bin/env python3
"""The course's own client against chat-server started with no flags.

Usage: course_client.py PATH/TO/chat-server

The course's client is a Python script with 127.0.0.1:12345 written into it that prints every
server line as it arrives and sends what is typed. Two such clients (below, written the same
way) reach a chat-server started without --port and go through REGISTER, CONNECT, MSG both ways,
WHO and DISCONNECT. Every wait has a deadline.

It runs in a network namespace of its own, where 12345 is free whatever the host runs (the quick
start's `tools/dev server` on that very port, say); where it cannot make one, it is skipped (exit 77).
Every other test uses ephemeral ports.
"""
import os
import queue
import re
import signal
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from private_network import enter_private_network_or_skip  # noqa: E402
from server_e2e import DEADLINE, Process, exit_code, fail, main  # noqa: E402

COURSE_ADDRESS = ("127.0.0.1", 12345)


class CourseClient:
    """Connects to the course's address and prints each server line as it comes, as the course's client does."""

    def __init__(self, who):
        self.who = who
        self.sock = socket.create_connection(COURSE_ADDRESS, timeout=DEADLINE)
        self.lines = queue.Queue()
        threading.Thread(target=self.receive, daemon=True).start()

    def receive(self):
        buffer = b""
        while True:
            try:
                data = self.sock.recv(1024)
            except OSError:
                data = b""
            if not data:
                self.lines.put(None)
                return
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                print(f"[{self.who}] {line.decode()}")
                self.lines.put(line.decode())

    def type(self, text):
        print(f"[{self.who}] > {text}")
        self.sock.sendall((text + "\n").encode())

    def expect(self, wanted):
        try:
            line = self.lines.get(timeout=DEADLINE)
        except queue.Empty:
            line = "(nothing)"
        if line is None or not re.fullmatch(wanted, line):
            fail(f"{self.who} printed {line!r}, want {wanted!r}")


def course_client(server_bin):
    server = Process([server_bin], listening=None, name="chat-server")
    if not server.wait_for_log(r"listening on "):
        fail("chat-server with no flags did not start listening")
    if not server.wait_for_log(r"listening on 127\.0\.0\.1:12345\b", timeout=0):
        fail("chat-server with no --port did not listen on 127.0.0.1:12345")
    try:
        noy, elias = CourseClient("Noy"), CourseClient("Elias")
        for c in (noy, elias):
            c.expect(r"HELLO CHAT/1 .*")
        noy.type("REGISTER Noy")
        noy.expect("OK REGISTERED Noy")
        elias.type("REGISTER Elias")
        elias.expect("OK REGISTERED Elias")
        noy.type("WHO")
        noy.expect("OK WHO 2 Elias Noy")
        noy.type("CONNECT Elias")
        noy.expect("OK CONNECTED Elias")
        elias.expect("CONNECTED Noy")
        noy.type("MSG hi Elias")
        elias.expect("MSG Noy hi Elias")
        elias.type("MSG hello Noy")
        noy.expect("MSG Elias hello Noy")
        elias.type("DISCONNECT")
        elias.expect("OK DISCONNECTED Noy")
        noy.expect("DISCONNECTED Elias")
        for c in (noy, elias):
            c.type("QUIT")
            c.expect("OK BYE")
    finally:
        server.signal(signal.SIGTERM)
        code = exit_code(server.proc, "chat-server after SIGTERM")
    if code != 0:
        fail(f"chat-server exit {code}")


if __name__ == "__main__":
    enter_private_network_or_skip(f"port {COURSE_ADDRESS[1]}")
    main(course_client, sys.argv[1])
    print("ok: the course's client on 127.0.0.1:12345")
