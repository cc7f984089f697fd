#!/usr/bin/env python3
"""chat-client's exit status in script mode: 0 after a clean end, 1 when the
server ends the session first (BYE or a plain close), 2 on bad usage, 3 when
there is no server; stdin on /dev/null, a regular file or closed.

usage: script_exit_codes.py CHAT_SERVER CHAT_CLIENT"""

import re
import signal
import subprocess
import sys
import tempfile

from chat_e2e import TIMEOUT, Running, Server, ScriptClient, check, free_port, run

SERVER, CLIENT = sys.argv[1], sys.argv[2]
HELLO = re.compile(r"HELLO CHAT/1 .*")


def registered_noy(running):
    """A script client of `running`'s server, greeted and registered as Noy."""
    client = running.add(ScriptClient(CLIENT, running.server.port, "--name", "Noy"))
    client.expect(HELLO)
    client.expect("OK REGISTERED Noy")
    return client


def test_cannot_connect_exits_3():
    port = free_port()
    client = ScriptClient(CLIENT, port, stdin=subprocess.DEVNULL)
    try:
        status = client.finish()
        check(status == 3, f"exit {status}")
        check(f"cannot connect to 127.0.0.1:{port}: Connection refused" in client.stderr(),
              f"stderr: {client.stderr()!r}")
        check(client.lines == [], f"stdout: {client.lines!r}")
    finally:
        client.kill()


def test_server_shutdown_while_waiting_exits_1():
    """SIGTERM: the server says BYE SHUTDOWN and closes while the script is still open."""
    with Running(Server(SERVER)) as running:
        server = running.server
        client = registered_noy(running)
        server.signal(signal.SIGTERM)
        client.expect("BYE SHUTDOWN the server is shutting down")
        status = client.finish()
        check(status == 1, f"exit {status}")
        check("server ended the session" in client.stderr(), f"stderr: {client.stderr()!r}")


def test_server_killed_while_waiting_exits_1():
    """SIGKILL: the connection just closes, no BYE."""
    with Running(Server(SERVER)) as running:
        server = running.server
        client = registered_noy(running)
        server.signal(signal.SIGKILL)
        status = client.finish()
        check(status == 1, f"exit {status}")
        check("connection lost before the script was done" in client.stderr(), f"stderr: {client.stderr()!r}")
        check(client.lines[2:] == [], f"stdout: {client.lines!r}")


def test_server_full_greeting_exits_1():
    """A full server answers BYE SERVER_FULL instead of HELLO: printed, then exit 1."""
    with Running(Server(SERVER, "--max-clients", "1")) as running:
        server = running.server
        first = running.add(ScriptClient(CLIENT, server.port, name="first"))
        first.expect(HELLO)
        second = running.add(ScriptClient(CLIENT, server.port, name="second"))
        second.expect("BYE SERVER_FULL too many clients, try later")
        status = second.finish()
        check(status == 1, f"exit {status}")
        first.close_stdin()
        check(first.finish() == 0, f"first: {first.stderr()!r}")


def test_stdin_dev_null_exits_0():
    with Running(Server(SERVER)) as running:
        server = running.server
        plain = running.add(ScriptClient(CLIENT, server.port, stdin=subprocess.DEVNULL, name="plain"))
        named = running.add(ScriptClient(CLIENT, server.port, "--name", "Elias", stdin=subprocess.DEVNULL, name="named"))
        for client in (plain, named):
            status = client.finish()
            check(status == 0, f"{client.name} exit {status}: {client.stderr()!r}")
        check(len(plain.lines) == 1 and HELLO.fullmatch(plain.lines[0]), f"plain: {plain.lines!r}")
        check(named.lines[1:] == ["OK REGISTERED Elias"], f"named: {named.lines!r}")


def test_stdin_closed_exits_0():
    with Running(Server(SERVER)) as running:
        server = running.server
        result = subprocess.run(["sh", "-c", 'exec "$0" --port "$1" <&-', CLIENT, str(server.port)],
                                capture_output=True, timeout=TIMEOUT)
        check(result.returncode == 0, f"exit {result.returncode}: {result.stderr!r}")
        lines = result.stdout.decode().splitlines()
        check(len(lines) == 1 and HELLO.fullmatch(lines[0]), f"stdout: {lines!r}")


def test_script_from_regular_file():
    """A regular file is read with blocking reads; blank lines are skipped, CRLF is
    accepted, and the script's own QUIT ends it (its OK BYE is printed)."""
    with Running(Server(SERVER)) as running, tempfile.TemporaryFile() as script:
        script.write(b"REGISTER Zoe\r\n\nWHO\nquit\nWHO\n")
        script.seek(0)
        client = running.add(ScriptClient(CLIENT, running.server.port, stdin=script))
        status = client.finish()
        check(status == 0, f"exit {status}: {client.stderr()!r}")
        check(client.lines[1:] == ["OK REGISTERED Zoe", "OK WHO 1 Zoe", "OK BYE"], f"stdout: {client.lines!r}")


def test_usage_errors_exit_2():
    for args in (["--bogus"], ["--port", "70000"], ["--name", "not a name"]):
        result = subprocess.run([CLIENT, *args], stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
        check(result.returncode == 2, f"{args}: exit {result.returncode}")
    result = subprocess.run([CLIENT, "--help"], stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    check(result.returncode == 0 and b"--host" in result.stdout and b"--name" in result.stdout,
          f"--help: exit {result.returncode}")


run([test_cannot_connect_exits_3, test_server_shutdown_while_waiting_exits_1, test_server_killed_while_waiting_exits_1,
     test_server_full_greeting_exits_1, test_stdin_dev_null_exits_0, test_stdin_closed_exits_0,
     test_script_from_regular_file, test_usage_errors_exit_2])
