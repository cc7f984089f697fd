#!/usr/bin/env python3
"""bench/memcheck.sh's churn of abrupt resets: 100 rounds of connections that send RST (SO_LINGER 0)
before HELLO is read, mid-line, and in a chat with 400 messages in flight. Prints how many it reset.

usage: bench/resets.py PORT
"""
import socket, struct, sys
port = int(sys.argv[1])
def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return s
def read_until(s, want):
    buf = b""
    while want not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit(f"server closed while waiting for {want!r}")
        buf += chunk
    return buf
n = 0
for i in range(100):
    conn().close()                                   # before HELLO is read
    s = conn(); s.sendall(b"REGISTER half"); s.close()  # mid-line
    a, b = conn(), conn()
    a.sendall(f"REGISTER ra{i}\n".encode()); read_until(a, b"OK REGISTERED")
    b.sendall(f"REGISTER rb{i}\nCONNECT ra{i}\n".encode()); read_until(b, b"OK CONNECTED")
    read_until(a, b"CONNECTED")
    a.sendall(b"MSG x\n" * 200)                      # messages in flight when both reset
    b.sendall(b"MSG y\n" * 200)
    (a if i % 2 else b).close()
    (b if i % 2 else a).close()
    n += 4
print(n)