#!/usr/bin/env python3
"""A plain chat-client pointed at chat-server's TLS port gets no greeting (a TLS
server says nothing first); it must then say that the port looks like a TLS one
and suggest --tls, not only "no greeting from the server". A plain port stays
plain: the probe is only made when the greeting is overdue.

usage: wrong_port_tls.py CHAT_SERVER CHAT_CLIENT"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading

from chat_e2e import Server, ScriptClient, Running, check, run

SERVER, CLIENT = sys.argv[1], sys.argv[2]
MAKE_CERTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support", "make_test_certs.sh")


def test_plain_client_on_the_tls_port_suggests_tls():
    with tempfile.TemporaryDirectory() as directory:
        certs = os.path.join(directory, "certs")
        subprocess.run(["sh", MAKE_CERTS, certs], check=True, capture_output=True)
        server = Server(SERVER, "--tls-port", "0", "--tls-cert", os.path.join(certs, "server.pem"),
                        "--tls-key", os.path.join(certs, "server.key"))
        with Running(server) as running:
            found = server.wait_for_log(rb"TLS on 127\.0\.0\.1:(\d+)", "the server named no TLS port")
            tls_port = int(found.group(1))
            # Script mode with stdin held open: the client waits for the greeting, then probes.
            client = running.add(ScriptClient(CLIENT, tls_port, "--name", "Noy"))
            status = client.finish(timeout=30)
            check(status == 1, f"exit {status}; stderr {client.stderr()!r}")
            check(re.search(r"no greeting from the server, and it hung up when sent a plain line: "
                            r"127\.0\.0\.1:\d+ looks like a TLS port \(try --tls\)", client.stderr()),
                  f"stderr {client.stderr()!r}")
            # The plain port of the same server greets at once, as ever.
            plain = running.add(ScriptClient(CLIENT, server.port))
            plain.expect("HELLO CHAT/1 tcp-chat server, type HELP")


def test_a_slow_plain_server_is_not_taken_for_tls():
    """A plain server that greets only after the probe: the client goes on, and the
    probe's PONG is not shown (script mode prints every other server line)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    got = []

    def slow_server():
        conn, _ = listener.accept()
        with conn, conn.makefile("rb") as lines:
            got.append(lines.readline())  # greets only once the probe came
            conn.sendall(b"HELLO CHAT/1 slow server\nPONG tls-probe\n")
            got.append(lines.readline())
            conn.sendall(b"PONG mine\n")
            got.append(lines.readline())

    thread = threading.Thread(target=slow_server, daemon=True)
    thread.start()
    client = ScriptClient(CLIENT, port)
    try:
        client.expect("HELLO CHAT/1 slow server")
        client.send("PING mine")
        client.expect("PONG mine")  # the very next line: the probe's PONG was not printed
    finally:
        client.kill()
        listener.close()
    check(got[:2] == [b"PING tls-probe\n", b"PING mine\n"], f"the server got {got!r}")


run([test_plain_client_on_the_tls_port_suggests_tls, test_a_slow_plain_server_is_not_taken_for_tls])
