#!/usr/bin/env python3
"""chat-client on a terminal (a pty): readable events, a half-typed line redrawn
under an incoming message, nothing raw from a peer reaching the terminal, and
the exit status for QUIT, Ctrl-D, Ctrl-C and a server that goes away.

usage: interactive_pty.py CHAT_SERVER CHAT_CLIENT"""

import re
import signal
import sys

from chat_e2e import Server, PtyClient, Running, partner, check, run

SERVER, CLIENT = sys.argv[1], sys.argv[2]
PROMPT = "> "


def start_registered(running, columns=200):
    """A pty client registered as Noy, and a script client Elias in a chat with it, both added to `running`."""
    server = running.server
    noy = running.add(PtyClient(CLIENT, server.port, columns=columns))
    noy.wait_for("*** connected: ")
    at = noy.wait_for(PROMPT)
    noy.type("REGISTER Noy\r")
    at = noy.wait_for("*** registered as Noy", at)
    elias = running.add(partner(CLIENT, server.port, "Elias", "Noy"))
    at = noy.wait_for("*** Elias opened a chat with you", at)
    return noy, elias, at


def named_noy(running, *args):
    """A pty client started with --name Noy (and `args`), added to `running`, and the offset after
    it says it registered."""
    noy = running.add(PtyClient(CLIENT, running.server.port, "--name", "Noy", *args))
    return noy, noy.wait_for("*** registered as Noy")


def expect_exit(client, status):
    """Waits for the client to exit and checks its status."""
    got = client.wait_exit()
    check(got == status, f"exit {got}; output {client.output!r}")


def test_message_redraws_the_partial_line():
    with Running(Server(SERVER)) as running:
        noy, elias, at = start_registered(running)
        # Half a line typed, not sent: libedit echoes it.
        noy.type("MSG partial-text")
        at = noy.wait_for("MSG partial-text", at)
        elias.send("MSG hello from Elias")
        at = noy.wait_for("<Elias> hello from Elias", at)
        # The half-typed line comes back under the message, after a prompt.
        noy.wait_for(PROMPT + "MSG partial-text", at)
        # Finishing it sends exactly what was typed.
        noy.type(" done\r")
        elias.expect("MSG Noy partial-text done")
        noy.type("/quit\r")
        noy.wait_for("*** bye", at)
        expect_exit(noy, 0)


def test_wrapped_partial_line_is_cleared_whole():
    """On a 40-column terminal a 71-column prompt ("Noy→Elias> ") and line take two
    rows: the message goes above both (cursor up one row, clear to the end of the screen)."""
    with Running(Server(SERVER)) as running:
        noy, elias, at = start_registered(running, columns=40)
        # A tail seen nowhere earlier in the line, so its echo means the whole line is in.
        text = "MSG " + "".join(chr(ord("a") + i % 26) for i in range(50)) + "-tail-"
        noy.type(text)
        at = noy.wait_for(text[-10:], at)
        elias.send("MSG over a wrapped line")
        at = noy.wait_for("<Elias> over a wrapped line\r\n", at)
        check(re.search(rb"\r\x1b\[1A\x1b\[J\d\d:\d\d <Elias> over a wrapped line\r\n$", noy.output[:at]),
              f"not wiped from one row up: {noy.output[-300:]!r}")
        noy.wait_for(text[-10:], at)  # redrawn below
        noy.type("\r")
        elias.expect("MSG Noy " + text[4:])
        noy.type("/quit\r")
        expect_exit(noy, 0)


def test_peer_escape_sequences_are_shown_escaped():
    with Running(Server(SERVER)) as running:
        noy, elias, at = start_registered(running)
        elias.send("MSG evil \x1b]0;pwned\x07 \x1b[2J \u009b6n \u202eabc end")
        at = noy.wait_for("<Elias> evil \\x1b]0;pwned\\x07 \\x1b[2J \\u009b6n \\u202eabc end", at)
        for raw in (b"\x1b]0;", b"\x07", b"\x1b[2J", b"\xc2\x9b", b"\xe2\x80\xae"):
            check(raw not in noy.output, f"{raw!r} reached the terminal: {noy.output!r}")
        noy.type("/quit\r")
        expect_exit(noy, 0)


def test_ctrl_d_quits():
    with Running(Server(SERVER)) as running:
        noy, at = named_noy(running)
        noy.wait_for(PROMPT, at)
        noy.type(b"\x04")
        noy.wait_for("*** bye", at)
        expect_exit(noy, 0)


def test_ctrl_c_quits():
    with Running(Server(SERVER)) as running:
        noy, at = named_noy(running)
        noy.wait_for(PROMPT, at)
        noy.type("half a line")
        at = noy.wait_for("half a line", at)
        noy.type(b"\x03")
        noy.wait_for("*** bye", at)
        expect_exit(noy, 0)


def test_server_shutdown_exits_1():
    """With --no-reconnect (reconnecting: reconnect_e2e.py)."""
    with Running(Server(SERVER)) as running:
        noy, at = named_noy(running, "--no-reconnect")
        noy.type("typing")
        at = noy.wait_for("typing", at)
        running.server.signal(signal.SIGTERM)
        noy.wait_for("*** server: the server is shutting down (SHUTDOWN)", at)
        expect_exit(noy, 1)


def test_terminal_is_restored():
    """However the session ends, the terminal goes back to cooked mode with echo:
    a shell on the same pty runs `stty -a` after the client has exited (1 here,
    the server having gone away)."""
    with Running(Server(SERVER)) as running:
        server = running.server
        shell = running.add(PtyClient(None, None, argv=["/bin/sh", "-c",
                                                        '"$0" --port "$1" --name Noy --no-reconnect; echo "status=$?"; stty -a',
                                                        CLIENT, str(server.port)]))
        at = shell.wait_for("*** registered as Noy")
        shell.type("typing")
        at = shell.wait_for("typing", at)
        server.signal(signal.SIGTERM)
        at = shell.wait_for("status=1", at)
        shell.wait_for("icanon", at)
        status = shell.wait_exit()
        check(status == 0, f"shell exit {status}")
        modes = shell.output[at:].decode(errors="replace")
        for mode in ("icanon", "echo", "isig", "icrnl"):
            check(re.search(rf"(?<![-\w]){mode}(?!\w)", modes), f"{mode} not restored: {modes!r}")


def test_keepalive_outlasts_the_idle_timeout():
    """An idle user stays connected past the server's --idle-timeout thanks to the
    client's PINGs, whose PONGs are not shown; with --keepalive 0 the same user is
    timed out (so the check can fail)."""
    # Keepalive every 0.3 s against a 2 s idle timeout: a margin a loaded 2-core machine keeps
    # (CI saw a 1 s timeout pass before the first keepalive was in the log).
    with Running(Server(SERVER, "--idle-timeout", "2", "--log-level", "trace")) as running:
        server = running.server
        kept = running.add(PtyClient(CLIENT, server.port, "--name", "Kept", "--keepalive", "0.3"))
        lost = running.add(PtyClient(CLIENT, server.port, "--name", "Lost", "--keepalive", "0"))
        at_kept = kept.wait_for("*** registered as Kept")
        lost.wait_for("*** registered as Lost")
        # The unkept one is told once the idle timeout has passed: the kept one has been idle as long.
        lost.wait_for("*** server: no activity for too long (IDLE_TIMEOUT)")
        check(lost.wait_exit() == 1, "the idle client without keepalive should exit 1")
        server.wait_for_log(rb"<- PING keepalive", "no keepalive PING reached the server")
        kept.type("PING still-here\r")
        at_kept = kept.wait_for("*** pong still-here", at_kept)
        output = kept.output.decode(errors="replace")
        check("IDLE_TIMEOUT" not in output and "keepalive" not in output, f"output {output!r}")
        kept.type("QUIT\r")
        check(kept.wait_exit() == 0, f"output {kept.output!r}")


run([test_keepalive_outlasts_the_idle_timeout, test_message_redraws_the_partial_line, test_wrapped_partial_line_is_cleared_whole,
     test_peer_escape_sequences_are_shown_escaped, test_ctrl_d_quits,
     test_ctrl_c_quits, test_server_shutdown_exits_1, test_terminal_is_restored])
