#!/usr/bin/env python3
"""TLS end to end: the real chat-server and chat-client with certificates made by
tests/support/make_test_certs.sh (the openssl CLI).

Usage: tls_e2e.py SCENARIO CERTS_DIR PATH/TO/chat-server PATH/TO/chat-client
  client_checks      chat-client --tls chats with a good certificate; refuses an expired one and one for
                     another name, saying so, with exit 3; --insecure connects and warns
  reload_under_load  SIGHUP with a renewed certificate while pairs of TLS clients chat and a chat-client
                     holds a session: no connection drops, new handshakes get the renewed certificate;
                     then SIGHUP with a broken certificate is refused and the renewed one stays
Every wait has a deadline; a failure prints what was seen and exits 1.
"""
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

DEADLINE = 20.0
SERVER_LOG = []
LOG_CHANGED = threading.Condition()


def fail(message):
    print("FAIL:", message)
    print("server log:\n" + "".join(SERVER_LOG))
    sys.exit(1)


def drain(stream):
    for line in stream:
        with LOG_CHANGED:
            SERVER_LOG.append(line)
            LOG_CHANGED.notify_all()


def wait_for_log(pattern, after=0):
    """Waits for a log line matching pattern among the lines from index `after` on; returns its match."""
    found = []

    def seen():
        for line in SERVER_LOG[after:]:
            m = re.search(pattern, line)
            if m:
                found.append(m)
                return True
        return False

    with LOG_CHANGED:
        if not LOG_CHANGED.wait_for(seen, timeout=DEADLINE):
            fail(f"the server never logged {pattern!r}")
    return found[0]


def start_server(binary, cert, key):
    """chat-server with TLS on ephemeral ports; returns (process, plain port, TLS port)."""
    proc = subprocess.Popen([binary, "--port", "0", "--tls-port", "0", "--tls-cert", cert, "--tls-key", key,
                             "--threads", "2", "--log-level", os.environ.get("CHAT_LOG_LEVEL", "info")],
                            stderr=subprocess.PIPE, text=True)
    threading.Thread(target=drain, args=(proc.stderr,), daemon=True).start()
    m = wait_for_log(r"listening on 127\.0\.0\.1:(\d+) and TLS on 127\.0\.0\.1:(\d+)", len(SERVER_LOG))
    return proc, int(m.group(1)), int(m.group(2))


def stop_server(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        if proc.wait(timeout=DEADLINE) != 0:
            fail(f"chat-server exited {proc.returncode}")
    except subprocess.TimeoutExpired:
        proc.kill()
        fail("chat-server did not stop")


def run_client(client, port, certs, *flags, script="WHO\n", host="localhost"):
    return subprocess.run([client, "--tls", "--host", host, "--port", str(port), *flags], input=script,
                          capture_output=True, text=True, timeout=DEADLINE)


def client_checks(certs, server, client):
    ca = ["--ca-file", os.path.join(certs, "ca.pem")]
    for name in ("server", "expired", "wrong_name"):
        proc, _, port = start_server(server, os.path.join(certs, name + ".pem"), os.path.join(certs, name + ".key"))
        for host in ("localhost", "127.0.0.1"):
            out = run_client(client, port, certs, *ca, "--name", "Noy", host=host)
            said = out.stderr.strip()
            if name == "server":
                if out.returncode != 0 or "OK REGISTERED Noy" not in out.stdout or "OK WHO 1 Noy" not in out.stdout:
                    fail(f"{host}: a good certificate: exit {out.returncode}, stdout {out.stdout!r}, stderr {said!r}")
            elif name == "expired":
                if out.returncode != 3 or "certificate has expired" not in said or "2020" not in said:
                    fail(f"{host}: an expired certificate: exit {out.returncode}, stderr {said!r}")
            else:
                mismatch = "hostname mismatch" if host == "localhost" else "IP address mismatch"
                if out.returncode != 3 or mismatch not in said or "DNS:wrong.example" not in said:
                    fail(f"{host}: a certificate for another name: exit {out.returncode}, stderr {said!r}")
        if name == "wrong_name":
            # No CA given: the system's do not know ours. --insecure then connects, loudly.
            out = run_client(client, port, certs)
            if out.returncode != 3 or "--ca-file" not in out.stderr:
                fail(f"untrusted CA: exit {out.returncode}, stderr {out.stderr!r}")
            out = run_client(client, port, certs, "--insecure")
            if out.returncode != 0 or "WARNING" not in out.stderr or "OK WHO 0" not in out.stdout:
                fail(f"--insecure: exit {out.returncode}, stdout {out.stdout!r}, stderr {out.stderr!r}")
        stop_server(proc)


class TlsClient:
    def __init__(self, port, ca):
        context = ssl.create_default_context(cafile=ca)
        raw = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
        self.sock = context.wrap_socket(raw, server_hostname="localhost")
        self.file = self.sock.makefile("rb")
        if not self.line().startswith("HELLO CHAT/1 "):
            fail("no greeting over TLS")

    def subject(self):
        return dict(item[0] for item in self.sock.getpeercert()["subject"])["commonName"]

    def send(self, text):
        self.sock.sendall(text.encode())

    def line(self):
        raw = self.file.readline()
        if not raw.endswith(b"\n"):
            raise ConnectionError(f"expected a line, got {raw!r}")
        return raw[:-1].decode()

    def ask(self, text):
        self.send(text + "\n")
        return self.line()


def subject_of_new_handshake(port, ca):
    c = TlsClient(port, ca)
    subject = c.subject()
    c.sock.close()
    return subject


def reload_under_load(certs, server, client):
    ca = os.path.join(certs, "ca.pem")
    work = tempfile.mkdtemp(prefix="chat-tls-e2e-")
    try:
        cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
        shutil.copy(os.path.join(certs, "server.pem"), cert)
        shutil.copy(os.path.join(certs, "server.key"), key)
        proc, _, port = start_server(server, cert, key)
        if subject_of_new_handshake(port, ca) != "tcp-chat test server":
            fail("the first certificate is not served")

        # The real client holds a session across the reloads; its script goes on once the test says so.
        holder = subprocess.Popen([client, "--tls", "--ca-file", ca, "--host", "localhost", "--port", str(port),
                                   "--name", "Holder"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        wait_for_log(r"registered as Holder")

        # Pairs of TLS clients chatting in ping-pong, each in its own thread, until told to stop.
        pairs, stop, errors, exchanged = 8, threading.Event(), [], [0] * 8

        def chat(i):
            try:
                a, b = TlsClient(port, ca), TlsClient(port, ca)
                if a.ask(f"REGISTER a{i}") != f"OK REGISTERED a{i}" or b.ask(f"REGISTER b{i}") != f"OK REGISTERED b{i}":
                    raise ConnectionError("registration")
                if a.ask(f"CONNECT b{i}") != f"OK CONNECTED b{i}" or b.line() != f"CONNECTED a{i}":
                    raise ConnectionError("connect")
                k = 0
                while not stop.is_set():
                    a.send(f"MSG ping {k}\n")
                    if b.line() != f"MSG a{i} ping {k}":
                        raise ConnectionError(f"pair {i}: ping {k} lost")
                    b.send(f"MSG pong {k}\n")
                    if a.line() != f"MSG b{i} pong {k}":
                        raise ConnectionError(f"pair {i}: pong {k} lost")
                    k += 1
                    exchanged[i] = k
                if a.ask("QUIT") != "OK BYE" or b.line() != f"DISCONNECTED a{i}":
                    raise ConnectionError(f"pair {i}: QUIT")
            except (OSError, ConnectionError) as e:
                errors.append(f"pair {i}: {e!r}")

        threads = [threading.Thread(target=chat, args=(i,)) for i in range(pairs)]
        for t in threads:
            t.start()

        def traffic_moves():
            """Waits until every pair has exchanged more since the call began."""
            before = list(exchanged)
            end = time.monotonic() + DEADLINE
            while any(now <= then for now, then in zip(exchanged, before)):
                if errors:
                    fail("; ".join(errors))
                if time.monotonic() > end:
                    fail(f"traffic stalled: {exchanged}")
                time.sleep(0.01)

        def hup(files, logged, why):
            """Copies the named test files over the server's, sends SIGHUP while the pairs chat, waits for
            the log line, and checks that a new handshake then gets the renewed certificate."""
            traffic_moves()
            for source, target in files:
                shutil.copy(os.path.join(certs, source), target)
            mark = len(SERVER_LOG)
            proc.send_signal(signal.SIGHUP)
            wait_for_log(logged, mark)
            traffic_moves()
            if subject_of_new_handshake(port, ca) != "tcp-chat test renewed":
                fail(why)
            return mark

        hup([("renewed.pem", cert), ("renewed.key", key)], r"TLS certificate .* reloaded",
            "a handshake after the reload does not get the renewed certificate")
        mark = hup([("garbage.pem", cert)], r"TLS reload failed, keeping the current certificate",
                   "a refused reload changed the certificate served")

        stop.set()
        for t in threads:
            t.join(DEADLINE)
        if errors:
            fail("; ".join(errors))
        out, err = holder.communicate("WHO\n", timeout=DEADLINE)
        if holder.returncode != 0 or not re.search(r"OK WHO \d+ .*Holder", out):
            fail(f"the chat-client across the reloads: exit {holder.returncode}, stdout {out!r}, stderr {err!r}")
        if any("closed" in line and "session" in line for line in SERVER_LOG[:mark]
               if "Holder" in line):
            fail("the chat-client's session was closed")
        stop_server(proc)
        print(f"reload under load: {pairs} pairs exchanged {sum(exchanged)} ping-pongs across two SIGHUPs, none dropped")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    scenario, certs, server_binary, client_binary = sys.argv[1:5]
    {"client_checks": client_checks, "reload_under_load": reload_under_load}[scenario](certs, server_binary,
                                                                                       client_binary)
