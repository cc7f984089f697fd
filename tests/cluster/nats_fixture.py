"""Test fixture for cluster mode: 1 or 3 nats-server processes with JetStream on free
loopback ports (generated configs, cluster routes for 3), and chat-server nodes joined
to them. Every wait is bounded; close() kills whatever is still running.
"""
import contextlib
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

    def note(self, text):
        with self.changed:
            self.lines.append(f"[fixture] {text}\n")
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
    def __init__(self, index, port, cluster_port, monitor_port, routes, workdir, log, advertise=True, user=None):
        self.index, self.port, self.cluster_port, self.monitor_port = index, port, cluster_port, monitor_port
        self.routes, self.workdir, self.log = routes, workdir, log
        self.advertise = advertise
        self.user = user  # run under this uid (the fault runs tell processes apart by uid)
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
                      "  routes: [" + ", ".join(f"nats-route://127.0.0.1:{p}" for p in self.routes) + "]"]
            # Not advertised: a client then reconnects only to the servers it was given.
            lines += ([] if self.advertise else ["  no_advertise: true"]) + ["}"]
        return "\n".join(lines) + "\n"

    def start(self):
        path = os.path.join(self.workdir, f"n{self.index}.conf")
        with open(path, "w") as f:
            f.write(self.config())
        self.proc = subprocess.Popen([NATS_SERVER, "-c", path], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, user=self.user)
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


class Proxy:
    """A TCP relay on a free loopback port to `port`, which cut() severs: it closes every
    relayed connection and closes new ones at once until restore(). A node given only the
    proxy's URL loses NATS while the NATS servers themselves go on."""

    def __init__(self, port):
        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.open = []
        self.severed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return f"nats://127.0.0.1:{self.port}"

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            with self.lock:
                if self.severed:
                    client.close()
                    continue
                try:
                    server = socket.create_connection(("127.0.0.1", self.target), timeout=DEADLINE)
                except OSError:
                    client.close()
                    continue
                self.open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cut(self):
        with self.lock:
            self.severed = True
            for sock in self.open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self.open = []

    def restore(self):
        with self.lock:
            self.severed = False

    def close(self):
        self.cut()
        self.listener.close()


class Cluster:
    """`nats` servers (1 or 3) and the chat-server nodes started on them. With `advertise`
    false, the servers do not tell clients of each other (a node stays on the servers it was given)."""

    def __init__(self, chat_server, nats=3, jetstream=True, advertise=True):
        self.chat_server = chat_server
        self.log = Log()
        self.workdir = tempfile.mkdtemp(prefix="chat-cluster-")
        self.nats = []
        self.nodes = []
        self.metrics_ports = {}  # node name -> its /metrics port
        cluster_ports = [free_port() for _ in range(nats)]
        for i in range(nats):
            routes = [p for j, p in enumerate(cluster_ports) if j != i] if nats > 1 else []
            server = NatsServer(i, free_port(), cluster_ports[i], free_port(), routes, self.workdir, self.log, advertise)
            if not jetstream:
                server.config = lambda s=server: f"host: 127.0.0.1\nport: {s.port}\nhttp: 127.0.0.1:{s.monitor_port}\n"
            self.nats.append(server)

    def start_nats(self):
        # A port free_port() found can be taken by another test before nats-server binds it (the
        # server then exits: "address already in use"); such a start is tried again on new ports.
        for attempt in range(3):
            for server in self.nats:
                server.start()
            end = time.monotonic() + DEADLINE
            while not all(s.healthy() for s in self.nats):
                if any(s.proc.poll() is not None for s in self.nats):
                    break
                if time.monotonic() > end:
                    raise AssertionError("NATS servers not ready in time")
                time.sleep(0.05)
            else:
                return
            self.log.note(f"a nats-server exited at start (attempt {attempt + 1}): new ports")
            for server in self.nats:
                server.kill()
                shutil.rmtree(os.path.join(self.workdir, f"js{server.index}"), ignore_errors=True)
            self._choose_ports()
        raise AssertionError("NATS servers did not start in 3 attempts")

    def _choose_ports(self):
        cluster_ports = [free_port() for _ in self.nats]
        for i, server in enumerate(self.nats):
            server.port, server.cluster_port, server.monitor_port = free_port(), cluster_ports[i], free_port()
            server.routes = [p for j, p in enumerate(cluster_ports) if j != i] if len(self.nats) > 1 else []

    def urls(self, servers=None):
        return ",".join(s.url for s in (servers or self.nats))

    def start_node(self, name, urls=None, replicas=None, extra=(), expect_start=True):
        """Starts a chat-server node; returns (process, port), or (process, None) if it exited."""
        replicas = replicas if replicas is not None else min(3, len(self.nats))
        args = [self.chat_server, "--port", "0", "--log-level", os.environ.get("CHAT_LOG_LEVEL", "info"),
                "--cluster", urls or self.urls(), "--node-name", name, "--cluster-replicas", str(replicas),
                *([] if "--stats-interval" in extra else ["--stats-interval", "0"]), *extra]
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
        if "--metrics-port" in extra:
            found = self.log.wait_for(rf"\[{re.escape(name)}\].*metrics on http://127\.0\.0\.1:(\d+)/", timeout=1,
                                      start=start)
            self.metrics_ports[name] = int(found.group(1)) if found else None
        return proc, int(m.group(1))

    def metrics(self, name):
        """Node `name`'s /metrics (started with --metrics-port) as {sample name with labels: value}."""
        url = f"http://127.0.0.1:{self.metrics_ports[name]}/metrics"
        with urllib.request.urlopen(url, timeout=DEADLINE) as r:
            text = r.read().decode()
        samples = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                key, value = line.rsplit(" ", 1)
                samples[key] = float(value)
        return samples

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
