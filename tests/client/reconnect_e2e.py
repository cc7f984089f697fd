#!/usr/bin/env python3
"""chat-client reconnects when its connection drops: it says so, says the chat
ended, tries again with backoff, registers its name again and keeps the
half-typed line. A name the server still holds for the dropped connection is
retried until the server lets it go, or (past --name-wait) the user is asked for
another. --no-reconnect exits instead. Every wait is for a line the client or the
server prints; nothing sleeps.

usage: reconnect_e2e.py CHAT_SERVER CHAT_CLIENT"""

import signal
import socket
import sys
import threading

from chat_e2e import Server, PtyClient, Running, partner, pty_chat, check, run

SERVER, CLIENT = sys.argv[1], sys.argv[2]


class Proxy:
    """A TCP relay on a free loopback port to `port`. drop_clients() closes the client
    sides only: the server keeps the old connections (and their names) until release()."""

    def __init__(self, port):
        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.pairs = []  # (client side, server side)
        self.held = []  # server sides of dropped clients, kept open
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            with self.lock:
                self.pairs.append((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
            with self.lock:
                if sink in self.held:
                    return  # dropped on purpose: the server must not hear of it
            sink.shutdown(socket.SHUT_WR)  # one side closed: so does the other
        except OSError:
            pass

    def drop_clients(self):
        """The client sides close; the server sides stay open and silent. Returns how many."""
        with self.lock:
            self.held = [server for _, server in self.pairs]
            for client, _ in self.pairs:
                client.shutdown(socket.SHUT_RDWR)
                client.close()
            self.pairs = []
            return len(self.held)

    def release(self):
        for server in self.held:
            server.shutdown(socket.SHUT_RDWR)  # a FIN now: a pump thread still blocks in recv on it
            server.close()

    def close(self):
        self.listener.close()
        with self.lock:
            for client, server in self.pairs:
                client.close()
                server.close()


def test_reconnects_to_a_restarted_server():
    """The server is killed (no BYE, the connection reset) and started again on its port
    once the client has said that it could not connect."""
    first = Server(SERVER)
    port = first.port
    with Running(first) as running:
        noy, elias, at = pty_chat(running, CLIENT)
        noy.type("/who")  # half-typed: kept across the reconnection
        at = noy.wait_for("/who", at)
        first.proc.kill()
        first.proc.wait()
        at = noy.wait_for("*** connection lost (", at)
        at = noy.wait_for("*** the chat with Elias has ended with the connection", at)
        check(b"they are told" not in noy.output, "claims the partner is told, with the server dead")
        at = noy.wait_for("*** not connected: cannot connect to 127.0.0.1:", at)
        running.server = Server(SERVER, port=port)
        at = noy.wait_for("*** connected: ", at)
        at = noy.wait_for("*** registered as Noy", at)
        at = noy.wait_for("Noy> /who", at)  # the prompt without a partner, the line still there
        noy.type("\r")
        at = noy.wait_for("*** 1 user online: Noy", at)
        running.server.wait_for_log(rb"registered.*Noy", "the new server did not see Noy register")
        noy.type("/quit\r")
        status = noy.wait_exit()
        check(status == 0, f"exit {status}; output {noy.output[-500:]!r}")


def test_reconnects_after_shutdown():
    """SIGTERM: the server says BYE SHUTDOWN and closes; a new one takes the port."""
    first = Server(SERVER)
    port = first.port
    with Running(first) as running:
        noy = running.add(PtyClient(CLIENT, port, "--name", "Noy"))
        at = noy.wait_for("*** registered as Noy")
        first.signal(signal.SIGTERM)
        at = noy.wait_for("(SHUTDOWN)", at)
        at = noy.wait_for("*** connection lost (the server said BYE SHUTDOWN)", at)
        first.proc.wait()
        running.server = Server(SERVER, port=port)
        at = noy.wait_for("*** registered as Noy", at)
        noy.type("/quit\r")
        check(noy.wait_exit() == 0, f"output {noy.output[-500:]!r}")


def test_name_still_taken_is_retried():
    """The connection drops on the client's side only (a proxy closes it): the server
    still holds Noy for the old connection and answers NAME_TAKEN until it sees it close."""
    with Running(Server(SERVER)) as running:
        proxy = Proxy(running.server.port)
        try:
            noy = running.add(PtyClient(CLIENT, proxy.port, "--name", "Noy"))
            at = noy.wait_for("*** registered as Noy")
            check(proxy.drop_clients() == 1, "the proxy did not carry the client")
            at = noy.wait_for("*** connection lost (closed by the server)", at)
            at = noy.wait_for("*** the name Noy is still taken (the server has not yet noticed", at)
            proxy.release()
            at = noy.wait_for("*** registered as Noy", at)
            noy.type("/quit\r")
            check(noy.wait_exit() == 0, f"output {noy.output[-500:]!r}")
        finally:
            proxy.close()


def test_name_taken_past_name_wait_asks_for_another():
    with Running(Server(SERVER)) as running:
        proxy = Proxy(running.server.port)
        try:
            noy = running.add(PtyClient(CLIENT, proxy.port, "--name", "Noy", "--name-wait", "0"))
            at = noy.wait_for("*** registered as Noy")
            noy.type("half a message")  # a draft: kept out of the name prompt, given back after
            at = noy.wait_for("half a message", at)
            proxy.drop_clients()
            at = noy.wait_for("!!! that name is in use (NAME_TAKEN)", at)
            at = noy.wait_for("*** type your name", at)
            at = noy.wait_for("name> ", at)
            noy.type("Noy2\r")
            at = noy.wait_for("*** registered as Noy2", at)
            at = noy.wait_for("Noy2> half a message", at)
            noy.type("\x15")  # Ctrl-U: the draft is not sent
            noy.type("/quit\r")
            check(noy.wait_exit() == 0, f"output {noy.output[-500:]!r}")
        finally:
            proxy.release()
            proxy.close()


def test_ctrl_d_while_reconnecting_leaves_cleanly():
    first = Server(SERVER)
    with Running(first) as running:
        noy = running.add(PtyClient(CLIENT, first.port, "--name", "Noy"))
        at = noy.wait_for("*** registered as Noy")
        first.proc.kill()
        at = noy.wait_for("*** connection lost (", at)
        at = noy.wait_for("*** not connected: ", at)
        noy.type("\x04")
        status = noy.wait_exit()
        check(status == 0, f"exit {status}; output {noy.output[-500:]!r}")
        check(b"not sent" not in noy.output[at:], f"output {noy.output[at:]!r}")


def test_no_reconnect_exits_1():
    with Running(Server(SERVER)) as running:
        noy = running.add(PtyClient(CLIENT, running.server.port, "--name", "Noy", "--no-reconnect"))
        at = noy.wait_for("*** registered as Noy")
        running.server.proc.kill()
        status = noy.wait_exit()
        check(status == 1, f"exit {status}; output {noy.output[-500:]!r}")
        check(b"reconnecting" not in noy.output, f"output {noy.output[-500:]!r}")


run([test_reconnects_to_a_restarted_server, test_reconnects_after_shutdown, test_name_still_taken_is_retried,
     test_name_taken_past_name_wait_asks_for_another, test_ctrl_d_while_reconnecting_leaves_cleanly,
     test_no_reconnect_exits_1])
