#!/usr/bin/env python3
"""chat-client: pasted text arrives as pasted. A TAB inside a bracketed paste, or
inside a burst of bytes that came with it, goes into the line literally; only a TAB
typed on its own completes. The partner's display escapes the TAB as \\t, and so
does our own echo of the message.

usage: paste_pty.py CHAT_SERVER CHAT_CLIENT"""

import os
import signal
import sys
import time

from chat_e2e import TIMEOUT, Server, Running, pty_chat, check, run

SERVER, CLIENT = sys.argv[1], sys.argv[2]
BRACKETED_PASTE_ON = b"\x1b[?2004h"
BRACKETED_PASTE_OFF = b"\x1b[?2004l"
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"


def test_pasted_tab_is_kept_and_a_typed_tab_completes():
    with Running(Server(SERVER)) as running:
        noy, elias, at = pty_chat(running, CLIENT)
        check(BRACKETED_PASTE_ON in noy.output[:at], f"bracketed paste not enabled: {noy.output[:at]!r}")
        noy.type("/who\r")  # the names Tab offers come from WHO
        at = noy.wait_for("*** 2 users online", at)

        noy.type(PASTE_START + "ask E\tlater" + PASTE_END)
        noy.type("\r")
        elias.expect("MSG Noy ask E\\tlater")
        at = noy.wait_for("<Noy> ask E\\tlater\r\n", at)

        # A terminal without bracketed paste: the TAB came in one burst with the rest.
        noy.type("tell E\tsoon\r")
        elias.expect("MSG Noy tell E\\tsoon")
        at = noy.wait_for("<Noy> tell E\\tsoon\r\n", at)

        noy.type("ask E")
        at = noy.wait_for("ask E", at)
        noy.type("\t")  # typed alone: completes the name
        at = noy.wait_for("lias ", at)  # libedit redraws from where the line changed
        noy.type("now\r")
        elias.expect("MSG Noy ask Elias now")

        noy.type("/quit\r")
        check(noy.wait_exit() == 0, f"output {noy.output[-300:]!r}")
        check(noy.output.rfind(BRACKETED_PASTE_OFF) > noy.output.rfind(BRACKETED_PASTE_ON),
              f"bracketed paste left on at exit: {noy.output[-300:]!r}")


def wait_stopped(client):
    """Waits until the client's process is stopped (its parent sees it, as a shell would)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        pid, status = os.waitpid(client.pid, os.WUNTRACED | os.WNOHANG)
        if pid:
            check(os.WIFSTOPPED(status), f"exited instead of stopping: {status}")
            return
        check(time.monotonic() < deadline, f"Ctrl-Z did not stop the client: {client.output[-300:]!r}")
        client._read(min(deadline, time.monotonic() + 0.05))  # reads what comes meanwhile, as wait_exit does


def test_ctrl_z_turns_bracketed_paste_off_until_fg():
    with Running(Server(SERVER)) as running:
        noy, elias, at = pty_chat(running, CLIENT)
        noy.type("\x1a")  # Ctrl-Z
        at = noy.wait_for(BRACKETED_PASTE_OFF, at)
        wait_stopped(noy)
        os.kill(noy.pid, signal.SIGCONT)
        at = noy.wait_for(BRACKETED_PASTE_ON, at)
        noy.type(PASTE_START + "back\tagain" + PASTE_END + "\r")
        elias.expect("MSG Noy back\\tagain")
        noy.type("/quit\r")
        check(noy.wait_exit() == 0, f"output {noy.output[-300:]!r}")


run([test_pasted_tab_is_kept_and_a_typed_tab_completes, test_ctrl_z_turns_bracketed_paste_off_until_fg])
