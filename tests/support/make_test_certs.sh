#!/bin/sh
# Makes the certificates the TLS tests use, with the openssl CLI, in DIR:
#   ca.pem                       a test CA (the clients' --ca-file)
#   server.pem, server.key       signed by it for localhost and 127.0.0.1
#   renewed.pem, renewed.key     the same names, another key and serial (what a SIGHUP reload picks up)
#   expired.pem, expired.key     right names, valid only in January 2020
#   wrong_name.pem, wrong_name.key  valid, but for wrong.example only
#   garbage.pem                  not a certificate (a reload that must be refused)
# EC P-256 keys: quick to make, so every run gets fresh ones.
# Usage: make_test_certs.sh DIR
set -eu
dir=$1
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

key ca.key
openssl req -x509 -new -key ca.key -sha256 -days 30 -subj "/CN=tcp-chat test CA" -out ca.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

# openssl ca, not x509 -req: only it takes a start date, which the expired certificate needs.
cat >ca.cnf <<'CNF'
[ca]
default_ca = test_ca
[test_ca]
dir = .
database = ./index.txt
new_certs_dir = .
serial = ./serial
default_md = sha256
default_days = 30
policy = any_name
unique_subject = no
[any_name]
commonName = supplied
CNF
: >index.txt
echo 1000 >serial

# sign NAME SUBJECT_ALT_NAMES [openssl ca date options...]
sign() {
  name=$1 names=$2
  shift 2
  key "$name.key"
  openssl req -new -key "$name.key" -subj "/CN=tcp-chat test $name" -out "$name.csr"
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$names" >"$name.ext"
  openssl ca -batch -notext -config ca.cnf -cert ca.pem -keyfile ca.key -in "$name.csr" -out "$name.pem" \
    -extfile "$name.ext" "$@" 2>/dev/null
}

sign server "DNS:localhost,IP:127.0.0.1"
sign renewed "DNS:localhost,IP:127.0.0.1"
sign expired "DNS:localhost,IP:127.0.0.1" -startdate 20200101000000Z -enddate 20200131000000Z
sign wrong_name "DNS:wrong.example"
echo "this is not a certificate" >garbage.pem
