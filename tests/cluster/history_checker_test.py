#!/usr/bin/env python3
"""The fault runs' checker can fail: a clean faked history passes, and one broken on purpose
per kind of violation is reported as exactly that kind."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import history_checker  # noqa: E402


class Fake:
    """A history written by hand: sessions, their lines, faults."""

    def __init__(self, names=("a", "b"), nodes=2):
        self.records = [{"t": 0.0, "ev": "meta", "nodes": nodes, "names": list(names)}]

    def at(self, t, ev, **fields):
        self.records.append({"t": t, "ev": ev, **fields})
        return self

    def open(self, t, s, node, role="actor", **info):
        self.at(t, "open", s=s, node=node, role=role, **info)
        return self.at(t, "recv", s=s, line="HELLO CHAT/1")

    def send(self, t, s, line):
        return self.at(t, "send", s=s, line=line)

    def recv(self, t, s, line):
        return self.at(t, "recv", s=s, line=line)

    def register(self, t, s, node, name, role="actor", **info):
        self.open(t, s, node, role, **info)
        self.send(t + 0.01, s, f"REGISTER {name}")
        return self.recv(t + 0.02, s, f"OK REGISTERED {name}")

    def without(self, s, line, at=None):
        """Drops the line `line` of session `s` (at time `at`, if several)."""
        self.records = [r for r in self.records
                        if not (r.get("s") == s and r.get("line") == line and (at is None or r["t"] == at))]
        return self

    def kinds(self):
        return sorted({kind for kind, _ in history_checker.check(self.records)})


def chat(fake, end_b=True):
    """Session 1 (a, node 0) and session 2 (b, node 1) chat: one MSG each way, then a leaves."""
    fake.register(0.1, 1, 0, "a").register(0.1, 2, 1, "b")
    fake.send(1.0, 1, "CONNECT b").recv(1.1, 1, "OK CONNECTED b").recv(1.1, 2, "CONNECTED a")
    fake.send(1.2, 1, "MSG 1.0").send(1.2, 1, "PING p1").recv(1.25, 1, "PONG p1").recv(1.3, 2, "MSG a 1.0")
    fake.send(1.4, 2, "MSG 2.0").send(1.4, 2, "PING p1").recv(1.45, 2, "PONG p1").recv(1.5, 1, "MSG b 2.0")
    fake.send(2.0, 1, "DISCONNECT").recv(2.1, 1, "OK DISCONNECTED b")
    if end_b:
        fake.recv(2.1, 2, "DISCONNECTED a")
    fake.send(3.0, 1, "QUIT").recv(3.1, 1, "OK BYE").at(3.1, "close", s=1)
    fake.send(3.0, 2, "QUIT").recv(3.1, 2, "OK BYE").at(3.1, "close", s=2)
    return fake


def healed(fake, serve=(0.7, 0.7), free=4.1):
    """The fault's heal at 0.5, nodes serving and names free afterwards."""
    fake.at(0.4, "fault", kind="none").at(0.5, "heal")
    for node, at in enumerate(serve):
        fake.register(at - 0.02, 10 + node, node, f"serve{node}", role="serve_probe")
    fake.at(4.0, "workload_end")
    sid = 20
    for name in ("a", "b"):
        for node in (0, 1):
            fake.register(free, sid, node, name, role="free_probe")
            sid += 1
    return fake


class CheckerTest(unittest.TestCase):
    def test_clean_history_passes(self):
        self.assertEqual(healed(chat(Fake())).kinds(), [])

    def test_two_holders(self):
        fake = healed(chat(Fake()))
        fake.register(1.0, 9, 1, "A")  # while session 1 still shows it holds "a" (MSG at 1.5)
        self.assertEqual(fake.kinds(), ["two_holders"])

    def test_phantom_connected(self):
        fake = healed(chat(Fake()))
        fake.without(1, "OK CONNECTED b").recv(1.1, 1, "ERR UNAVAILABLE the name store does not answer")
        fake.without(1, "MSG 1.0").without(1, "PING p1").without(1, "PONG p1").without(2, "MSG a 1.0")
        fake.without(1, "MSG b 2.0").without(1, "DISCONNECT").without(1, "OK DISCONNECTED b")
        kinds = fake.kinds()
        self.assertIn("phantom_connected", kinds)
        self.assertTrue(set(kinds) <= {"phantom_connected", "silent_loss"}, kinds)

    def test_phantom_connected_is_the_later_one(self):
        fake = healed(chat(Fake()))
        # A stale holder of "b" is told CONNECTED a after the real holder was: it is the phantom,
        # and the real chat's MSGs count as delivered where they belong.
        fake.register(0.05, 9, 0, "b").recv(1.9, 9, "CONNECTED a")
        self.assertEqual(fake.kinds(), ["phantom_connected", "two_holders"])

    def test_one_sided_connect(self):
        fake = healed(Fake())
        fake.register(0.1, 1, 0, "a").register(0.1, 2, 1, "b")
        fake.send(1.0, 1, "CONNECT b").recv(1.1, 1, "OK CONNECTED b")
        fake.send(2.0, 1, "DISCONNECT").recv(2.1, 1, "OK DISCONNECTED b")
        self.assertEqual(fake.kinds(), ["one_sided_connect"])

    def test_one_sided_end(self):
        fake = healed(chat(Fake(), end_b=False))  # b is never told; it leaves 1 s later (QUIT at 3.0)
        fake.records = [r for r in fake.records if not (r.get("s") == 2 and r["t"] >= 3.0)]
        fake.send(9.0, 2, "QUIT").recv(9.1, 2, "OK BYE").at(9.1, "close", s=2)
        self.assertEqual(fake.kinds(), ["one_sided_end"])

    def test_silent_loss(self):
        fake = healed(chat(Fake()))
        fake.without(1, "MSG b 2.0")  # accepted at 1.4, and the next one came, not it
        fake.send(1.6, 2, "MSG 2.1").send(1.6, 2, "PING p2").recv(1.65, 2, "PONG p2").recv(1.7, 1, "MSG b 2.1")
        self.assertEqual(fake.kinds(), ["silent_loss"])

    def test_duplicate(self):
        fake = healed(chat(Fake()))
        fake.recv(1.35, 2, "MSG a 1.0")
        self.assertEqual(fake.kinds(), ["duplicate"])

    def test_reorder(self):
        fake = healed(chat(Fake()))
        fake.send(1.6, 1, "MSG 1.1").send(1.6, 1, "PING p2").recv(1.65, 1, "PONG p2")
        fake.without(2, "MSG a 1.0").recv(1.7, 2, "MSG a 1.1").recv(1.75, 2, "MSG a 1.0")
        self.assertEqual(fake.kinds(), ["reorder"])

    def test_msg_after_disconnected(self):
        fake = healed(chat(Fake()))
        fake.recv(2.5, 2, "MSG a 1.0")
        kinds = fake.kinds()
        self.assertIn("msg_after_disconnected", kinds)

    def test_misdelivered(self):
        fake = healed(chat(Fake()))
        fake.recv(1.32, 2, "MSG a 1.7")  # never sent by a
        self.assertEqual(fake.kinds(), ["misdelivered"])

    def test_name_not_freed(self):
        fake = healed(chat(Fake()))
        fake.records = [r for r in fake.records if not (r.get("s") == 23)]  # "b" on node 1 never free
        self.assertEqual(fake.kinds(), ["name_not_freed"])

    def test_reply_late(self):
        fake = healed(chat(Fake()))
        fake.open(1.0, 30, 1).send(1.1, 30, "REGISTER c").recv(13.0, 30, "ERR UNAVAILABLE no lease")
        self.assertEqual(fake.kinds(), ["reply_late"])

    def test_stopped_node_is_not_late(self):
        fake = healed(chat(Fake()))
        fake.at(1.0, "stop", node=1).at(11.0, "resume", node=1)
        fake.open(1.0, 30, 1).send(1.1, 30, "REGISTER c").recv(13.0, 30, "ERR UNAVAILABLE no lease")
        self.assertEqual(fake.kinds(), [])

    def test_unanswered_is_late(self):
        fake = healed(chat(Fake()))
        fake.open(1.0, 30, 1).send(1.1, 30, "WHO").at(16.1, "close", s=30)
        self.assertEqual(fake.kinds(), ["reply_late"])

    def test_not_serving(self):
        fake = healed(chat(Fake()), serve=(0.7, 11.0))
        self.assertEqual(fake.kinds(), ["not_serving"])

    def test_every_kind_is_shown_failing(self):
        shown = {name[len("test_"):] for name in dir(self) if name.startswith("test_")}
        self.assertEqual(sorted(set(history_checker.KINDS) - shown), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
