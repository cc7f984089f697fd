#!/usr/bin/env python3
"""chat-client in script mode whose stdout goes away (the reader of a pipe left,
as with `| head -1`): the next write fails and the client ends with a non-zero
status and a message on stderr, even with its stdin still open, instead of
staying in the chat and dropping what arrives.

usage: script_stdout.py CHAT_SERVER CHAT_CLIENT"""

import subprocess
import sys

from chat_e2e import TIMEOUT, Server, ScriptClient, Running, partner, check, run

SERVER, CLIENT = sys.argv[1], sys.argv[2]


def wait_status(client):
    try:
        return client.proc.wait(TIMEOUT)
    except subprocess.TimeoutExpired:
        raise AssertionError("the client did not exit after stdout closed")


def test_closed_stdout_ends_the_client():
    with Running(Server(SERVER)) as running:
        counter = running.add(ScriptClient(CLIENT, running.server.port, "--name", "counter"))
        counter.expect("HELLO CHAT/1 tcp-chat server, type HELP")
        counter.proc.stdout.close()  # the reader leaves; stdin stays open
        for n in range(20):
            counter.send(f"PING {n}")
        status = wait_status(counter)
        check(status != 0, f"exit {status}")
        check("cannot write to stdout" in counter.stderr(), f"stderr {counter.stderr()!r}")


def test_closed_stdout_in_a_chat_ends_the_client():
    """The partner's messages are the next writes: the first one ends the client and
    the partner is told it left."""
    with Running(Server(SERVER)) as running:
        noy = running.add(ScriptClient(CLIENT, running.server.port, "--name", "Noy"))
        noy.expect("HELLO CHAT/1 tcp-chat server, type HELP")
        noy.expect("OK REGISTERED Noy")
        elias = running.add(partner(CLIENT, running.server.port, "Elias", "Noy"))
        noy.expect("CONNECTED Elias")
        noy.proc.stdout.close()
        elias.send("MSG are you there?")
        status = wait_status(noy)
        check(status != 0, f"exit {status}")
        elias.expect("DISCONNECTED Noy")


run([test_closed_stdout_ends_the_client, test_closed_stdout_in_a_chat_ends_the_client])
