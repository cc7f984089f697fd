"""Test fixture for cluster mode: 1 or 3 nats-server processes with JetStream on free
loopback ports (generated configs, cluster routes for 3), and chat-server nodes joined
to them. Every wait is bounded; close() kills whatever is still running.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

DEADLINE = 20.0
NATS_SERVER = os.environ.get("NATS_SERVER") or shutil.which("nats-server") or "/usr/sbin/nats-server"
# A TSan build of chat-server reads this: it covers races inside libnats only.
TSAN_SUPPRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tsan.supp")


def node_env():
    env = dict(os.environ)
    env["TSAN_OPTIONS"] = (env.get("TSAN_OPTIONS", "") + f":suppressions={TSAN_SUPPRESSIONS}").lstrip(":")
    return env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Log:
    """Lines logged by the processes, shown when a check fails."""

    def __init__(self):
        self.lines = []
        self.changed = threading.Condition()

    def drain(self, tag, stream):
        for line in stream:
            with self.changed:
                self.lines.append(f"[{tag}] {line}")
                self.changed.notify_all()

    def wait_for(self, pattern, timeout=DEADLINE, start=0):
        """Waits until a line from index `start` on matches `pattern`; returns the match or None."""
        end = time.monotonic() + timeout
        with self.changed:
            while True:
                for line in self.lines[start:]:
                    m = re.search(pattern, line)
                    if m:
                        return m
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.changed.wait(left)

    def text(self):
        with self.changed:
            return "".join(self.lines[-400:])


class NatsServer:
    def __init__(self, index, port, cluster_port, monitor_port, routes, workdir, log):
        self.index, self.port, self.cluster_port, self.monitor_port = index, port, cluster_port, monitor_port
        self.routes, self.workdir, self.log = routes, workdir, log
        self.proc = None

    @property
    def url(self):
        return f"nats://127.0.0.1:{self.port}"

    def config(self):
        lines = [f"server_name: n{self.index}", "host: 127.0.0.1", f"port: {self.port}",
                 f"http: 127.0.0.1:{self.monitor_port}",
                 "jetstream {", f'  store_dir: "{self.workdir}/js{self.index}"', "  max_memory_store: 256MB", "}"]
        if self.routes:
            lines += ["cluster {", "  name: chattest", f"  listen: 127.0.0.1:{self.cluster_port}",
                      "  routes: [" + ", ".join(f"nats-route://127.0.0.1:{p}" for p in self.routes) + "]", "}"]
        return "\n".join(lines) + "\n"

    def start(self):
        path = os.path.join(self.workdir, f"n{self.index}.conf")
        with open(path, "w") as f:
            f.write(self.config())
        self.proc = subprocess.Popen([NATS_SERVER, "-c", path], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self.log.drain, args=(f"nats{self.index}", self.proc.stderr), daemon=True).start()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=DEADLINE)

    def healthy(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.monitor_port}/healthz", timeout=1) as r:
                return json.loads(r.read()).get("status") == "ok"
        except Exception:
            return False

    def jsz(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.monitor_port}/jsz?streams=true", timeout=2) as r:
            return json.loads(r.read())


class Cluster:
    """`nats` servers (1 or 3) and the chat-server nodes started on them."""

    def __init__(self, chat_server, nats=3, jetstream=True):
        self.chat_server = chat_server
        self.log = Log()
        self.workdir = tempfile.mkdtemp(prefix="chat-cluster-")
        self.nats = []
        self.nodes = []
        cluster_ports = [free_port() for _ in range(nats)]
        for i in range(nats):
            routes = [p for j, p in enumerate(cluster_ports) if j != i] if nats > 1 else []
            server = NatsServer(i, free_port(), cluster_ports[i], free_port(), routes, self.workdir, self.log)
            if not jetstream:
                server.config = lambda s=server: f"host: 127.0.0.1\nport: {s.port}\nhttp: 127.0.0.1:{s.monitor_port}\n"
            self.nats.append(server)

    def start_nats(self):
        for server in self.nats:
            server.start()
        end = time.monotonic() + DEADLINE
        while not all(s.healthy() for s in self.nats):
            if time.monotonic() > end:
                raise AssertionError("NATS servers not ready in time")
            time.sleep(0.05)

    def urls(self, servers=None):
        return ",".join(s.url for s in (servers or self.nats))

    def start_node(self, name, urls=None, replicas=None, extra=(), expect_start=True):
        """Starts a chat-server node; returns (process, port), or (process, None) if it exited."""
        replicas = replicas if replicas is not None else min(3, len(self.nats))
        args = [self.chat_server, "--port", "0", "--log-level", os.environ.get("CHAT_LOG_LEVEL", "info"),
                "--cluster", urls or self.urls(), "--node-name", name, "--cluster-replicas", str(replicas),
                "--stats-interval", "0", *extra]
        start = len(self.log.lines)
        proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True, env=node_env())
        threading.Thread(target=self.log.drain, args=(name, proc.stderr), daemon=True).start()
        if not expect_start:
            return proc, None
        m = self.log.wait_for(rf"\[{re.escape(name)}\].*listening on 127\.0\.0\.1:(\d+)", timeout=30, start=start)
        if not m:
            proc.kill()
            raise AssertionError(f"node {name} did not start")
        self.nodes.append(proc)
        return proc, int(m.group(1))

    def close(self):
        for proc in self.nodes:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.nodes:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        for server in self.nats:
            server.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
