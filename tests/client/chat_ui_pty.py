#!/usr/bin/env python3
"""chat-client's typing rules and prompt on a pty: the prompt names us and our
partner, a line inside a chat is a message unless it is a /command (a sentence that
starts with a keyword in capitals too), outside a chat lines go as typed, and HELP
adds the rules.

usage: chat_ui_pty.py CHAT_SERVER CHAT_CLIENT"""

import re
import sys

from chat_e2e import Server, PtyClient, ScriptClient, pty_chat, Running, check, run

SERVER, CLIENT = sys.argv[1], sys.argv[2]


def quit_in_a_chat(noy, elias):
    """/quit ends the client cleanly, and the partner is told."""
    noy.type("/quit\r")
    status = noy.wait_exit()
    check(status == 0, f"exit {status}; output {noy.output[-300:]!r}")
    elias.expect("DISCONNECTED Noy")


def test_prompt_and_typing_rules():
    with Running(Server(SERVER)) as running:
        noy, elias, at = pty_chat(running, CLIENT)
        at = noy.wait_for("Noy\u2192Elias> ", at)
        noy.type("who is there?\r")  # a message, though it starts with a keyword's letters
        elias.expect("MSG Noy who is there?")
        noy.type("hello\r")
        elias.expect("MSG Noy hello")
        # Our message replaces the typed line as the conversation; incoming ones carry the time too.
        at = noy.wait_for("<Noy> hello\r\n", at)
        check(re.search(rb"\r\x1b\[J\d\d:\d\d <Noy> hello\r\n$", noy.output[:at]), f"echo: {noy.output[-200:]!r}")
        elias.send("MSG hi back")
        at = noy.wait_for("<Elias> hi back\r\n", at)
        check(re.search(rb"\d\d:\d\d <Elias> hi back\r\n$", noy.output[:at]), f"time: {noy.output[-200:]!r}")
        noy.type("/WHO\r")  # after a slash, in any case
        at = noy.wait_for("*** 2 users online", at)
        noy.type("/who E\r")
        at = noy.wait_for("*** 1 user matching E: Elias", at)
        noy.type("/help\r")
        at = noy.wait_for("*** commands start with /", at)
        noy.type("/disconnect\r")
        at = noy.wait_for("*** chat with Elias closed", at)
        elias.expect("DISCONNECTED Noy")
        at = noy.wait_for("Noy> ", at)
        noy.type("who\r")  # outside a chat keywords work in any case
        at = noy.wait_for("*** 2 users online", at)
        noy.type("/connect Elias\r")
        at = noy.wait_for("Noy\u2192Elias> ", at)
        elias.expect("CONNECTED Noy")
        quit_in_a_chat(noy, elias)


def test_asks_for_a_name_until_one_is_free():
    """Without --name, or with a --name that is taken, the client asks for a name and
    asks again after NAME_TAKEN or INVALID_NAME; a plain word is the name."""
    with Running(Server(SERVER)) as running:
        taken = running.add(ScriptClient(CLIENT, running.server.port, "--name", "Taken"))
        taken.expect("HELLO CHAT/1 tcp-chat server, type HELP")
        taken.expect("OK REGISTERED Taken")
        for args in ((), ("--name", "Taken")):
            noy = running.add(PtyClient(CLIENT, running.server.port, *args))
            at = 0
            if not args:
                at = noy.wait_for("*** type your name")
                at = noy.wait_for("name> ", at)
                noy.type("Taken\r")
            at = noy.wait_for("!!! that name is in use (NAME_TAKEN)", at)
            at = noy.wait_for("*** type your name", at)
            noy.type("bad name!\r")
            at = noy.wait_for("(INVALID_NAME)", at)
            at = noy.wait_for("*** type your name", at)
            noy.type("Noy\r")
            at = noy.wait_for("*** registered as Noy", at)
            noy.wait_for("Noy> ", at)
            noy.type("QUIT\r")
            check(noy.wait_exit() == 0, f"exit; output {noy.output[-300:]!r}")


def test_name_prompt_outlasts_the_register_timeout():
    """The server cuts off a connection that does not register in time (BYE
    REGISTER_TIMEOUT): while the name is asked for, the client connects again
    without a word and keeps the half-typed name, so the user can take their time."""
    # 1 s, not less: the name is typed after the second timeout, on a connection whose own
    # timer has already run; under ASan on a busy machine 0.3 s could pass before REGISTER
    # arrived, and a REGISTER that meets the timeout is lost (the prompt comes back).
    with Running(Server(SERVER, "--register-timeout", "1")) as running:
        noy = running.add(PtyClient(CLIENT, running.server.port))
        at = noy.wait_for("name> ")
        noy.type("No")
        at = noy.wait_for("No", at)
        running.server.wait_for_log(rb"timed out: REGISTER_TIMEOUT", "the server never timed the client out", count=2)
        noy.type("y\r")
        at = noy.wait_for("*** registered as Noy", at)
        check(b"REGISTER_TIMEOUT" not in noy.output and b"connection lost" not in noy.output,
              f"output {noy.output!r}")
        check(re.search(rb"\d\d:\d\d \*\*\* type your name", noy.output), "the name prompt's line has no time")
        noy.type("/quit\r")
        status = noy.wait_exit()
        check(status == 0, f"exit {status}; output {noy.output[-300:]!r}")


def test_slash_msg_echo_and_plain_text_outside_a_chat():
    """`/msg text` in a chat is echoed as the conversation; outside a chat, plain text
    gets a local hint (connect first) and is not sent."""
    with Running(Server(SERVER)) as running:
        noy, elias, at = pty_chat(running, CLIENT)
        steps = [("/msg via slash", "<Noy> via slash\r\n"), ("/disconnect", "*** chat with Elias closed"),
                 ("hello there", "!!! not sent: outside a chat a line is a command; to chat, first /connect NAME"),
                 ("/who", "*** 2 users online")]
        for typed, shown in steps:
            noy.type(typed + "\r")
            at = noy.wait_for(shown, at)
        elias.expect("MSG Noy via slash")
        check(b"UNKNOWN_COMMAND" not in noy.output, f"plain text went to the server: {noy.output[-400:]!r}")
        check(re.search(rb"\d\d:\d\d !!! not sent: outside a chat", noy.output), "a status line without the time")
        noy.type("/quit\r")
        check(noy.wait_exit() == 0, f"output {noy.output[-300:]!r}")


def test_a_chat_line_is_a_message_unless_it_starts_with_a_slash():
    """In a chat, a sentence that starts with a protocol keyword in capitals is a
    message like any other; commands need `/`, `//` sends a line starting with `/`,
    and a leading `MSG ` (the course's habit) is dropped."""
    with Running(Server(SERVER)) as running:
        noy, elias, at = pty_chat(running, CLIENT)
        at = noy.wait_for("Noy\u2192Elias> ", at)
        for typed, sent in [("WHO wants pizza?", "WHO wants pizza?"), ("DISCONNECT now please", "DISCONNECT now please"),
                            ("QUIT smoking", "QUIT smoking"), ("HELP me", "HELP me"), ("//etc", "/etc"),
                            ("MSG hello", "hello"), ("msg stays", "msg stays")]:
            noy.type(typed + "\r")
            elias.expect("MSG Noy " + sent)
            at = noy.wait_for(f"<Noy> {sent}\r\n", at)
        noy.type("/who\r")
        at = noy.wait_for("*** 2 users online", at)
        noy.type("/disconnect\r")
        at = noy.wait_for("*** chat with Elias closed", at)
        elias.expect("DISCONNECTED Noy")
        noy.type("CONNECT Elias\r")  # outside a chat, the course's raw style
        at = noy.wait_for("Noy\u2192Elias> ", at)
        elias.expect("CONNECTED Noy")
        quit_in_a_chat(noy, elias)


run([test_prompt_and_typing_rules, test_asks_for_a_name_until_one_is_free,
     test_name_prompt_outlasts_the_register_timeout, test_slash_msg_echo_and_plain_text_outside_a_chat,
     test_a_chat_line_is_a_message_unless_it_starts_with_a_slash])
