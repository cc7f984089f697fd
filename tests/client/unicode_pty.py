#!/usr/bin/env python3
"""Typing on chat-client's terminal (a pty, LANG=C.UTF-8): non-ASCII text goes out
as the exact UTF-8 typed, cursor keys move over wide characters, a half-typed line
of wide characters is wiped whole, Ctrl-R recalls history without sending
libedit's search prompt, and Tab completes commands and user names, never files.

usage: unicode_pty.py CHAT_SERVER CHAT_CLIENT"""

import os
import re
import sys
import tempfile

from chat_e2e import Server, pty_chat, Running, check, run

SERVER, CLIENT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
LEFT = "\x1b[D"
HOME = "\x01"  # Ctrl-A


def start_chat(running, **pty_args):
    return pty_chat(running, CLIENT, **pty_args)


def quit_cleanly(noy):
    noy.type("/quit\r")
    status = noy.wait_exit()
    check(status == 0, f"exit {status}; output {noy.output[-500:]!r}")


# Each is typed as it is (in one write, as a paste or an input method does) or in
# pieces with cursor keys in between; Elias must receive `sent`.
TYPED = [
    (["MSG 你好世界\r"], "你好世界"),                                   # CJK
    (["MSG café naïve\r"], "café naïve"),                              # precomposed Latin
    (["MSG cafe\u0301 nai\u0308ve\r"], "cafe\u0301 nai\u0308ve"),      # combining marks
    (["MSG abc ", "שלום", " end\r"], "abc שלום end"),                  # Hebrew mid-line
    (["MSG مرحبا بالعالم\r"], "مرحبا بالعالم"),                         # Arabic
    (["MSG 😀 👍🏽 👨‍👩‍👧 🏳️‍🌈\r"], "😀 👍🏽 👨‍👩‍👧 🏳️‍🌈"),  # emoji, skin tone, ZWJ sequences
    (["MSG 你好", LEFT * 2, "X", LEFT, "(", "\r"], "(X你好"),             # cursor keys over wide characters
    (["MSG 世界", HOME, "\x06" * 4, "<", "\x05", ">\r"], "<世界>"),       # Ctrl-A, Ctrl-F, Ctrl-E
    (["MSG 👨‍👩‍👧x", "\x7f", "!\r"], "👨‍👩‍👧!"),            # backspace after a ZWJ sequence
]


def test_typed_text_is_sent_as_typed():
    with Running(Server(SERVER)) as running:
        noy, elias, at = start_chat(running)
        for pieces, sent in TYPED:
            for piece in pieces:
                noy.type(piece)
            elias.expect("MSG Noy " + sent)
        quit_cleanly(noy)


def test_wide_partial_line_is_cleared_whole():
    """At 40 columns, "Noy→Elias> MSG " and 22 CJK characters take 59 columns: two
    rows (counting characters instead of columns would say 37, one row)."""
    with Running(Server(SERVER)) as running:
        noy, elias, at = start_chat(running, columns=40)
        text = "MSG " + "你" * 21 + "好"
        noy.type(text)
        at = noy.wait_for("你好", at)
        elias.send("MSG over a wide line")
        at = noy.wait_for("<Elias> over a wide line\r\n", at)
        check(re.search(rb"\r\x1b\[1A\x1b\[J\d\d:\d\d <Elias> over a wide line\r\n$", noy.output[:at]),
              f"not wiped from one row up: {noy.output[-300:]!r}")
        noy.wait_for("你好", at)  # redrawn below
        noy.type("\r")
        elias.expect("MSG Noy " + text[4:])
        quit_cleanly(noy)


def test_ctrl_r_sends_no_search_prompt():
    """Ctrl-R finds an earlier line starting with what is typed; the line sent is
    that line, never libedit's "bck:" search prompt."""
    with Running(Server(SERVER)) as running:
        noy, elias, at = start_chat(running)
        noy.type("MSG first one\r")
        elias.expect("MSG Noy first one")
        noy.type("/ping between\r")
        at = noy.wait_for("*** pong between", at)
        noy.type("MSG f\x12")  # Ctrl-R after "MSG f": back to "MSG first one"
        at = noy.wait_for("irst one", at)  # libedit redraws from the first changed column
        noy.type("\r")
        elias.expect("MSG Noy first one")
        noy.type("MSG after\r")
        elias.expect("MSG Noy after")
        check(b"bck" not in noy.output, f"search prompt shown or sent: {noy.output[-400:]!r}")
        quit_cleanly(noy)


def type_then_tab(client, text, completed, at):
    """Types `text`, then a Tab alone once it is shown; returns the offset after `completed`
    (libedit redraws a completed line from the first column that changed)."""
    client.type(text)
    at = client.wait_for(text, at)
    client.type("\t")
    return client.wait_for(completed, at)


def test_tab_completes_commands_and_names_not_files():
    with tempfile.TemporaryDirectory() as directory:
        for name in ("chat-client-notes.txt", "Elias-file", "msg-file"):
            open(os.path.join(directory, name), "w").close()
        with Running(Server(SERVER)) as running:
            noy, elias, at = start_chat(running, cwd=directory)
            noy.type("/who\r")
            at = noy.wait_for("*** 2 users online", at)
            # Each Tab typed on its own: a Tab that comes in one burst with more text is pasted text.
            at = type_then_tab(noy, "ms", "MSG ", at)  # a command completes (in capitals)
            at = type_then_tab(noy, "chat-cl", "\a", at)  # no file does: the bell
            noy.type("\r")
            elias.expect("MSG Noy chat-cl")
            at = type_then_tab(noy, "MSG hi El", "ias ", at)  # a name from WHO
            noy.type("\r")
            elias.expect("MSG Noy hi Elias ")
            noy.type("/who N\r")
            at = noy.wait_for("*** 1 user matching N: Noy", at)
            quit_cleanly(noy)


run([test_typed_text_is_sent_as_typed, test_wide_partial_line_is_cleared_whole, test_ctrl_r_sends_no_search_prompt,
     test_tab_completes_commands_and_names_not_files])
