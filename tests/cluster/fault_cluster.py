"""The cluster of the fault runs: 3 nats-servers (JetStream, routes, R3 buckets) and 3 chat-server
nodes, inside the private network namespace the caller runs in (fault_test.py enters one), on
fixed ports. Each process runs under a uid of its own, so that nftables rules in that namespace
can cut any set of processes off from another: every new connection is marked with its
originator's uid; a packet is dropped when its sender's uid is on one side and the owner of the
destination port (original direction) or the connection's originator (reply direction) on the
other. Existing connections stall rather than reset, as on a real network; healing flushes the
rules. Pauses are SIGSTOP/SIGCONT, kills SIGKILL.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from nats_fixture import Log, NatsServer, node_env
from cluster_test import stream_leader

NATS_COUNT = 3
NODE_COUNT = 3
START_DEADLINE = 30.0


def nats_uid(i):
    return 40100 + i


def node_uid(i):
    return 40200 + i


def node_port(i):
    return 7000 + i


class FaultCluster:
    def __init__(self, chat_server):
        self.chat_server = chat_server
        self.log = Log()
        self.workdir = tempfile.mkdtemp(prefix="chat-faults-")
        os.chmod(self.workdir, 0o755)
        routes = [6222 + i for i in range(NATS_COUNT)]
        self.nats = [NatsServer(i, 4222 + i, routes[i], 8222 + i, [p for p in routes if p != routes[i]],
                                self.workdir, self.log, user=nats_uid(i)) for i in range(NATS_COUNT)]
        for server in self.nats:
            store = os.path.join(self.workdir, f"js{server.index}")
            os.makedirs(store)
            os.chown(store, server.user, server.user)
        self.nodes = [None] * NODE_COUNT
        self.node_mark = {}  # node -> where its latest start's log lines begin
        self.ports_of = {nats_uid(s.index): [s.port, s.cluster_port, s.monitor_port] for s in self.nats}
        self.ports_of.update({node_uid(i): [node_port(i)] for i in range(NODE_COUNT)})
        self._firewall()

    # --- processes ---

    def start(self):
        for server in self.nats:
            server.start()
        self.wait_healthy()
        for i in range(NODE_COUNT):
            self.start_node(i)
        for i in range(NODE_COUNT):
            self.wait_listening(i)

    def wait_healthy(self):
        end = time.monotonic() + START_DEADLINE
        while not all(s.healthy() for s in self.nats):
            if time.monotonic() > end:
                raise AssertionError("NATS servers not ready in time")
            threading.Event().wait(0.1)

    def start_node(self, i):
        args = [self.chat_server, "--port", str(node_port(i)), "--log-level", "info",
                "--cluster", ",".join(s.url for s in self.nats), "--node-name", f"n{i}",
                "--cluster-replicas", "3", "--stats-interval", "0"]
        self.node_mark[i] = len(self.log.lines)
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                env=node_env(), user=node_uid(i))
        threading.Thread(target=self.log.drain, args=(f"n{i}", proc.stderr), daemon=True).start()
        self.nodes[i] = proc

    def wait_listening(self, i):
        if not self.log.wait_for(rf"\[n{i}\].*listening on 127\.0\.0\.1:{node_port(i)}", timeout=START_DEADLINE,
                                 start=self.node_mark[i]):
            raise AssertionError(f"node n{i} did not start")

    def node_ports(self):
        return [node_port(i) for i in range(NODE_COUNT)]

    def leader(self):
        """The nats-server leading the name bucket's stream, or None."""
        return stream_leader(self)

    @staticmethod
    def pause(proc):
        os.kill(proc.pid, signal.SIGSTOP)

    @staticmethod
    def resume(proc):
        os.kill(proc.pid, signal.SIGCONT)

    @staticmethod
    def kill(proc):
        proc.kill()
        proc.wait(timeout=START_DEADLINE)

    # --- the network ---

    def _nft(self, text):
        subprocess.run(["nft", "-f", "-"], input=text, text=True, check=True)

    def _firewall(self):
        marks = ", ".join(f"{uid} : {uid}" for uid in self.ports_of)
        self._nft("flush ruleset\n"
                  "table inet faults {\n"
                  "  chain cut { }\n"
                  "  chain out {\n"
                  "    type filter hook output priority 0; policy accept;\n"
                  f"    ct state new ct mark set meta skuid map {{ {marks} }}\n"
                  "    jump cut\n"
                  "  }\n"
                  "}\n")

    def cut(self, side_a, side_b):
        """Drops every packet between the processes of uids `side_a` and those of `side_b`."""
        rules = []
        for this, other in ((side_a, side_b), (side_b, side_a)):
            uids = ", ".join(map(str, this))
            ports = ", ".join(str(p) for uid in other for p in self.ports_of[uid])
            marks = ", ".join(map(str, other))
            rules.append(f"add rule inet faults cut meta skuid {{ {uids} }} ct direction original "
                         f"tcp dport {{ {ports} }} drop")
            rules.append(f"add rule inet faults cut meta skuid {{ {uids} }} ct direction reply "
                         f"ct mark {{ {marks} }} drop")
        self._nft("\n".join(rules) + "\n")

    def heal_network(self):
        self._nft("flush chain inet faults cut\n")

    # --- the end ---

    def close(self):
        for proc in self.nodes + [s.proc for s in self.nats]:
            if proc is not None and proc.poll() is None:
                os.kill(proc.pid, signal.SIGCONT)
                proc.kill()
                proc.wait(timeout=START_DEADLINE)
        self.heal_network()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def log_text(self):
        return "".join(self.log.lines)
