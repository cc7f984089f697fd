#!/usr/bin/env python3
"""chat-client in a real terminal emulator (tmux, on a private socket) whose
window shrinks from 100 to 60 to 40 columns while a wrapped line is being
edited: after each resize, and after a message arrives, the screen holds every
earlier line once and the edited line once, wrapped at the new width, with no
stale copy; a wide-character line at 40 columns likewise. Rows are read with
tmux capture-pane, polled until they settle or a deadline passes.

usage: resize_tmux.py CHAT_SERVER CHAT_CLIENT"""

import fcntl
import os
import shutil
import struct
import subprocess
import sys
import termios
import time

from chat_e2e import TIMEOUT, Server, partner, Running, check, run

SERVER, CLIENT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
PROMPT = "Noy\u2192Elias> "  # registered as Noy, in a chat with Elias


class Tmux:
    """One tmux server on a socket of its own, running the client in one window."""

    def __init__(self, command, columns, rows=40):
        self.socket = f"chat-client-test-{os.getpid()}-{time.monotonic_ns()}"
        self.tmux("new-session", "-d", "-x", str(columns), "-y", str(rows),
                  "env LANG=C.UTF-8 TERM=screen " + command)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], check=True,
                              capture_output=True, text=True, timeout=TIMEOUT).stdout

    def rows(self):
        """Every row of the window and its history, trailing blanks dropped."""
        rows = [row.rstrip() for row in self.tmux("capture-pane", "-p", "-S", "-").split("\n")]
        while rows and not rows[-1]:
            rows.pop()
        return rows

    def type(self, text):
        self.tmux("send-keys", "-l", "--", text)

    def key(self, name):
        self.tmux("send-keys", name)

    def resize(self, columns):
        """Resizes the window and waits until the client's terminal has the new width:
        tmux reflows its own rows at once but tells the pty (SIGWINCH) a little later."""
        self.tmux("resize-window", "-x", str(columns))
        pid = int(self.tmux("display-message", "-p", "#{pane_pid}"))  # env execs the client
        terminal = os.open(f"/proc/{pid}/fd/0", os.O_RDONLY | os.O_NOCTTY)
        try:
            deadline = time.monotonic() + TIMEOUT
            while struct.unpack("HHHH", fcntl.ioctl(terminal, termios.TIOCGWINSZ, b"\0" * 8))[1] != columns:
                check(time.monotonic() < deadline, f"the terminal never became {columns} columns wide")
                time.sleep(0.05)
        finally:
            os.close(terminal)

    def wait_until(self, condition, what):
        """Polls the screen until condition(rows) holds (bounded by TIMEOUT)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            rows = self.rows()
            if condition(rows):
                return rows
            check(time.monotonic() < deadline, f"{what}; screen:\n" + "\n".join(rows))
            time.sleep(0.05)

    def close(self):
        subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", "kill-server"], capture_output=True)


def wrapped(text, columns, width=len):
    """The rows `text` takes on a terminal `columns` wide (width: columns of a character)."""
    rows, row, used = [], "", 0
    for c in text:
        if used + width(c) > columns:
            rows.append(row)
            row, used = "", 0
        row += c
        used += width(c)
    rows.append(row)
    return rows


def screen_is(earlier, edited, columns, width=len):
    """The screen ends with the edited line wrapped at `columns`, holds it once, and
    holds each earlier line once, above it."""
    tail = wrapped(PROMPT + edited, columns, width)

    def condition(rows):
        if rows[-len(tail):] != tail:
            return False
        if sum(row.startswith(tail[0]) for row in rows) != 1:
            return False
        above = "\n".join(rows[:-len(tail)])
        return all(above.count(line) == 1 for line in earlier)
    return condition


def test_resize_while_editing_a_wrapped_line():
    with Running(Server(SERVER)) as running:
        screen = Tmux(f"{CLIENT} --port {running.server.port} --name Noy", columns=100)
        try:
            screen.wait_until(lambda rows: "*** registered as Noy" in "\n".join(rows), "no registration")
            elias = running.add(partner(CLIENT, running.server.port, "Elias", "Noy"))
            elias.send("MSG before")
            earlier = ["*** registered as Noy", "*** Elias opened a chat with you", "<Elias> before"]
            screen.wait_until(lambda rows: earlier[-1] in "\n".join(rows), "no message")
            line = "MSG " + "abcdefghij" * 13 + "-tail"
            screen.type(line)
            screen.wait_until(screen_is(earlier, line, 100), "the typed line at 100 columns")
            for columns in (60, 40):
                screen.resize(columns)
                screen.wait_until(screen_is(earlier, line, columns), f"after the resize to {columns} columns")
            elias.send("MSG after the resize")
            earlier.append("<Elias> after the resize")
            screen.wait_until(screen_is(earlier, line, 40), "after a message at 40 columns")
            screen.type("-more")
            screen.key("C-a")
            screen.key("C-e")
            line += "-more"
            screen.wait_until(screen_is(earlier, line, 40), "after typing at 40 columns")
            screen.key("Enter")
            elias.expect("MSG Noy " + line[4:])
        finally:
            screen.close()


def chat_at_40_columns(running):
    """Noy in tmux at 40 columns, in a chat Elias (a script client) opened:
    (screen, elias, the lines on the screen so far)."""
    screen = Tmux(f"{CLIENT} --port {running.server.port} --name Noy", columns=40)
    try:
        screen.wait_until(lambda rows: "*** registered as Noy" in "\n".join(rows), "no registration")
        elias = running.add(partner(CLIENT, running.server.port, "Elias", "Noy"))
    except BaseException:
        screen.close()
        raise
    return screen, elias, ["*** registered as Noy", "*** Elias opened a chat with you"]


def test_wide_line_redrawn_without_stale_rows():
    """CJK characters in a line wider than 40 columns: a message above it leaves
    no stale copy of its first row."""
    with Running(Server(SERVER)) as running:
        screen, elias, earlier = chat_at_40_columns(running)
        try:
            screen.wait_until(lambda rows: earlier[-1] in "\n".join(rows), "no chat")
            line = "MSG " + "你好世界" * 12 + "!"
            width = lambda c: 2 if 0x4E00 <= ord(c) <= 0x9FFF else 1  # noqa: E731 (CJK here)
            screen.type(line)
            screen.wait_until(screen_is(earlier, line, 40, width), "the typed line")
            for n in range(3):
                elias.send(f"MSG message {n}")
                earlier.append(f"<Elias> message {n}")
                screen.wait_until(screen_is(earlier, line, 40, width), f"after message {n}")
            screen.key("Enter")
            elias.expect("MSG Noy " + line[4:])
        finally:
            screen.close()


def test_zwj_family_line_never_erases_a_message():
    """ZWJ family emoji (👨‍👩‍👧) in a line wider than 40 columns: tmux joins each
    typed family into one picture, libedit counts it per code point; a message
    above the line erases no earlier message (one did: the wipe went a row too high)."""
    with Running(Server(SERVER)) as running:
        screen, elias, earlier = chat_at_40_columns(running)
        try:
            for n in (1, 2, 3):
                elias.send(f"MSG fam{n}")
                earlier.append(f"<Elias> fam{n}")
            screen.wait_until(lambda rows: earlier[-1] in "\n".join(rows), "no messages")
            family = "\U0001F468\u200D\U0001F469\u200D\U0001F467"
            screen.type((family + " ") * 10 + "tail")
            screen.wait_until(lambda rows: rows and rows[-1].endswith("tail"), "the typed line")
            elias.send("MSG fam 4")
            earlier.append("<Elias> fam 4")
            screen.wait_until(lambda rows: all("\n".join(rows).count(line) == 1 for line in earlier)
                              and rows[-1].endswith("tail"), "a message erased, or the line not redrawn")
            screen.key("Enter")
            elias.expect("MSG Noy " + (family + " ") * 10 + "tail")
        finally:
            screen.close()


if shutil.which("tmux") is None:
    print("FAIL tmux is not installed (apt-get install tmux)")
    sys.exit(1)
run([test_resize_while_editing_a_wrapped_line, test_wide_line_redrawn_without_stale_rows,
     test_zwj_family_line_never_erases_a_message])
