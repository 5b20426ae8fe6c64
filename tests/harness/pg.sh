#!/bin/bash
# Throwaway PostgreSQL for the integration tests: a fresh cluster in a private
# directory (under the state directory, or /tmp when the `postgres` user cannot
# reach it), listening on 127.0.0.1 only, on a free port from 55000 up, with
# trust authentication. PostgreSQL refuses to run as root, so as root the
# cluster is owned by and run as `postgres`. Then, through spona-server's own
# commands: migrate (twice: the second run must apply nothing and succeed), the
# municipality `testgrad`, its institutions and users with known passwords
# ("<username>-lozinka-42", as tests/integration/itest.c expects); for issue 3 one
# institution per role of the test protocol (tests/integration/protocols), and the
# municipalities novigrad and auditgrad; and the real municipality `prijedor` with the
# seven signatories of its protocol (deploy/protocols/prijedor-v*.yaml), registered by
# the shipped deploy/seed-prijedor.sh itself, whose demo users all get the one password
# "prijedor-lozinka-42" (tests/integration/test_prijedor.c logs in with it).
#
# State written for the tests:
#   STATE/db/port       the cluster's port
#   STATE/db/root       the directory holding the cluster (data/, postgres.log)
#   STATE/admin.conf    a spona-server config for migrate and the admin commands
#
# usage: pg.sh setup STATE SPONA_SERVER MIGRATIONS_DIR
#        pg.sh cleanup STATE     stop the cluster and delete it
set -euo pipefail

PG_BIN=${SPONA_PG_BIN:-/usr/lib/postgresql/15/bin}

usage() {
    echo "usage: $0 setup STATE SPONA_SERVER MIGRATIONS_DIR | cleanup STATE" >&2
    exit 2
}

[ $# -ge 2 ] || usage
command=$1
state=$2

as_db_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

cleanup() {
    local root=""
    [ -f "$state/db/root" ] && root=$(cat "$state/db/root")
    if [ -n "$root" ] && [ -d "$root/data" ]; then
        if [ -f "$root/data/postmaster.pid" ]; then
            as_db_user "$PG_BIN/pg_ctl" -D "$root/data" -m fast -w -t 60 stop >/dev/null ||
                as_db_user "$PG_BIN/pg_ctl" -D "$root/data" -m immediate -w stop >/dev/null ||
                true
        fi
    fi
    # only ever delete what setup made: the state's own directory or /tmp/spona-test-pg.*
    case $root in
    "$state"/db/cluster | /tmp/spona-test-pg.*) rm -rf "$root" ;;
    esac
    rm -rf "$state/db"
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

password_of() {
    printf '%s-lozinka-42' "$1"
}

setup() {
    [ $# -eq 2 ] || usage
    local server=$1 migrations=$2
    [ -x "$server" ] || { echo "pg.sh: $server is not executable" >&2; exit 1; }
    [ -x "$PG_BIN/initdb" ] || { echo "pg.sh: no PostgreSQL in $PG_BIN" >&2; exit 1; }
    mkdir -p "$state"
    state=$(cd "$state" && pwd)
    cleanup
    mkdir -p "$state/db"

    local root="$state/db/cluster"
    mkdir -p "$root"
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$root"
        if ! runuser -u postgres -- test -w "$root"; then
            # a parent directory is closed to postgres (e.g. a build tree under /root)
            rm -rf "$root"
            root=$(mktemp -d /tmp/spona-test-pg.XXXXXX)
            chown postgres: "$root"
        fi
    fi
    echo "$root" >"$state/db/root"

    as_db_user "$PG_BIN/initdb" -D "$root/data" -U postgres -A trust -E UTF8 --locale=C \
        --no-sync >"$state/db/initdb.log" 2>&1 ||
        { cat "$state/db/initdb.log" >&2; exit 1; }
    cat >>"$root/data/postgresql.conf" <<EOF

# tests/harness/pg.sh: private, fast, throwaway
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

    local port="" candidate=$((55000 + $$ % 900)) attempt
    for attempt in $(seq 1 30); do
        candidate=$((candidate + 1))
        port_in_use "$candidate" && continue
        if as_db_user "$PG_BIN/pg_ctl" -D "$root/data" -l "$root/postgres.log" \
            -o "-p $candidate" -w -t 60 start >/dev/null; then
            port=$candidate
            break
        fi
    done
    if [ -z "$port" ]; then
        echo "pg.sh: PostgreSQL did not start; its log:" >&2
        cat "$root/postgres.log" >&2 || true
        exit 1
    fi
    echo "$port" >"$state/db/port"
    echo "pg.sh: PostgreSQL running in $root/data on 127.0.0.1:$port"

    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres <<EOF
CREATE ROLE spona_owner LOGIN;
CREATE ROLE spona_app LOGIN;
CREATE DATABASE spona OWNER spona_owner;
EOF

    local pki="$state/pki"
    write_admin_conf "$state/admin.conf" "$port" "$migrations" "$pki" 10
    # for the user whose logins must be slow (the SIGTERM test): production cost
    write_admin_conf "$state/admin-slow.conf" "$port" "$migrations" "$pki" 15

    local admin=("$server" -c "$state/admin.conf")
    "${admin[@]}" migrate
    "${admin[@]}" migrate
    "${admin[@]}" add-municipality testgrad Testgrad "Testna regija"
    "${admin[@]}" add-institution testgrad testgrad.csr lead_agency \
        "Centar za socijalni rad Testgrad"
    "${admin[@]}" add-institution testgrad testgrad.zzz employment_service \
        "Zavod za zapošljavanje, filijala Testgrad"
    "${admin[@]}" add-institution testgrad testgrad.off service_provider \
        "Udruženje Ugašeno"
    "${admin[@]}" set-institution-enabled testgrad.off false
    # issue 3: one institution per role of the test protocols (tests/integration/protocols),
    # a second lead agency (break-glass access), one institution that signed nothing, and
    # two more municipalities: novigrad (protocol import from scratch) and auditgrad (its
    # own audit chain, which test_audit tampers with)
    "${admin[@]}" add-institution testgrad testgrad.skola education_provider \
        "Mašinska škola Testgrad"
    "${admin[@]}" add-institution testgrad testgrad.komora employer_liaison \
        "Privredna komora, kancelarija Testgrad"
    "${admin[@]}" add-institution testgrad testgrad.ngo service_provider \
        "Udruženje Testna pomoć"
    "${admin[@]}" add-institution testgrad testgrad.grad coordinator "Grad Testgrad"
    "${admin[@]}" add-institution testgrad testgrad.csr2 lead_agency \
        "Centar za socijalni rad Testgrad, područna jedinica"
    "${admin[@]}" add-institution testgrad testgrad.nesig service_provider \
        "Udruženje Nepotpisnik"
    "${admin[@]}" add-municipality novigrad Novigrad "Testna regija"
    "${admin[@]}" add-institution novigrad novigrad.csr lead_agency "Centar za socijalni rad Novigrad"
    "${admin[@]}" add-institution novigrad novigrad.grad coordinator "Grad Novigrad"
    "${admin[@]}" add-institution novigrad novigrad.zzz employment_service \
        "Zavod za zapošljavanje, filijala Novigrad"
    "${admin[@]}" add-municipality auditgrad Auditgrad "Testna regija"
    "${admin[@]}" add-institution auditgrad auditgrad.csr lead_agency \
        "Centar za socijalni rad Auditgrad"

    # amendgrad: only test_protocol_amend.c imports its protocols (amendments and approvals)
    "${admin[@]}" add-municipality amendgrad Amendgrad "Testna regija"
    "${admin[@]}" add-institution amendgrad amendgrad.csr lead_agency \
        "Centar za socijalni rad Amendgrad"
    "${admin[@]}" add-institution amendgrad amendgrad.zzz employment_service \
        "Zavod za zapošljavanje, filijala Amendgrad"
    "${admin[@]}" add-institution amendgrad amendgrad.grad coordinator "Grad Amendgrad"
    "${admin[@]}" add-institution amendgrad amendgrad.ngo service_provider "Udruženje Amendgrad"

    local user
    # institution username "full name"
    while IFS='|' read -r institution user full_name; do
        SPONA_PASSWORD=$(password_of "$user") "${admin[@]}" add-user "$institution" "$user" \
            "$full_name" </dev/null
    done <<'EOF'
testgrad.csr|ana|Ana Testić
testgrad.csr|bojan|Bojan Testić
testgrad.csr|lockme|Lokana Testić
testgrad.csr|piper|Pero Testić
testgrad.csr|sesh|Sesija Testić
testgrad.csr|hup|Hupko Testić
testgrad.zzz|zoran|Zoran Testić
testgrad.off|olga|Olga Testić
testgrad.csr|vesna|Vesna Voditeljica
testgrad.csr|vlado|Vlado Voditelj
testgrad.csr2|emir|Emir Dežurni
testgrad.zzz|zana|Zana Savjetnica
testgrad.skola|sanja|Sanja Nastavnica
testgrad.komora|kemal|Kemal Komorski
testgrad.ngo|nada|Nada Volonterka
testgrad.grad|goran|Goran Koordinator
testgrad.nesig|nikola|Nikola Nepotpisnik
novigrad.csr|nina|Nina Novigradska
novigrad.grad|nedim|Nedim Novigradski
novigrad.zzz|nermin|Nermin Novigradski
auditgrad.csr|ajla|Ajla Auditorka
amendgrad.csr|amra|Amra Amandmanska
amendgrad.zzz|zlatko|Zlatko Amandmanski
amendgrad.grad|gorana|Gorana Amandmanska
amendgrad.ngo|neda|Neda Amandmanska
EOF
    SPONA_PASSWORD=$(password_of slow) "$server" -c "$state/admin-slow.conf" \
        add-user testgrad.csr slow "Spori Testić" </dev/null
    SPONA_PASSWORD=$(password_of spora) "$server" -c "$state/admin-slow.conf" \
        add-user testgrad.csr spora "Spora Testić" </dev/null # hostile_frames only
    # Prijedor: exactly what the shipped seed registers (codes, roles, demo users)
    SPONA_SERVER_BIN=$server SPONA_DEMO_PASSWORD=prijedor-lozinka-42 \
        bash "$(dirname "${BASH_SOURCE[0]}")/../../deploy/seed-prijedor.sh" "$state/admin.conf"
    echo "pg.sh: database spona migrated and seeded"
}

# write_admin_conf FILE PORT MIGRATIONS PKI SCRYPT_LOG2_N
write_admin_conf() {
    cat >"$1" <<EOF
; spona-server config for the admin commands of the integration tests (tests/harness/pg.sh)
[tls]
certificate = $4/server.crt
private_key = $4/server.key
client_ca_file = $4/ca.crt
crl_file = $4/crl.pem
[database]
dsn = host=127.0.0.1 port=$2 dbname=spona user=spona_app
admin_dsn = host=127.0.0.1 port=$2 dbname=spona user=spona_owner
migrations_dir = $3
[auth]
scrypt_log2_n = $5
[log]
level = warn
EOF
}

case $command in
setup)
    shift 2
    setup "$@"
    ;;
cleanup)
    [ $# -eq 2 ] || usage
    [ -d "$state" ] || exit 0
    state=$(cd "$state" && pwd)
    cleanup
    echo "pg.sh: PostgreSQL stopped and removed"
    ;;
*) usage ;;
esac
