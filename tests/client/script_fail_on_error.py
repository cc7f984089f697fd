#!/usr/bin/env python3
"""chat-client --fail-on-error in script mode: a script that got any ERR reply runs
to its end and exits 4 (the first ERR named on stderr); without ERR it exits 0, and
without the flag an ERR changes nothing. A lost connection still exits 1.

usage: script_fail_on_error.py CHAT_SERVER CHAT_CLIENT"""

import signal
import subprocess
import sys

from chat_e2e import Server, ScriptClient, Running, check, run

SERVER, CLIENT = sys.argv[1], sys.argv[2]


def run_script(port, lines, *args):
    client = ScriptClient(CLIENT, port, *args)
    for line in lines:
        client.send(line)
    client.close_stdin()
    status = client.finish()
    return status, client


def test_err_exits_4_after_the_whole_script():
    with Running(Server(SERVER)) as running:
        status, client = run_script(running.server.port, ["REGISTER Ann", "CONNECT nobody", "PING after"],
                                    "--fail-on-error")
        check(status == 4, f"exit {status}; stderr {client.stderr()!r}")
        check("ERR NO_SUCH_USER no user of that name is online" in client.lines, f"lines {client.lines!r}")
        check("PONG after" in client.lines, f"the script did not run to its end: {client.lines!r}")
        check("--fail-on-error: the server answered ERR NO_SUCH_USER" in client.stderr(), client.stderr())


def test_no_err_exits_0():
    with Running(Server(SERVER)) as running:
        status, client = run_script(running.server.port, ["REGISTER Ann", "WHO"], "--fail-on-error")
        check(status == 0, f"exit {status}; stderr {client.stderr()!r}")


def test_err_without_the_flag_exits_0():
    with Running(Server(SERVER)) as running:
        status, client = run_script(running.server.port, ["REGISTER Ann", "CONNECT nobody"])
        check(status == 0, f"exit {status}; stderr {client.stderr()!r}")


def test_lost_connection_still_exits_1():
    with Running(Server(SERVER)) as running:
        client = running.add(ScriptClient(CLIENT, running.server.port, "--fail-on-error"))
        client.expect("HELLO CHAT/1 tcp-chat server, type HELP")
        client.send("CONNECT nobody")  # ERR NOT_REGISTERED
        client.expect("ERR NOT_REGISTERED REGISTER a name first")
        running.server.signal(signal.SIGKILL)
        status = client.finish()
        check(status == 1, f"exit {status}; stderr {client.stderr()!r}")


def test_help_names_the_exit_status():
    out = subprocess.run([CLIENT, "--help"], capture_output=True, text=True, timeout=20).stdout
    check("--fail-on-error" in out and "4 with --fail-on-error" in out, out)


run([test_err_exits_4_after_the_whole_script, test_no_err_exits_0, test_err_without_the_flag_exits_0,
     test_lost_connection_still_exits_1, test_help_names_the_exit_status])
