#!/usr/bin/env python3
"""The command-line surface of the four programs: advertised ranges, exit codes, --version.

Usage: cli_surface.py SCENARIO --server BIN --client BIN --bench BIN --encap BIN [--version V --source DIR]
  ranges      every numeric flag's --help shows a range; both ends are accepted, one past either end
              is refused with exit 2 and a message naming the range (read from --help, so a flag
              added later is walked too)
  exit_codes  usage errors exit 2 in every program; chat-server names a --host that is not an
              address; chat-client says when the peer is not a CHAT/1 server; --help fits 100 columns
  number_forms  every way of writing a number (017070, 4_096, +5, -0, nan, inf, 0x10, 1e3, "10", [10]...)
              for every numeric flag of every program (read from --help), and for chat-server also as a
              CHAT_* variable and in a --config file: decimal and finite only, never octal, a whole
              number where one belongs, TOML's '_' and '+' accepted; a refusal exits 2 naming its source
  version     --version prints "<program> <project version> (git <revision>)" and exits 0; the
              revision is a commit of the source tree, or "unknown" outside git
Every wait has a deadline; a failure says what was seen and exits 1.
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading

DEADLINE = 30.0
HELP_WIDTH = 100


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=DEADLINE, stdin=subprocess.DEVNULL, **kwargs)


def closed_port():
    """A loopback port nothing listens on: bound (so nobody else gets it) but not listening."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    return holder, holder.getsockname()[1]


# ---- ranges ----

OPTION = re.compile(r"^\s+(?:-\w,)?(--[\w-]+)(?: (\S+))?")


def numeric_options(help_text):
    """{flag: (type, lo, hi, zero_too)} for every option whose value is a number."""
    found = {}
    for line in help_text.splitlines():
        m = OPTION.match(line)
        if not m or not m.group(2):
            continue
        flag, kind = m.group(1), re.split("[:=]", m.group(2))[0]  # "UINT:INT in [1 - 9]=5" or "UINT=5"
        if kind not in ("INT", "UINT", "FLOAT"):
            continue
        r = re.search(r"(0 or )?in \[([^\]]+?) - ([^\]]+)\]", line)
        if not r:
            fail(f"{flag} takes a number but --help shows no range: {line.strip()}")
        found[flag] = (kind, r.group(2), r.group(3), bool(r.group(1)))
    return found


def step(kind, value):
    return 1 if kind != "FLOAT" else max(abs(value) * 1e-6, 1e-6)


def number(kind, text):
    return int(text) if kind != "FLOAT" else float(text)


def shown(kind, value):
    return str(value) if kind != "FLOAT" else repr(value)


class Program:
    """How to tell whether one flag value was accepted: the program gets past its command line.

    Values go as --flag=VALUE so that a negative number is never taken for an option."""

    def __init__(self, name, binary):
        self.name, self.binary = name, binary

    def accepted(self, flag, value):
        raise NotImplementedError

    def refused(self, flag, value):
        """(exit code, stderr) of a run expected to stop at the command line."""
        out = run([self.binary, *self.extra(flag), f"{flag}={value}"])
        return out.returncode, out.stderr + out.stdout

    def extra(self, flag):
        return []


class Server(Program):
    def extra(self, flag):
        return [] if flag == "--port" else ["--port", "0"]

    def accepted(self, flag, value):
        proc = subprocess.Popen([self.binary, *self.extra(flag), f"{flag}={value}"], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        timer = threading.Timer(DEADLINE, proc.kill)
        timer.start()
        log = []
        try:
            for line in proc.stderr:
                log.append(line)
                if "listening on" in line:
                    proc.terminate()
                    break
            code = proc.wait()
        finally:
            timer.cancel()
        # Listening, or a start-up failure such as a busy port (exit 1): past the command line either way.
        return code != 2, "".join(log)


class Client(Program):
    def __init__(self, name, binary, port):
        super().__init__(name, binary)
        self.port = port

    def extra(self, flag):
        return [] if flag == "--port" else ["--port", str(self.port)]

    def accepted(self, flag, value):
        out = run([self.binary, *self.extra(flag), f"{flag}={value}"])
        # Nothing listens: exit 3, "cannot connect", after the flags were taken.
        return out.returncode in (1, 3), out.stderr


class Bench(Program):
    def __init__(self, name, binary, port):
        super().__init__(name, binary)
        self.port = port

    def extra(self, flag):
        extra = [] if flag == "--port" else ["--port", str(self.port)]
        return extra + ([] if flag in ("--pairs", "--clients", "--idle") else ["--pairs", "1"])

    def accepted(self, flag, value):
        out = run([self.binary, *self.extra(flag), f"{flag}={value}"])
        # Nothing listens (or too few descriptors for the clients asked for): exit 1, after the flags.
        return out.returncode == 1, out.stderr + out.stdout


class Encap(Program):
    def __init__(self, name, binary, workdir):
        super().__init__(name, binary)
        # Ports 1 and 65535: either may be named the server, so --server-port's two ends both fit.
        self.csv = os.path.join(workdir, "ranges.csv")
        with open(self.csv, "w") as f:
            f.write("msg_id,app_protocol,src_app,dst_app,src_port,dst_port,message,timestamp\n"
                    "1,CHAT/1,a,b,65535,1,REGISTER a,1\n")
        self.pcap = os.path.join(workdir, "ranges.pcap")

    def extra(self, flag):
        return [self.csv, "-o", self.pcap, "--print", "none"]

    def accepted(self, flag, value):
        out = run([self.binary, *self.extra(flag), f"{flag}={value}"])
        return out.returncode == 0, out.stderr

    def frames(self):
        out = run([self.binary, self.csv, "-o", self.pcap, "--print", "summary"])
        m = re.search(r"wrote (\d+) frames", out.stdout)
        if out.returncode != 0 or not m:
            fail(f"chat-encap on {self.csv}: exit {out.returncode}: {out.stderr}")
        return int(m.group(1))


def walk(program):
    help_out = run([program.binary, "--help"])
    if help_out.returncode != 0:
        fail(f"{program.name} --help exited {help_out.returncode}")
    options = numeric_options(help_out.stdout)
    if not options:
        fail(f"{program.name}: no numeric flag found in --help")
    for flag, (kind, lo_text, hi_text, zero_too) in options.items():
        if hi_text == "number of frames":  # chat-encap's --frame and --checksum-frame depend on the input
            hi_text = str(program.frames())
            names_range = f"(1-{hi_text})"
        else:
            names_range = None
        lo, hi = number(kind, lo_text), number(kind, hi_text)
        cases = [(lo, True), (hi, True), (lo - step(kind, lo), False), (hi + step(kind, hi), False)]
        if zero_too:
            cases += [(0, True), (-step(kind, 0), False)]
        for value, want in cases:
            text = shown(kind, value)
            if want:
                ok, log = program.accepted(flag, text)
                if not ok:
                    fail(f"{program.name} {flag} {text}: --help shows [{lo_text} - {hi_text}] but it was refused:\n{log}")
            else:
                code, message = program.refused(flag, text)
                if code != 2:
                    fail(f"{program.name} {flag} {text}: exit {code}, want 2 (outside [{lo_text} - {hi_text}])")
                if names_range:
                    named = names_range in message if value > 0 else "range 1 to the number of frames" in message
                else:
                    # CLI11 prints the ends its own way ("0.000000 to 1000000000.000000"): compare numbers.
                    r = re.search(r"range (\S+) to (\S+?)(?:\s|$)", message)
                    named = bool(r) and float(r.group(1)) == float(lo_text) and float(r.group(2)) == float(hi_text)
                if not named:
                    fail(f"{program.name} {flag} {text}: the refusal does not name [{lo_text} - {hi_text}]: "
                         f"{message!r}")
        print(f"{program.name} {flag}: [{lo_text} - {hi_text}]{' or 0' if zero_too else ''}: both ends accepted, "
              f"one past each refused with exit 2 naming the range")


def ranges(args):
    holder, port = closed_port()
    with tempfile.TemporaryDirectory(prefix="cli-ranges.") as workdir:
        for program in (Server("chat-server", args.server), Client("chat-client", args.client, port),
                        Bench("chat-bench", args.bench, port), Encap("chat-encap", args.encap, workdir)):
            walk(program)
    holder.close()


# ---- number forms ----

def forms(kind, lo, hi, zero_too, preferred=None):
    """[(text, value or None when refused)] around a value inside [lo, hi] (`preferred` if given)."""
    whole = kind != "FLOAT"
    inside = lambda v: (lo <= v <= hi) or (zero_too and v == 0)
    v = preferred or next(c for c in (10, 12, 3, 1, int(lo)) if inside(c))
    s = str(v)
    cases = [(s, v), ("+" + s, v), ("0" + s, None), ("00" + s, None), ('"' + s + '"', None), ("[" + s + "]", None),
             ("nan", None), ("-nan", None), ("inf", None), ("+inf", None), ("0x" + format(v, "x"), None),
             ("0o7", None), (s + " ", None), ("", None),
             ("-0", 0 if inside(0) else None),
             (s + ".0", None if whole else v), (s + "e0", None if whole else v),
             ("1e3", None if whole or not inside(1000) else 1000)]
    if len(s) > 1:
        cases += [(s[0] + "_" + s[1:], v), (s[0] + "__" + s[1:], None), (s + "_", None)]
    return cases


def clean_env(**variables):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAT_")}
    env.update(variables)
    return env


def server_value(binary, args, env):
    """(exit code, output, the key's value printed by --dump-config or None)."""
    out = subprocess.run([binary, *args, "--dump-config"], capture_output=True, text=True, timeout=DEADLINE,
                         stdin=subprocess.DEVNULL, env=env)
    return out.returncode, out.stderr + out.stdout, out.stdout


def number_forms(args):
    holder, port = closed_port()
    checked = 0
    with tempfile.TemporaryDirectory(prefix="cli-forms.") as workdir:
        server = args.server
        options = numeric_options(run([server, "--help"]).stdout)
        config = os.path.join(workdir, "forms.toml")
        for flag, (kind, lo_text, hi_text, zero_too) in options.items():
            key = flag[2:]
            variable = "CHAT_" + key.upper().replace("-", "_")
            table = forms(kind, float(lo_text), float(hi_text), zero_too)
            for text, want in table:
                with open(config, "w") as f:
                    f.write(f"# forms\n{key} = {text}\n")
                # The file takes TOML: "10" is a string and [10] an array there, both refused for a number.
                sources = [("flag", [f"{flag}={text}"], clean_env(), flag),
                           ("variable", [], clean_env(**{variable: text}), variable),
                           ("file", ["--config", config], clean_env(), f"{config}:2")]
                for source, flags, env, named in sources:
                    if source == "variable" and text == "":
                        continue  # an empty variable counts as unset
                    if source == "file" and text != text.strip():  # TOML skips the spaces around a value
                        want = dict(table)[text.strip()]
                    code, output, stdout = server_value(server, flags, env)
                    if want is None:
                        if code != 2 or named not in output:
                            fail(f"chat-server {key} {text!r} as a {source}: exit {code}, want 2 naming {named}: "
                                 f"{output!r}")
                    else:
                        m = re.search(rf"^{re.escape(key)} = (\S+)$", stdout, re.M)
                        if code != 0 or not m or float(m.group(1)) != float(want):
                            fail(f"chat-server {key} {text!r} as a {source}: exit {code}, want {want}: {output!r}")
                    checked += 1
            print(f"chat-server {flag}: every form as a flag, {variable} and in a file")
        encap = Encap("chat-encap", args.encap, workdir)
        for program in (Client("chat-client", args.client, port), Bench("chat-bench", args.bench, port), encap):
            help_text = run([program.binary, "--help"]).stdout
            options = numeric_options(help_text)
            repeatable = set(re.findall(r"^\s+(--[\w-]+) .*\] \.\.\.$", help_text, re.M))
            for flag, (kind, lo_text, hi_text, zero_too) in options.items():
                if hi_text == "number of frames":
                    hi_text = str(encap.frames())
                # chat-encap's --server-port must be a port of the input's connection (1 or 65535).
                preferred = 65535 if program is encap and flag == "--server-port" else None
                for text, want in forms(kind, float(lo_text), float(hi_text), zero_too, preferred):
                    if text.startswith("[") and flag in repeatable:
                        want = text  # CLI11's list syntax for a repeatable flag ("UINT ..." in --help): [3] is 3
                    if want is None:
                        code, message = program.refused(flag, text)
                        if code != 2 or flag not in message:
                            fail(f"{program.name} {flag}={text!r}: exit {code}, want 2 naming {flag}: {message!r}")
                    else:
                        ok, log = program.accepted(flag, text)
                        if not ok:
                            fail(f"{program.name} {flag}={text!r} was refused:\n{log}")
                    checked += 1
                print(f"{program.name} {flag}: every form")
    holder.close()
    print(f"{checked} values checked")


# ---- exit codes ----

def exit_codes(args):
    programs = {"chat-server": args.server, "chat-client": args.client, "chat-bench": args.bench,
                "chat-encap": args.encap}
    for name, binary in programs.items():
        # chat-encap's input and output are required: give them, so that --bogus is the only error.
        required = ["in.csv", "-o", "out.pcap"] if name == "chat-encap" else []
        out = run([binary, "--bogus", *required])
        if out.returncode != 2 or "--bogus" not in out.stderr:
            fail(f"{name} --bogus: exit {out.returncode}, stderr {out.stderr!r}")
        out = run([binary, "--help"])
        wide = [line for line in out.stdout.splitlines() if len(line) > HELP_WIDTH]
        if out.returncode != 0 or wide:
            fail(f"{name} --help: exit {out.returncode}, lines over {HELP_WIDTH} columns: {wide}")
        print(f"{name}: --bogus exits 2 naming it; --help exits 0 within {HELP_WIDTH} columns")
    for bad in (["--port", "70000"], ["--threads", "0"], ["--log-level", "loud"], ["--max-line", "95"]):
        out = run([args.server, *bad])
        if out.returncode != 2:
            fail(f"chat-server {' '.join(bad)}: exit {out.returncode}, want 2")
    out = run([args.server, "--host", "nosuchhost.invalid", "--port", "0"])
    if out.returncode != 2 or "'nosuchhost.invalid' is not an IP address" not in out.stderr:
        fail(f"chat-server --host nosuchhost.invalid: exit {out.returncode}, stderr {out.stderr!r}")
    print(f"chat-server --host nosuchhost.invalid: exit 2: {out.stderr.strip()}")

    # A listener that is not a chat server (an SSH banner): chat-client says so on stderr.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def banner():
        conn, _ = listener.accept()
        conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
        try:
            conn.recv(4096)
        except OSError:
            pass
        conn.close()

    threading.Thread(target=banner, daemon=True).start()
    out = run([args.client, "--port", str(port)])
    listener.close()
    if out.returncode != 1 or f"127.0.0.1:{port} is not a CHAT/1 server" not in out.stderr:
        fail(f"chat-client against an SSH banner: exit {out.returncode}, stderr {out.stderr!r}")
    print(f"chat-client against an SSH banner: exit 1: {out.stderr.strip()}")


# ---- version ----

def version(args):
    if not args.version or not args.source:
        fail("version needs --version and --source")
    inside_git = run(["git", "-C", args.source, "rev-parse", "--git-dir"]).returncode == 0
    for name, binary in (("chat-server", args.server), ("chat-client", args.client), ("chat-bench", args.bench),
                         ("chat-encap", args.encap)):
        out = run([binary, "--version"])
        m = re.fullmatch(rf"{name} {re.escape(args.version)} \(git (\S+)\)\n", out.stdout)
        if out.returncode != 0 or not m:
            fail(f"{name} --version: exit {out.returncode}, printed {out.stdout!r}")
        revision = m.group(1)
        if inside_git:
            commit = revision.removesuffix("-dirty").rsplit("-g", 1)[-1]
            if run(["git", "-C", args.source, "cat-file", "-e", commit + "^{commit}"]).returncode != 0:
                fail(f"{name} --version names {revision}, not a commit of {args.source}")
        elif revision != "unknown":
            fail(f"{name} --version: revision {revision} outside git, want unknown")
        print(f"{name} --version: {out.stdout.strip()}")
    # Outside a git checkout the revision is "unknown".
    with tempfile.TemporaryDirectory(prefix="cli-version.") as empty:
        header = os.path.join(empty, "out", "version.hpp")
        out = run(["cmake", f"-DSOURCE_DIR={empty}", f"-DOUTPUT={header}", "-DVERSION=9.8.7", "-P",
                   os.path.join(args.source, "cmake", "version.cmake")])
        text = open(header).read() if os.path.exists(header) else ""
        if out.returncode != 0 or '#define CHAT_GIT_REVISION "unknown"' not in text or '"9.8.7"' not in text:
            fail(f"cmake/version.cmake outside git: exit {out.returncode}, wrote {text!r}, {out.stderr}")
    print("outside git: revision unknown")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=["ranges", "number_forms", "exit_codes", "version"])
    for program in ("server", "client", "bench", "encap"):
        parser.add_argument(f"--{program}", required=True)
    parser.add_argument("--version")
    parser.add_argument("--source")
    arguments = parser.parse_args()
    {"ranges": ranges, "number_forms": number_forms, "exit_codes": exit_codes, "version": version}[arguments.scenario](arguments)
    print("ok:", arguments.scenario)
