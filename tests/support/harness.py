"""What the end-to-end tests share (tests/e2e, tests/client, tests/bench): start a program and
wait for the line that says it listens, read its log while it runs, stop it, and a line client
over TCP. Python 3 standard library only.

Every wait has a deadline and, when it passes, raises Failure with what was seen; nothing sleeps
and hopes. A test script runs its scenario through main() (or catches Failure itself), so a
failure prints the logs of every program the test started.

    import os, sys
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
    from harness import Process, LineClient, main
"""
import os
import re
from signal import SIGTERM
import socket
import subprocess
import sys
import threading
import traceback

TIMEOUT = 20.0  # seconds for any one expected event; generous for a loaded 2-core machine

# What chat-server and chat-threads-baseline log once they accept connections; group 1 is the port.
LISTENING = r"listening on [^ ]*:(\d+)"


class Failure(Exception):
    """A check that did not hold, or a wait whose deadline passed."""


def check(condition, message):
    if not condition:
        raise Failure(message)


STARTED = []  # every Process of this test, whose logs a failure shows


class Process:
    """A program whose stdout and stderr, merged, are drained by a thread into a log (so a chatty
    program never blocks on its pipe) that waiters are woken for.

    With `listening` (a regex whose group 1 is a port), the constructor returns once the log
    matches it and sets `port`; a program that exits or stays silent until `timeout` is killed and
    raises Failure. `until`, a predicate on the log's text, waits for more than the listening line.
    `preexec_fn` runs in the child before exec (resource limits)."""

    def __init__(self, argv, listening=LISTENING, name=None, timeout=TIMEOUT, until=None, preexec_fn=None):
        self.name = name or os.path.basename(argv[0])
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, preexec_fn=preexec_fn)
        self.pid = self.proc.pid
        self.port = None
        self._log = b""
        self._eof = False  # the program closed its end of the pipe
        self._changed = threading.Condition()
        threading.Thread(target=self._pump, daemon=True).start()
        STARTED.append(self)
        if listening is None:
            return
        match = Process.wait_for_log(self, listening, timeout=timeout)  # not a subclass's variant
        if match and until:
            self.wait_for(lambda: until(self.log_text()), timeout)
        if not match or (until and not until(self.log_text())):
            self.kill()
            raise Failure(f"{self.name} did not report a listening port: {self.log_text()[-2000:]}")
        self.port = int(match.group(1))

    def _pump(self):
        try:
            for chunk in iter(lambda: os.read(self.proc.stdout.fileno(), 65536), b""):
                with self._changed:
                    self._log += chunk
                    self._changed.notify_all()
        finally:
            with self._changed:
                self._eof = True
                self._changed.notify_all()

    def wait_for(self, predicate, timeout=TIMEOUT):
        """Waits until predicate() holds, re-checked whenever the log grows; returns whether it does."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate() or self._eof, timeout) and predicate()

    def wait_for_log(self, pattern, timeout=TIMEOUT, count=1):
        """Waits until the log holds `pattern` (a str or bytes regex) `count` times; returns its first
        match, or None when the deadline passes or the program closes its log first."""
        def matches():
            log = self._log if isinstance(pattern, bytes) else self._log.decode(errors="replace")
            return list(re.finditer(pattern, log))
        with self._changed:
            self._changed.wait_for(lambda: len(matches()) >= count or self._eof, timeout)
            found = matches()
        return found[0] if len(found) >= count else None

    def log_text(self):
        with self._changed:
            return self._log.decode(errors="replace")

    def log_lines(self):
        return self.log_text().splitlines(keepends=True)

    def signal(self, signo):
        self.proc.send_signal(signo)

    def wait(self, timeout=TIMEOUT):
        """The exit status, waited for with the deadline; raises Failure if it is still running then."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise Failure(f"{self.name} did not exit within {timeout} s")

    def stop(self, signo=SIGTERM, timeout=TIMEOUT):
        """Signals the program (SIGTERM) and returns its exit status; killed if it outlasts `timeout`."""
        if self.proc.poll() is None:
            self.proc.send_signal(signo)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class LineClient:
    """A TCP client of a line protocol: every read waits at most `timeout`."""

    def __init__(self, port, host="127.0.0.1", timeout=TIMEOUT):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.file = self.sock.makefile("rb")

    def send(self, text):
        self.sock.sendall(text.encode())

    def line(self):
        """The next line without its LF; Failure if the connection ends first or the wait times out."""
        try:
            raw = self.file.readline()
        except socket.timeout:
            raise Failure("no line before the deadline")
        check(raw.endswith(b"\n"), f"expected a line, got {raw!r}")
        return raw[:-1].decode()

    def closed(self):
        """Whether the peer closed the connection with nothing more to read."""
        return self.file.readline() == b""

    def close(self):
        self.file.close()
        self.sock.close()


def free_port():
    """A loopback port nobody listens on: bound, then released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def logs():
    """The logs of every program this test started, for a failure report."""
    return "".join(f"--- {p.name} (pid {p.pid}) log:\n{p.log_text()}" for p in STARTED)


def main(scenario, *args):
    """Runs scenario(*args); on Failure, or any other exception, prints it and every log, and exits 1. Programs still
    running at the end are killed."""
    try:
        scenario(*args)
    except Failure as e:
        print("FAIL:", e)
        print(logs())
        sys.exit(1)
    except Exception:  # an unexpected error (a reset socket, a timeout) needs the logs as much
        traceback.print_exc()
        print(logs())
        sys.exit(1)
    finally:
        for p in STARTED:
            p.kill()

