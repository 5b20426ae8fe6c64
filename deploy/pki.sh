#!/usr/bin/env bash
# Development PKI for one municipality, made with the openssl command.
#
#   deploy/pki.sh OUTDIR MUNICIPALITY_CODE INSTITUTION_CODE...
#       Makes what is missing in OUTDIR: a CA (ca.crt, ca.key), a server certificate
#       (server.crt, server.key; SAN DNS:localhost, IP:127.0.0.1), one client certificate
#       per institution (CODE.crt, CODE.key; subject CN=CODE, O=MUNICIPALITY_CODE) and the
#       CA's CRL (crl.pem). Existing files are kept; a leaf that no longer verifies against
#       the CA (expired, or issued by an earlier CA) is issued again.
#   deploy/pki.sh --revoke OUTDIR CODE
#       Revokes CODE.crt ("server" for server.crt) and regenerates crl.pem. Send SIGHUP to
#       spona-server to load the new CRL.
#   deploy/pki.sh --crl OUTDIR
#       Regenerates crl.pem (it is valid for 365 days).
#   deploy/pki.sh --issue OUTDIR NAME CN [OPENSSL_CA_OPTION...]
#       Issues NAME.crt and NAME.key afresh from OUTDIR's CA: a client certificate with
#       subject CN=CN, O=the CA's municipality, e.g. a second certificate of one
#       institution; the options go to `openssl ca` (-startdate/-enddate for one already
#       expired).
#   deploy/pki.sh --foreign OUTDIR NAME CN
#       Makes a CA of its own that OUTDIR's CA does not know (NAME-root.crt, NAME-root.key)
#       and from it a client certificate NAME.crt, NAME.key with CN=CN: one the server must
#       refuse.
#
# tests/harness/pki.sh makes the integration tests' PKI with these commands.
#
# Keys are ECDSA P-256, mode 0600. The CA is valid 10 years, leaves 825 days.
# Environment: SPONA_PKI_SERVER_SAN adds subjectAltName entries to a new server
# certificate, e.g. "DNS:spona.example.org,IP:10.0.0.5".
# This is a development CA: its key lies unencrypted next to the certificates.
set -euo pipefail

readonly CA_DAYS=3650
readonly LEAF_DAYS=825
readonly CRL_DAYS=365

usage() {
    cat <<'EOF'
usage: deploy/pki.sh OUTDIR MUNICIPALITY_CODE INSTITUTION_CODE...
       deploy/pki.sh --revoke OUTDIR CODE
       deploy/pki.sh --crl OUTDIR
       deploy/pki.sh --issue OUTDIR NAME CN [OPENSSL_CA_OPTION...]
       deploy/pki.sh --foreign OUTDIR NAME CN
EOF
}

say() { printf 'pki: %s\n' "$*"; }
die() { printf 'pki: error: %s\n' "$*" >&2; exit 1; }

# A code becomes a file name and a certificate subject: keep it to the schema's alphabet.
check_code() {
    [[ $1 =~ ^[a-z0-9][a-z0-9._-]{1,62}$ ]] || die "'$1' is not a valid code (lower-case letters, digits, '.', '_', '-')"
}

# The openssl ca configuration lives in OUTDIR and is rewritten on every run.
write_config() {
    local san="DNS:localhost,IP:127.0.0.1${SPONA_PKI_SERVER_SAN:+,$SPONA_PKI_SERVER_SAN}"
    cat >"$OUT/openssl.cnf" <<EOF
# Written by deploy/pki.sh: the development CA's openssl configuration.
[ca]
default_ca = spona_ca

[spona_ca]
dir              = $OUT
database         = \$dir/index.txt
serial           = \$dir/serial
crlnumber        = \$dir/crlnumber
new_certs_dir    = \$dir/issued
certificate      = \$dir/ca.crt
private_key      = \$dir/ca.key
default_md       = sha256
default_days     = $LEAF_DAYS
default_crl_days = $CRL_DAYS
policy           = spona_policy
unique_subject   = no
copy_extensions  = none
preserve         = yes
email_in_dn      = no

[spona_policy]
organizationName = optional
commonName       = supplied

[req]
distinguished_name = req_dn
prompt             = no

[req_dn]
CN = unused

[v3_ca]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[server_ext]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectAltName         = $san
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid

[client_ext]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid

[crl_ext]
authorityKeyIdentifier = keyid:always
EOF
}

# Makes an ECDSA P-256 key readable by its owner only.
new_key() {
    (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
        -pkeyopt ec_param_enc:named_curve -out "$1" 2>/dev/null)
    chmod 0600 "$1"
}

# Starts a fresh CA database; anything issued by an earlier CA is useless anyway.
reset_ca_database() {
    rm -rf "$OUT/issued"
    mkdir -p "$OUT/issued"
    : >"$OUT/index.txt"
    printf 'unique_subject = no\n' >"$OUT/index.txt.attr"
    openssl rand -hex 16 | tr 'a-f' 'A-F' | sed 's/^[89A-F]/7/' >"$OUT/serial"
    printf '1000\n' >"$OUT/crlnumber"
}

ensure_ca() {
    local municipality=$1
    if [[ -s $OUT/ca.crt && -s $OUT/ca.key && -f $OUT/index.txt && -f $OUT/serial ]]; then
        return 1
    fi
    say "making CA 'Spona dev CA $municipality' in $OUT"
    reset_ca_database
    new_key "$OUT/ca.key"
    openssl req -new -x509 -config "$OUT/openssl.cnf" -extensions v3_ca \
        -key "$OUT/ca.key" -days "$CA_DAYS" -sha256 \
        -subj "/O=$municipality/CN=Spona dev CA $municipality" -out "$OUT/ca.crt"
    rm -f "$OUT/crl.pem"
    return 0
}

# Issues NAME.crt/NAME.key (subject O=municipality, CN=cn) with the given extension
# section, unless a certificate exists that still verifies against the CA (force 0).
# Further arguments go to `openssl ca`.
ensure_leaf() {
    local name=$1 cn=$2 ext=$3 municipality=$4 force=$5
    shift 5
    local crt=$OUT/$name.crt key=$OUT/$name.key
    if [[ $force == 0 && -s $crt && -s $key ]]; then
        if openssl verify -CAfile "$OUT/ca.crt" "$crt" >/dev/null 2>&1; then
            chmod 0600 "$key"
            if ! openssl verify -CAfile "$OUT/ca.crt" -crl_check -CRLfile "$OUT/crl.pem" \
                "$crt" >/dev/null 2>&1; then
                say "note: $name.crt is revoked; delete $name.crt and $name.key and rerun to issue a new one"
            fi
            return 0
        fi
        say "$name.crt does not verify against ca.crt (expired or from an earlier CA): issuing a new one"
    fi
    say "issuing $name.crt (CN=$cn, $ext)"
    new_key "$key"
    openssl req -new -config "$OUT/openssl.cnf" -key "$key" \
        -subj "/O=$municipality/CN=$cn" -out "$OUT/$name.csr"
    openssl ca -batch -notext -config "$OUT/openssl.cnf" -extensions "$ext" \
        -days "$LEAF_DAYS" -in "$OUT/$name.csr" -out "$crt" "$@" 2>"$OUT/$name.log" ||
        { cat "$OUT/$name.log" >&2; die "openssl ca could not issue $name.crt"; }
    rm -f "$OUT/$name.csr" "$OUT/$name.log"
    chmod 0644 "$crt"
}

gen_crl() {
    openssl ca -batch -config "$OUT/openssl.cnf" -gencrl -crlexts crl_ext \
        -out "$OUT/crl.pem.new" 2>"$OUT/crl.log" ||
        { cat "$OUT/crl.log" >&2; die "openssl ca could not generate the CRL"; }
    mv -f "$OUT/crl.pem.new" "$OUT/crl.pem"
    rm -f "$OUT/crl.log"
    chmod 0644 "$OUT/crl.pem"
    say "CRL written to $OUT/crl.pem"
}

# Regenerates the CRL when it is missing or will expire within 30 days.
ensure_crl() {
    if [[ -s $OUT/crl.pem ]]; then
        local next
        next=$(openssl crl -in "$OUT/crl.pem" -noout -nextupdate 2>/dev/null | cut -d= -f2-)
        if [[ -n $next ]] && (($(date -d "$next" +%s) > $(date +%s) + 30 * 86400)); then
            return 0
        fi
    fi
    gen_crl
}

cmd_make() {
    local municipality=$1
    shift
    check_code "$municipality"
    for code in "$@"; do
        check_name "$code"
    done
    mkdir -p "$OUT"
    OUT=$(cd "$OUT" && pwd)
    write_config
    local fresh=0
    if ensure_ca "$municipality"; then fresh=1; fi
    # CRL first, so that ensure_leaf can tell a revoked certificate.
    ensure_crl
    ensure_leaf server localhost server_ext "$municipality" "$fresh"
    for code in "$@"; do
        ensure_leaf "$code" "$code" client_ext "$municipality" "$fresh"
    done
    say "PKI ready in $OUT (CA, server, $# client certificate(s), CRL)"
}

cmd_revoke() {
    local code=$1
    [[ $code == server ]] || check_code "$code"
    local crt=$OUT/$code.crt
    [[ -s $crt ]] || die "no certificate $crt"
    local serial
    serial=$(openssl x509 -in "$crt" -noout -serial | cut -d= -f2)
    if awk -F'\t' -v s="$serial" '$1 == "R" && toupper($4) == toupper(s) { found = 1 } END { exit !found }' \
        "$OUT/index.txt"; then
        say "$code.crt (serial $serial) is already revoked"
    else
        openssl ca -batch -config "$OUT/openssl.cnf" -revoke "$crt" 2>"$OUT/revoke.log" ||
            { cat "$OUT/revoke.log" >&2; die "openssl ca could not revoke $crt"; }
        rm -f "$OUT/revoke.log"
        say "revoked $code.crt (serial $serial)"
    fi
    gen_crl
    say "send SIGHUP to spona-server to load the new CRL"
}

# OUTDIR made by this script, as an absolute path in OUT; its configuration rewritten.
open_ca() {
    OUT=$(cd "$1" && pwd)
    [[ -s $OUT/ca.key && -f $OUT/index.txt ]] || die "$OUT holds no CA made by this script"
    write_config
}

# A leaf's file name: a code, and none of the CA's own files.
check_name() {
    check_code "$1"
    [[ $1 != server && $1 != ca && $1 != crl ]] || die "'$1' is reserved"
}

cmd_issue() {
    local name=$1 cn=$2
    shift 2
    check_name "$name"
    check_code "$cn"
    local municipality
    municipality=$(openssl x509 -in "$OUT/ca.crt" -noout -subject -nameopt RFC2253 |
        sed -n 's/^subject=\(.*,\)\{0,1\}O=\([^,]*\).*/\2/p')
    [[ -n $municipality ]] || die "ca.crt names no municipality (O=)"
    ensure_leaf "$name" "$cn" client_ext "$municipality" 1 "$@"
}

cmd_foreign() {
    local name=$1 cn=$2
    check_name "$name"
    check_code "$cn"
    local root=$OUT/$name-root
    say "issuing $name.crt (CN=$cn) from a CA of its own, $name-root.crt"
    new_key "$root.key"
    openssl req -new -x509 -config "$OUT/openssl.cnf" -extensions v3_ca -key "$root.key" \
        -days "$CA_DAYS" -sha256 -subj "/CN=Some Other CA" -out "$root.crt"
    new_key "$OUT/$name.key"
    openssl req -new -config "$OUT/openssl.cnf" -key "$OUT/$name.key" -subj "/CN=$cn" \
        -out "$OUT/$name.csr"
    openssl x509 -req -in "$OUT/$name.csr" -CA "$root.crt" -CAkey "$root.key" \
        -set_serial "0x$(openssl rand -hex 16)" -days "$LEAF_DAYS" -sha256 \
        -extfile "$OUT/openssl.cnf" -extensions client_ext -out "$OUT/$name.crt" 2>/dev/null
    rm -f "$OUT/$name.csr"
    chmod 0644 "$root.crt" "$OUT/$name.crt"
}

main() {
    command -v openssl >/dev/null || die "the openssl command is needed (apt-get install openssl)"
    case ${1:-} in
    -h | --help)
        usage
        ;;
    --revoke)
        [[ $# == 3 ]] || { usage >&2; exit 2; }
        open_ca "$2"
        cmd_revoke "$3"
        ;;
    --crl)
        [[ $# == 2 ]] || { usage >&2; exit 2; }
        open_ca "$2"
        gen_crl
        ;;
    --issue)
        [[ $# -ge 4 ]] || { usage >&2; exit 2; }
        open_ca "$2"
        shift 2
        cmd_issue "$@"
        ;;
    --foreign)
        [[ $# == 4 ]] || { usage >&2; exit 2; }
        open_ca "$2"
        cmd_foreign "$3" "$4"
        ;;
    -*)
        usage >&2
        exit 2
        ;;
    *)
        [[ $# -ge 2 ]] || { usage >&2; exit 2; }
        OUT=$1
        shift
        cmd_make "$@"
        ;;
    esac
}

OUT=
main "$@"
