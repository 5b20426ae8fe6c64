#!/usr/bin/env bash
# The development PostgreSQL cluster of deploy/quickstart.sh: a private data directory
# (.spona-dev/pgdata), a private port (54329), listening on 127.0.0.1 and on a socket in
# the dev directory, trust authentication for local connections only. Never use this
# cluster for real data: any local user can connect to it as any role.
#
#   deploy/dev-cluster.sh start     initdb if needed, start, create roles spona_owner,
#                                   spona_app and database spona (all idempotent)
#   deploy/dev-cluster.sh stop      stop the cluster (fast shutdown)
#   deploy/dev-cluster.sh status    say whether it runs, where and on which port
#   deploy/dev-cluster.sh psql [ARGS]   psql on database spona as superuser postgres
#
# As root the cluster runs as the unprivileged user `postgres` (PostgreSQL refuses root).
# If that user cannot reach the project directory, the cluster lives in
# /var/tmp/spona-dev-<hash of the project path> instead (the script says so).
# Where it lives is written to .spona-dev/cluster.env for the other scripts.
# Environment: SPONA_PG_PORT (default 54329), SPONA_PG_BIN (PostgreSQL's bin directory).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEV=$ROOT/.spona-dev
STATE=$DEV/cluster.env

say() { printf 'dev-cluster: %s\n' "$*"; }
die() { printf 'dev-cluster: error: %s\n' "$*" >&2; exit 1; }

find_pg_bin() {
    if [[ -n ${SPONA_PG_BIN:-} ]]; then
        PG_BIN=$SPONA_PG_BIN
    elif [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
        PG_BIN=/usr/lib/postgresql/15/bin
    else
        local candidate
        PG_BIN=
        for candidate in /usr/lib/postgresql/*/bin; do
            [[ -x $candidate/initdb ]] && PG_BIN=$candidate
        done
        if [[ -z $PG_BIN ]] && command -v pg_config >/dev/null; then
            PG_BIN=$(pg_config --bindir)
        fi
    fi
    [[ -n $PG_BIN && -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] ||
        die "PostgreSQL server binaries not found (apt-get install postgresql-15, or set SPONA_PG_BIN)"
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_pg() {
    if ((EUID == 0)); then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Chooses PG_BASE, the directory holding pgdata/, pg-run/ (socket) and postgresql.log.
choose_base() {
    local fallback
    fallback=/var/tmp/spona-dev-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
    mkdir -p "$DEV"
    if [[ -f $DEV/pgdata/PG_VERSION ]]; then
        PG_BASE=$DEV
    elif [[ -f $fallback/pgdata/PG_VERSION ]]; then
        PG_BASE=$fallback
    elif ((EUID == 0)); then
        id postgres >/dev/null 2>&1 || die "user 'postgres' does not exist (apt-get install postgresql-15)"
        chmod 0755 "$DEV"
        if runuser -u postgres -- test -x "$DEV"; then
            PG_BASE=$DEV
        else
            PG_BASE=$fallback
            say "user postgres cannot enter $DEV (a parent directory is closed to it):"
            say "the cluster lives in $PG_BASE instead"
        fi
    else
        PG_BASE=$DEV
    fi
    # A Unix socket path is limited to 107 bytes.
    if ((${#PG_BASE} + 30 > 107)); then
        PG_BASE=$fallback
        say "the project path is too long for a Unix socket: the cluster lives in $PG_BASE"
    fi
    PG_DATA=$PG_BASE/pgdata
    PG_RUN=$PG_BASE/pg-run
    PG_LOG=$PG_BASE/postgresql.log
}

load_state() {
    if [[ -f $STATE ]]; then
        # shellcheck source=/dev/null
        . "$STATE"
    else
        find_pg_bin
        choose_base
    fi
}

save_state() {
    cat >"$STATE" <<EOF
# Written by deploy/dev-cluster.sh: where the development cluster lives.
PG_BIN='$PG_BIN'
PG_BASE='$PG_BASE'
PG_DATA='$PG_DATA'
PG_RUN='$PG_RUN'
PG_LOG='$PG_LOG'
PG_PORT='$PG_PORT'
EOF
}

is_running() {
    [[ -d $PG_DATA ]] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

# The port the running postmaster listens on (line 4 of postmaster.pid).
running_port() {
    sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null || true
}

init_cluster() {
    say "creating cluster in $PG_DATA (superuser postgres, trust authentication for local connections)"
    mkdir -p "$PG_BASE"
    if ((EUID == 0)); then
        chmod 0755 "$PG_BASE"
        install -d -o postgres -g postgres -m 0700 "$PG_DATA"
    else
        install -d -m 0700 "$PG_DATA"
    fi
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=trust >"$PG_BASE/initdb.log" 2>&1 ||
        { cat "$PG_BASE/initdb.log" >&2; die "initdb failed"; }
    printf "\n# Spona development settings (deploy/dev-cluster.sh)\ninclude_if_exists = 'spona-dev.conf'\n" |
        as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

cmd_start() {
    find_pg_bin
    choose_base
    PG_PORT=${SPONA_PG_PORT:-54329}
    [[ $PG_PORT =~ ^[0-9]+$ ]] || die "SPONA_PG_PORT must be a port number"
    [[ -f $PG_DATA/PG_VERSION ]] || init_cluster
    if ((EUID == 0)); then
        install -d -o postgres -g postgres -m 0755 "$PG_RUN"
        touch "$PG_LOG" && chown postgres:postgres "$PG_LOG"
    else
        mkdir -p "$PG_RUN"
    fi
    if is_running && [[ $(running_port) != "$PG_PORT" ]]; then
        say "running on port $(running_port), wanted $PG_PORT: restarting"
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
    fi
    printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\n" \
        "$PG_PORT" "${PG_RUN//\'/\'\'}" | as_pg tee "$PG_DATA/spona-dev.conf" >/dev/null
    save_state
    if is_running; then
        say "already running (port $PG_PORT, data $PG_DATA)"
    else
        say "starting PostgreSQL on 127.0.0.1:$PG_PORT (log $PG_LOG)"
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null ||
            { tail -n 20 "$PG_LOG" >&2; die "PostgreSQL did not start (port $PG_PORT taken? set SPONA_PG_PORT)"; }
    fi
    create_roles
}

pg_psql() {
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_RUN" -p "$PG_PORT" -U postgres "$@"
}

# The superuser step: the server's roles and database. spona_owner owns the schema and
# runs migrations; spona_app is what the server logs in as and owns nothing.
create_roles() {
    pg_psql -d postgres <<'EOF'
SELECT 'CREATE ROLE spona_owner LOGIN'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'spona_owner') \gexec
SELECT 'CREATE ROLE spona_app LOGIN'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'spona_app') \gexec
SELECT 'CREATE DATABASE spona OWNER spona_owner'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'spona') \gexec
EOF
    say "roles spona_owner, spona_app and database spona ready"
}

cmd_stop() {
    if [[ ! -f $STATE ]]; then
        say "no development cluster recorded in $STATE"
        return 0
    fi
    load_state
    if is_running; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
        say "stopped PostgreSQL ($PG_DATA)"
    else
        say "PostgreSQL is not running ($PG_DATA)"
    fi
}

cmd_status() {
    if [[ ! -f $STATE ]]; then
        say "no development cluster recorded in $STATE"
        return 3
    fi
    load_state
    if is_running; then
        say "running on 127.0.0.1:$(running_port) and socket $PG_RUN (data $PG_DATA)"
    else
        say "not running (data $PG_DATA)"
        return 3
    fi
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
psql)
    shift
    [[ -f $STATE ]] || die "no development cluster yet: run deploy/quickstart.sh"
    load_state
    exec "$PG_BIN/psql" -X -h "$PG_RUN" -p "$PG_PORT" -U postgres -d spona "$@"
    ;;
*)
    echo "usage: deploy/dev-cluster.sh start|stop|status|psql [ARGS]" >&2
    exit 2
    ;;
esac
