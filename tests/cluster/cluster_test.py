#!/usr/bin/env python3
"""Cluster mode end to end (docs/cluster.md): real nats-server processes with
JetStream on loopback ports and real chat-server nodes joined to them.

Usage: cluster_test.py SCENARIO PATH/TO/chat-server
Every wait has a deadline; a failure prints what was seen and the processes' logs, and exits 1.
"""
import contextlib
import json
import os
import selectors
import socket
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chat_line_client import Client  # noqa: E402
from nats_fixture import DEADLINE, Cluster, Proxy, free_port  # noqa: E402

CLUSTER = None


def fail(message):
    print("FAIL:", message)
    if CLUSTER:
        print("log:\n" + CLUSTER.log.text())
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


@contextlib.contextmanager
def started(binary, nats=3, nodes=2, replicas=None, urls=None, advertise=True, extra=()):
    """NATS servers and chat-server nodes n0, n1, ...; yields (cluster, [node ports]).
    `urls(cluster, i)` picks node i's --cluster list (default: every NATS server);
    `extra` are more chat-server arguments for every node."""
    global CLUSTER
    with Cluster(binary, nats=nats, advertise=advertise) as c:
        CLUSTER = c
        c.start_nats()
        ports = [c.start_node(f"n{i}", urls=urls(c, i) if urls else None, replicas=replicas, extra=extra)[1]
                 for i in range(nodes)]
        yield c, ports


def expect(client, wanted, what=""):
    line = client.line()
    check(line.startswith(wanted), f"{what}: expected {wanted!r}, got {line!r}")
    return line


# --- start-up ---

def startup_unreachable(binary):
    port = free_port()  # nothing listens there
    start = time.monotonic()
    proc = subprocess.run([binary, "--port", "0", "--cluster", f"nats://127.0.0.1:{port}", "--node-name", "x"],
                          stderr=subprocess.PIPE, text=True, timeout=DEADLINE)
    check(proc.returncode != 0, "a node with no NATS to reach started")
    check("cannot reach NATS" in proc.stderr, f"unclear message: {proc.stderr}")
    print(f"unreachable NATS: exit {proc.returncode} after {time.monotonic() - start:.2f} s")


def startup_no_jetstream(binary):
    global CLUSTER
    with Cluster(binary, nats=1, jetstream=False) as c:
        CLUSTER = c
        c.start_nats()
        proc, _ = c.start_node("x", replicas=1, expect_start=False)
        try:
            code = proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            proc.kill()
            fail("a node on NATS without JetStream did not exit")
        check(code != 0, "a node on NATS without JetStream started")
        check(c.log.wait_for(r"no JetStream", timeout=1), "unclear message")


# --- names ---

def register_race(binary, rounds=100):
    with started(binary, nats=3, nodes=2) as (c, ports):
        winners = [0, 0]
        for r in range(rounds):
            clients = [Client(p) for p in ports]
            name = f"Race{r}" if r % 2 else f"race.{r}"
            for i, cl in enumerate(clients):
                cl.send(f"REGISTER {name if i == 0 else name.upper()}\n")
            replies = [cl.line() for cl in clients]
            ok = [x for x in replies if x.startswith("OK REGISTERED")]
            taken = [x for x in replies if x.startswith("ERR NAME_TAKEN")]
            check(len(ok) == 1 and len(taken) == 1, f"round {r}: {replies}")
            winners[replies.index(ok[0])] += 1
            # The winner leaves: the name is free again at once, for the other node too.
            loser = clients[1 - replies.index(ok[0])]
            clients[replies.index(ok[0])].ask("QUIT")
            deadline = time.monotonic() + DEADLINE
            while True:
                reply = loser.ask(f"REGISTER {name}")
                if reply.startswith("OK REGISTERED"):
                    break
                check(reply.startswith("ERR NAME_TAKEN") and time.monotonic() < deadline,
                      f"round {r}: a freed name stayed taken: {reply}")
                time.sleep(0.01)
            for cl in clients:
                cl.close()
        print(f"{rounds} rounds, one winner each; wins by node: {winners}")


# --- chats across nodes ---

def pair_up(ports, count, prefix="p"):
    """`count` chats, each between a user on node 0 and one on node 1; returns [(a, b)]."""
    pairs = []
    for i in range(count):
        a, b = Client(ports[0]), Client(ports[1])
        check(a.ask(f"REGISTER {prefix}a{i}").startswith("OK REGISTERED"), "register a")
        check(b.ask(f"REGISTER {prefix}b{i}").startswith("OK REGISTERED"), "register b")
        pairs.append((a, b))
    for i, (a, b) in enumerate(pairs):
        a.send(f"CONNECT {prefix}b{i}\n")
    for i, (a, b) in enumerate(pairs):
        expect(a, f"OK CONNECTED {prefix}b{i}", "requester")
        expect(b, f"CONNECTED {prefix}a{i}", "target")
    return pairs


class Reader:
    """Reads lines from many sockets at once, with a deadline."""

    def __init__(self, clients):
        self.sel = selectors.DefaultSelector()
        self.buffers = {}
        self.lines = {}
        for cl in clients:
            cl.sock.setblocking(False)
            self.sel.register(cl.sock, selectors.EVENT_READ, cl)
            self.buffers[cl] = bytearray()  # nothing may wait in cl.file's buffer: callers read it empty
            self.lines[cl] = []

    def run(self, done, timeout):
        end = time.monotonic() + timeout
        while not done(self.lines):
            left = end - time.monotonic()
            if left <= 0:
                return False
            for key, _ in self.sel.select(min(left, 0.5)):
                cl = key.data
                try:
                    data = cl.sock.recv(65536)
                except BlockingIOError:
                    continue
                if not data:
                    self.sel.unregister(cl.sock)
                    self.lines[cl].append(None)
                    continue
                buf = self.buffers[cl]
                buf += data
                *complete, rest = bytes(buf).split(b"\n")
                self.buffers[cl] = bytearray(rest)
                self.lines[cl].extend(x.decode() for x in complete)
        return True


def relay(binary, pairs_count=200, messages=200):
    with started(binary, nats=3, nodes=2) as (c, ports):
        pairs = pair_up(ports, pairs_count)
        start = time.monotonic()
        for i, (a, b) in enumerate(pairs):
            a.sock.sendall("".join(f"MSG a{i} {k} x y \n" for k in range(messages)).encode())
            b.sock.sendall("".join(f"MSG b{i} {k}\n" for k in range(messages)).encode())
        clients = [x for pair in pairs for x in pair]
        reader = Reader(clients)
        ok = reader.run(lambda lines: all(len(v) >= messages for v in lines.values()), timeout=60)
        took = time.monotonic() - start
        for i, (a, b) in enumerate(pairs):
            want_b = [f"MSG pa{i} a{i} {k} x y " for k in range(messages)]
            want_a = [f"MSG pb{i} b{i} {k}" for k in range(messages)]
            check(reader.lines[b] == want_b, f"pair {i}: b got {len(reader.lines[b])} lines, "
                  f"first wrong: {next((x for x, y in zip(reader.lines[b], want_b) if x != y), None)}")
            check(reader.lines[a] == want_a, f"pair {i}: a got {len(reader.lines[a])} lines")
        check(ok, "relay did not finish in time")
        total = 2 * pairs_count * messages
        print(f"{pairs_count} cross-node pairs x {messages} messages each way: {total} messages exactly once and "
              f"in order in {took:.2f} s ({total / took:.0f} msg/s)")


def disconnect_order(binary, messages=300):
    with started(binary, nats=1, nodes=2, replicas=1) as (c, ports):
        (a, b), (x, y) = pair_up(ports, 2)
        # DISCONNECT right behind a burst: the partner gets every MSG, then DISCONNECTED.
        a.send("".join(f"MSG m{k}\n" for k in range(messages)) + "DISCONNECT\n")
        for k in range(messages):
            expect(b, f"MSG pa0 m{k}", "burst before DISCONNECT")
        expect(b, "DISCONNECTED pa0", "after the burst")
        expect(a, "OK DISCONNECTED pb0", "requester")
        check(b.ask("MSG late").startswith("ERR NOT_IN_CHAT"), "a MSG after DISCONNECTED was accepted")
        # A closed connection right behind a burst: the same order.
        x.send("".join(f"MSG c{k}\n" for k in range(messages)))
        x.sock.shutdown(socket.SHUT_RDWR)
        x.close()
        for k in range(messages):
            expect(y, f"MSG pa1 c{k}", "burst before close")
        expect(y, "DISCONNECTED pa1", "after the close")
        # QUIT from the node-1 side: the node-0 side is told.
        check(b.ask("CONNECT pa0").startswith("OK CONNECTED"), "reconnect")
        expect(a, "CONNECTED pb0", "event")
        b.send("MSG last\nQUIT\n")
        expect(a, "MSG pb0 last", "last")
        expect(a, "DISCONNECTED pb0", "after QUIT")


def who(binary):
    with started(binary, nats=3, nodes=3) as (c, ports):
        names = ["Zed", "amy", "Bob", "carl", "Ann", "b.x"]
        clients = []
        for i, name in enumerate(names):
            cl = Client(ports[i % 3])
            check(cl.ask(f"REGISTER {name}").startswith("OK REGISTERED"), name)
            clients.append(cl)
        want = "OK WHO 6 amy Ann b.x Bob carl Zed"  # sorted by name_key, as on one node
        for cl in clients[:3]:
            check(cl.ask("WHO") == want, f"WHO: {cl.ask('WHO')}")
        check(clients[0].ask("WHO a") == "OK WHO 2 amy Ann", "WHO a")
        check(clients[1].ask("WHO B") == "OK WHO 2 b.x Bob", "WHO B")
        clients[3].ask("QUIT")
        check(clients[0].ask("WHO c") == "OK WHO 0", "a name freed on another node still listed")


def connect_race(binary, rounds=60):
    with started(binary, nats=1, nodes=2, replicas=1) as (c, ports):
        a, b = Client(ports[0]), Client(ports[1])
        check(a.ask("REGISTER ra").startswith("OK"), "a")
        check(b.ask("REGISTER rb").startswith("OK"), "b")
        outcomes = {}
        for r in range(rounds):
            a.send("CONNECT rb\n")
            b.send("CONNECT ra\n")
            # Each side gets its reply, and the loser also the winner's CONNECTED event.
            lines_a, lines_b = [a.line()], [b.line()]
            everything = lines_a + lines_b
            if sum(x.startswith("OK CONNECTED") for x in everything) == 1:
                winner_is_a = any(x.startswith("OK CONNECTED") for x in lines_a)
                loser, loser_lines = (b, lines_b) if winner_is_a else (a, lines_a)
                if not any(x.startswith("CONNECTED ") for x in loser_lines):
                    loser_lines.append(loser.line())
                if not any(x.startswith("ERR") for x in loser_lines):
                    loser_lines.append(loser.line())
                check(any(x.startswith("CONNECTED ") for x in loser_lines) and
                      any(x.startswith("ERR IN_CHAT") for x in loser_lines),
                      f"round {r}: loser saw {loser_lines}")
                outcomes["a" if winner_is_a else "b"] = outcomes.get("a" if winner_is_a else "b", 0) + 1
                winner = a if winner_is_a else b
                check(winner.ask("DISCONNECT").startswith("OK DISCONNECTED"), "disconnect")
                expect(loser, "DISCONNECTED", "loser told")
            else:
                fail(f"round {r}: not exactly one chat: a {lines_a} b {lines_b}")
        print(f"{rounds} mutual CONNECT rounds, exactly one chat each: {outcomes}")


def order_both_ways(binary, messages=2000):
    """Both sides of three cross-node chats send bursts at once; each chat's node-0 side
    ends right behind its burst, by DISCONNECT, QUIT or closing its socket. The node-1
    side gets every MSG of the burst, in order, then DISCONNECTED (and for its own MSGs
    still in flight, ERR NOT_IN_CHAT, never before). The node-0 side got, while the chat
    lasted, a prefix of its partner's burst, in order."""
    with started(binary, nats=1, nodes=2, replicas=1) as (c, ports):
        pairs = pair_up(ports, 3)
        endings = ["DISCONNECT\n", "QUIT\n", None]  # None: shut the socket for writing (EOF) after the burst
        for i, (a, b) in enumerate(pairs):
            b.sock.sendall("".join(f"MSG b{i} {k}\n" for k in range(messages)).encode())
        for i, (a, b) in enumerate(pairs):
            a.sock.sendall(("".join(f"MSG a{i} {k}\n" for k in range(messages)) + (endings[i] or "")).encode())
            if endings[i] is None:
                a.sock.shutdown(socket.SHUT_WR)
        clients = [x for pair in pairs for x in pair]
        reader = Reader(clients)

        def ended(lines):
            return all(f"DISCONNECTED pa{i}" in lines[b] and
                       any(x is None or x.startswith("OK DISCONNECTED") for x in lines[a])
                       for i, (a, b) in enumerate(pairs))

        check(reader.run(ended, timeout=30), "the chats did not end in time")
        # Every reply to the node-1 side's own burst is in once it answers a PING.
        for a, b in pairs:
            b.sock.sendall(b"PING end\n")
        check(reader.run(lambda lines: all("PONG end" in lines[b] for _, b in pairs), timeout=20), "no PONG")
        for i, (a, b) in enumerate(pairs):
            got = reader.lines[b]
            want = [f"MSG pa{i} a{i} {k}" for k in range(messages)] + [f"DISCONNECTED pa{i}"]
            first_wrong = next((k for k, (x, y) in enumerate(zip(got, want)) if x != y), None)
            check(got[:len(want)] == want, f"chat {i} ({endings[i] or 'close'}): node-1 side line {first_wrong}: "
                  f"{got[first_wrong] if first_wrong is not None else len(got)!r}, expected "
                  f"{want[first_wrong] if first_wrong is not None else ''!r}")
            check(all(x.startswith("ERR NOT_IN_CHAT") for x in got[len(want):-1]),
                  f"chat {i}: after DISCONNECTED: {[x for x in got[len(want):] if x and not x.startswith('ERR')]}")
            seen = [x for x in reader.lines[a] if x is not None and x.startswith("MSG")]
            check(seen == [f"MSG pb{i} b{i} {k}" for k in range(len(seen))],
                  f"chat {i}: node-0 side got its partner's MSGs out of order")
            print(f"chat {i} ({(endings[i] or 'close').strip()}): {messages} MSGs then DISCONNECTED; "
                  f"the ending side got {len(seen)} of its partner's {messages} first")


def slow_consumer(binary, line_bytes=1000):
    """A receiver on node 1 that stops reading is cut by node 1's slow-consumer policy
    (--max-queue), and its partner on node 0 gets DISCONNECTED; node 0 cuts nobody and
    its users go on (a local chat there still relays, the sender still answers)."""
    extra = ("--max-queue", "65536", "--send-buffer", "16384", "--metrics-port", "0")
    with started(binary, nats=1, nodes=2, replicas=1, extra=extra) as (c, ports):
        a = Client(ports[0])
        # The receiver's own receive buffer is small too, so the node's queue fills fast.
        b = socket.socket()
        b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        b.settimeout(DEADLINE)
        b.connect(("127.0.0.1", ports[1]))
        b.sendall(b"REGISTER sink\n")
        replies = b""
        while b"OK REGISTERED" not in replies:
            chunk = b.recv(4096)
            check(chunk, f"sink closed: {replies!r}")
            replies += chunk
        x, y = Client(ports[0]), Client(ports[0])
        check(a.ask("REGISTER source").startswith("OK REGISTERED"), "register source")
        check(x.ask("REGISTER lx").startswith("OK") and y.ask("REGISTER ly").startswith("OK"), "local users")
        check(x.ask("CONNECT ly").startswith("OK CONNECTED"), "local chat")
        expect(y, "CONNECTED lx", "local chat event")
        check(a.ask("CONNECT sink").startswith("OK CONNECTED sink"), "cross-node chat")
        # `sink` never reads again. `source` sends until its partner is gone; the sender runs
        # beside the reader, since the replies to MSGs after the chat ended must be read.
        stop = threading.Event()
        sent = [0]

        def send():
            line = ("MSG " + "z" * line_bytes + "\n").encode()
            with contextlib.suppress(OSError):
                while not stop.is_set() and sent[0] < 20000:
                    a.sock.sendall(line * 50)
                    sent[0] += 50

        sender = threading.Thread(target=send, daemon=True)
        started_at = time.monotonic()
        sender.start()
        line = a.line()
        check(line == "DISCONNECTED sink", f"source got {line!r} before DISCONNECTED")
        took = time.monotonic() - started_at
        stop.set()
        sender.join(timeout=DEADLINE)
        check(not sender.is_alive(), "the sender is stuck")
        # Node 0 goes on: the source still answers, the local chat relays; only node 1 cut someone.
        a.send("PING alive\n")
        while (line := a.line()) != "PONG alive":
            check(line.startswith("ERR NOT_IN_CHAT"), f"source got {line!r}")
        x.send("MSG still\n")
        expect(y, "MSG lx still", "local chat on node 0")
        check(c.metrics("n1").get("chat_slow_consumers_total") == 1, "node 1 did not count its slow consumer")
        check(c.metrics("n0").get("chat_slow_consumers_total") == 0, "node 0 cut a client")
        check(c.log.wait_for(r"\[n1\].*sink", timeout=1), "node 1 did not log the cut")
        b.close()
        print(f"a receiver on node 1 that stopped reading was cut after {sent[0]} MSGs of {line_bytes} B had been "
              f"sent; its partner on node 0 was told {took:.2f} s after the burst began; node 0 unaffected")


# --- faults ---

def node_kill(binary, pairs_count=20):
    with started(binary) as (c, ports):
        pairs = pair_up(ports, pairs_count)
        killed_at = time.monotonic()
        c.nodes[1].kill()  # SIGKILL: no goodbye to anyone
        # Every partner on the surviving node is told, without sending anything.
        reader = Reader([a for a, _ in pairs])
        told = reader.run(lambda lines: all("DISCONNECTED pb" in " ".join(x or "" for x in v)
                                            for v in lines.values()), timeout=12)
        took = time.monotonic() - killed_at
        check(told, f"partners not told within 12 s: {[v for v in reader.lines.values()][:3]}")
        check(took < 10.5, f"partners told after {took:.1f} s, more than 10")
        # The dead node's names are free.
        fresh = Client(ports[0])
        deadline = killed_at + 10.5
        while True:
            reply = fresh.ask(f"REGISTER pb{pairs_count - 1}")
            if reply.startswith("OK REGISTERED"):
                break
            check(time.monotonic() < deadline, f"the dead node's name still taken after 10 s: {reply}")
            time.sleep(0.1)
        freed = time.monotonic() - killed_at
        check(fresh.ask("WHO pb") == f"OK WHO 1 pb{pairs_count - 1}", "WHO still lists the dead node's users")
        print(f"kill -9 of a node: {pairs_count} partners told DISCONNECTED after {took:.2f} s, "
              f"its names free after {freed:.2f} s")


def stream_leader(cluster):
    for server in cluster.nats:
        if server.proc.poll() is not None:
            continue
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.monitor_port}/jsz?accounts=true&streams=true",
                                        timeout=2) as r:
                data = json.loads(r.read())
        except OSError:
            continue
        for account in data.get("account_details", []):
            for stream in account.get("stream_detail", []):
                if stream.get("name") == "KV_chat_names":
                    leader = stream.get("cluster", {}).get("leader")
                    for s in cluster.nats:
                        if f"n{s.index}" == leader:
                            return s
    return None


def leader_kill(binary, users=20):
    with started(binary, nats=3, nodes=2) as (c, ports):
        first = Client(ports[0])
        check(first.ask("REGISTER before").startswith("OK REGISTERED"), "register before")
        leader = stream_leader(c)
        check(leader is not None, "no leader found for the name bucket")
        killed_at = time.monotonic()
        leader.kill()
        clients = [Client(ports[i % 2]) for i in range(users)]
        for i, cl in enumerate(clients):
            cl.send(f"REGISTER after{i}\n")
        replies = [cl.line() for cl in clients]
        took = time.monotonic() - killed_at
        check(all(x.startswith("OK REGISTERED") for x in replies), f"REGISTER did not recover: {replies}")
        # Names claimed before the election are still held.
        check(Client(ports[1]).ask("REGISTER before").startswith("ERR NAME_TAKEN"), "a name was lost")
        print(f"kill -9 of the name bucket's leader (n{leader.index}): {users} REGISTERs answered OK, "
              f"the last {took:.2f} s after the kill")


def nats_restart(binary, pairs_count=20, messages=3000):
    with started(binary, urls=lambda c, i: c.nats[i].url) as (c, ports):
        pairs = pair_up(ports, pairs_count)
        for i, (a, b) in enumerate(pairs):
            a.sock.sendall("".join(f"MSG {k}\n" for k in range(messages)).encode())
        time.sleep(0.05)  # the burst is under way (what it has reached does not matter)
        c.nats[0].kill()
        c.nats[0].start()
        reader = Reader([b for _, b in pairs])
        finished = reader.run(lambda lines: all(len([x for x in v if x and x.startswith("MSG")]) == messages or
                                                any(x and x.startswith("DISCONNECTED") for x in v)
                                                for v in lines.values()), timeout=40)
        check(finished, "chats neither completed nor ended")
        ended = 0
        for i, (_, b) in enumerate(pairs):
            got = [x for x in reader.lines[b] if x and x.startswith("MSG")]
            want = [f"MSG pa{i} {k}" for k in range(len(got))]
            check(got == want, f"pair {i}: messages lost, repeated or reordered without DISCONNECTED")
            disconnected = any(x and x.startswith("DISCONNECTED") for x in reader.lines[b])
            check(len(got) == messages or disconnected, f"pair {i}: silent loss: {len(got)} of {messages}")
            ended += disconnected
        print(f"NATS server restarted under load: {pairs_count - ended} chats complete, {ended} ended with "
              f"DISCONNECTED, none silently lossy")


def register_until(client, name, wanted, deadline):
    """Sends REGISTER until the reply starts with `wanted` or the deadline passes; returns the last reply."""
    while True:
        reply = client.ask(f"REGISTER {name}")
        if reply.startswith(wanted) or time.monotonic() > deadline:
            return reply
        time.sleep(0.2)


def quorum_lost(binary):
    with started(binary, nats=3, nodes=2) as (c, ports):
        (a, b), = pair_up(ports, 1)
        x, y = Client(ports[0]), Client(ports[0])
        check(x.ask("REGISTER lx").startswith("OK") and y.ask("REGISTER ly").startswith("OK"), "local users")
        check(x.ask("CONNECT ly").startswith("OK CONNECTED"), "local chat")
        expect(y, "CONNECTED lx", "local chat event")
        lost_at = time.monotonic()
        for server in c.nats[1:]:
            server.kill()
        # No quorum: the name store cannot answer; each node loses its lease and says so.
        fresh = Client(ports[0])
        reply = register_until(fresh, "during", "ERR UNAVAILABLE", lost_at + 30)
        check(reply.startswith("ERR UNAVAILABLE"), f"REGISTER without quorum: {reply}")
        refused = time.monotonic() - lost_at
        check(c.log.wait_for(r"\[n0\].*cannot renew this node's lease", timeout=15), "lease loss not logged")
        # The cross-node chat ended on both sides; the local chat goes on.
        expect(a, "DISCONNECTED pb0", "cross-node chat, node 0 side")
        expect(b, "DISCONNECTED pa0", "cross-node chat, node 1 side")
        x.send("MSG still here\n")
        expect(y, "MSG lx still here", "local chat without NATS")
        back_at = time.monotonic()
        for server in c.nats[1:]:
            server.start()
        reply = register_until(fresh, "after", "OK REGISTERED", back_at + 40)
        check(reply.startswith("OK REGISTERED"), f"REGISTER did not recover: {reply}")
        recovered = time.monotonic() - back_at
        # Names held through the outage are still held (claimed again on recovery). Node 1 may
        # not have its own lease back yet: it answers UNAVAILABLE until then.
        other = Client(ports[1])
        reply = other.ask("REGISTER LX")
        while reply.startswith("ERR UNAVAILABLE") and time.monotonic() < back_at + 40:
            time.sleep(0.2)
            reply = other.ask("REGISTER LX")
        check(reply.startswith("ERR NAME_TAKEN"), f"a held name was lost: {reply}")
        check(x.ask("PING z") == "PONG z", "a local user was dropped")
        print(f"2 of 3 NATS servers killed: REGISTER refused with UNAVAILABLE after {refused:.1f} s, cross-node chat "
              f"ended, local chat went on; REGISTER worked again {recovered:.1f} s after the restart")


def name_lost(binary):
    """Node 0 loses NATS past its lease; meanwhile a user of node 1 takes one of node 0's
    names. Back on NATS, node 0 claims its names again: that user gets BYE NAME_LOST and
    is closed, and the user whose name nobody took keeps it."""
    # Node 0 reaches NATS through a proxy only (the servers do not advertise each other, so
    # it discovers no other way): cutting the proxy cuts node 0 off, and NATS itself goes on.
    proxy = None

    def urls(c, i):
        nonlocal proxy
        if i == 1:
            return c.urls()
        proxy = Proxy(c.nats[0].port)
        return proxy.url

    with started(binary, nats=3, nodes=2, urls=urls, advertise=False) as (c, ports):
        lose, keep = Client(ports[0]), Client(ports[0])
        check(lose.ask("REGISTER lose").startswith("OK REGISTERED"), "register lose")
        check(keep.ask("REGISTER keep").startswith("OK REGISTERED"), "register keep")
        mark = len(c.log.lines)
        cut_at = time.monotonic()
        proxy.cut()
        # Node 1 counts node 0 dead after the lease (7 s) and frees its names.
        check(c.log.wait_for(r"\[n1\].*is gone \(lease expired\)", timeout=12, start=mark),
              "node 1 did not notice node 0's lease expire")
        check(c.log.wait_for(r"\[n0\].*cannot renew this node's lease", timeout=5, start=mark),
              "node 0 did not notice that it lost its lease")
        thief = Client(ports[1])
        reply = register_until(thief, "LOSE", "OK REGISTERED", time.monotonic() + 5)
        check(reply.startswith("OK REGISTERED"), f"node 0's freed name not free on node 1: {reply}")
        taken_at = time.monotonic()
        proxy.restore()
        # Back on NATS: the taken name is the thief's; its old holder is told and closed.
        expect(lose, "BYE NAME_LOST", "the user whose name was taken")
        try:
            extra = lose.line()
            fail(f"the connection stayed open after BYE NAME_LOST: {extra!r}")
        except EOFError:
            pass
        told = time.monotonic() - taken_at
        # The other name is claimed again for its holder, who is still registered.
        observer = Client(ports[1])
        deadline = time.monotonic() + 10
        while (listed := observer.ask("WHO")) != "OK WHO 2 keep LOSE":
            check(time.monotonic() < deadline, f"the kept name is not listed again: {listed}")
            time.sleep(0.1)
        check(observer.ask("REGISTER KEEP").startswith("ERR NAME_TAKEN"), "the kept name is free on node 1")
        check(keep.ask("REGISTER other").startswith("ERR ALREADY_REGISTERED"), "the kept user lost its name")
        check(keep.ask("PING k") == "PONG k", "the kept user was dropped")
        check(thief.ask("PING t") == "PONG t", "the new owner was dropped")
        print(f"node cut off from NATS for {taken_at - cut_at:.1f} s while its name was taken: BYE NAME_LOST "
              f"{told:.1f} s after NATS came back; the untaken name kept")
    proxy.close()

def shutdown_release(binary, users=100):
    """A node stopped gracefully (SIGTERM) releases its users' names before it exits:
    another node can REGISTER them at once, not only when the lease runs out (7 s)."""
    with started(binary, nats=1, nodes=2, replicas=1) as (c, ports):
        clients = [Client(ports[0]) for _ in range(users)]
        for i, cl in enumerate(clients):
            check(cl.ask(f"REGISTER leaving{i}").startswith("OK REGISTERED"), "register")
        stopped_at = time.monotonic()
        c.nodes[0].terminate()
        # Each user closes on BYE, as clients do, so the node is free to exit at once.
        for cl in clients:
            expect(cl, "BYE SHUTDOWN", "a user of the stopping node")
            cl.close()
        code = c.nodes[0].wait(timeout=DEADLINE)
        exited = time.monotonic() - stopped_at
        check(code == 0, f"the node exited with {code}")
        fresh = Client(ports[1])
        for i in range(users):
            reply = fresh.ask(f"REGISTER leaving{i}")
            check(reply.startswith("OK REGISTERED"), f"leaving{i} still taken after a graceful stop: {reply}")
            check(fresh.ask("QUIT").startswith("OK BYE"), "quit")
            fresh = Client(ports[1])
        print(f"SIGTERM: the node exited after {exited:.2f} s with its {users} names released; "
              f"all free on the other node {time.monotonic() - stopped_at:.2f} s after the signal")


# --- metrics ---

def metric_becomes(cluster, node, sample, want, timeout=5):
    """Waits until `node`'s /metrics shows `sample` == `want`; fails with the last value seen."""
    deadline = time.monotonic() + timeout
    while (got := cluster.metrics(node).get(sample)) != want:
        check(time.monotonic() < deadline, f"{node}: {sample} is {got}, expected {want}")
        time.sleep(0.05)


def registered_gauge(binary):
    """chat_registered_users and the stats line count a node's own users, not the
    remote peers; over all nodes they add up to WHO's count."""
    with started(binary, nats=1, nodes=2, replicas=1,
                 extra=("--metrics-port", "0", "--stats-interval", "0.1")) as (c, ports):
        (a, b), = pair_up(ports, 1)  # pa0 on n0 chats with pb0 on n1: each node holds a remote peer for the other
        other = Client(ports[0])
        check(other.ask("REGISTER lonely").startswith("OK REGISTERED"), "register")
        check(a.ask("WHO") == "OK WHO 3 lonely pa0 pb0", "WHO across nodes")
        metric_becomes(c, "n0", "chat_registered_users", 2)
        metric_becomes(c, "n1", "chat_registered_users", 1)
        metric_becomes(c, "n0", "chat_active_chats", 1)
        metric_becomes(c, "n1", "chat_active_chats", 1)
        for node, want in (("n0", 2), ("n1", 1)):
            mark = len(c.log.lines)
            line = c.log.wait_for(rf"\[{node}\].*stats: .*registered=(\d+)", timeout=5, start=mark)
            check(line and int(line.group(1)) == want, f"{node}'s stats line: {line and line.group(0)}")
        # The chat ends: the remote peers go, the counts stay.
        check(a.ask("DISCONNECT").startswith("OK DISCONNECTED"), "disconnect")
        expect(b, "DISCONNECTED pa0", "partner told")
        metric_becomes(c, "n0", "chat_active_chats", 0)
        metric_becomes(c, "n1", "chat_active_chats", 0)
        check(c.metrics("n0")["chat_registered_users"] == 2, "n0 after the chat")
        check(c.metrics("n1")["chat_registered_users"] == 1, "n1 after the chat")


def cluster_metrics(binary, a_to_b=30, b_to_a=20):
    """Each node's cluster series after a known exchange: MSGs sent to and received from
    the other node, name claims and releases timed, and the NATS connection state."""
    metrics_of = ("--metrics-port", "0")
    with started(binary, nats=1, nodes=2, replicas=1, extra=metrics_of) as (c, ports):
        for node in ("n0", "n1"):
            m = c.metrics(node)
            check(m.get("chat_cluster_nats_connected") == 1, f"{node}: not connected: {m}")
            check(m.get("chat_cluster_messages_sent_total") == 0, f"{node}: sent before any chat")
        (a, b), = pair_up(ports, 1)
        a.send("".join(f"MSG a{k}\n" for k in range(a_to_b)))
        b.send("".join(f"MSG b{k}\n" for k in range(b_to_a)))
        for k in range(a_to_b):
            expect(b, f"MSG pa0 a{k}", "a to b")
        for k in range(b_to_a):
            expect(a, f"MSG pb0 b{k}", "b to a")
        metric_becomes(c, "n0", "chat_cluster_messages_sent_total", a_to_b)
        metric_becomes(c, "n0", "chat_cluster_messages_received_total", b_to_a)
        metric_becomes(c, "n1", "chat_cluster_messages_sent_total", b_to_a)
        metric_becomes(c, "n1", "chat_cluster_messages_received_total", a_to_b)
        # One claim per node (pa0, pb0); pa0's QUIT releases its name.
        for node in ("n0", "n1"):
            m = c.metrics(node)
            check(m.get('chat_cluster_kv_seconds_count{op="claim"}') == 1, f"{node}: claims timed: {m}")
            check(m.get('chat_cluster_kv_seconds_bucket{op="claim",le="+Inf"}') == 1, f"{node}: claim buckets")
            check(m.get('chat_cluster_kv_seconds_sum{op="claim"}', 0) > 0, f"{node}: claim time")
        a.ask("QUIT")
        metric_becomes(c, "n0", 'chat_cluster_kv_seconds_count{op="release"}', 1)
        check(c.metrics("n1").get('chat_cluster_kv_seconds_count{op="release"}') == 0, "n1 released a name")
        # The connection state follows NATS.
        c.nats[0].kill()
        metric_becomes(c, "n0", "chat_cluster_nats_connected", 0)
        c.nats[0].start()
        metric_becomes(c, "n0", "chat_cluster_nats_connected", 1, timeout=10)


SCENARIOS = {
    "faults.quorum_lost": quorum_lost,
    "faults.name_lost": name_lost,
    "faults.shutdown_release": shutdown_release,
    "metrics.registered": registered_gauge,
    "metrics.cluster": cluster_metrics,
    "faults.node_kill": node_kill,
    "faults.leader_kill": leader_kill,
    "faults.nats_restart": nats_restart,
    "startup.unreachable": startup_unreachable,
    "startup.no_jetstream": startup_no_jetstream,
    "names.register_race": register_race,
    "chat.relay_200x200": relay,
    "chat.disconnect_order": disconnect_order,
    "chat.order_both_ways": order_both_ways,
    "chat.slow_consumer": slow_consumer,
    "chat.who": who,
    "chat.connect_race": connect_race,
}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in SCENARIOS:
        print(__doc__)
        print("scenarios:", " ".join(SCENARIOS))
        sys.exit(2)
    began = time.monotonic()
    try:
        SCENARIOS[sys.argv[1]](sys.argv[2])
    except (OSError, EOFError, AssertionError) as e:  # a read timed out, a connection closed: show the logs
        import traceback
        traceback.print_exc()
        fail(f"{type(e).__name__}: {e}")
    print(f"ok ({time.monotonic() - began:.1f} s)")
