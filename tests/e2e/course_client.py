#!/usr/bin/env python3
"""The course's own client against chat-server started with no flags.

Usage: course_client.py PATH/TO/chat-server

The course's client is a Python script with 127.0.0.1:12345 written into it that prints every
server line as it arrives and sends what is typed. Two such clients (below, written the same
way) reach a chat-server started without --port and go through REGISTER, CONNECT, MSG both ways,
WHO and DISCONNECT. CTest gives this test a RESOURCE_LOCK on port 12345; every other test uses
ephemeral ports. Every wait has a deadline.
"""
import os
import queue
import re
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_e2e import SERVER_LOG, drain, exit_code, fail, DEADLINE  # noqa: E402

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


def main(server_bin):
    proc = subprocess.Popen([server_bin], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    timer = threading.Timer(DEADLINE, proc.kill)
    timer.start()
    for line in proc.stderr:
        SERVER_LOG.append(line)
        if "listening on" in line:
            break
    timer.cancel()
    if not any("listening on 127.0.0.1:12345" in line for line in SERVER_LOG):
        proc.kill()
        fail("chat-server with no --port did not listen on 127.0.0.1:12345 (is the port taken?)")
    threading.Thread(target=drain, args=(proc.stderr,), daemon=True).start()
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
        proc.terminate()
        code = exit_code(proc, "chat-server after SIGTERM")
    if code != 0:
        fail(f"chat-server exit {code}")


if __name__ == "__main__":
    main(sys.argv[1])
    print("ok: the course's client on 127.0.0.1:12345")
