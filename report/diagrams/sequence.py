#!/usr/bin/env python3
"""Plays docs/protocol.md's Noy/Elias conversation against a real chat-server and draws
what went over the wire as a sequence diagram (Graphviz, for `neato -n2`).

Usage: sequence.py CHAT_SERVER OUT.dot [OUT.txt]

Every line the clients send and receive is recorded with its direction; the
script checks each reply against the one docs/protocol.md promises (so a protocol change
fails the build instead of drawing a stale picture) and draws exactly the
recorded lines. Reads across the two sockets happen in a fixed order, so the
same server gives the same drawing.
"""
import os
import socket
import sys

# The shared test harness: starting chat-server and waiting for its port, and the line client.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "support"))
from harness import Failure, LineClient, Process  # noqa: E402

TIMEOUT = 5.0  # seconds to wait for any one expected line

# The conversation: (who acts, what it sends, [(who receives, expected line)...]).
# None as the sent line: just connect.  "<EOF>": the server closes the connection.
SCRIPT = [
    ("Noy", None, [("Noy", "HELLO CHAT/1 *")]),
    ("Elias", None, [("Elias", "HELLO CHAT/1 *")]),
    ("Noy", "REGISTER Noy", [("Noy", "OK REGISTERED Noy")]),
    ("Elias", "REGISTER Elias", [("Elias", "OK REGISTERED Elias")]),
    ("Noy", "CONNECT Elias", [("Noy", "OK CONNECTED Elias"), ("Elias", "CONNECTED Noy")]),
    ("Noy", "MSG hi Elias", [("Elias", "MSG Noy hi Elias")]),
    ("Elias", "MSG hello Noy", [("Noy", "MSG Elias hello Noy")]),
    ("Noy", "DISCONNECT", [("Noy", "OK DISCONNECTED Elias"), ("Elias", "DISCONNECTED Noy")]),
    ("Noy", "QUIT", [("Noy", "OK BYE"), ("Noy", "<EOF>")]),
    ("Elias", "QUIT", [("Elias", "OK BYE"), ("Elias", "<EOF>")]),
]
EVENTS = ("CONNECTED ", "MSG ", "DISCONNECTED ")  # unsolicited lines pushed to a client


def fail(msg):
    sys.exit(f"sequence.py: {msg}")


def start_server(path):
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        fail(f"no chat-server at {path} (set CHAT_SERVER or build the repo first)")
    try:
        return Process([path, "--host", "127.0.0.1", "--port", "0", "--threads", "1"], timeout=TIMEOUT)
    except Failure as e:
        fail(str(e))


def read_line(client):
    """The next line without its LF, or "<EOF>" when the server closed."""
    raw = client.file.readline()  # raises socket.timeout after TIMEOUT
    if raw and not raw.endswith(b"\n"):
        fail(f"connection closed mid-line: {raw!r}")
    return raw[:-1].decode() if raw else "<EOF>"


def record(server_path):
    """Runs the conversation; returns [(from, to, text, kind)] in order."""
    steps = []
    server = start_server(server_path)
    try:
        clients = {}
        for actor, sent, expected in SCRIPT:
            if sent is None:
                clients[actor] = LineClient(server.port, timeout=TIMEOUT)
                steps.append((actor, "server", "TCP connect", "tcp"))
            else:
                clients[actor].send(sent + "\n")
                steps.append((actor, "server", sent, "command"))
            for who, want in expected:
                try:
                    got = read_line(clients[who])
                except socket.timeout:
                    fail(f"{who} waited {TIMEOUT} s for {want!r}")
                ok = got.startswith(want[:-1]) if want.endswith("*") else got == want
                if not ok:
                    fail(f"{who} expected {want!r}, got {got!r}")
                if got == "<EOF>":
                    steps.append(("server", who, "close (FIN)", "tcp"))
                else:
                    kind = "event" if who != actor or got.startswith(EVENTS) else "reply"
                    steps.append(("server", who, got, kind))
        for c in clients.values():
            c.close()
    finally:
        server.stop(timeout=TIMEOUT)
    return steps


# --- drawing -----------------------------------------------------------------
FONT, MONO, ACCENT, GREY = "DejaVu Sans", "DejaVu Sans Mono", "#1f5fa8", "#888888"
LANES = {"Noy": 0, "server": 1, "Elias": 2}
LANE_W = 196     # points between lifelines (16 cm = 453 pt for the whole figure)
ROW_H = 18      # points between steps
WIRE_PT = 8     # font size of the wire lines
CHAR_W = 0.602 * WIRE_PT  # advance of one DejaVu Sans Mono character


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def draw(steps):
    longest = max(len(t) for _, _, t, _ in steps)
    if longest * CHAR_W > LANE_W - 8:
        fail(f"a line of {longest} characters does not fit between two lifelines")
    top = (len(steps) + 1) * ROW_H + 10
    out = ["digraph sequence {",
           f'  graph [fontname={q(FONT)}, pad="0.05", margin=0, splines=line, outputorder=edgesfirst];',
           f'  node [fontname={q(FONT)}, fontsize=10, shape=box, style="rounded", height=0.3, fixedsize=false];',
           "  edge [arrowsize=0.6, penwidth=0.8];"]
    bottom = 0
    for name, i in LANES.items():
        x = i * LANE_W
        style = ', style="rounded,filled", fillcolor="#e8eef7"' if name == "server" else ""
        label = "chat-server" if name == "server" else name
        out.append(f'  head_{name} [label={q(label)}, pos="{x},{top}!", width=0.75{style}];')
        out.append(f'  foot_{name} [shape=point, width=0.01, style=invis, pos="{x},{bottom}!"];')
        out.append(f'  head_{name} -> foot_{name} [arrowhead=none, style=dashed, color={q(GREY)}];')
    for n, (src, dst, text, kind) in enumerate(steps):
        y = top - (n + 1) * ROW_H
        xa, xb = LANES[src] * LANE_W, LANES[dst] * LANE_W
        color = ACCENT if kind == "event" else ("black" if kind != "tcp" else GREY)
        style = "dashed" if kind == "tcp" else "solid"
        out.append(f'  a{n} [shape=point, width=0.01, style=invis, pos="{xa},{y}!"];')
        out.append(f'  b{n} [shape=point, width=0.01, style=invis, pos="{xb},{y}!"];')
        out.append(f'  a{n} -> b{n} [color={q(color)}, style={style}];')
        font = FONT if kind == "tcp" else MONO
        tcolor = GREY if kind == "tcp" else color
        out.append(f'  t{n} [shape=plaintext, label={q(text)}, fontname={q(font)}, fontsize={WIRE_PT}, '
                   f'fontcolor={q(tcolor)}, height=0.15, margin=0, pos="{(xa + xb) / 2},{y + 7}!"];')
    # Legend under the lifelines.
    ly = bottom - 16
    out.append(f'  legend [shape=plaintext, fontsize=8.5, height=0.15, margin=0, pos="{LANE_W},{ly}!", '
               f'label=<<font color="black">black: command or its reply</font>     '
               f'<font color="{ACCENT}">blue: event pushed to the peer</font>     '
               f'<font color="{GREY}">grey: TCP connection</font>>];')
    out.append("}")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    steps = record(sys.argv[1])
    with open(sys.argv[2], "w") as f:
        f.write(draw(steps))
    if len(sys.argv) == 4:
        with open(sys.argv[3], "w") as f:
            arrow = {"tcp": "..", "command": ">", "reply": "<", "event": "<"}
            for src, dst, text, kind in steps:
                f.write(f"{src:>6} -> {dst:<6} {arrow[kind]} {text}\n")


if __name__ == "__main__":
    main()
