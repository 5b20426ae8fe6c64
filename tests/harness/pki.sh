#!/bin/bash
# Test PKI for the integration tests, made with the openssl command: a CA
# (ECDSA P-256) run with `openssl ca` so certificates can be revoked into a CRL,
# a server certificate for localhost/127.0.0.1, and one client certificate per
# situation the tests need:
#   csr, zzz, off   institutions testgrad.csr, testgrad.zzz, testgrad.off (disabled)
#   unknown         valid, CN testgrad.unknown (not a registered institution)
#   expired         CN testgrad.csr, validity ended in 2020
#   revoked         CN testgrad.csr, revoked in crl.pem
#   otherca         CN testgrad.csr, issued by an unrelated CA
#   hup             CN testgrad.csr, valid; the SIGHUP test revokes it mid-test
#   skola komora ngo grad csr2 nesig      testgrad.<name> (issue 3: one per protocol role)
#   novigrad-csr novigrad-grad novigrad-zzz auditgrad-csr   the other test municipalities
#   prijedor-grad prijedor-csr prijedor-zzz prijedor-skola prijedor-komora
#   prijedor-preda prijedor-hleb    prijedor.<name>: the signatories of Prijedor's protocol
# Every client certificate except those of other institutions says CN
# testgrad.csr, so a refusal can only come from the certificate's status.
#
# usage: pki.sh setup DIR          make everything afresh in DIR
#        pki.sh revoke DIR NAME    revoke DIR/NAME.crt and rewrite DIR/crl.pem
set -euo pipefail

usage() {
    echo "usage: $0 setup DIR | revoke DIR NAME" >&2
    exit 2
}

[ $# -ge 2 ] || usage
command=$1
dir=$2

new_key() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
    chmod 600 "$1"
}

# issue NAME CN EXTENSIONS [openssl ca options...]: a certificate from the test CA
issue() {
    local name=$1 cn=$2 extensions=$3
    shift 3
    new_key "$dir/$name.key"
    openssl req -new -key "$dir/$name.key" -subj "/CN=$cn" -out "$dir/$name.csr" 2>/dev/null
    openssl ca -batch -notext -config "$dir/ca.cnf" -extensions "$extensions" \
        -in "$dir/$name.csr" -out "$dir/$name.crt" "$@" 2>"$dir/$name.log" ||
        { cat "$dir/$name.log" >&2; return 1; }
    rm -f "$dir/$name.csr" "$dir/$name.log"
}

gencrl() {
    openssl ca -batch -config "$dir/ca.cnf" -gencrl -out "$dir/crl.pem.new" 2>"$dir/crl.log" ||
        { cat "$dir/crl.log" >&2; return 1; }
    mv -f "$dir/crl.pem.new" "$dir/crl.pem"   # atomic: a reloading server never sees half a file
    rm -f "$dir/crl.log"
}

setup() {
    rm -rf "$dir"
    mkdir -p "$dir/newcerts"
    dir=$(cd "$dir" && pwd)
    : >"$dir/index.txt"
    echo 1000 >"$dir/serial"
    echo 1000 >"$dir/crlnumber"
    cat >"$dir/ca.cnf" <<EOF
# openssl configuration of the Spona test CA (written by tests/harness/pki.sh)
[ca]
default_ca = test_ca

[test_ca]
dir = $dir
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = \$dir/ca.crt
private_key = \$dir/ca.key
default_md = sha256
default_days = 30
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no

[policy_any]
commonName = supplied

[req]
distinguished_name = req_dn
prompt = no

[req_dn]
CN = unused

[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

    new_key "$dir/ca.key"
    openssl req -x509 -new -config "$dir/ca.cnf" -extensions ca_ext -key "$dir/ca.key" \
        -subj "/CN=Spona Test CA" -days 3650 -sha256 -out "$dir/ca.crt"

    issue server localhost server_ext
    issue csr testgrad.csr client_ext
    issue zzz testgrad.zzz client_ext
    issue off testgrad.off client_ext
    issue unknown testgrad.unknown client_ext
    # issue 3: the institutions of the test protocols (tests/harness/pg.sh)
    local name cn name_cn
    for name_cn in skola:testgrad.skola komora:testgrad.komora ngo:testgrad.ngo \
        grad:testgrad.grad csr2:testgrad.csr2 nesig:testgrad.nesig \
        novigrad-csr:novigrad.csr novigrad-grad:novigrad.grad novigrad-zzz:novigrad.zzz \
        auditgrad-csr:auditgrad.csr \
        prijedor-grad:prijedor.grad prijedor-csr:prijedor.csr prijedor-zzz:prijedor.zzz \
        prijedor-skola:prijedor.skola prijedor-komora:prijedor.komora \
        prijedor-preda:prijedor.preda prijedor-hleb:prijedor.hleb; do
        name=${name_cn%%:*}
        cn=${name_cn#*:}
        issue "$name" "$cn" client_ext
    done
    issue hup testgrad.csr client_ext
    issue revoked testgrad.csr client_ext
    issue expired testgrad.csr client_ext -startdate 20200101000000Z -enddate 20200201000000Z

    openssl ca -batch -config "$dir/ca.cnf" -revoke "$dir/revoked.crt" 2>/dev/null
    gencrl

    # an unrelated CA, unknown to the server, and a client certificate from it
    new_key "$dir/otherca-root.key"
    openssl req -x509 -new -config "$dir/ca.cnf" -extensions ca_ext \
        -key "$dir/otherca-root.key" -subj "/CN=Some Other CA" -days 3650 -sha256 \
        -out "$dir/otherca-root.crt"
    new_key "$dir/otherca.key"
    openssl req -new -key "$dir/otherca.key" -subj "/CN=testgrad.csr" -out "$dir/otherca.csr"
    openssl x509 -req -in "$dir/otherca.csr" -CA "$dir/otherca-root.crt" \
        -CAkey "$dir/otherca-root.key" -CAcreateserial -days 30 -sha256 \
        -extfile "$dir/ca.cnf" -extensions client_ext -out "$dir/otherca.crt" 2>/dev/null
    rm -f "$dir/otherca.csr"

    # sanity: the statuses the tests rely on
    openssl verify -CAfile "$dir/ca.crt" "$dir/csr.crt" "$dir/hup.crt" "$dir/server.crt" >/dev/null
    if openssl verify -crl_check -CAfile "$dir/ca.crt" -CRLfile "$dir/crl.pem" \
        "$dir/revoked.crt" >/dev/null 2>&1; then
        echo "pki.sh: revoked.crt still verifies against the CRL" >&2
        exit 1
    fi
    if openssl verify -CAfile "$dir/ca.crt" "$dir/expired.crt" >/dev/null 2>&1; then
        echo "pki.sh: expired.crt still verifies" >&2
        exit 1
    fi
    echo "pki.sh: test PKI ready in $dir"
}

revoke() {
    local name=$1
    [ -f "$dir/$name.crt" ] || { echo "pki.sh: no certificate $dir/$name.crt" >&2; exit 1; }
    openssl ca -batch -config "$dir/ca.cnf" -revoke "$dir/$name.crt" 2>"$dir/revoke.log" ||
        { cat "$dir/revoke.log" >&2; exit 1; }
    rm -f "$dir/revoke.log"
    gencrl
    echo "pki.sh: revoked $name; CRL rewritten"
}

case $command in
setup) setup ;;
revoke)
    [ $# -eq 3 ] || usage
    revoke "$3"
    ;;
*) usage ;;
esac
