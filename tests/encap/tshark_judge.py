#!/usr/bin/env python3
"""Wireshark's own dissectors judge the pcaps chat-encap writes (and real captures).

Usage:
  tshark_judge.py CHECK --encap BIN --csv CSV --workdir DIR   # generate, then judge
  tshark_judge.py real --pcap PCAP --csv CSV                  # judge a real capture's payloads

tshark exits 0 even when a checksum is bad, so every check parses its output.
Each check prints what it saw and exits 1 on the first failed expectation.
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "part1"))
from side_by_side import connection_rows  # noqa: E402

GATE_FILTER = ("ip.checksum.status != 1 || tcp.checksum.status != 1 || tcp.analysis.flags"
               " || _ws.malformed || _ws.expert.severity >= warning")
# IPv6 has no header checksum: a frame without ip.checksum.status would match "!= 1".
GATE_FILTER_IPV6 = "tcp.checksum.status != 1 || tcp.analysis.flags || _ws.malformed || _ws.expert.severity >= warning"
CHECKSUM_PREFS = ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE"]


# The checks that generate their own pcap (CTest runs each as e2e.encap_tshark.NAME); `real` judges a capture.
CHECKS = ["gate", "gate-ipv6", "gate-raw", "completeness", "follow", "follow-ipv6", "follow-negative", "segments",
          "corrupt-ip", "corrupt-tcp", "determinism", "cli-errors", "unprivileged", "time-edges"]


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def tshark(*args):
    exe = shutil.which("tshark")
    expect(exe is not None, "tshark is not installed (tools/dev deps installs it)")
    # Generous: tshark is quick (<1 s here) but a loaded CI machine can starve it.
    proc = subprocess.run([exe, *args], capture_output=True, text=True, timeout=600)
    expect(proc.returncode == 0, f"tshark {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc.stdout


def run_encap(encap, csv_path, out, *extra):
    proc = subprocess.run([encap, csv_path, "-o", out, "--print", "none", *extra], capture_output=True, text=True,
                          timeout=60)
    expect(proc.returncode == 0, f"chat-encap failed ({proc.returncode}): {proc.stderr}")
    return out


# ---- what the CSV says the streams must carry (read with Python's csv, not our reader) ----

def load_rows(csv_path):
    with open(csv_path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def connections(rows):
    """[(client_port, server_port, [(from_client, bytes), ...])] in order of first appearance,
    the server found as chat-encap finds it (side_by_side.connection_rows)."""
    return [(client, server, [(int(r["src_port"]) == client, (r["message"] + "\n").encode()) for r in conn_rows])
            for client, server, conn_rows in connection_rows(rows)]


def merge(chunks):
    """Joins consecutive chunks sent the same way: TCP keeps no message boundaries."""
    out = []
    for from_client, data in chunks:
        if out and out[-1][0] == from_client:
            out[-1] = (from_client, out[-1][1] + data)
        else:
            out.append((from_client, data))
    return out


# ---- tshark -z follow parsing ----

def follow(pcap, stream, mode, extra=()):
    """[(from_node0, bytes)] of one stream, from tshark's follow output."""
    text = tshark("-r", pcap, *extra, "-q", "-z", f"follow,tcp,{mode},{stream}")
    head, sep, body = text.partition("Node 1: ")
    expect(sep, f"no follow output for stream {stream}:\n{text}")
    body = body.split("\n", 1)[1]
    body = body[:body.find("\n" + "=" * 20) + 1]
    chunks = []
    if mode == "raw":
        for line in body.splitlines():
            if not line.strip():
                continue
            chunks.append((not line.startswith("\t"), bytes.fromhex(line.strip())))
    else:  # ascii: "[\t]LENGTH\n" then LENGTH characters, then "\n"
        pos = 0
        while pos < len(body):
            end = body.index("\n", pos)
            header = body[pos:end]
            if not header.strip():
                pos = end + 1
                continue
            length = int(header.strip())
            data = body[end + 1:end + 1 + length]
            chunks.append((not header.startswith("\t"), data.encode()))
            pos = end + 1 + length + 1
    return chunks


def check_payloads(pcap, csv_path, extra=()):
    conns = connections(load_rows(csv_path))
    streams = tshark("-r", pcap, *extra, "-T", "fields", "-e", "tcp.stream").split()
    count = len(set(streams))
    expect(count == len(conns), f"{count} TCP streams in {pcap}, the CSV has {len(conns)} connections")
    for index, (client, server, lines) in enumerate(conns):
        want = merge(lines)
        for mode in ("raw", "ascii"):
            got = merge(follow(pcap, index, mode, extra))
            if got != want:
                for i, (g, w) in enumerate(zip(got + [None] * len(want), want + [None] * len(got))):
                    if g != w:
                        raise Failure(f"stream {index} ({client}<->{server}), follow {mode}, chunk {i}:\n"
                                      f"  pcap: {g!r:.300}\n  csv:  {w!r:.300}")
        messages = sum(1 for _ in lines)
        print(f"tcp.stream {index} (the CSV's {client} <-> {server}): {messages} CSV messages reassembled "
              f"byte for byte in order (follow raw and ascii)")


# ---- checks ----

def gate(pcap, ipv6=False):
    flt = GATE_FILTER_IPV6 if ipv6 else GATE_FILTER
    bad = tshark("-r", pcap, *CHECKSUM_PREFS, "-Y", flt)
    print(f"$ tshark -r {os.path.basename(pcap)} -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -Y '{flt}'")
    print(bad if bad else "(no frame selected)")
    expect(not bad.strip(), f"the gate selected frames in {pcap}")
    # And make sure the fields exist: a typo'd field would also select nothing.
    rows = tshark("-r", pcap, *CHECKSUM_PREFS, "-T", "fields", "-e", "ip.checksum.status", "-e",
                  "tcp.checksum.status").splitlines()
    ip_status = {r.split("\t")[0] for r in rows}
    tcp_status = {r.split("\t")[1] for r in rows}
    expect(tcp_status == {"1"}, f"tcp.checksum.status not all Good: {tcp_status}")
    expect(ip_status == ({""} if ipv6 else {"1"}), f"ip.checksum.status not as expected: {ip_status}")
    frames = rows
    expect(frames, f"tshark read no frame from {pcap}")
    print(f"{len(frames)} frames, every IP and TCP checksum Good, no analysis flag, no warning")
    return frames


def completeness(pcap):
    # -2: two passes, so every frame carries the stream's final completeness.
    out = tshark("-2", "-r", pcap, "-T", "fields", "-e", "tcp.stream", "-e", "tcp.completeness")
    per_stream = {}
    for line in out.splitlines():
        stream, value = line.split("\t")
        per_stream.setdefault(stream, set()).add(int(value))
    expect(per_stream, "no TCP stream")
    for stream, values in sorted(per_stream.items()):
        print(f"stream {stream}: tcp.completeness {sorted(values)}")
        expect(values == {31}, f"stream {stream} completeness {values}, want 31 (SYN, SYN-ACK, ACK, DATA, FIN)")
    return per_stream


def segments(pcap, csv_path, mss):
    rows = load_rows(csv_path)
    conns = connections(rows)
    # The longest message, and where it sits in its sender's byte stream.
    target = max(rows, key=lambda r: len(r["message"]))
    data = (target["message"] + "\n").encode()
    expect(len(data) > mss, f"the longest message ({len(data)} bytes) fits in one {mss}-byte segment")
    src = int(target["src_port"])
    key = frozenset((src, int(target["dst_port"])))
    index = next(i for i, c in enumerate(conns) if frozenset((c[0], c[1])) == key)
    offset = 1  # relative sequence numbers start at 1 after the SYN
    for r in rows:
        if r is target:
            break
        if int(r["src_port"]) == src and frozenset((src, int(r["dst_port"]))) == key:
            offset += len((r["message"] + "\n").encode())
    out = tshark("-r", pcap, "-T", "fields", "-e", "frame.number", "-e", "tcp.stream", "-e", "tcp.srcport",
                 "-e", "tcp.seq", "-e", "tcp.len", "-e", "tcp.payload")
    parts = []
    for line in out.splitlines():
        number, stream, sport, seq, length, payload = (line.split("\t") + [""] * 6)[:6]
        if int(stream) == index and int(sport) == src and int(length) > 0 and \
                offset <= int(seq) < offset + len(data):
            parts.append((int(number), int(seq), int(length), bytes.fromhex(payload)))
    want = -(-len(data) // mss)
    print(f"msg_id {target['msg_id']} ({len(data)} bytes with its LF, MSS {mss}) travels in frames "
          f"{[p[0] for p in parts]} with lengths {[p[2] for p in parts]}")
    expect(len(parts) == want and len(parts) >= 2, f"{len(parts)} segments, want {want}")
    expect(all(p[2] == mss for p in parts[:-1]), "every segment but the last should be full")
    expect(b"".join(p[3] for p in parts) == data, "the segments do not add up to the message")


def corrupt(encap, csv_path, workdir, layer, frame_number):
    pcap = run_encap(encap, csv_path, os.path.join(workdir, f"corrupt-{layer}-{frame_number}.pcap"),
                     "--corrupt", f"{layer}:{frame_number}")
    out = tshark("-r", pcap, *CHECKSUM_PREFS, "-Y", GATE_FILTER, "-T", "fields", "-e", "frame.number",
                 "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "_ws.expert.message")
    print(f"--corrupt {layer}:{frame_number}: the gate selects\n{out}")
    lines = out.splitlines()
    expect([l.split("\t")[0] for l in lines] == [str(frame_number)],
           f"want exactly frame {frame_number} selected, got {[l.split(chr(9))[0] for l in lines]}")
    _, ip_status, tcp_status, _ = (lines[0].split("\t") + [""] * 4)[:4]
    if layer == "ip":
        expect(ip_status == "0" and tcp_status == "1", f"want IP Bad (0), TCP Good (1): {ip_status}, {tcp_status}")
    else:
        expect(ip_status == "1" and tcp_status == "0", f"want IP Good (1), TCP Bad (0): {ip_status}, {tcp_status}")


def determinism(encap, csv_path, workdir):
    for extra in ([], ["--ipv6"], ["--linktype", "raw"], ["--mss", "100"]):
        tag = "-".join(e.strip("-") for e in extra) or "default"
        a = run_encap(encap, csv_path, os.path.join(workdir, f"det-{tag}-a.pcap"), *extra)
        b = run_encap(encap, csv_path, os.path.join(workdir, f"det-{tag}-b.pcap"), *extra)
        with open(a, "rb") as fa, open(b, "rb") as fb:
            da, db = fa.read(), fb.read()
        expect(da == db, f"two runs with {extra} differ")
        print(f"{tag}: two runs, {len(da)} identical bytes")
    with open(os.path.join(workdir, "det-default-a.pcap"), "rb") as f1, \
            open(os.path.join(workdir, "det-ipv6-a.pcap"), "rb") as f2:
        expect(f1.read() != f2.read(), "IPv4 and IPv6 output are the same: the comparison proves nothing")


def cli_errors(encap, csv_path, workdir):
    help_out = subprocess.run([encap, "--help"], capture_output=True, text=True, timeout=30)
    expect(help_out.returncode == 0 and "--corrupt" in help_out.stdout, "--help does not work")
    header = "msg_id,app_protocol,src_app,dst_app,src_port,dst_port,message,timestamp\n"
    ok_row = "1,CHAT/1,Noy,server,50001,5555,REGISTER Noy,2026-11-24T10:00:00Z\n"
    cases = {
        "missing-column": ("msg_id,app_protocol,src_app,dst_app,src_port,dst_port,message\n1,C,a,b,1,2,m\n",
                           ":1:63: missing column \"timestamp\""),
        "bad-port": (header + "1,CHAT/1,Noy,server,50001,99999,REGISTER Noy,2026-11-24T10:00:00Z\n",
                     ":2:27: column dst_port: \"99999\" is not a port"),
        "non-monotonic": (header + ok_row + "2,CHAT/1,server,Noy,5555,50001,OK,2026-11-24T09:59:59Z\n",
                          ":3:35: column timestamp"),
        "malformed-row": (header + ok_row + "2,CHAT/1,server,Noy,5555,50001,\"OK\n",
                          ":3:32: malformed row: quoted field is never closed"),
        "field-count": (header + "1,CHAT/1,Noy,server,50001,5555\n", ":2:31: malformed row: 6 fields"),
    }
    for name, (text, message) in cases.items():
        path = os.path.join(workdir, f"bad-{name}.csv")
        with open(path, "w", newline="") as f:
            f.write(text)
        proc = subprocess.run([encap, path, "-o", os.path.join(workdir, "bad.pcap")], capture_output=True,
                              text=True, timeout=30)
        print(f"{name}: exit {proc.returncode}: {proc.stderr.strip()}")
        expect(proc.returncode == 2, f"{name}: exit {proc.returncode}, want 2")
        expect(path + message in proc.stderr, f"{name}: stderr lacks {path + message!r}")
    for args, why in ((["--corrupt", "ip"], "bad --corrupt"), (["--corrupt", "tcp:100000"], "no such frame"),
                      (["--mss", "0"], "MSS out of range")):
        proc = subprocess.run([encap, csv_path, "-o", os.path.join(workdir, "bad.pcap"), *args],
                              capture_output=True, text=True, timeout=30)
        print(f"{' '.join(args)}: exit {proc.returncode}: {proc.stderr.strip()}")
        expect(proc.returncode == 2, f"{why}: exit {proc.returncode}, want 2")
    missing = subprocess.run([encap, os.path.join(workdir, "nope.csv"), "-o", os.path.join(workdir, "bad.pcap")],
                             capture_output=True, text=True, timeout=30)
    expect(missing.returncode == 2 and "cannot open" in missing.stderr, "a missing input file is not exit 2")


def capinfos_times(pcap):
    """(first, last) packet times in seconds since the epoch, as capinfos reads them."""
    exe = shutil.which("capinfos")
    expect(exe is not None, "capinfos is not installed (it comes with tshark)")
    proc = subprocess.run([exe, "-a", "-e", "-S", "-T", "-r", pcap], capture_output=True, text=True, timeout=600)
    expect(proc.returncode == 0, f"capinfos {pcap} failed ({proc.returncode}): {proc.stderr}")
    _, first, last = proc.stdout.strip().split("\t")
    return first, last


def time_edges(encap, workdir):
    """Record times at the edges of classic pcap, read back by capinfos and tshark.

    Rows at the epoch are written with the handshake moved up to it (never a negative or
    wrapped sub-second field); the last representable second is written as is; rows before
    1970, at 2106-02-07T06:28:16Z and in year 9999 are refused with exit 2 at their row."""
    header = "msg_id,app_protocol,src_app,dst_app,src_port,dst_port,message,timestamp\n"

    def exchange(first, second):
        return (header + f"1,CHAT/1,Noy,server,50001,5555,REGISTER Noy,{first}\n"
                f"2,CHAT/1,server,Noy,5555,50001,OK REGISTERED Noy,{second}\n")

    def write(name, text):
        path = os.path.join(workdir, name)
        with open(path, "w", newline="") as f:
            f.write(text)
        return path

    accepted = {
        "epoch": (exchange("0", "1970-01-01T00:00:00.000001Z"), "0.000000", "0.000900"),
        "last-second": (exchange("2106-02-07T06:28:15Z", "2106-02-07T06:28:15.5Z"), "4294967294.999700",
                        "4294967295.500400"),
    }
    for name, (text, first_want, last_want) in accepted.items():
        pcap = run_encap(encap, write(f"time-{name}.csv", text), os.path.join(workdir, f"time-{name}.pcap"))
        first, last = capinfos_times(pcap)
        print(f"{name}: capinfos first {first}, last {last}")
        expect((first, last) == (first_want, last_want), f"{name}: want first {first_want}, last {last_want}")
        rows = tshark("-r", pcap, "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.time_delta").split("\n")
        stamps = [r.split("\t") for r in rows if r]
        expect(len(stamps) == 10, f"{name}: {len(stamps)} frames, want 10")
        for epoch, delta in stamps:
            # A wrapped or negative sub-second field shows as a fraction past .999999 or a negative delta.
            expect(not epoch.startswith("-") and not delta.startswith("-"), f"{name}: time goes back: {epoch} {delta}")
            expect(0 <= float(epoch) < 2 ** 32, f"{name}: {epoch} is outside classic pcap's range")
        print(f"{name}: {len(stamps)} frames, times from {stamps[0][0]} to {stamps[-1][0]}, never backwards")

    refused = {
        "after-2106": (exchange("2106-02-07T06:28:15Z", "2106-02-07T06:28:16Z"),
                       ":3:50: column timestamp: the frames of this row would fall after 2106-02-07T06:28:15.999999Z"),
        "before-1970": (exchange("1969-12-31T23:59:59Z", "1970-01-01T00:00:01Z"),
                        ":2:45: column timestamp: 1969-12-31T23:59:59.000000Z is before 1970-01-01T00:00:00Z"),
        "year-9999": (exchange("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"), ":2:45: column timestamp"),
    }
    for name, (text, message) in refused.items():
        path = write(f"time-{name}.csv", text)
        proc = subprocess.run([encap, path, "-o", os.path.join(workdir, f"time-{name}.pcap")], capture_output=True,
                              text=True, timeout=30)
        print(f"{name}: exit {proc.returncode}: {proc.stderr.strip()}")
        expect(proc.returncode == 2, f"{name}: exit {proc.returncode}, want 2")
        expect(path + message in proc.stderr, f"{name}: stderr lacks {path + message!r}")


def follow_negative(pcap, csv_path, workdir):
    """The payload judge must notice one changed byte: a judge that cannot fail proves nothing."""
    rows = load_rows(csv_path)
    rows[len(rows) // 2]["message"] = rows[len(rows) // 2]["message"][:-1] + "#"
    path = os.path.join(workdir, "tampered.csv")
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    try:
        check_payloads(pcap, path)
    except Failure as e:
        print(f"tampered CSV rejected as it should be: {str(e).splitlines()[0]}")
        return
    raise Failure("the follow check accepted a CSV whose message differs from the pcap")


def unprivileged(encap, csv_path, workdir):
    """Without root or CAP_NET_RAW, --send and capture-real.sh say so plainly and fail (no silent skip)."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "part1", "capture-real.sh")
    drop = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        expect(setpriv is not None, "setpriv (util-linux) is needed to drop root for this check")
        drop = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]
        # The checkout may sit where nobody cannot read (/root): run copies from a shared scratch dir.
        shared = tempfile.mkdtemp(prefix="encap-unprivileged.", dir="/tmp")
        os.chmod(shared, 0o777)
        for name, source in (("chat-encap", encap), ("input.csv", csv_path), ("capture-real.sh", script)):
            shutil.copy2(source, os.path.join(shared, name))
            os.chmod(os.path.join(shared, name), 0o755)
        encap, csv_path, script, workdir = (os.path.join(shared, "chat-encap"), os.path.join(shared, "input.csv"),
                                            os.path.join(shared, "capture-real.sh"), shared)
    try:
        proc = subprocess.run([*drop, encap, csv_path, "-o", os.path.join(workdir, "send.pcap"), "--print", "none",
                               "--send"], capture_output=True, text=True, timeout=60)
        print(f"chat-encap --send unprivileged: exit {proc.returncode}: {proc.stderr.strip()}")
        expect(proc.returncode == 1 and "needs root or CAP_NET_RAW" in proc.stderr, "--send without privilege")
        proc = subprocess.run([*drop, script, "--out", os.path.join(workdir, "real.pcap")], capture_output=True,
                              text=True, timeout=60)
        print(f"capture-real.sh unprivileged: exit {proc.returncode}: {proc.stderr.strip()}")
        expect(proc.returncode == 1 and "must run as root" in proc.stderr, "capture-real.sh without root")
    finally:
        if drop:
            shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("check", choices=CHECKS + ["real", "list"], help="`list` prints the generating checks")
    parser.add_argument("--encap", help="chat-encap binary")
    parser.add_argument("--csv")
    parser.add_argument("--workdir", help="where generated files go")
    parser.add_argument("--pcap", help="for `real`: the captured pcap")
    args = parser.parse_args()
    if args.check == "list":
        print("\n".join(CHECKS))
        return 0
    if not args.csv:
        parser.error("--csv is required")
    if args.workdir:
        os.makedirs(args.workdir, exist_ok=True)

    def generated(name, *extra):
        return run_encap(args.encap, args.csv, os.path.join(args.workdir, name), *extra)

    try:
        c = args.check
        if c == "gate":
            gate(generated("gate.pcap"))
        elif c == "gate-ipv6":
            gate(generated("gate-ipv6.pcap", "--ipv6"), ipv6=True)
        elif c == "gate-raw":
            gate(generated("gate-raw.pcap", "--linktype", "raw"))
        elif c == "completeness":
            completeness(generated("completeness.pcap"))
        elif c == "follow":
            check_payloads(generated("follow.pcap"), args.csv)
        elif c == "follow-ipv6":
            check_payloads(generated("follow-ipv6.pcap", "--ipv6"), args.csv)
        elif c == "follow-negative":
            follow_negative(generated("follow-negative.pcap"), args.csv, args.workdir)
        elif c == "segments":
            segments(generated("segments.pcap"), args.csv, 1460)
            segments(generated("segments-536.pcap", "--mss", "536"), args.csv, 536)
        elif c == "corrupt-ip":
            gate(generated("corrupt-baseline.pcap"))
            corrupt(args.encap, args.csv, args.workdir, "ip", 4)
            corrupt(args.encap, args.csv, args.workdir, "ip", 30)
        elif c == "corrupt-tcp":
            corrupt(args.encap, args.csv, args.workdir, "tcp", 1)
            corrupt(args.encap, args.csv, args.workdir, "tcp", 31)
        elif c == "determinism":
            determinism(args.encap, args.csv, args.workdir)
        elif c == "cli-errors":
            cli_errors(args.encap, args.csv, args.workdir)
        elif c == "time-edges":
            time_edges(args.encap, args.workdir)
        elif c == "unprivileged":
            unprivileged(args.encap, args.csv, args.workdir)
        elif c == "real":
            # Real loopback captures carry unfinished TCP checksums (offload): leave tcp.check_checksum off.
            check_payloads(args.pcap, args.csv, ("-o", "tcp.check_checksum:FALSE"))
    except (Failure, subprocess.TimeoutExpired) as e:
        print(f"FAIL: {e}")
        return 1
    print(f"PASS: {args.check}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
