#!/usr/bin/env bash
# The Debian package as an administrator meets it (CI runs it as root: tools/dev package --test).
# Installs DEB with dpkg and checks its control fields, files, dependencies, man pages and systemd
# unit, and that the service is enabled and running. Then, as an administrator would: edits the
# conffile to serve TLS, deploys a certificate with the package's hook, upgrades to the same
# package repacked with a higher version (the service must be restarted on the new binary, never
# stopped, and the edits kept), renews the certificate (a reload must serve the new one), chats
# through the running service, removes the package (the service stops) and purges it (nothing is
# left). Every wait is bounded. Refuses to run over an installed tcp-chat (the purge would remove it).
#
# systemd does not run here, so the test plays it: in a private mount namespace /run/systemd/system
# exists, and fake-systemctl (first on PATH) records every call and runs the unit's ExecStart and
# ExecReload. A private network namespace gives the unit's fixed ports to this test alone.
set -euo pipefail
# What went wrong with the service is collected, so one run shows every broken step.
problems=()
fail() {
  [ ${#problems[@]} -eq 0 ] || printf 'test-deb: %s\n' "${problems[@]}" >&2
  echo "test-deb: $*" >&2
  exit 1
}
[ "$(id -u)" -eq 0 ] || fail "needs root (dpkg -i); CI runs it as root"
deb=$(realpath "$1")
if [ -z "${TEST_DEB_NAMESPACE:-}" ]; then
  TEST_DEB_NAMESPACE=yes exec unshare --mount --net -- "$0" "$deb"
fi
if dpkg-query -W -f='${Status}' tcp-chat 2>/dev/null | grep -q "installed"; then
  fail "tcp-chat is already installed here: purge it first (dpkg --purge tcp-chat)"
fi
ip link set lo up
work=$(mktemp -d)
export FAKE_SYSTEMD_DIR=$work/systemd
mkdir -p "$work/bin" "$FAKE_SYSTEMD_DIR"
install -m 0755 "$(dirname "$(realpath "$0")")/fake-systemctl" "$work/bin/systemctl"
export PATH=$work/bin:$PATH
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/systemd/system
# A container's policy-rc.d forbids starting services (exit 101); the host played here allows it.
if [ -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 0\n' >"$work/policy-rc.d"
  chmod 0755 "$work/policy-rc.d"
  mount --bind "$work/policy-rc.d" /usr/sbin/policy-rc.d
fi
cleanup() {
  systemctl stop chat-server.service 2>/dev/null || true
  dpkg --purge tcp-chat >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

expect() {
  local what=$1
  shift
  "$@" || problems+=("$what")
}
calls_since() { tail -n +"$(($1 + 1))" "$FAKE_SYSTEMD_DIR/calls"; }
calls_so_far() { wc -l <"$FAKE_SYSTEMD_DIR/calls" 2>/dev/null || echo 0; }
active() { systemctl --quiet is-active chat-server.service; }
inactive() { ! active; }
no_stop_in() { ! grep -q '^systemctl .*\bstop\b' <<<"$1"; }
main_pid() { cat "$FAKE_SYSTEMD_DIR/MAINPID"; }
# The binary running as the service is the installed one, not one an upgrade replaced.
runs_installed_binary() { [ "$(readlink "/proc/$(main_pid)/exe")" = /usr/bin/chat-server ]; }
dpkg_do() { dpkg "$@" </dev/null >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg $* failed"; }; }
wait_for_port() {
  for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}
served_certificate() {
  openssl s_client -connect 127.0.0.1:5556 </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256
}
certificate_of() { openssl x509 -noout -fingerprint -sha256 -in "$1/fullchain.pem"; }

# A short chat through the installed chat-client and the running service on PORT.
chat_through() {
  local port=$1
  printf 'REGISTER Elias\n@wait 20 ^CONNECTED Noy$\n@wait 20 ^MSG Noy hello from the package$\nMSG hi Noy\n@wait 20 ^DISCONNECTED Noy$\n' |
    timeout 60 /usr/bin/chat-client --port "$port" >"$work/elias.out" 2>&1 &
  local elias=$!
  for _ in $(seq 200); do
    grep -q "OK REGISTERED Elias" "$work/elias.out" 2>/dev/null && break
    sleep 0.05
  done
  printf 'REGISTER Noy\nCONNECT Elias\nMSG hello from the package\n@wait 20 ^MSG Elias hi Noy$\nDISCONNECT\n' |
    timeout 60 /usr/bin/chat-client --port "$port" >"$work/noy.out" 2>&1 || fail "Noy's script failed: $(cat "$work/noy.out")"
  wait "$elias" || fail "Elias's script failed: $(cat "$work/elias.out")"
}

# The control fields. CMake joins a list with ';', which once began each description line.
version=$(dpkg-deb -f "$deb" Version)
description=$(dpkg-deb -f "$deb" Description)
! grep -q '^ *;' <<<"$description" || fail "a Description line starts with ';': $description"
depends=$(dpkg-deb -f "$deb" Depends)
grep -q libspdlog <<<"$depends" || fail "Depends lacks spdlog (dpkg-shlibdeps): $depends"
grep -q passwd <<<"$depends" || fail "Depends lacks passwd (groupadd in postinst): $depends"
grep -qx /etc/tcp-chat/chat-server.toml < <(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles) ||
  fail "/etc/tcp-chat/chat-server.toml is not a conffile"

# The next version: the same files, repacked with a higher version.
next_version=$version+next
dpkg-deb -R "$deb" "$work/next"
sed -i "s/^Version: .*/Version: $next_version/" "$work/next/DEBIAN/control"
dpkg-deb -b "$work/next" "$work/next.deb" >/dev/null
dpkg --compare-versions "$next_version" gt "$version" || fail "$next_version is not above $version"

# Installation: the files, and the service enabled and started.
dpkg_do -i "$deb"
for program in chat-server chat-client chat-bench chat-encap; do
  out=$(/usr/bin/$program --version) || fail "$program --version failed"
  grep -q "$version" <<<"$out" || fail "$program --version does not name $version: $out"
  zcat "/usr/share/man/man1/$program.1.gz" | grep -q '^\.SH OPTIONS' || fail "no man page for $program"
done
[ -f /etc/tcp-chat/chat-server.toml ] || fail "no /etc/tcp-chat/chat-server.toml"
[ -f /usr/share/doc/tcp-chat/README.md ] || fail "no README in /usr/share/doc/tcp-chat"
[ -f /usr/share/doc/tcp-chat/docs/protocol.md ] || fail "no docs/protocol.md in /usr/share/doc/tcp-chat: the README's links to docs/ would break"
unit=$(dpkg -L tcp-chat | grep '/systemd/system/chat-server.service$') || fail "no systemd unit"
verify=$(systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify failed: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify is not clean: $verify"
expect "installation did not enable the unit" [ "$(systemctl --root=/ is-enabled chat-server.service)" = enabled ]
expect "installation did not start the service" active
echo "test-deb: systemctl calls on installation:"
sed 's/^/  /' "$FAKE_SYSTEMD_DIR/calls"
# An administrator starts a service the package left stopped, to go on.
active || systemctl start chat-server.service
wait_for_port 12345 || fail "the service does not listen on 12345: $(cat "$FAKE_SYSTEMD_DIR/chat-server.log")"

# The administrator moves the plain port, and restarts the service to read the edited settings.
settings=/etc/tcp-chat/chat-server.toml
sed -i 's/^port = 12345$/port = 12346/' $settings
grep -qx 'port = 12346' $settings || fail "could not edit $settings"
cp $settings "$work/edited.toml"
systemctl restart chat-server.service
wait_for_port 12346 || fail "the restarted service does not listen on 12346: $(cat "$FAKE_SYSTEMD_DIR/chat-server.log")"

# The upgrade: never stopped before, restarted after, on the new binary; the edits kept.
pid_before=$(main_pid)
calls_before=$(calls_so_far)
dpkg_do -i "$work/next.deb"
[ "$(dpkg-query -W -f='${Version}' tcp-chat)" = "$next_version" ] || fail "the upgrade did not install $next_version"
cmp -s $settings "$work/edited.toml" || fail "the upgrade did not keep the edited $settings: $(diff "$work/edited.toml" $settings)"
echo "test-deb: systemctl calls on the upgrade to $next_version:"
calls_since "$calls_before" | sed 's/^/  /'
expect "the upgrade stopped the service (a stop call)" no_stop_in "$(calls_since "$calls_before")"
expect "the upgrade left the service stopped" active
if active; then
  expect "the upgrade did not restart the service (pid $pid_before still runs)" [ "$(main_pid)" != "$pid_before" ]
  expect "the service runs a replaced binary ($(readlink "/proc/$(main_pid)/exe"))" runs_installed_binary
  wait_for_port 12346 || fail "the upgraded service does not listen on 12346"
  chat_through 12346
fi

# TLS as the docs advise: the package's group and folder, a certificate deployed by the hook, the
# settings pointing there; a restart reads them, and a renewal reaches the running server by a reload.
grep -qx 'SupplementaryGroups=tcp-chat' "$unit" || fail "the unit does not join the group tcp-chat"
# shellcheck disable=SC2016 # $MAINPID is systemd's, as the unit spells it
grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$unit" || fail "the unit's reload is not SIGHUP"
! grep -q '^LoadCredential' "$unit" || fail "the unit loads a credential, which a reload does not renew"
getent group tcp-chat >/dev/null || fail "no group tcp-chat"
[ "$(stat -c '%a %U %G' /etc/tcp-chat/tls)" = "750 root tcp-chat" ] ||
  fail "/etc/tcp-chat/tls is $(stat -c '%a %U %G' /etc/tcp-chat/tls), not 750 root tcp-chat"
hook=/usr/libexec/tcp-chat/tls-deploy-hook
[ -x $hook ] || fail "no $hook"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=test CA" \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
for lineage in first renewed; do
  mkdir "$work/$lineage"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout "$work/$lineage/privkey.pem" -out "$work/$lineage/server.csr" 2>/dev/null
  openssl x509 -req -in "$work/$lineage/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -days 2 \
    -out "$work/$lineage/fullchain.pem" 2>/dev/null
  chmod 0600 "$work/$lineage/privkey.pem"
done
sed -i -e 's|^# tls-cert =$|tls-cert = "/etc/tcp-chat/tls/fullchain.pem"|' \
  -e 's|^# tls-key =$|tls-key = "/etc/tcp-chat/tls/privkey.pem"|' $settings
grep -q '^tls-key = ' $settings || fail "could not edit $settings"
RENEWED_LINEAGE=$work/first $hook || fail "the deploy hook failed"
[ "$(stat -c '%a %U %G' /etc/tcp-chat/tls/privkey.pem)" = "640 root tcp-chat" ] ||
  fail "the deployed key is $(stat -c '%a %U %G' /etc/tcp-chat/tls/privkey.pem), not 640 root tcp-chat"
! setpriv --reuid=nobody --regid=nogroup --clear-groups cat /etc/tcp-chat/tls/privkey.pem >/dev/null 2>&1 ||
  fail "the deployed key is readable without the group tcp-chat"
systemctl restart chat-server.service
wait_for_port 5556 ||
  fail "the restarted service does not listen on 5556: $(cat "$FAKE_SYSTEMD_DIR/chat-server.log")"
[ "$(served_certificate)" = "$(certificate_of "$work/first")" ] || fail "the service does not serve the deployed certificate"

# The renewal: the hook's reload reaches the running server, which serves the new certificate.
pid_before=$(main_pid)
calls_before=$(calls_so_far)
RENEWED_LINEAGE=$work/renewed $hook || fail "the deploy hook failed on renewal"
renewed=$(certificate_of "$work/renewed")
for _ in $(seq 200); do
  [ "$(served_certificate)" = "$renewed" ] && break
  sleep 0.05
done
[ "$(served_certificate)" = "$renewed" ] ||
  fail "a reload does not serve the renewed certificate: $(cat "$FAKE_SYSTEMD_DIR/chat-server.log")"
[ "$(main_pid)" = "$pid_before" ] || fail "the renewal restarted the service instead of reloading it"
echo "test-deb: systemctl calls on the renewal:"
calls_since "$calls_before" | sed 's/^/  /'

# Removal stops the service; the purge leaves nothing.
calls_before=$(calls_so_far)
dpkg_do --remove tcp-chat
expect "removal left the service running" inactive
dpkg_do --purge tcp-chat
for left in /usr/bin/chat-server /usr/bin/chat-client /etc/tcp-chat "$unit" /usr/share/doc/tcp-chat /usr/libexec/tcp-chat; do
  [ ! -e "$left" ] || fail "$left is still there after the purge"
done
# The enablement links and deb-systemd-helper's records of them.
links=$(find /etc/systemd /var/lib/systemd -name 'chat-server*')
[ -z "$links" ] || fail "still there after the purge: $links"
! getent group tcp-chat >/dev/null || fail "the group tcp-chat is still there after the purge"
echo "test-deb: systemctl calls on removal and purge:"
calls_since "$calls_before" | sed 's/^/  /'

[ ${#problems[@]} -eq 0 ] || fail "the service was mishandled (systemctl calls above)"
echo "test-deb: $deb ($version) installs, starts, upgrades to $next_version without a stop, reloads a renewed certificate, chats and purges cleanly"
