"""Checks a fault run's history (JSON lines written by fault_workload.History) against cluster
mode's promises (docs/cluster.md, "What cluster mode promises" and "Fault injection") and returns the
violations found, each as (kind, text).

A history holds, with monotonic times `t` in seconds:
  {"ev": "meta", "nodes": N, "names": [...]}        the names the free-name probes try
  {"ev": "open", "s": sid, "node": i, "role": r, ...} a client session (role: actor, race,
                                                     free_probe with "name", serve_probe)
  {"ev": "send"|"recv", "s": sid, "line": text}     a line sent, a line received (in order)
  {"ev": "eof"|"close", "s": sid}                   the server closed it; the workload closed it
  {"ev": "fault", "kind": k} / {"ev": "heal"}       the fault's start and its end
  {"ev": "stop"|"resume", "node": i}                node i stopped (SIGSTOP, kill -9) / running again
  {"ev": "workload_end"}                            every actor's session is closed by then

The checker trusts only what clients saw: a name is held at a moment only if its holder's
session showed it (a reply or an event that only the name's owner gets); a chat's two sides are
matched by the requester's CONNECT and the target's CONNECTED event; MSG texts are
"<sender session>.<number>", so every delivered MSG names the very send it came from.
"""
import collections
import json

REPLY_BOUND = 11.0        # REGISTER, CONNECT, WHO: ERR UNAVAILABLE after 10 s, plus 1 s of slack
SERVE_BOUND = 10.0        # every node serves (REGISTER answered OK) within this of the heal
FREE_BOUND = 30.0         # every ended session's name is free within this of the heal
FREE_AFTER_END = 10.0     # ... and within this of the workload's last session closing
END_BOUND = 3.0           # both sides of a chat learn that it ended within this of each other
END_BOUND_FAULT = 15.0    # the same while a fault is on (a lease is 7 s; a pause up to 12 s)
FAULT_TAIL = 5.0          # a fault's effects count as "on" this long after its heal
IN_FLIGHT = 1.0           # a MSG sent this near its chat's end may be lost with it
OVERLAP_SLACK = 0.1       # reader threads see a line this late at most (two holders at once)
NEAR_EOF = 2.0            # an OK CONNECTED whose target's session died this near needs no event

KINDS = ("two_holders", "phantom_connected", "one_sided_connect", "one_sided_end", "silent_loss",
         "duplicate", "reorder", "msg_after_disconnected", "misdelivered", "name_not_freed",
         "reply_late", "not_serving")


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def is_reply(line):
    return line.startswith(("OK ", "ERR ", "PONG")) or line in ("OK", "PONG")


class Segment:
    """One side of one chat, as one session saw it: from OK CONNECTED or CONNECTED to its end."""

    def __init__(self, session, partner, started, requested_by=None):
        self.session, self.partner, self.started = session, partner, started
        self.request = requested_by      # the CONNECT request that opened it (requester side)
        self.ended, self.end_kind = None, "open"  # told, self, lost, silent, open
        self.sent = []                   # MSG requests sent in it
        self.received = []               # (time, sender sid, number)
        self.match = None


class Request:
    def __init__(self, line, sent):
        self.line, self.sent, self.reply, self.answered = line, sent, None, None
        self.verb = line.split(" ", 1)[0]
        self.payload = line[4:] if self.verb == "MSG" else None
        self.accepted = None  # MSG: True once a later reply shows it drew no ERR


class Session:
    def __init__(self, rec):
        self.sid, self.node, self.role = rec["s"], rec.get("node"), rec.get("role")
        self.info = rec
        self.opened = rec["t"]
        self.name, self.registered = None, None
        self.evidence = []               # times the session showed it owns its name
        self.requests = []
        self.segments = []
        self.closed = None               # eof or close time
        self.lost = False                # the server closed it (eof, BYE)


class History:
    def __init__(self, records):
        self.records = sorted(records, key=lambda r: r["t"])
        self.end = self.records[-1]["t"] if self.records else 0.0
        self.meta = next((r for r in self.records if r["ev"] == "meta"), {"nodes": 0, "names": []})
        self.faults = [r["t"] for r in self.records if r["ev"] == "fault" and r.get("kind") != "none"]
        self.heals = [r["t"] for r in self.records if r["ev"] == "heal"]
        self.workload_end = next((r["t"] for r in self.records if r["ev"] == "workload_end"), self.end)
        self.stopped = collections.defaultdict(list)  # node -> [(from, to)]
        stops = {}
        for r in self.records:
            if r["ev"] == "stop":
                stops[r["node"]] = r["t"]
            elif r["ev"] == "resume" and r["node"] in stops:
                self.stopped[r["node"]].append((stops.pop(r["node"]), r["t"]))
        for node, since in stops.items():
            self.stopped[node].append((since, self.end))
        self.sessions = {}
        self.violations = []
        self._replay()

    def violation(self, kind, text):
        self.violations.append((kind, text))

    def stopped_within(self, node, start, end):
        return sum(max(0.0, min(end, b) - max(start, a)) for a, b in self.stopped.get(node, []))

    def fault_on(self, t):
        heals = [h for h in self.heals if any(f <= h for f in self.faults)]
        windows = list(zip(self.faults, heals + [self.end] * (len(self.faults) - len(heals))))
        return any(a <= t <= b + FAULT_TAIL for a, b in windows)

    # --- one pass over every session's lines ---

    def _replay(self):
        pending = {}
        open_segment = {}
        for r in self.records:
            ev = r["ev"]
            if ev == "open":
                self.sessions[r["s"]] = Session(r)
                pending[r["s"]] = collections.deque()
                open_segment[r["s"]] = None
                continue
            if "s" not in r or r["s"] not in self.sessions:
                continue
            s = self.sessions[r["s"]]
            if s.closed is not None:
                continue
            queue, t = pending[s.sid], r["t"]
            seg = open_segment[s.sid]
            if ev == "send":
                req = Request(r["line"], t)
                s.requests.append(req)
                queue.append(req)
                if req.verb == "MSG" and seg is not None:
                    seg.sent.append(req)
                continue
            if ev in ("eof", "close"):
                s.closed, s.lost = t, ev == "eof"
                if seg is not None:
                    self._end(seg, t, "lost" if ev == "eof" else "self")
                open_segment[s.sid] = None
                continue
            line = r["line"]
            if line.startswith("HELLO"):
                continue
            if is_reply(line):
                while queue and queue[0].verb == "MSG" and not line.startswith("ERR"):
                    queue.popleft().accepted = True  # a MSG draws no reply when accepted
                if not queue:
                    continue
                req = queue.popleft()
                req.reply, req.answered = line, t
                if req.verb == "MSG":
                    req.accepted = False
                    if seg is not None and line.startswith("ERR NOT_IN_CHAT"):
                        self.violation("one_sided_end", f"session {s.sid} ({s.name}): {req.line!r} refused "
                                       f"NOT_IN_CHAT at {t:.2f} in a chat with {seg.partner} never said to end")
                        self._end(seg, t, "silent")
                        open_segment[s.sid] = None
                elif req.verb == "REGISTER" and line.startswith("OK REGISTERED"):
                    s.name, s.registered = line.split(" ", 2)[2], t
                    s.evidence.append(t)
                elif req.verb == "CONNECT" and line.startswith("OK CONNECTED"):
                    s.evidence.append(t)
                    open_segment[s.sid] = self._start(s, line.split(" ", 2)[2], t, req)
                elif line.startswith("OK DISCONNECTED") and seg is not None:
                    self._end(seg, t, "self")
                    open_segment[s.sid] = None
                elif line.startswith("OK BYE"):
                    if seg is not None:
                        self._end(seg, t, "self")
                    open_segment[s.sid] = None
                continue
            if line.startswith("CONNECTED "):
                s.evidence.append(t)
                if seg is not None:
                    self.violation("one_sided_connect", f"session {s.sid} got {line!r} while in a chat with "
                                   f"{seg.partner}")
                open_segment[s.sid] = self._start(s, line.split(" ", 1)[1], t, None)
            elif line.startswith("DISCONNECTED "):
                if seg is not None:
                    self._end(seg, t, "told")
                open_segment[s.sid] = None
            elif line.startswith("MSG "):
                s.evidence.append(t)
                parts = line.split(" ", 2)
                sender, _, number = (parts[2] if len(parts) > 2 else "").partition(".")
                if seg is None:
                    self.violation("msg_after_disconnected", f"session {s.sid} ({s.name}) got {line!r} at "
                                   f"{t:.2f} outside any chat")
                elif sender.isdigit() and number.isdigit():
                    seg.received.append((t, int(sender), int(number)))
            elif line.startswith("BYE "):
                if seg is not None:
                    self._end(seg, t, "lost")
                open_segment[s.sid] = None
                s.lost = True

    def _start(self, session, partner, t, request):
        seg = Segment(session, partner, t, request)
        session.segments.append(seg)
        return seg

    @staticmethod
    def _end(seg, t, kind):
        seg.ended, seg.end_kind = t, kind

    # --- the checks ---

    def check(self):
        self.check_names_held_once()
        self.check_chats()
        self.check_names_freed()
        self.check_liveness()
        return self.violations

    def check_names_held_once(self):
        by_name = collections.defaultdict(list)
        for s in self.sessions.values():
            if s.name is not None:
                by_name[s.name.lower()].append(s)
        for name, holders in by_name.items():
            for i, a in enumerate(holders):
                for b in holders[i + 1:]:
                    # One showed it held the name while the other's span of showing it lasted.
                    both = [t for x, y in ((a, b), (b, a)) for t in x.evidence
                            if y.evidence[0] + OVERLAP_SLACK < t < y.evidence[-1] - OVERLAP_SLACK]
                    if both:
                        self.violation("two_holders", f"name {name!r} held by session {a.sid} (node {a.node}, "
                                       f"{a.evidence[0]:.2f}-{a.evidence[-1]:.2f}) and session {b.sid} (node "
                                       f"{b.node}, {b.evidence[0]:.2f}-{b.evidence[-1]:.2f}) at once")

    def _connect_requests(self):
        """(requester name, target name) -> CONNECT requests, in sending order."""
        found = collections.defaultdict(list)
        for s in self.sessions.values():
            for req in s.requests:
                if req.verb == "CONNECT" and s.name is not None and " " in req.line:
                    found[(s.name.lower(), req.line.split(" ", 1)[1].lower())].append((req, s))
        for tries in found.values():
            tries.sort(key=lambda pair: pair[0].sent)
        return found

    def check_chats(self):
        requests = self._connect_requests()
        by_request = {id(seg.request): seg for s in self.sessions.values() for seg in s.segments if seg.request}
        # Target sides in the order they were told, so that a stale second CONNECTED is the phantom.
        targets = sorted(((seg, s) for s in self.sessions.values() for seg in s.segments),
                         key=lambda pair: pair[0].started)
        for seg, s in targets:
            if seg.request is not None or s.name is None:
                continue
            # A target side: its partner's latest CONNECT to it sent before the event.
            tries = [(req, r) for req, r in requests.get((seg.partner.lower(), s.name.lower()), [])
                     if req.sent <= seg.started]
            if not tries:
                self.violation("phantom_connected", f"session {s.sid} ({s.name}) got CONNECTED {seg.partner} at "
                               f"{seg.started:.2f} with no CONNECT from {seg.partner} before it")
                continue
            req, _ = tries[-1]
            other = by_request.get(id(req))
            if other is None:
                self.violation("phantom_connected", f"session {s.sid} ({s.name}) got CONNECTED {seg.partner} at "
                               f"{seg.started:.2f}; the CONNECT sent at {req.sent:.2f} was answered "
                               f"{req.reply!r}")
            elif other.match is not None:
                self.violation("phantom_connected", f"session {s.sid} ({s.name}) got a second CONNECTED "
                               f"{seg.partner} for one CONNECT (at {seg.started:.2f})")
            else:
                other.match, seg.match = seg, other
        senders = {}
        for s in self.sessions.values():
            for seg in s.segments:
                for req in seg.sent:
                    senders[(s.sid, req.payload)] = seg
        for s in self.sessions.values():
            for seg in s.segments:
                if seg.request is not None and seg.match is None and not self._target_died_near(seg):
                    self.violation("one_sided_connect", f"session {s.sid} ({s.name}) got OK CONNECTED {seg.partner} "
                                   f"at {seg.started:.2f}; {seg.partner} never got CONNECTED {s.name}")
                if seg.match is not None and seg.request is not None:
                    self._check_ends(seg, seg.match)
                for t, sender, number in seg.received:
                    origin = senders.get((sender, f"{sender}.{number}"))
                    if origin is None or origin is not seg.match:
                        self.violation("misdelivered", f"session {s.sid} ({s.name}) got MSG {sender}.{number} at "
                                       f"{t:.2f}, not sent in a chat with it")
                if seg.match is not None:
                    self._check_messages(seg.match, seg)

    def _target_died_near(self, seg):
        return any(s.name is not None and s.name.lower() == seg.partner.lower() and s.lost and s.closed is not None
                   and abs(s.closed - seg.started) <= NEAR_EOF for s in self.sessions.values())

    def _end_bound(self, first, later_side):
        bound = END_BOUND_FAULT if self.fault_on(first) else END_BOUND
        return bound + self.stopped_within(later_side.session.node, first, first + bound + 30)

    def _in_flight(self, t, side):
        """How long around t a MSG may still be under way (a fault holds it up)."""
        if not self.fault_on(t):
            return IN_FLIGHT
        return END_BOUND_FAULT + self.stopped_within(side.session.node, t - END_BOUND_FAULT, t + END_BOUND_FAULT + 30)

    def _check_ends(self, a, b):
        ends = sorted([(x.ended if x.ended is not None else float("inf"), x) for x in (a, b)], key=lambda e: e[0])
        (first, _), (second, later) = ends
        if first == float("inf"):
            return  # both open at the end of the history: the workload never ended it
        if second - first > self._end_bound(first, later):
            when = "never" if second == float("inf") else f"{second - first:.2f} s later"
            self.violation("one_sided_end", f"chat {a.session.name}({a.session.sid})-{b.session.name}({b.session.sid}) "
                           f"ended at {first:.2f} on one side; the other side ({later.session.sid}) {when} "
                           f"({a.end_kind}/{b.end_kind})")

    def _check_messages(self, sender, receiver):
        numbers = [n for _, sid, n in receiver.received if sid == sender.session.sid]
        seen = set()
        for i, n in enumerate(numbers):
            if n in seen:
                self.violation("duplicate", f"session {receiver.session.sid} got {sender.session.sid}.{n} twice")
            elif i and n < numbers[i - 1]:
                self.violation("reorder", f"session {receiver.session.sid} got {sender.session.sid}.{n} after "
                               f"{sender.session.sid}.{numbers[i - 1]}")
            seen.add(n)
        # A MSG may be lost only in flight when the chat ended on both sides: not followed by
        # one delivered, sent at most IN_FLIGHT before the first end, and at most IN_FLIGHT after
        # the receiver's end (before the sender could be told); longer while a fault is on.
        both_ended = sender.ended is not None and receiver.ended is not None
        if both_ended:
            first = min(sender.ended, receiver.ended)
            window = (first - self._in_flight(first, receiver), receiver.ended + self._in_flight(receiver.ended, sender))
        last = max(seen, default=-1)
        for req in sender.sent:
            number = int(req.payload.split(".", 1)[1])
            if not req.accepted or number in seen:
                continue
            if number < last or not both_ended or not window[0] <= req.sent <= window[1]:
                self.violation("silent_loss", f"MSG {req.payload} accepted at {req.sent:.2f} in chat "
                               f"{sender.session.name}->{receiver.session.name}, never delivered "
                               f"(sender's end {sender.end_kind}, receiver's end {receiver.end_kind} "
                               f"at {receiver.ended})")

    def check_names_freed(self):
        heal = max(self.heals) if self.heals else self.workload_end
        deadline = max(heal + FREE_BOUND, self.workload_end + FREE_AFTER_END)
        freed = {}
        for s in self.sessions.values():
            if s.role == "free_probe" and s.name is not None:
                key = (s.name.lower(), s.node)
                freed[key] = min(freed.get(key, s.registered), s.registered)
        for name in self.meta["names"]:
            for node in range(self.meta["nodes"]):
                at = freed.get((name.lower(), node))
                if at is None or at > deadline:
                    self.violation("name_not_freed", f"name {name!r} not free on node {node} by {deadline:.2f} "
                                   f"({'never' if at is None else f'at {at:.2f}'})")

    def check_liveness(self):
        for s in self.sessions.values():
            for req in s.requests:
                if req.verb not in ("REGISTER", "CONNECT", "WHO"):
                    continue
                answered = req.answered if req.answered is not None else s.closed
                seen_until = answered if answered is not None else self.end
                allowed = REPLY_BOUND + self.stopped_within(s.node, req.sent, seen_until)
                if req.answered is not None and req.answered - req.sent > allowed:
                    self.violation("reply_late", f"{req.line!r} on node {s.node} answered after "
                                   f"{req.answered - req.sent:.2f} s ({req.reply!r})")
                elif req.answered is None and seen_until - req.sent > allowed:
                    self.violation("reply_late", f"{req.line!r} on node {s.node} sent at {req.sent:.2f} not "
                                   f"answered in {seen_until - req.sent:.2f} s")
        heal = max(self.heals) if self.heals else None
        if heal is None:
            return
        for node in range(self.meta["nodes"]):
            served = [s.registered for s in self.sessions.values()
                      if s.role == "serve_probe" and s.node == node and s.registered is not None
                      and s.registered >= heal]
            if not served or min(served) - heal > SERVE_BOUND:
                self.violation("not_serving", f"node {node} not serving within {SERVE_BOUND:.0f} s of the heal at "
                               f"{heal:.2f} ({'never' if not served else f'{min(served) - heal:.2f} s'})")


def check(records):
    """The violations in a history (a list of records), as [(kind, text)]."""
    return History(records).check()


def count(violations):
    counts = dict.fromkeys(KINDS, 0)
    for kind, _ in violations:
        counts[kind] += 1
    return counts
