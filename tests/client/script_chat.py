#!/usr/bin/env python3
"""Two chat-clients in script mode hold the seed conversation through a real
chat-server: each step waits for its effect on the other client's stdout before
the next one, and both transcripts are checked whole.

usage: script_chat.py CHAT_SERVER CHAT_CLIENT"""

import re
import sys

from chat_e2e import Server, ScriptClient, check, run

SERVER, CLIENT = sys.argv[1], sys.argv[2]
HELLO = re.compile(r"HELLO CHAT/1 .*")


def test_seed_conversation():
    server = Server(SERVER)
    noy = ScriptClient(CLIENT, server.port, name="Noy")
    elias = ScriptClient(CLIENT, server.port, name="Elias")
    try:
        noy.expect(HELLO)
        elias.expect(HELLO)
        noy.send("REGISTER Noy")
        noy.expect("OK REGISTERED Noy")
        elias.send("register Elias")  # keywords are case-insensitive; the server parses
        elias.expect("OK REGISTERED Elias")
        noy.send("CONNECT Elias")
        noy.expect("OK CONNECTED Elias")
        elias.expect("CONNECTED Noy")
        noy.send("MSG hi Elias")
        elias.expect("MSG Noy hi Elias")
        elias.send("MSG hello Noy, how are you?")
        noy.expect("MSG Elias hello Noy, how are you?")
        noy.send("MSG fine,  thanks  ")  # inner and trailing spaces are part of the text
        elias.expect("MSG Noy fine,  thanks  ")
        elias.send("MSG \u05e9\u05dc\u05d5\u05dd \U0001F600")  # UTF-8 passes as it is
        noy.expect("MSG Elias \u05e9\u05dc\u05d5\u05dd \U0001F600")
        elias.send("MSG tab\there")  # a control character is shown escaped
        noy.expect("MSG Elias tab\\there")
        elias.send("MSG \x1b[31mred\x1b[0m \x07")  # so are escape sequences, in script mode too
        noy.expect("MSG Elias \\x1b[31mred\\x1b[0m \\x07")
        noy.send("DISCONNECT")
        noy.expect("OK DISCONNECTED Elias")
        elias.expect("DISCONNECTED Noy")
        noy.send("QUIT")
        noy.expect("OK BYE")
        elias.send("QUIT")
        elias.expect("OK BYE")
        noy.close_stdin()
        elias.close_stdin()
        noy_status, elias_status = noy.finish(), elias.finish()
        check(noy_status == 0, f"Noy exited {noy_status}: {noy.stderr()!r}")
        check(elias_status == 0, f"Elias exited {elias_status}: {elias.stderr()!r}")
        check(noy.lines == [noy.lines[0], "OK REGISTERED Noy", "OK CONNECTED Elias",
                            "MSG Elias hello Noy, how are you?", "MSG Elias \u05e9\u05dc\u05d5\u05dd \U0001F600",
                            "MSG Elias tab\\there",
                            "MSG Elias \\x1b[31mred\\x1b[0m \\x07", "OK DISCONNECTED Elias", "OK BYE"],
              f"Noy's transcript: {noy.lines!r}")
        check(elias.lines == [elias.lines[0], "OK REGISTERED Elias", "CONNECTED Noy", "MSG Noy hi Elias",
                              "MSG Noy fine,  thanks  ", "DISCONNECTED Noy", "OK BYE"],
              f"Elias's transcript: {elias.lines!r}")
        check(noy.partial == b"" and elias.partial == b"", "output ended in an unfinished line")
        check(not any("\x1b" in line or "\x07" in line for line in noy.lines), "a raw control character got through")
    finally:
        noy.kill()
        elias.kill()
        server.stop()


def test_end_of_input_waits_for_every_reply():
    """No QUIT in the script: the client still prints every reply, then leaves
    cleanly; its own PING and QUIT stay out of the transcript."""
    server = Server(SERVER)
    client = ScriptClient(CLIENT, server.port, "--name", "Ada")
    try:
        client.expect(HELLO)
        client.expect("OK REGISTERED Ada")
        for i in range(50):
            client.send(f"PING p{i}")
        client.send("WHO")
        client.send("CONNECT Nobody")
        client.close_stdin()
        status = client.finish()
        check(status == 0, f"exit {status}: {client.stderr()!r}")
        check(client.lines[2:] == [f"PONG p{i}" for i in range(50)] +
              ["OK WHO 1 Ada", "ERR NO_SUCH_USER no user of that name is online"],
              f"transcript: {client.lines!r}")
    finally:
        client.kill()
        server.stop()


run([test_seed_conversation, test_end_of_input_waits_for_every_reply])
