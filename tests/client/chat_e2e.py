"""Helpers for chat-client's end-to-end tests: a chat-server on a free loopback
port and chat-client processes driven through pipes or a pty. Every wait has a
deadline and fails with what was seen so far; nothing sleeps and hopes."""

import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import harness  # noqa: E402
from harness import TIMEOUT, check, free_port  # noqa: E402,F401

TestFailure = harness.Failure


class Server(harness.Process):
    """chat-server on 127.0.0.1 and `port` (0: one the kernel picks, read back from its log)."""

    def __init__(self, binary, *args, port=0):
        super().__init__([binary, "--host", "127.0.0.1", "--port", str(port), *args],
                         listening=r"listening on 127\.0\.0\.1:(\d+)", name="chat-server")

    def wait_for_log(self, pattern, failure, count=1):
        """Waits until the log holds `pattern` (bytes regex) `count` times; returns the first match."""
        match = super().wait_for_log(pattern, count=count)
        check(match is not None, f"{failure}: {self.log_text()}")
        return match


class ScriptClient:
    """chat-client in script mode: stdin and stdout are pipes, stderr a file."""

    def __init__(self, binary, port, *args, stdin=subprocess.PIPE, name="client"):
        self.name = name
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(port), *args], stdin=stdin,
                                     stdout=subprocess.PIPE, stderr=self.err, bufsize=0)
        self.lines = []      # complete stdout lines seen so far
        self.checked = 0     # how many of them expect() has matched
        self.partial = b""
        self.eof = False

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def close_stdin(self):
        self.proc.stdin.close()

    def _read(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([self.proc.stdout], [], [], left)
        if not ready:
            return False
        chunk = os.read(self.proc.stdout.fileno(), 65536)
        if not chunk:
            self.eof = True
            return True
        data = self.partial + chunk
        *complete, self.partial = data.split(b"\n")
        self.lines += [c.decode("utf-8", errors="surrogateescape") for c in complete]
        return True

    def expect(self, expected, timeout=TIMEOUT):
        """The next stdout line must be `expected` (a str, or a compiled regex)."""
        deadline = time.monotonic() + timeout
        while len(self.lines) <= self.checked and not self.eof:
            if not self._read(deadline):
                break
        check(len(self.lines) > self.checked,
              f"{self.name}: timed out waiting for {expected!r}; got {self.lines[self.checked:]!r} "
              f"(eof={self.eof}, stderr={self.stderr()!r})")
        line = self.lines[self.checked]
        ok = expected.fullmatch(line) if isinstance(expected, re.Pattern) else line == expected
        check(ok, f"{self.name}: expected {expected!r}, got {line!r}")
        self.checked += 1
        return line

    def finish(self, timeout=TIMEOUT):
        """Reads stdout to its end and returns the exit status."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            check(self._read(deadline) or self.eof,
                  f"{self.name}: stdout not closed in time; lines {self.lines!r}")
        try:
            return self.proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise TestFailure(f"{self.name}: did not exit; stderr {self.stderr()!r}")

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Running:
    """A server and the clients of one test: `with Running(Server(...)) as r:`, then
    r.add(client) for each; on the way out every client is killed and the server stopped."""

    def __init__(self, server):
        self.server = server
        self.clients = []

    def add(self, client):
        self.clients.append(client)
        return client

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for c in self.clients:
            c.kill()
        self.server.stop()


def partner(binary, port, name, peer):
    """A script client registered as `name` that has opened a chat with `peer`."""
    client = ScriptClient(binary, port, name=name)
    client.expect(re.compile(r"HELLO CHAT/1 .*"))
    client.send(f"REGISTER {name}")
    client.expect(f"OK REGISTERED {name}")
    client.send(f"CONNECT {peer}")
    client.expect(f"OK CONNECTED {peer}")
    return client


def pty_chat(running, binary, args=(), **pty_args):
    """A pty client registered as Noy (with more flags `args`) and a script client Elias that
    opened a chat with it, both added to `running`; returns them and the offset after the event."""
    noy = running.add(PtyClient(binary, running.server.port, "--name", "Noy", *args, **pty_args))
    at = noy.wait_for("*** registered as Noy")
    elias = running.add(partner(binary, running.server.port, "Elias", "Noy"))
    at = noy.wait_for("*** Elias opened a chat with you", at)
    return noy, elias, at


def run(tests):
    """Runs each test function, prints a verdict per test, exits 1 if any failed."""
    failed = 0
    for test in tests:
        try:
            test()
            print(f"ok   {test.__name__}", flush=True)
        except Exception as e:  # a failed check or anything unexpected
            failed += 1
            print(f"FAIL {test.__name__}: {e}", flush=True)
    sys.exit(1 if failed else 0)


class PtyClient:
    """chat-client in interactive mode: its stdin, stdout and stderr are a pty."""

    def __init__(self, binary, port, *args, columns=200, argv=None, env=None, controlling=True, cwd=None,
                 colour=False):
        """Runs `binary --host 127.0.0.1 --port PORT args...`, or `argv` as given, with `env` added to the
        environment (LANG=C.UTF-8 unless given). controlling=False: the pty is not the client's
        controlling terminal, so closing the master side hangs it up without a SIGHUP. Colours are
        off (NO_COLOR=1) so that tests read plain text, unless colour=True (NO_COLOR unset)."""
        import fcntl
        import pty
        import struct
        import termios
        argv = argv or [binary, "--host", "127.0.0.1", "--port", str(port), *args]
        environment = dict(os.environ, TERM="xterm", LANG="C.UTF-8", NO_COLOR="1")
        if colour:
            del environment["NO_COLOR"]
        environment.update(env or {})
        if controlling:
            pid, fd = pty.fork()
        else:
            fd, slave = os.openpty()
            pid = os.fork()
            if pid == 0:
                os.setsid()  # a session of its own, without a controlling terminal
                for target in (0, 1, 2):
                    os.dup2(slave, target)
            else:
                os.close(slave)
        if pid == 0:  # the child: a wide window so that no line wraps, then the client
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
                if cwd:
                    os.chdir(cwd)
                os.execve(argv[0], argv, environment)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.output = b""
        self.eof = False
        self.status = None
        self.rusage = None  # resource usage of the exited client (CPU time)

    def type(self, text):
        os.write(self.fd, text.encode() if isinstance(text, str) else text)

    def _read(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0 or self.eof:
            return False
        ready, _, _ = select.select([self.fd], [], [], left)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child is gone and the pty closed
            chunk = b""
        if not chunk:
            self.eof = True
        self.output += chunk
        return True

    def wait_for(self, expected, start=0, timeout=TIMEOUT):
        """Waits until `expected` (bytes or str) is in the output after `start`; returns where it ends."""
        if isinstance(expected, str):
            expected = expected.encode()
        deadline = time.monotonic() + timeout
        while True:
            at = self.output.find(expected, start)
            if at >= 0:
                return at + len(expected)
            check(self._read(deadline),
                  f"timed out waiting for {expected!r} after offset {start}; output {self.output!r}")

    def wait_exit(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while self.status is None:
            pid, status, rusage = os.wait4(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                self.rusage = rusage
                break
            check(time.monotonic() < deadline, f"the pty client did not exit; output {self.output!r}")
            if self.eof:
                time.sleep(0.01)  # the pty is closed: only the exit status is still to come
            else:
                self._read(min(deadline, time.monotonic() + 0.05))
        while self.fd is not None and self._read(time.monotonic() + 0.05):
            pass
        self.close_master()
        return self.status

    def close_master(self):
        """Closes our side of the pty: the client's terminal is gone."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
            self.eof = True

    def kill(self):
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.status = -9
        self.close_master()
