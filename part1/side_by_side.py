#!/usr/bin/env python3
"""The hand-built and the real conversation side by side, from tshark's fields.

Usage: side_by_side.py --csv CSV --built PCAP [--real PCAP] [--frames]

Prints, for each pcap, what its handshake and headers look like, then per CSV row
the frames that carry it (the frame <-> msg_id mapping), then with --frames both
frame lists next to each other. Data frames are mapped to rows through their
relative sequence numbers and the message lengths in the CSV.
"""
import argparse
import csv
import shutil
import subprocess
import sys

FIELDS = ["frame.number", "tcp.stream", "tcp.srcport", "tcp.dstport", "tcp.flags.str", "tcp.seq", "tcp.ack",
          "tcp.len", "tcp.options.mss_val", "tcp.options.wscale.shift", "tcp.options.sack_perm",
          "tcp.options.timestamp.tsval", "tcp.seq_raw", "ip.id", "ip.flags.df", "ip.ttl", "tcp.window_size_value",
          "ip.checksum.status", "tcp.checksum.status", "frame.time_relative"]


def tshark_rows(pcap):
    # Checksum checks on so the status fields say Good or Bad, not Unverified.
    out = subprocess.run([shutil.which("tshark"), "-r", pcap, "-o", "ip.check_checksum:TRUE", "-o",
                          "tcp.check_checksum:TRUE", "-T", "fields", "-E", "occurrence=f",
                          *sum((["-e", f] for f in FIELDS), [])],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    return [dict(zip(FIELDS, line.split("\t"))) for line in out.splitlines()]


def connection_rows(rows):
    """[(client_port, server_port, [row, ...])] per connection, in order of first appearance.

    Same mapping as chat-encap: the ports name the connection; the server is the port
    in the most connections (ties: the lower port)."""
    order, used = [], {}
    for r in rows:
        key = frozenset((int(r["src_port"]), int(r["dst_port"])))
        if key not in order:
            order.append(key)
        for p in key:
            used.setdefault(p, set()).add(key)
    result = []
    for key in order:
        a, b = sorted(key)
        server = a if len(used[a]) >= len(used[b]) else b
        client = b if server == a else a
        result.append((client, server, [r for r in rows if frozenset((int(r["src_port"]), int(r["dst_port"]))) == key]))
    return result


def csv_streams(rows):
    """Per connection (in order of appearance): {src_port: [(start, end, msg_id)]} in relative sequence numbers."""
    streams = []
    for _, server, conn_rows in connection_rows(rows):
        offsets = {"client": 1, "server": 1}
        ranges = {"client": [], "server": []}
        for r in conn_rows:
            side = "server" if int(r["src_port"]) == server else "client"
            n = len((r["message"] + "\n").encode())
            ranges[side].append((offsets[side], offsets[side] + n, r["msg_id"]))
            offsets[side] += n
        streams.append({"server_port": server, "ranges": ranges})
    return streams


def carried(frames, streams):
    """{msg_id: [frame numbers]} for data frames, and {frame number: msg_id}."""
    by_msg, by_frame = {}, {}
    for f in frames:
        if not f["tcp.len"] or int(f["tcp.len"]) == 0:
            continue
        s = streams[int(f["tcp.stream"])] if int(f["tcp.stream"]) < len(streams) else None
        if s is None:
            continue
        # The server side is the port that is not the client's: in a real capture the server port differs
        # from the CSV's, so tell the sides apart by who sent the SYN (stream's first frame) instead.
        side = "server" if f["tcp.srcport"] == f.get("_server_port") else "client"
        start, end = int(f["tcp.seq"]), int(f["tcp.seq"]) + int(f["tcp.len"])
        for lo, hi, msg in s["ranges"][side]:
            if lo < end and start < hi:
                by_msg.setdefault(msg, []).append(int(f["frame.number"]))
                by_frame.setdefault(int(f["frame.number"]), []).append(msg)
    return by_msg, by_frame


def mark_server_ports(frames):
    """The server port of each stream is the destination of its SYN."""
    server = {}
    for f in frames:
        if f["tcp.flags.str"].find("S") >= 0 and f["tcp.flags.str"].find("A") < 0:
            server.setdefault(f["tcp.stream"], f["tcp.dstport"])
    for f in frames:
        f["_server_port"] = server.get(f["tcp.stream"])


def describe(name, frames):
    syns = [f for f in frames if "S" in f["tcp.flags.str"]]
    data = [f for f in frames if f["tcp.len"] and int(f["tcp.len"]) > 0]
    streams = sorted({f["tcp.stream"] for f in frames})
    statuses = {("IP", f["ip.checksum.status"]) for f in frames} | {("TCP", f["tcp.checksum.status"]) for f in frames}
    words = {"0": "Bad", "1": "Good", "2": "Unverified", "": "n/a"}
    print(f"{name}: {len(frames)} frames, {len(streams)} TCP streams, {len(data)} data segments")
    s = syns[0] if syns else {}
    opts = []
    if s.get("tcp.options.mss_val"):
        opts.append(f"MSS {s['tcp.options.mss_val']}")
    if s.get("tcp.options.sack_perm"):
        opts.append("SACK permitted")
    if s.get("tcp.options.timestamp.tsval"):
        opts.append("timestamps")
    if s.get("tcp.options.wscale.shift"):
        opts.append(f"window scale {s['tcp.options.wscale.shift']}")
    print(f"  SYN options: {', '.join(opts) or 'none'}; ISN (raw) {s.get('tcp.seq_raw', '?')}; "
          f"window {s.get('tcp.window_size_value', '?')}")
    print(f"  IP: DF {s.get('ip.flags.df', '?')}, TTL {s.get('ip.ttl', '?')}, first IDs "
          f"{', '.join(f['ip.id'] for f in frames[:3])}")
    print("  checksums: " + ", ".join(f"{layer} {words.get(v, v)}" for layer, v in sorted(statuses)))


def line(f, by_frame):
    if f is None:
        return ""
    flags = "".join(c for c in f["tcp.flags.str"] if c not in "·\u00b7 ")
    text = (f"{f['frame.number']:>3} s{f['tcp.stream']} {f['tcp.srcport']:>5}>{f['tcp.dstport']:<5} "
            f"{flags:<4} seq={f['tcp.seq']:<5} ack={f['tcp.ack']:<5} len={f['tcp.len']:<4}")
    msgs = by_frame.get(int(f["frame.number"]))
    return text + (f" #{','.join(msgs)}" if msgs else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", required=True)
    parser.add_argument("--built", required=True)
    parser.add_argument("--real")
    parser.add_argument("--frames", action="store_true", help="also list every frame of both")
    args = parser.parse_args()
    with open(args.csv, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    streams = csv_streams(rows)
    pcaps = [("hand-built", args.built)] + ([("real", args.real)] if args.real else [])
    frames, maps = {}, {}
    for name, path in pcaps:
        frames[name] = tshark_rows(path)
        mark_server_ports(frames[name])
        maps[name] = carried(frames[name], streams)
        describe(name, frames[name])
    print()
    header = f"{'msg_id':>6}  {'from':<7} {'message':<34} " + "  ".join(f"{n + ' frames':<18}" for n, _ in pcaps)
    print(header)
    for r in rows:
        text = r["message"] if len(r["message"]) <= 32 else r["message"][:29] + "..."
        cols = "  ".join(f"{' '.join(map(str, maps[n][0].get(r['msg_id'], ['-']))):<18}" for n, _ in pcaps)
        print(f"{r['msg_id']:>6}  {r['src_app']:<7} {text:<34} {cols}")
    if args.frames:
        print()
        left, right = frames["hand-built"], frames.get("real", [])
        width = 72
        print(f"{'hand-built':<{width}} | real")
        for i in range(max(len(left), len(right))):
            a = line(left[i] if i < len(left) else None, maps["hand-built"][1])
            b = line(right[i] if i < len(right) else None, maps["real"][1]) if right else ""
            print(f"{a:<{width}} | {b}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
