#!/usr/bin/env bash
# The Debian package as an administrator meets it (CI runs it as root: tools/dev package --test).
# Installs DEB with dpkg, checks its files, dependencies, man pages and systemd unit, chats through
# the installed chat-server and chat-client, then purges it and checks that nothing is left.
# Every wait is bounded. Refuses to run over an installed tcp-chat (the purge would remove it).
set -euo pipefail
deb=$1
fail() { echo "test-deb: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (dpkg -i); CI runs it as root"
if dpkg-query -W -f='${Status}' tcp-chat 2>/dev/null | grep -q "installed"; then
  fail "tcp-chat is already installed here: purge it first (dpkg --purge tcp-chat)"
fi
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  dpkg --purge tcp-chat >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -i failed"; }

# What the package holds and needs.
version=$(dpkg-deb -f "$deb" Version)
for program in chat-server chat-client chat-bench chat-encap; do
  out=$(/usr/bin/$program --version) || fail "$program --version failed"
  grep -q "$version" <<<"$out" || fail "$program --version does not name $version: $out"
  zcat "/usr/share/man/man1/$program.1.gz" | grep -q '^\.SH OPTIONS' || fail "no man page for $program"
done
depends=$(dpkg-deb -f "$deb" Depends)
grep -q libspdlog <<<"$depends" || fail "Depends lacks spdlog (dpkg-shlibdeps): $depends"
grep -qx /etc/tcp-chat/chat-server.toml < <(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles) ||
  fail "/etc/tcp-chat/chat-server.toml is not a conffile"
[ -f /etc/tcp-chat/chat-server.toml ] || fail "no /etc/tcp-chat/chat-server.toml"
[ -f /usr/share/doc/tcp-chat/README.md ] || fail "no README in /usr/share/doc/tcp-chat"
unit=$(dpkg -L tcp-chat | grep '/systemd/system/chat-server.service$') || fail "no systemd unit"
verify=$(systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify failed: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify is not clean: $verify"

# A short chat through the installed programs, on a port the kernel picks.
# As the unit starts it, with the shipped settings (a flag beats the file: a free port).
/usr/bin/chat-server --config /etc/tcp-chat/chat-server.toml --port 0 --log-level info 2>"$work/server.log" &
server_pid=$!
port=""
for _ in $(seq 200); do
  port=$(sed -n 's/.*listening on .*:\([0-9]*\) with.*/\1/p' "$work/server.log")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || fail "chat-server exited: $(cat "$work/server.log")"
  sleep 0.05
done
[ -n "$port" ] || fail "chat-server did not listen within 10 s"
printf 'REGISTER Elias\n@wait 20 ^CONNECTED Noy$\n@wait 20 ^MSG Noy hello from the package$\nMSG hi Noy\n@wait 20 ^DISCONNECTED Noy$\n' |
  timeout 60 /usr/bin/chat-client --port "$port" >"$work/elias.out" 2>&1 &
elias=$!
printf 'REGISTER Noy\n' >"$work/noy.in"
for _ in $(seq 200); do
  grep -q "OK REGISTERED Elias" "$work/elias.out" 2>/dev/null && break
  sleep 0.05
done
printf 'REGISTER Noy\nCONNECT Elias\nMSG hello from the package\n@wait 20 ^MSG Elias hi Noy$\nDISCONNECT\n' |
  timeout 60 /usr/bin/chat-client --port "$port" >"$work/noy.out" 2>&1 || fail "Noy's script failed: $(cat "$work/noy.out")"
wait "$elias" || fail "Elias's script failed: $(cat "$work/elias.out")"
kill "$server_pid"
wait "$server_pid" || true
server_pid=""

dpkg --purge tcp-chat >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg --purge failed"; }
for left in /usr/bin/chat-server /usr/bin/chat-client /etc/tcp-chat "$unit" /usr/share/doc/tcp-chat; do
  [ ! -e "$left" ] || fail "$left is still there after the purge"
done
echo "test-deb: $deb ($version) installs, chats and purges cleanly"
