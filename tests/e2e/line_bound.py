#!/usr/bin/env python3
"""The longest line the server sends, and chat-client's own limit, at the boundary.

Usage: line_bound.py SCENARIO PATH/TO/chat-server PATH/TO/chat-client
  relay         a 32-character name sends the longest MSG a default server takes (4,096 bytes);
                chat-client (script mode) receives the relayed 4,129-byte line intact, and one
                byte more is LINE_TOO_LONG at the server
  queue_floor   the same with --max-queue at its minimum (4,096, less than that line): the reader gets
                the line, never cut as a slow consumer (the queue is never smaller than one longest line)
  client_limit  a stand-in server sends chat-client a line of exactly the bound for the largest
                --max-line (16 MiB + 33 bytes): printed; one byte more: refused, said on stderr
The bound is protocol::max_server_line: max(--max-line + 33, 3,327) bytes without the LF.
Every wait has a deadline.
"""
import os
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_e2e import main, Client, exit_code, fail, start_server, DEADLINE  # noqa: E402

NAME_32 = "N" * 16 + "_0123456789abcde"  # 32 characters, the longest name
MAX_MAX_LINE = 1 << 24  # chat-server's largest --max-line


def max_server_line(max_line):
    return max(max_line + 33, 7 + 20 + 100 * 33)


def script_client(client_bin, port):
    return subprocess.Popen([client_bin, "--port", str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def read_until(stream, predicate, what):
    """Reads lines (bytes, LF kept) until predicate(line); bounded by a timer that closes the stream."""
    timer = threading.Timer(DEADLINE, stream.close)
    timer.start()
    seen = []
    try:
        for line in stream:
            seen.append(line)
            if predicate(line):
                return line
    except ValueError:
        pass  # closed by the timer
    finally:
        timer.cancel()
    fail(f"never saw {what}; got {[l[:80] for l in seen]}")


def relay(server_bin, client_bin, *server_args):
    server = start_server(server_bin, *server_args)
    port = server.port
    receiver = script_client(client_bin, port)
    receiver.stdin.write(b"REGISTER Bob\n")
    receiver.stdin.flush()
    read_until(receiver.stdout, lambda l: l == b"OK REGISTERED Bob\n", "OK REGISTERED Bob")

    sender = Client(port)
    sender.line()
    sender.send(f"REGISTER {NAME_32}\nCONNECT Bob\n")
    if [sender.line(), sender.line()] != [f"OK REGISTERED {NAME_32}", "OK CONNECTED Bob"]:
        fail("the sender could not register or connect")
    text = "".join(chr(ord("a") + i % 26) for i in range(4096 - len("MSG ")))
    # One byte over the limit is refused at the server, the connection stays usable.
    sender.send("MSG " + text + "!\nMSG " + text + "\nPING sent\n")
    replies = [sender.line(), sender.line()]
    if replies != ["ERR LINE_TOO_LONG line too long, discarded", "PONG sent"]:
        fail(f"sender replies {replies}")

    line = read_until(receiver.stdout, lambda l: l.startswith(b"MSG "), "the relayed MSG")
    want = f"MSG {NAME_32} {text}\n".encode()
    if line != want:
        fail(f"relayed line is {len(line) - 1} bytes, want {len(want) - 1}: {line[:60]!r}...")
    if len(line) - 1 != max_server_line(4096) or len(line) - 1 != 4129:
        fail(f"the relayed line is {len(line) - 1} bytes, the bound is {max_server_line(4096)}")
    receiver.stdin.close()
    code = exit_code(receiver, "chat-client's script")
    if code != 0:
        fail(f"chat-client exit {code}: {receiver.stderr.read().decode()!r}")
    print(f"relayed MSG from a 32-character name: {len(line) - 1} bytes (4,096 sent), received whole"
          f"{' with ' + ' '.join(server_args) if server_args else ''}")
    server.stop()


def queue_floor(server_bin, client_bin):
    # The smallest --max-queue is less than one longest line: a reader must still get that line, not be cut.
    relay(server_bin, client_bin, "--max-queue", "4096")


def client_limit(_server_bin, client_bin):
    bound = max_server_line(MAX_MAX_LINE)
    for length, accepted in ((bound, True), (bound + 1, False)):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        head = f"MSG {NAME_32} ".encode()
        long_line = head + b"x" * (length - len(head)) + b"\n"

        def serve():
            conn, _ = listener.accept()
            try:
                conn.sendall(b"HELLO CHAT/1 stand-in\n" + long_line)
                conn.shutdown(socket.SHUT_WR)
                while conn.recv(65536):
                    pass
            except OSError:
                pass  # the client gave up on the line and reset the connection
            conn.close()

        server = threading.Thread(target=serve, daemon=True)
        server.start()
        client = script_client(client_bin, port)
        try:
            out, err = client.communicate(timeout=DEADLINE * 3)
        except subprocess.TimeoutExpired:
            client.kill()
            fail(f"chat-client did not finish with a {length}-byte line")
        listener.close()
        lines = out.split(b"\n")
        got_line = len(lines) > 1 and lines[1] + b"\n" == long_line
        print(f"{length}-byte line: exit {client.returncode}, printed: {got_line}, stderr: {err.decode().strip()}")
        if accepted and not got_line:
            fail(f"a {length}-byte line (the bound) was not received whole")
        if not accepted and (got_line or f"a line over {bound + 1} bytes" not in err.decode()):
            fail(f"a {length}-byte line (one over the bound) was not refused with a message")
        if client.returncode != 1:
            fail(f"exit {client.returncode}, want 1 (the server closed first)")


if __name__ == "__main__":
    scenario, server_bin, client_bin = sys.argv[1], sys.argv[2], sys.argv[3]
    main({"relay": relay, "queue_floor": queue_floor, "client_limit": client_limit}[scenario], server_bin, client_bin)
    print("ok:", scenario)
