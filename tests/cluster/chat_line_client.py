"""A blocking line client for the cluster tests, with deadlines on every read."""
import socket

DEADLINE = 20.0


class Client:
    def __init__(self, port, timeout=DEADLINE):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.file = self.sock.makefile("rb")
        hello = self.line()
        assert hello.startswith("HELLO"), hello

    def send(self, text):
        self.sock.sendall(text.encode())

    def line(self):
        raw = self.file.readline()
        if not raw:
            raise EOFError("connection closed")
        return raw.decode().rstrip("\n")

    def ask(self, text):
        self.send(text + "\n")
        return self.line()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
