#!/usr/bin/env python3
"""chat-client's colours: on for a terminal (own nick, partner's nick, errors,
events), and none at all with NO_COLOR set, with --no-color, with TERM=dumb, with
stdout not a terminal, and in script mode.

usage: colours_pty.py CHAT_SERVER CHAT_CLIENT"""

import re
import sys
import tempfile
import time

from chat_e2e import TIMEOUT, Server, PtyClient, ScriptClient, Running, partner, check, run

SERVER, CLIENT = sys.argv[1], sys.argv[2]
SGR = re.compile(rb"\x1b\[[0-9;]*m")  # Select Graphic Rendition: what colours are made of


def wait_in_file(path, text):
    """Waits (bounded) until the file holds `text`."""
    deadline = time.monotonic() + TIMEOUT
    while text not in open(path, "rb").read():
        check(time.monotonic() < deadline, f"{text!r} not in {path}: {open(path, 'rb').read()!r}")
        time.sleep(0.02)


def chat_once(running, noy, expect_colours):
    """Noy (a pty client) registers, Elias opens a chat and says hi, Noy answers and
    makes an error; returns Noy's output up to its exit."""
    at = noy.wait_for("registered as Noy")
    elias = running.add(partner(CLIENT, running.server.port, "Elias", "Noy"))
    at = noy.wait_for("opened a chat with you", at)
    elias.send("MSG hi Noy")
    at = noy.wait_for("hi Noy", at)
    noy.type("hello\r")
    elias.expect("MSG Noy hello")
    at = noy.wait_for("hello\r\n", at)
    noy.type("/connect Elias\r")  # already in a chat with Elias: an ERR
    at = noy.wait_for("(IN_CHAT)", at) if not expect_colours else noy.wait_for("(IN_CHAT)\x1b[0m", at)
    noy.type("/quit\r")
    status = noy.wait_exit()
    check(status == 0, f"exit {status}; output {noy.output[-300:]!r}")
    return noy.output


def test_colours_on_a_terminal():
    with Running(Server(SERVER)) as running:
        noy = running.add(PtyClient(CLIENT, running.server.port, "--name", "Noy", colour=True))
        out = chat_once(running, noy, True)
        check(b"\x1b[32m*** registered as Noy\x1b[0m" in out, f"event not green: {out!r}")
        check(b"\x1b[1;33m<Elias>\x1b[0m hi Noy" in out, f"partner's nick not coloured: {out!r}")
        check(b"\x1b[1;36m<Noy>\x1b[0m hello" in out, f"own nick not coloured: {out!r}")
        check(re.search(rb"\x1b\[31m!!! [^\x1b]*\(IN_CHAT\)\x1b\[0m", out), f"error not red: {out!r}")


def test_no_colours_when_turned_off():
    """NO_COLOR (any non-empty value), --no-color and TERM=dumb each turn colours off.
    An empty NO_COLOR does not (no-color.org): that case must colour, so the check can fail."""
    cases = [({"NO_COLOR": "1"}, (), False), ({"NO_COLOR": "0"}, (), False), ({}, ("--no-color",), False),
             ({"TERM": "dumb"}, (), False), ({"NO_COLOR": ""}, (), True)]
    for env, args, coloured in cases:
        with Running(Server(SERVER)) as running:
            noy = running.add(PtyClient(CLIENT, running.server.port, "--name", "Noy", *args, env=env, colour=True))
            out = chat_once(running, noy, coloured)
            check(bool(SGR.search(out)) == coloured, f"{env} {args}: colours {not coloured}: {out!r}")


def test_no_colours_when_stdout_is_not_a_terminal():
    """stdin a terminal, stdout a file: the file gets no colours. A script client (pipes) neither."""
    with Running(Server(SERVER)) as running, tempfile.NamedTemporaryFile() as out:
        shell = running.add(PtyClient(None, None, colour=True, argv=[
            "/bin/sh", "-c", '"$0" --port "$1" --name Noy > "$2"; echo "status=$?"', CLIENT,
            str(running.server.port), out.name]))
        wait_in_file(out.name, b"registered as Noy")
        elias = running.add(partner(CLIENT, running.server.port, "Elias", "Noy"))
        elias.send("MSG hi")
        elias.send("QUIT")
        wait_in_file(out.name, b"Elias left the chat")
        shell.type("/quit\r")
        shell.wait_for("status=0")
        shell.wait_exit()
        text = open(out.name, "rb").read()
        check(b"<Elias> hi" in text, f"the chat is not in the file: {text!r}")
        check(not SGR.search(text), f"colours in a file: {text!r}")
        script = running.add(ScriptClient(CLIENT, running.server.port, "--name", "Script"))
        script.send("CONNECT nobody")
        script.close_stdin()
        check(script.finish() == 0, f"script exit; stderr {script.stderr()!r}")
        check(not any(SGR.search(line.encode()) for line in script.lines), f"colours in a script: {script.lines!r}")


def test_stdout_a_file_logs_the_conversation_the_terminal_edits():
    """`chat-client > log` on a terminal: the prompt, the typed line and the conversation
    are on the terminal (stdin's), and the file gets the conversation only: no prompt
    redraws, no escape sequences."""
    with Running(Server(SERVER)) as running, tempfile.NamedTemporaryFile() as out:
        shell = running.add(PtyClient(None, None, argv=[
            "/bin/sh", "-c", '"$0" --port "$1" --name Noy > "$2"; echo "status=$?"', CLIENT,
            str(running.server.port), out.name]))
        at = shell.wait_for("*** registered as Noy")
        shell.type("hi Elias")  # half-typed: redrawn on the terminal below each line that comes
        elias = running.add(partner(CLIENT, running.server.port, "Elias", "Noy"))
        elias.send("MSG hello log")
        for shown in ("*** Elias opened a chat with you", "<Elias> hello log", "Noy\u2192Elias> hi Elias"):
            at = shell.wait_for(shown, at)
        shell.type("\r")
        elias.expect("MSG Noy hi Elias")
        at = shell.wait_for("<Noy> hi Elias", at)
        wait_in_file(out.name, b"<Noy> hi Elias\n")
        shell.type("/quit\r")
        shell.wait_for("status=0", at)
        shell.wait_exit()
        text = open(out.name, "rb").read()
        for line in (b"*** registered as Noy", b"*** Elias opened a chat with you", b"<Elias> hello log",
                     b"<Noy> hi Elias"):
            check(text.count(line) == 1, f"{line!r} not once in the log: {text!r}")
        check(b"\x1b" not in text and b"\r" not in text, f"escape sequences in the log: {text!r}")
        check(b"Noy\xe2\x86\x92Elias> hi" not in text, f"the editor's drawing in the log: {text!r}")


run([test_colours_on_a_terminal, test_no_colours_when_turned_off, test_no_colours_when_stdout_is_not_a_terminal,
     test_stdout_a_file_logs_the_conversation_the_terminal_edits])
