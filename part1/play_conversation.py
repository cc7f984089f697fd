#!/usr/bin/env python3
"""Plays the CSV conversation through real chat-client processes, one per client app.

Rows are taken in file order. A client -> server row writes the message to that
client's stdin; a server -> client row waits (bounded) until that client prints the
line. A client's process starts at its connection's first row, so connections open
in the CSV's order and the capture's tcp.stream numbers match chat-encap's.
At the end every stdin is closed (script mode: the client waits for pending
replies, then exits) and every process is waited for, again bounded.

Usage: play_conversation.py --csv CSV --client BIN --host 127.0.0.1 --port P [--timeout S]
"""
import argparse
import csv
import queue
import subprocess
import sys
import threading
import time


def connections(rows):
    """{port pair: client port}: the server is the port in the most connections (ties: the lower)."""
    used = {}
    for r in rows:
        key = frozenset((int(r["src_port"]), int(r["dst_port"])))
        for p in key:
            used.setdefault(p, set()).add(key)
    result = {}
    for r in rows:
        key = frozenset((int(r["src_port"]), int(r["dst_port"])))
        a, b = sorted(key)
        server = a if len(used[a]) >= len(used[b]) else b
        result[key] = b if server == a else a
    return result


class client:
    """One chat-client process; a thread turns its stdout into a queue of lines."""

    def __init__(self, name, argv):
        self.name = name
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, encoding="utf-8", bufsize=1)
        self.lines = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put, True), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr.append, False), daemon=True).start()

    @staticmethod
    def _pump(stream, sink, mark_end):
        for line in stream:
            sink(line.rstrip("\r\n"))
        if mark_end:
            sink(None)  # tells expect() the output is over

    def send(self, text):
        print(f"  {self.name} <- stdin: {text[:70]}{'...' if len(text) > 70 else ''}", flush=True)
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def expect(self, text, deadline):
        """Waits for the line (the client may decorate it: the line must end with it)."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                return False
            if line is None:
                print(f"  {self.name}: output ended while waiting for: {text[:70]}", flush=True)
                return False
            if line == text or line.endswith(text):
                print(f"  {self.name} -> stdout: {line[:70]}{'...' if len(line) > 70 else ''}", flush=True)
                return True
            print(f"  {self.name} -> stdout (not in the CSV, skipped): {line[:70]}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", required=True)
    parser.add_argument("--client", required=True, help="chat-client binary")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for one server line")
    args = parser.parse_args()

    with open(args.csv, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    client_port = connections(rows)
    clients = {}
    ok = True
    try:
        for r in rows:
            key = frozenset((int(r["src_port"]), int(r["dst_port"])))
            port = client_port[key]
            from_client = int(r["src_port"]) == port
            app = r["src_app"] if from_client else r["dst_app"]
            if port not in clients:
                print(f"start chat-client for {app} (CSV port {port})", flush=True)
                clients[port] = client(app, [args.client, "--host", args.host, "--port", str(args.port)])
            c = clients[port]
            if from_client:
                c.send(r["message"])
            elif not c.expect(r["message"], time.monotonic() + args.timeout):
                print(f"FAIL: msg_id {r['msg_id']}: {app} did not print within {args.timeout} s: "
                      f"{r['message'][:70]}", flush=True)
                ok = False
                break
    finally:
        for c in clients.values():
            try:
                c.proc.stdin.close()
            except BrokenPipeError:
                pass  # it already left (the server closed after OK BYE)
        for c in clients.values():
            try:
                code = c.proc.wait(timeout=args.timeout)
                print(f"{c.name}'s chat-client exited with {code}", flush=True)
            except subprocess.TimeoutExpired:
                print(f"FAIL: {c.name}'s chat-client still running after {args.timeout} s: killed", flush=True)
                c.proc.kill()
                c.proc.wait()
                ok = False
            if c.stderr:
                print(f"  {c.name} stderr: " + " | ".join(s for s in c.stderr if s)[:400], flush=True)
    print("conversation played" if ok else "conversation NOT played", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
