#!/usr/bin/env python3
"""chat-client on a terminal that reads slowly or goes away: no incoming line is
ever lost (output waits, then the socket is not read and TCP pushes back), the
descriptors shared with the shell are never left non-blocking, and a terminal
that hangs up (EOF/EIO, SIGHUP) or a SIGTERM ends the session with QUIT, at once
and without spinning.

usage: slow_terminal_pty.py CHAT_SERVER CHAT_CLIENT"""

import os
import re
import signal
import sys
import threading
import time

from chat_e2e import Server, PtyClient, pty_chat, Running, check, run

SERVER, CLIENT = sys.argv[1], sys.argv[2]
FLOOD = 5000
EXIT_DEADLINE = 20.0  # s: see test_sigterm_with_a_blocked_terminal_exits_promptly
O_NONBLOCK = os.O_NONBLOCK


def start_chat(running, **pty_args):
    return pty_chat(running, CLIENT, **pty_args)


def descriptor_flags(pid, fd):
    with open(f"/proc/{pid}/fdinfo/{fd}") as info:
        return int(re.search(r"flags:\s*([0-7]+)", info.read()).group(1), 8)


def unread_socket_bytes(pid):
    """Bytes waiting in the receive queues of the TCP sockets process PID holds (/proc/net/tcp*)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    total = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if fields[9] in inodes:
                    total += int(fields[4].split(":")[1], 16)
    return total


def wait_until_socket_not_read(pid, timeout=60.0):
    """Waits (bounded) until PID holds unread socket bytes that stay unread for 0.5 s: it has
    stopped reading its socket, which it does only after the status line about a slow terminal."""
    deadline = time.monotonic() + timeout
    before = unread_socket_bytes(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = unread_socket_bytes(pid)
        if now > 0 and now == before:
            return
        before = now
    check(False, f"the client kept reading its socket for {timeout:.0f} s with its terminal not read")


def test_flood_into_a_paused_terminal_loses_nothing():
    """5,000 lines arrive while nobody reads the terminal (a paused pane): every one
    is shown, in order, once the terminal reads again, and a status line said that
    the client held back."""
    with Running(Server(SERVER)) as running:
        noy, elias, at = start_chat(running)
        # From here on the pty's master side is not read until the whole flood is at the server.
        lines = [f"MSG flood {i:04d} " + "x" * 40 for i in range(FLOOD)] + ["PING flood-sent"]
        writer = threading.Thread(target=lambda: [elias.send(line) for line in lines], daemon=True)
        writer.start()
        elias.expect("PONG flood-sent", timeout=60)  # the server has relayed (queued) every line
        wait_until_socket_not_read(noy.pid)  # a slow client may still be filling its own queue
        noy.wait_for(f"<Elias> flood {FLOOD - 1:04d} ", at, timeout=60)
        shown = [int(n) for n in re.findall(rb"<Elias> flood (\d{4}) x{40}\r\n", noy.output[at:])]
        missing = sorted(set(range(FLOOD)) - set(shown))
        check(not missing, f"{len(missing)} lines lost, first {missing[:10]}")
        check(shown == list(range(FLOOD)), "lines shown out of order or twice")
        check(b"*** the terminal is not keeping up" in noy.output[at:], "no status line about the held lines")
        for fd in (0, 1, 2):
            check(descriptor_flags(noy.pid, fd) & O_NONBLOCK == 0, f"fd {fd} of the client is non-blocking")
        noy.type("/quit\r")
        status = noy.wait_exit()
        check(status == 0, f"exit {status}")


def check_leaves_promptly(noy, elias, how):
    elias.expect("DISCONNECTED Noy")
    status = noy.wait_exit()
    cpu = noy.rusage.ru_utime + noy.rusage.ru_stime
    check(cpu < 2.0, f"{how}: {cpu:.2f} s of CPU time: spinning")
    return status


def test_terminal_hang_up_without_sighup_quits():
    """The pty is closed under a client for which it is not the controlling terminal:
    no SIGHUP comes, reads give EOF/EIO. The client sends QUIT (the partner is told)
    and exits instead of spinning."""
    with Running(Server(SERVER)) as running:
        noy, elias, at = start_chat(running, controlling=False)
        noy.type("half a line")
        noy.wait_for("half a line", at)
        noy.close_master()
        check_leaves_promptly(noy, elias, "hang-up")


def test_sighup_and_sigterm_quit():
    for signo in (signal.SIGHUP, signal.SIGTERM):
        with Running(Server(SERVER)) as running:
            noy, elias, at = start_chat(running)
            os.kill(noy.pid, signo)
            status = check_leaves_promptly(noy, elias, signo.name)
            check(status == 0, f"{signo.name}: exit {status}")


def test_shell_descriptors_stay_blocking():
    """A shell on the pty finds its stdin and stdout blocking after the client ran."""
    check_flags = "import fcntl, os; print('nonblocking=%d' % any(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK for fd in (0, 1, 2)))"
    with Running(Server(SERVER)) as running:
        shell = running.add(PtyClient(None, None, argv=["/bin/sh", "-c", '"$0" --port "$1" --name Noy; python3 -c "$2"',
                                                        CLIENT, str(running.server.port), check_flags]))
        at = shell.wait_for("*** registered as Noy")
        shell.type("QUIT\r")
        shell.wait_for("nonblocking=0", at)
        check(shell.wait_exit() == 0, "shell failed")


def test_sigterm_with_a_blocked_terminal_exits_promptly():
    """SIGTERM while nobody reads the terminal and a flood waits for it: the client
    sends QUIT and exits, dropping the output the terminal never took. By design it
    leaves after about 1.5 s (1 s for the terminal to take what is queued, then
    0.5 s); the deadline is generous for a loaded machine and sanitizers, and still
    far below forever, which is how long the old client waited for this terminal."""
    with Running(Server(SERVER)) as running:
        noy, elias, at = start_chat(running)
        lines = [f"MSG flood {i:04d} " + "x" * 40 for i in range(FLOOD)] + ["PING flood-sent"]
        writer = threading.Thread(target=lambda: [elias.send(line) for line in lines], daemon=True)
        writer.start()
        elias.expect("PONG flood-sent", timeout=60)  # relayed: the client's terminal is far behind
        started = time.monotonic()
        os.kill(noy.pid, signal.SIGTERM)
        elias.expect("DISCONNECTED Noy")
        while time.monotonic() - started < EXIT_DEADLINE:  # the pty is not read meanwhile
            pid, status = os.waitpid(noy.pid, os.WNOHANG)
            if pid:
                noy.status = os.waitstatus_to_exitcode(status)
                break
            time.sleep(0.02)
        check(noy.status is not None,
              f"still running {EXIT_DEADLINE:.0f} s after SIGTERM with its terminal blocked")
        print(f"     exited {time.monotonic() - started:.2f} s after SIGTERM, status {noy.status}", flush=True)


run([test_flood_into_a_paused_terminal_loses_nothing, test_terminal_hang_up_without_sighup_quits,
     test_sighup_and_sigterm_quit, test_shell_descriptors_stay_blocking,
     test_sigterm_with_a_blocked_terminal_exits_promptly])
