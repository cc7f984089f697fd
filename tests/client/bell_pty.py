#!/usr/bin/env python3
"""chat-client --bell: an incoming message rings the bell (BEL) while nothing is
half-typed, and not while the user is typing; without --bell it never rings.

usage: bell_pty.py CHAT_SERVER CHAT_CLIENT"""

import sys

from chat_e2e import Server, Running, pty_chat, check, run

SERVER, CLIENT = sys.argv[1], sys.argv[2]
BEL = b"\x07"


def test_bell_while_idle_only():
    with Running(Server(SERVER)) as running:
        noy, elias, at = pty_chat(running, CLIENT, args=("--bell",))
        check(BEL not in noy.output[:at], f"a bell before any message: {noy.output!r}")
        elias.send("MSG first")
        end = noy.wait_for("<Elias> first\r\n", at)
        check(BEL in noy.output[at:end], f"no bell for a message while idle: {noy.output[at:end]!r}")
        noy.type("half-typ")
        at = noy.wait_for("half-typ", end)
        elias.send("MSG second")
        end = noy.wait_for("<Elias> second\r\n", at)
        end = noy.wait_for("half-typ", end)  # redrawn under it
        check(BEL not in noy.output[at:end], f"a bell while typing: {noy.output[at:end]!r}")
        noy.type("\r")
        elias.expect("MSG Noy half-typ")
        at = noy.wait_for("<Noy> half-typ\r\n", end)
        elias.send("MSG third")
        end = noy.wait_for("<Elias> third\r\n", at)
        check(BEL in noy.output[at:end], f"no bell once the line was sent: {noy.output[at:end]!r}")
        noy.type("/quit\r")
        check(noy.wait_exit() == 0, f"output {noy.output[-300:]!r}")


def test_no_bell_without_the_flag():
    with Running(Server(SERVER)) as running:
        noy, elias, at = pty_chat(running, CLIENT)
        elias.send("MSG first")
        end = noy.wait_for("<Elias> first\r\n", at)
        noy.type("/quit\r")
        check(noy.wait_exit() == 0, f"output {noy.output[-300:]!r}")
        check(BEL not in noy.output, f"a bell without --bell: {noy.output!r}")


run([test_bell_while_idle_only, test_no_bell_without_the_flag])
