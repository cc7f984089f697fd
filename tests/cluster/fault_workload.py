"""The fault runs' workload: client sessions on every node that register contended names, chat
across nodes with numbered MSGs (each followed by a PING, so that a refused one is seen), race
two CONNECTs to one target, and probe at the end that names are free and nodes serve. Every
line sent and received goes into a History with its monotonic time; history_checker judges it.

Every wait is bounded; the pacing waits are on the stop event, so a stop ends them at once.
"""
import json
import queue
import random
import socket
import threading
import time

REPLY_WAIT = 15.0    # longer than the documented 10 s, so that a late reply is seen, not guessed
CONNECT_WAIT = 3.0   # opening a TCP connection to a node
PAUSE = 0.03         # between one MSG+PING and the next


class History:
    """Records, each with the time since the run began; written out as JSON lines."""

    def __init__(self):
        self.began = time.monotonic()
        self.lock = threading.Lock()
        self.records = []
        self.next_sid = 0

    def record(self, ev, **fields):
        with self.lock:
            self.records.append({"t": round(time.monotonic() - self.began, 4), "ev": ev, **fields})

    def new_sid(self):
        with self.lock:
            self.next_sid += 1
            return self.next_sid

    def write(self, path):
        with self.lock, open(path, "w") as f:
            for r in self.records:
                f.write(json.dumps(r) + "\n")


class Gone(Exception):
    """The session ended (EOF, BYE) or stopped answering."""


class Session:
    """One client connection; a reader thread records every line and queues it for the owner."""

    def __init__(self, history, node, port, role, **info):
        self.history = history
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=CONNECT_WAIT)
        self.sock.settimeout(None)
        self.sid = history.new_sid()
        history.record("open", s=self.sid, node=node, role=role, **info)
        self.lines = queue.Queue()
        self.closed = False
        self.name = None
        self.partner = None       # whom the server last said we chat with
        self.numbered = 0         # MSG numbers sent in this session
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        with self.sock.makefile("rb") as f:
            try:
                for raw in f:
                    line = raw.decode(errors="replace").rstrip("\n")
                    self.history.record("recv", s=self.sid, line=line)
                    self.lines.put(line)
            except OSError:
                pass
        if not self.closed:
            self.history.record("eof", s=self.sid)
        self.lines.put(None)

    def send(self, line):
        self.history.record("send", s=self.sid, line=line)
        try:
            self.sock.sendall((line + "\n").encode())
        except OSError as e:
            raise Gone(str(e))

    def next_line(self, timeout):
        """The next line (events update the chat state), None at EOF; raises Gone on timeout."""
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise Gone("no line in time")
        if line is None:
            self.lines.put(None)  # stays at EOF
            raise Gone("eof")
        if line.startswith("CONNECTED ") or line.startswith("OK CONNECTED "):
            self.partner = line.rsplit(" ", 1)[1]
        elif line.startswith(("DISCONNECTED ", "OK DISCONNECTED", "ERR NOT_IN_CHAT")):
            self.partner = None
        return line

    def request(self, line, timeout=REPLY_WAIT):
        """Sends a request and returns its reply; events before it are taken in."""
        self.send(line)
        end = time.monotonic() + timeout
        while True:
            got = self.next_line(max(0.0, end - time.monotonic()))
            if got.startswith(("OK", "ERR", "PONG")):
                return got
            if got.startswith("BYE "):
                raise Gone(got)

    def wait_event(self, prefix, timeout):
        """Takes lines in until one starts with `prefix`; False if none came in time."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return False
            try:
                got = self.next_line(left)
            except Gone as e:
                if str(e) == "no line in time":
                    return False
                raise
            if got.startswith(prefix):
                return True
            if got.startswith("BYE "):
                raise Gone(got)

    def send_numbered(self, count, stop, pause=PAUSE):
        """Up to `count` MSGs, each followed by a PING that shows whether it was refused."""
        for _ in range(count):
            if self.partner is None or stop.is_set():
                return
            self.send(f"MSG {self.sid}.{self.numbered}")
            self.numbered += 1
            token = f"p{self.numbered}"
            self.send(f"PING {token}")
            end = time.monotonic() + REPLY_WAIT
            while self.next_line(max(0.0, end - time.monotonic())) != f"PONG {token}":
                pass
            stop.wait(pause)

    def close(self, how="close"):
        """Ends the session: QUIT (waits for OK BYE) or just closing the socket."""
        if how == "quit" and not self.closed:
            try:
                self.request("QUIT", timeout=5)
            except Gone:
                pass
        self.closed = True
        self.history.record("close", s=self.sid)
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def open_session(history, node, port, role, stop, **info):
    """A session on `node`, retried while the node is down (killed, restarting) until `stop`."""
    while not stop.is_set():
        try:
            s = Session(history, node, port, role, **info)
            if s.next_line(5.0).startswith("HELLO"):
                return s
            s.close()
        except (OSError, Gone):
            pass
        stop.wait(0.3)
    return None


def play_target(session, rng, stop, pause=PAUSE):
    """Told CONNECTED: send numbered MSGs back, then wait for the partner to end the chat; if
    it does not in time, end it ourselves (the checker sees the late end)."""
    session.send_numbered(rng.randint(5, 25), stop, pause)
    if session.partner is not None and not session.wait_event("DISCONNECTED", 8.0):
        session.request("DISCONNECT")


def play_requester(session, target, rng, stop):
    reply = session.request(f"CONNECT {target}")
    if not reply.startswith("OK CONNECTED"):
        if session.partner is not None:  # someone connected to us meanwhile
            play_target(session, rng, stop)
        return
    session.send_numbered(rng.randint(5, 25), stop)
    ending = rng.random()
    if ending < 0.75:
        if session.partner is not None:
            session.request("DISCONNECT")
    else:
        raise Gone("quit" if ending < 0.9 else "close")  # the session ends with the chat


def actor(history, node, port, names, seed, stop):
    """One user slot: sessions one after another, each registering a contended name, then
    chatting with others or being chatted with, then leaving by QUIT or by closing."""
    rng = random.Random(seed)
    while not stop.is_set():
        session = open_session(history, node, port, "actor", stop)
        if session is None:
            return
        how = "quit" if rng.random() < 0.5 else "close"
        try:
            for name in rng.sample(names, 3):
                reply = session.request(f"REGISTER {name}")
                if reply.startswith("OK REGISTERED"):
                    session.name = name
                    break
                if reply.startswith("ERR UNAVAILABLE"):
                    stop.wait(0.5)
            for _ in range(rng.randint(1, 4) if session.name else 0):
                if stop.is_set():
                    break
                if session.partner is None and session.wait_event("CONNECTED", rng.uniform(0.2, 1.5)):
                    play_target(session, rng, stop)
                elif session.partner is not None:
                    play_target(session, rng, stop)
                else:
                    play_requester(session, rng.choice([n for n in names if n != session.name]), rng, stop)
        except Gone as e:
            how = str(e) if str(e) in ("quit", "close") else "close"
        session.close(how)


def race(history, ports, stop, rounds=1000):
    """The no-fault race: two users of node 0 CONNECT to one user of node 1 at the same moment.
    The winner and the target exchange numbered MSGs; the winner then DISCONNECTs."""
    target_done = threading.Event()

    def target_side():
        while not stop.is_set():
            t = open_session(history, 1, ports[1], "race", stop)
            if t is None:
                return
            try:
                if not t.request("REGISTER racet").startswith("OK REGISTERED"):
                    t.close()
                    stop.wait(1.0)
                    continue
                while not stop.is_set():
                    # Slower than the winner: MSGs still go out after the winner has left.
                    if t.wait_event("CONNECTED", 1.0):
                        play_target(t, random.Random(1), stop, pause=0.2)
            except Gone:
                pass
            t.close("quit")
        target_done.set()

    threading.Thread(target=target_side, daemon=True).start()
    for r in range(rounds):
        if stop.is_set():
            break
        users = [open_session(history, 0, ports[0], "race", stop) for _ in range(2)]
        try:
            if None in users:
                break
            for i, u in enumerate(users):
                if not u.request(f"REGISTER race{r}x{i}").startswith("OK REGISTERED"):
                    raise Gone("not registered")
            for u in users:
                u.send("CONNECT racet")
            for u in users:
                end = time.monotonic() + REPLY_WAIT
                while not (line := u.next_line(max(0.0, end - time.monotonic()))).startswith(("OK", "ERR")):
                    pass
                if line.startswith("OK CONNECTED"):
                    u.send_numbered(10, stop)
                    if u.partner is not None:
                        u.request("DISCONNECT")
        except Gone:
            pass
        for u in users:
            if u is not None:
                u.close("quit")
        stop.wait(0.5)
    target_done.wait(REPLY_WAIT + 10)


def register_until_ok(history, node, port, role, next_name, deadline, **info):
    """REGISTERs next_name() on `node` in a fresh session each try until one is answered OK (then
    QUIT) or the deadline passes; every try is in the history."""
    never = threading.Event()
    while time.monotonic() < deadline:
        s = None
        try:
            s = Session(history, node, port, role, **info)
            s.next_line(5.0)
            # The deadline stops new tries only: a reply is awaited in full, so that a slow
            # node's REGISTER shows up as late rather than vanishing at the deadline.
            if s.request(f"REGISTER {next_name()}", timeout=REPLY_WAIT).startswith("OK REGISTERED"):
                s.close("quit")
                return
        except (OSError, Gone):
            pass
        if s is not None:
            s.close()
        never.wait(0.3)


def probe_free(history, node, port, name, deadline):
    """After the workload: is `name` free on `node` (by the deadline)?"""
    register_until_ok(history, node, port, "free_probe", lambda: name, deadline, name=name)


def probe_serving(history, node, port, until):
    """From the heal on: does `node` answer a REGISTER of a fresh name with OK?"""
    attempts = iter(range(1, 1 << 30))
    register_until_ok(history, node, port, "serve_probe", lambda: f"serve{node}x{next(attempts)}", until)
