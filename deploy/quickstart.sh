#!/usr/bin/env bash
# The README's first command: from a fresh Debian 12 to a running Spona server with the
# Prijedor demo data and development certificates, everything under .spona-dev/.
#
#   ./deploy/quickstart.sh
#
# Steps: install missing packages, build into build/, start the development PostgreSQL
# cluster (deploy/dev-cluster.sh), make the dev PKI, write .spona-dev/spona-server.conf,
# migrate, register the Prijedor signatories (deploy/seed-prijedor.sh), import their
# Protocol on cooperation, version 1 (deploy/protocols/prijedor-v1.yaml), (re)start the
# server in the background, load the Prijedor pilot's 60 beneficiaries and their cases
# through the server's API (deploy/demo-prijedor.sh, docs/demo.md) and print `spona`
# commands to try. Safe to run again. deploy/stop.sh stops the server and the cluster.
#
# Environment: SPONA_PORT (server port, default 7443), SPONA_PG_PORT (PostgreSQL port,
# default 54329), SPONA_DEMO_PASSWORD (demo users' password, default spona-demo),
# SPONA_SKIP_INSTALL=1 (do not check packages), SPONA_BUILD_JOBS (parallel build jobs),
# SPONA_DEMO=0 (do not load the pilot's beneficiaries; default 1: load them).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEV=$ROOT/.spona-dev
BUILD=$ROOT/build
SERVER_BIN=$BUILD/server/spona-server
CLI_BIN=$BUILD/client/spona
CONF=$DEV/spona-server.conf
PID_FILE=$DEV/server.pid
SERVER_LOG=$DEV/server.log
PKI=$DEV/pki
SPONA_PORT=${SPONA_PORT:-7443}
SPONA_PG_PORT=${SPONA_PG_PORT:-54329}
DEMO_PASSWORD=${SPONA_DEMO_PASSWORD:-spona-demo}
SPONA_DEMO=${SPONA_DEMO:-1}
export SPONA_PG_PORT SPONA_DEMO_PASSWORD=$DEMO_PASSWORD

step() { printf '\n==> %s\n' "$*"; }
die() { printf 'quickstart: error: %s\n' "$*" >&2; exit 1; }

[[ $SPONA_PORT =~ ^[0-9]+$ ]] || die "SPONA_PORT must be a port number"
[[ $SPONA_DEMO == [01] ]] || die "SPONA_DEMO must be 0 or 1"
((${#DEMO_PASSWORD} >= 8)) || die "SPONA_DEMO_PASSWORD must have at least 8 characters"

step "Packages"
"$ROOT/deploy/install-deps.sh"

step "Build (build/, RelWithDebInfo)"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPONA_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j "${SPONA_BUILD_JOBS:-$(nproc)}"
[[ -x $SERVER_BIN ]] || die "the build made no $SERVER_BIN"

step "PostgreSQL development cluster"
mkdir -p "$DEV"
"$ROOT/deploy/dev-cluster.sh" start

step "Development PKI ($PKI)"
mapfile -t CODES < <("$ROOT/deploy/seed-prijedor.sh" --list-codes)
"$ROOT/deploy/pki.sh" "$PKI" prijedor "${CODES[@]}"

step "Configuration ($CONF)"
# The example with this installation's values; comments and all other defaults kept.
awk -v listen="127.0.0.1:$SPONA_PORT" -v pid="$PID_FILE" -v pki="$PKI" -v root="$ROOT" \
    -v dsn="host=127.0.0.1 port=$SPONA_PG_PORT dbname=spona user=spona_app" \
    -v admin="host=127.0.0.1 port=$SPONA_PG_PORT dbname=spona user=spona_owner" '
    BEGIN {
        print "; Written by deploy/quickstart.sh from deploy/spona-server.conf.example;"
        print "; it is rewritten on every run. Development settings: do not use in production."
        print ""
        v["server.listen"] = listen
        v["server.pid_file"] = pid
        v["tls.certificate"] = pki "/server.crt"
        v["tls.private_key"] = pki "/server.key"
        v["tls.client_ca_file"] = pki "/ca.crt"
        v["tls.crl_file"] = pki "/crl.pem"
        v["database.dsn"] = dsn
        v["database.admin_dsn"] = admin
        v["database.migrations_dir"] = root "/sql"
    }
    /^\[[a-z]+\]/ { section = substr($0, 2, index($0, "]") - 2) }
    /^[a-z_0-9]+[ \t]*=/ {
        key = $0; sub(/[ \t]*=.*/, "", key)
        if ((section "." key) in v) { print key " = " v[section "." key]; next }
    }
    { print }
' "$ROOT/deploy/spona-server.conf.example" >"$CONF.new"
mv -f "$CONF.new" "$CONF"
"$SERVER_BIN" -c "$CONF" check-config

step "Migrations"
"$SERVER_BIN" -c "$CONF" migrate
# protocol versions stored before sql/022 get their decision tables (a no-op otherwise)
"$SERVER_BIN" -c "$CONF" derive-decisions

step "Demo data: Prijedor and its seven signatories"
SPONA_SERVER_BIN=$SERVER_BIN "$ROOT/deploy/seed-prijedor.sh" "$CONF"

step "Protocol on cooperation: Prijedor, version 1 (the access policy)"
# Idempotent: the same text already stored as version 1 is reported and left alone.
"$SERVER_BIN" -c "$CONF" import-protocol "$ROOT/deploy/protocols/prijedor-v1.yaml"

step "Server"
# Stop the one an earlier quickstart started (the pid file is ours; check it is still that process).
if [[ -s $PID_FILE ]]; then
    old=$(<"$PID_FILE")
    if [[ $old =~ ^[0-9]+$ ]] && kill -0 "$old" 2>/dev/null &&
        tr '\0' ' ' <"/proc/$old/cmdline" 2>/dev/null | grep -q spona-server; then
        echo "stopping the running server (pid $old)"
        kill -TERM "$old"
        for _ in $(seq 1 150); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$old" 2>/dev/null; then
            echo "it did not stop within 15 s: killing it"
            kill -KILL "$old" 2>/dev/null || true
        fi
    fi
    rm -f "$PID_FILE"
fi
# The server listens with SO_REUSEPORT, which would let it share a port with another
# process of the same user without an error: make sure nothing else listens there.
if (exec 3<>"/dev/tcp/127.0.0.1/$SPONA_PORT") 2>/dev/null; then
    die "something else already listens on 127.0.0.1:$SPONA_PORT: stop it or set SPONA_PORT"
fi
printf '\n--- %s quickstart start ---\n' "$(date -Is)" >>"$SERVER_LOG"
# In its own session, so that closing the terminal or Ctrl-C there does not reach it.
setsid "$SERVER_BIN" -c "$CONF" run </dev/null >>"$SERVER_LOG" 2>&1 &
server_pid=$!
# The server writes its pid file once it listens.
for _ in $(seq 1 300); do
    kill -0 "$server_pid" 2>/dev/null || { tail -n 20 "$SERVER_LOG" >&2; die "the server exited (log: $SERVER_LOG)"; }
    [[ -s $PID_FILE ]] && break
    sleep 0.1
done
[[ -s $PID_FILE ]] || { tail -n 20 "$SERVER_LOG" >&2; die "the server did not start listening within 30 s"; }
echo "spona-server running (pid $server_pid) on 127.0.0.1:$SPONA_PORT, log $SERVER_LOG"

# One file to source for the CSR installation's settings.
exports=$(printf 'export SPONA_SERVER=%q\nexport SPONA_CA=%q\nexport SPONA_CERT=%q\n' \
    "127.0.0.1:$SPONA_PORT" "$PKI/ca.crt" "$PKI/prijedor.csr.crt"
    printf 'export SPONA_KEY=%q\nexport SPONA_PASSWORD=%q\nexport SPONA_SESSION_FILE=%q' \
    "$PKI/prijedor.csr.key" "$DEMO_PASSWORD" "$DEV/sessions/prijedor.csr")
printf "# Written by deploy/quickstart.sh: the CLI settings of the Centre for Social Work's installation.\n%s\n" \
    "$exports" >"$DEV/env.sh"

# Smoke test with the CSR's certificate: the CLI's ping, or a bare TLS handshake.
if [[ -x $CLI_BIN ]]; then
    # shellcheck source=/dev/null
    (. "$DEV/env.sh" && "$CLI_BIN" ping) ||
        die "the server runs but 'spona ping' failed (log: $SERVER_LOG)"
else
    echo "(no $CLI_BIN yet: checking the TLS handshake with openssl s_client instead)"
    openssl s_client -connect "127.0.0.1:$SPONA_PORT" -tls1_3 -alpn spona/1 \
        -CAfile "$PKI/ca.crt" -cert "$PKI/prijedor.csr.crt" -key "$PKI/prijedor.csr.key" \
        -verify_return_error -brief </dev/null 2>&1 | grep -q 'CONNECTION ESTABLISHED' ||
        die "TLS handshake with the server failed (log: $SERVER_LOG)"
fi

# The pilot's beneficiaries, through the API (as each institution's demo user), so that
# the protocol's policy and the audit trail apply. Persons already there are left alone.
demo_hint='' demo_line=''
if ((SPONA_DEMO)); then
    step "Demo data: the Prijedor pilot (60 beneficiaries, their cases, referrals and outcomes)"
    if [[ -x $CLI_BIN ]]; then
        SPONA_SERVER="127.0.0.1:$SPONA_PORT" SPONA_CLI_BIN=$CLI_BIN "$ROOT/deploy/demo-prijedor.sh" ||
            die "loading the demo data failed (deploy/demo-prijedor.sh; log: $SERVER_LOG)"
        demo_hint=$'build/client/spona person search savic\n'
        "$CLI_BIN" report --help >/dev/null 2>&1 && demo_hint+=$'build/client/spona report\n'
        demo_line=$'\nand the Prijedor pilot\'s 60 beneficiaries with their cases (docs/demo.md)'
    else
        echo "(no $CLI_BIN: the demo data needs the CLI; skipped)"
    fi
fi

cd_hint=
[[ $PWD == "$ROOT" ]] || cd_hint="cd $(printf %q "$ROOT")"$'\n'
# Mention `spona protocol show` only when this build of the CLI has it.
protocol_hint=
if [[ -x $CLI_BIN ]] && "$CLI_BIN" protocol show --help >/dev/null 2>&1; then
    protocol_hint=$'build/client/spona protocol show\n'
fi
cat <<EOF

Spona is running: server 127.0.0.1:$SPONA_PORT, PostgreSQL 127.0.0.1:$SPONA_PG_PORT,
municipality 'prijedor' with seven institutions and one demo user each
(password '$DEMO_PASSWORD'; see deploy/seed-prijedor.sh --list-users)${demo_line}.

Try it as the Centre for Social Work (user ana.csr):

${cd_hint}${exports}
build/client/spona ping
build/client/spona login --user ana.csr
build/client/spona whoami
${protocol_hint}${demo_hint}build/client/spona logout

(or: . .spona-dev/env.sh). Another institution: use its certificate and user, e.g.
SPONA_CERT=$PKI/prijedor.zzz.crt SPONA_KEY=$PKI/prijedor.zzz.key
SPONA_SESSION_FILE=$DEV/sessions/prijedor.zzz and --user milan.zzz.

Stop everything: ./deploy/stop.sh
EOF
