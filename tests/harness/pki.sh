#!/bin/bash
# Test PKI for the integration tests, made by deploy/pki.sh (the one PKI script
# of deploy/ and tests/): its CA (municipality testgrad) and server certificate
# for localhost/127.0.0.1, its CRL, and one client certificate per situation the
# tests need:
#   csr, zzz, off   institutions testgrad.csr, testgrad.zzz, testgrad.off (disabled)
#   unknown         valid, CN testgrad.unknown (not a registered institution)
#   expired         CN testgrad.csr, validity ended in 2020
#   revoked         CN testgrad.csr, revoked in crl.pem
#   otherca         CN testgrad.csr, issued by an unrelated CA
#   hup             CN testgrad.csr, valid; the SIGHUP test revokes it mid-test
#   skola komora ngo grad csr2 nesig      testgrad.<name> (issue 3: one per protocol role)
#   novigrad-csr novigrad-grad novigrad-zzz auditgrad-csr   the other test municipalities
#   amendgrad-csr amendgrad-zzz amendgrad-grad amendgrad-ngo  amendments (test_protocol_amend.c)
#   prijedor-grad prijedor-csr prijedor-zzz prijedor-skola prijedor-komora
#   prijedor-preda prijedor-hleb    prijedor.<name>: the signatories of Prijedor's protocol
# Every client certificate except those of other institutions says CN
# testgrad.csr, so a refusal can only come from the certificate's status.
#
# usage: pki.sh setup DIR          make everything afresh in DIR
#        pki.sh revoke DIR NAME    revoke DIR/NAME.crt and rewrite DIR/crl.pem
set -euo pipefail

pki=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../deploy" && pwd)/pki.sh

setup() {
    local dir=$1
    rm -rf "$dir"
    bash "$pki" "$dir" testgrad >/dev/null
    dir=$(cd "$dir" && pwd)
    local name cn name_cn
    for name_cn in csr:testgrad.csr zzz:testgrad.zzz off:testgrad.off \
        unknown:testgrad.unknown \
        skola:testgrad.skola komora:testgrad.komora ngo:testgrad.ngo \
        grad:testgrad.grad csr2:testgrad.csr2 nesig:testgrad.nesig \
        novigrad-csr:novigrad.csr novigrad-grad:novigrad.grad novigrad-zzz:novigrad.zzz \
        auditgrad-csr:auditgrad.csr \
        amendgrad-csr:amendgrad.csr amendgrad-zzz:amendgrad.zzz amendgrad-grad:amendgrad.grad \
        amendgrad-ngo:amendgrad.ngo \
        prijedor-grad:prijedor.grad prijedor-csr:prijedor.csr prijedor-zzz:prijedor.zzz \
        prijedor-skola:prijedor.skola prijedor-komora:prijedor.komora \
        prijedor-preda:prijedor.preda prijedor-hleb:prijedor.hleb \
        hup:testgrad.csr revoked:testgrad.csr; do
        name=${name_cn%%:*}
        cn=${name_cn#*:}
        bash "$pki" --issue "$dir" "$name" "$cn" >/dev/null
    done
    bash "$pki" --issue "$dir" expired testgrad.csr \
        -startdate 20200101000000Z -enddate 20200201000000Z >/dev/null
    bash "$pki" --revoke "$dir" revoked >/dev/null
    bash "$pki" --foreign "$dir" otherca testgrad.csr >/dev/null

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
    if openssl verify -CAfile "$dir/ca.crt" "$dir/otherca.crt" >/dev/null 2>&1; then
        echo "pki.sh: otherca.crt verifies against the test CA" >&2
        exit 1
    fi
    echo "pki.sh: test PKI ready in $dir"
}

case ${1:-}:$# in
setup:2) setup "$2" ;;
revoke:3) bash "$pki" --revoke "$2" "$3" ;;
*)
    echo "usage: $0 setup DIR | revoke DIR NAME" >&2
    exit 2
    ;;
esac
