#!/usr/bin/env python3
"""Two script-mode clients that talk without sleeping: `@wait SECONDS REGEX` holds a
script until a server line received since the last @wait matches, and a wait that
times out ends the script with QUIT and status 1.

usage: script_wait.py CHAT_SERVER CHAT_CLIENT"""

import subprocess
import sys

from chat_e2e import TIMEOUT, Server, Running, check, run

SERVER, CLIENT = sys.argv[1], sys.argv[2]


def script(port, lines, *args):
    """A script-mode client (flags `args`) fed `lines` (stdin then closed); returns the process."""
    proc = subprocess.Popen([CLIENT, "--host", "127.0.0.1", "--port", str(port), *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdin.write("".join(line + "\n" for line in lines))
    proc.stdin.close()
    return proc


def finish(proc):
    out = proc.stdout.read()
    err = proc.stderr.read()
    return proc.wait(TIMEOUT), out.splitlines(), err


def test_two_scripts_converse():
    """Noy's whole script is written before Elias exists; its waits hold it until
    Elias has connected and spoken."""
    with Running(Server(SERVER)) as running:
        port = running.server.port
        noy = running.add(script(port, ["REGISTER Noy", "@wait 10 ^CONNECTED Elias$", "@wait 10 ^MSG Elias hello Noy$",
                            "MSG hello Elias", "@wait 10 ^DISCONNECTED Elias$"]))
        check(noy.stdout.readline().startswith("HELLO "), "no greeting")
        check(noy.stdout.readline() == "OK REGISTERED Noy\n", "Noy not registered")
        elias = running.add(script(port, ["REGISTER Elias", "CONNECT Noy", "@wait 10 ^OK CONNECTED Noy$", "MSG hello Noy",
                              "@wait 10 ^MSG Noy hello Elias$"]))
        status, out, err = finish(elias)
        check(status == 0, f"Elias exit {status}: {err!r} {out!r}")
        check(out[-1] == "MSG Noy hello Elias", f"Elias {out!r}")
        status, out, err = finish(noy)
        check(status == 0, f"Noy exit {status}: {err!r} {out!r}")
        check(out == ["CONNECTED Elias", "MSG Elias hello Noy", "DISCONNECTED Elias"], f"Noy {out!r}")


def test_wait_times_out():
    with Running(Server(SERVER)) as running:
        proc = script(running.server.port, ["REGISTER Noy", "@wait 1 ^never$", "PING not-sent"])
        status, out, err = finish(proc)
        check(status == 1, f"exit {status}")
        check("@wait: no line matched in 1 s: ^never$" in err, f"stderr {err!r}")
        check(not any("not-sent" in line for line in out), f"the script went on: {out!r}")
        status, out, err = finish(script(running.server.port, ["@wait x y"]))
        check(status == 1 and "bad script line" in err, f"exit {status}, stderr {err!r}")


def test_every_at_line_is_a_directive():
    """A line starting with @ is never sent: an unknown directive, a missing part and an
    invalid REGEX each end the script with status 1 and a message naming the line
    (even with --fail-on-error, which the server's UNKNOWN_COMMAND would have made 4)."""
    cases = [("@wait", "bad script line 2 (@wait needs SECONDS and a REGEX): @wait"),
             ("@wait 2", "bad script line 2 (@wait needs a REGEX after SECONDS): @wait 2"),
             ("@WAIT 2 foo", "bad script line 2 (unknown directive @WAIT; the one directive is @wait SECONDS REGEX)"),
             ("@wait 1 (", "bad script line 2 (@wait REGEX is not a valid ECMAScript regular expression: ")]
    with Running(Server(SERVER)) as running:
        for line, message in cases:
            proc = script(running.server.port, ["REGISTER Noy", line, "PING not-sent"], "--fail-on-error")
            status, out, err = finish(proc)
            check(status == 1 and f"chat-client: {message}" in err, f"{line!r}: exit {status}, stderr {err!r}")
            check(not any("UNKNOWN_COMMAND" in o or "not-sent" in o for o in out), f"{line!r}: sent: {out!r}")


run([test_two_scripts_converse, test_wait_times_out, test_every_at_line_is_a_directive])
