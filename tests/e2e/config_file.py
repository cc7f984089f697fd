#!/usr/bin/env python3
"""chat-server's settings from a TOML file (--config), CHAT_* variables and flags.

Usage: config_file.py SCENARIO PATH/TO/chat-server PATH/TO/example.toml [CERTIFICATES-FOLDER]
  example     the committed example file is exactly what `chat-server --dump-config` prints
  precedence  flags > CHAT_* variables > file > defaults, every pair and all three
  bad         an unknown key, a bad value, a missing file, a bad variable: exit 2 with a clear message
  serve       a server started from a file alone listens where the file says
  relative_paths  a file's relative paths are taken from its folder, whatever the working directory;
              a flag's and a variable's from the working directory (needs the test certificates)
Every run has a deadline; a failure prints what was seen and exits 1.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

DEADLINE = 20.0


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def clean_env(**variables):
    """The environment without any CHAT_* variable, plus `variables`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAT_")}
    env.update(variables)
    return env


def run(binary, *args, env=None, cwd=None):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=DEADLINE,
                          env=env if env is not None else clean_env(), cwd=cwd)


def settings(binary, *args, env=None):
    """The settings in effect, as --dump-config prints them: {key: value as written}."""
    out = run(binary, *args, "--dump-config", env=env)
    if out.returncode != 0:
        fail(f"--dump-config {args} exited {out.returncode}: {out.stderr}")
    values = {}
    for line in out.stdout.splitlines():
        match = re.fullmatch(r"([a-z0-9-]+) = (.*)", line)
        if match:
            values[match.group(1)] = match.group(2)
    return values


def write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def example(binary, example_path):
    out = run(binary, "--dump-config")
    if out.returncode != 0:
        fail(f"--dump-config exited {out.returncode}: {out.stderr}")
    with open(example_path) as f:
        committed = f.read()
    if out.stdout != committed:
        fail(f"{example_path} is not what `chat-server --dump-config` prints; regenerate it with\n"
             f"  build/bin/chat-server --dump-config > {os.path.relpath(example_path)}\n--- generated:\n{out.stdout}")
    # The example is a valid config file that changes nothing.
    if settings(binary, "--config", example_path) != settings(binary):
        fail("loading the example changes a setting")
    for key in ("host", "port", "max-queue", "idle-timeout", "log-level", "metrics-host"):
        if not re.search(rf"^{key} = ", committed, re.M):
            fail(f"the example does not set {key}")
    for key in ("threads", "max-clients", "metrics-port"):
        if not re.search(rf"^# {key} =$", committed, re.M):
            fail(f"the example does not list {key} (commented out: it has no fixed default)")


def precedence(binary, _example):
    with tempfile.TemporaryDirectory() as tmp:
        path = write(tmp, "c.toml", 'port = 1001\nlog-level = "debug"\nidle-timeout = 11.5\n')
        cases = [
            # (what is given, flags, variables, expected port)
            ("default", [], {}, "12345"),
            ("file", ["--config", path], {}, "1001"),
            ("variable", [], {"CHAT_PORT": "1002"}, "1002"),
            ("flag", ["--port", "1003"], {}, "1003"),
            ("variable over file", ["--config", path], {"CHAT_PORT": "1002"}, "1002"),
            ("flag over file", ["--config", path, "--port", "1003"], {}, "1003"),
            ("flag over variable", ["--port", "1003"], {"CHAT_PORT": "1002"}, "1003"),
            ("flag over variable and file", ["--config", path, "--port", "1003"], {"CHAT_PORT": "1002"}, "1003"),
        ]
        for what, flags, variables, port in cases:
            got = settings(binary, *flags, env=clean_env(**variables))
            if got.get("port") != port:
                fail(f"{what}: port {got.get('port')}, expected {port}")
        # Other types and other keys follow the same order, each key on its own.
        got = settings(binary, "--config", path, "--idle-timeout", "12", env=clean_env(CHAT_LOG_LEVEL="warn"))
        if (got.get("log-level"), got.get("idle-timeout"), got.get("port")) != ('"warn"', "12", "1001"):
            fail(f"mixed sources: {got}")
        # An empty variable counts as unset, as CLI11 treats it.
        got = settings(binary, "--config", path, env=clean_env(CHAT_PORT=""))
        if got.get("port") != "1001":
            fail(f"an empty CHAT_PORT hid the file's port: {got.get('port')}")


def bad(binary, _example):
    with tempfile.TemporaryDirectory() as tmp:
        cases = [
            ("unknown key", write(tmp, "unknown.toml", "port = 1\nmax-quuee = 5\n"), {}, "max-quuee"),
            ("value out of range", write(tmp, "range.toml", "port = 70000\n"), {}, "port"),
            ("value of the wrong type", write(tmp, "type.toml", 'idle-timeout = "soon"\n'), {}, "idle-timeout"),
            ("bad host", write(tmp, "host.toml", 'host = "nowhere"\n'), {}, "nowhere"),
            ("IPv6 metrics host", write(tmp, "v6.toml", 'metrics-host = "::1"\n'), {}, "IPv4"),
            ("missing file", os.path.join(tmp, "absent.toml"), {}, "absent.toml"),
            ("not a setting", write(tmp, "help.toml", "help = true\n"), {}, "help"),
            ("bad variable", None, {"CHAT_PORT": "abc"}, "CHAT_PORT=abc"),
            ("nan variable", None, {"CHAT_IDLE_TIMEOUT": "nan"}, "CHAT_IDLE_TIMEOUT=nan"),
            ("key set twice", write(tmp, "twice.toml", "port = 1\nport = 2\n"), {}, "twice.toml:2"),
            ("string for a number", write(tmp, "quoted.toml", '\nmax-per-ip = "3"\n'), {}, "quoted.toml:2"),
            ("array for a number", write(tmp, "array.toml", "port = [19092]\n"), {}, "array.toml:1"),
            ("leading zero", write(tmp, "octal.toml", "port = 017070\n"), {}, "octal.toml:1"),
            ("a table", write(tmp, "table.toml", "[server]\nport = 1\n"), {}, "table.toml:1"),
        ]
        for what, path, variables, named in cases:
            args = ["--config", path] if path else []
            out = run(binary, *args, env=clean_env(**variables))
            message = out.stderr + out.stdout
            if out.returncode != 2:
                fail(f"{what}: exit {out.returncode}, expected 2; output: {message!r}")
            if named.lower() not in message.lower():
                fail(f"{what}: the message does not name {named!r}: {message!r}")


def log_until_listening(binary, *args, cwd=None):
    """Starts chat-server with `args`, and returns its log up to the line that says it listens (or up to
    its exit or the deadline); the server is stopped then."""
    proc = subprocess.Popen([binary, *args], stderr=subprocess.PIPE, text=True, env=clean_env(), cwd=cwd)
    seen = []
    try:
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            line = proc.stderr.readline()
            if not line:
                break
            seen.append(line)
            if "listening on" in line:
                break
        return "".join(seen)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def serve(binary, _example):
    with tempfile.TemporaryDirectory() as tmp:
        path = write(tmp, "serve.toml", 'port = 0\nmetrics-port = 0\nlog-level = "debug"\nstats-interval = 0\n')
        log = log_until_listening(binary, "--config", path)
        if not re.search(r"metrics on http://127\.0\.0\.1:\d+/metrics", log):
            fail(f"the file's metrics-port was not used:\n{log}")
        if "listening on 127.0.0.1:12345" in log or "listening on" not in log:
            fail(f"the file's port was not used:\n{log}")


def relative_paths(binary, _example, certificates):
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "etc")
        os.mkdir(folder)
        for name in ("server.pem", "server.key"):
            shutil.copy(os.path.join(certificates, name), folder)
        path = write(folder, "chat.toml", 'port = 0\ntls-port = 0\ntls-cert = "server.pem"\ntls-key = "server.key"\n'
                                          'stats-interval = 0\n')
        # Started from /, as systemd starts the service, with the file named absolutely; then from the
        # file's parent folder, with the file named relatively.
        for cwd, config in (("/", path), (tmp, os.path.join("etc", "chat.toml"))):
            log = log_until_listening(binary, "--config", config, cwd=cwd)
            if not re.search(r"listening on 127\.0\.0\.1:\d+ and TLS on 127\.0\.0\.1:\d+", log):
                fail(f"started from {cwd} with --config {config}: no TLS listener:\n{log}")
        expected = os.path.join(folder, "server.pem")
        got = settings(binary, "--config", path).get("tls-cert")
        if got != f'"{expected}"':
            fail(f"--dump-config shows tls-cert = {got}, expected the file's folder: {expected}")
        # A flag and a variable keep the working directory's meaning.
        for cwd_relative in (["--tls-cert", "server.pem", "--tls-key", "server.key"], []):
            env = clean_env() if cwd_relative else clean_env(CHAT_TLS_CERT="server.pem", CHAT_TLS_KEY="server.key")
            out = run(binary, *cwd_relative, "--dump-config", env=env, cwd=folder)
            if out.returncode != 0 or 'tls-cert = "server.pem"' not in out.stdout:
                fail(f"{cwd_relative or 'CHAT_TLS_*'} from the files' folder: exit {out.returncode}: {out.stderr}")
            out = run(binary, *cwd_relative, env=env, cwd="/")
            if out.returncode != 2 or "server.pem" not in out.stderr + out.stdout:
                fail(f"{cwd_relative or 'CHAT_TLS_*'} from /: exit {out.returncode}, expected 2: {out.stderr}")


SCENARIOS = {"example": example, "precedence": precedence, "bad": bad, "serve": serve,
             "relative_paths": relative_paths}

if __name__ == "__main__":
    SCENARIOS[sys.argv[1]](*sys.argv[2:])
    print("ok:", sys.argv[1])
