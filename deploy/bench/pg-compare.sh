#!/usr/bin/env bash
# spona-bench against pgbench, in the same run on the same database (issue 12,
# docs/performance.md): a scratch cluster and PKI as the tests make them, N generated
# persons with their cases, spona-server on a loopback port, and then, per client count,
#   - spona-bench: person_get, case_get, person_search, note_add and the mix, each its
#     own run of DURATION seconds over C logged-in connections (one request at a time each);
#   - pgbench, bare: SELECT * FROM persons WHERE id = ... by primary key (128 scripts, one
#     per id drawn from the generated persons, pgbench picking one per transaction), as
#     the table's owner (no row-level security);
#   - pgbench, same SQL: the exact statements the server sent for one audited person_get
#     (and one case_get), captured from PostgreSQL's statement log, replayed as spona_app;
#   - pgbench, insert: one row into a scratch table with its commit (against note_add);
# and the ratios spona/pgbench. PostgreSQL's own view of a spona run (pg_stat_statements,
# top statements by total time) is printed after the first client count's person_get
# and case_get runs.
#
# usage: deploy/bench/pg-compare.sh setup BUILD STATE   cluster, data, server, ids
#        deploy/bench/pg-compare.sh run BUILD STATE     capture, measure, print
#        deploy/bench/pg-compare.sh restart BUILD STATE the server of BUILD on the same data
#        deploy/bench/pg-compare.sh stop STATE          stop the server, delete the cluster
# BUILD is a (Release) build tree of this repository; STATE a scratch directory.
# Environment: PERSONS (50000), EVENTS (500000: about 1.1 cases per person),
# CLIENTS ("16 64"), OPS (the spona-bench operations run, "person_get case_get person_search
# note_add mix"), DURATION (20 s), SHARED_BUFFERS (1GB), WORKERS (4), IO_THREADS (2),
# BENCH_PORT (57450). Needs python3 and PostgreSQL 15 (pgbench, pg_stat_statements:
# Debian postgresql-15).
set -euo pipefail

PG_BIN=${SPONA_PG_BIN:-/usr/lib/postgresql/15/bin}
PERSONS=${PERSONS:-50000}
EVENTS=${EVENTS:-500000}
CLIENTS=${CLIENTS:-"16 64"}
OPS=${OPS:-"person_get case_get person_search note_add mix"}
DURATION=${DURATION:-20}
SHARED_BUFFERS=${SHARED_BUFFERS:-1GB}
WORKERS=${WORKERS:-4}
IO_THREADS=${IO_THREADS:-2}
BENCH_PORT=${BENCH_PORT:-57450}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

usage() {
    echo "usage: $0 setup BUILD STATE | run BUILD STATE | restart BUILD STATE | stop STATE" >&2
    exit 2
}
say() { printf 'pg-compare: %s\n' "$*" >&2; }

as_db_user() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# psql as ROLE on the scratch database: psql_as ROLE ARGS...
psql_as() {
    local role=$1
    shift
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(cat "$STATE/db/port")" \
        -U "$role" -d spona "$@"
}

pg_restart() {
    local root
    root=$(cat "$STATE/db/root")
    as_db_user "$PG_BIN/pg_ctl" -D "$root/data" -w -t 120 restart -l "$root/postgres.log" \
        >/dev/null
}

client_env() {
    export SPONA_SERVER=127.0.0.1:$BENCH_PORT SPONA_CA=$STATE/pki/ca.crt \
        SPONA_CERT=$STATE/pki/prijedor-csr.crt SPONA_KEY=$STATE/pki/prijedor-csr.key \
        SPONA_PASSWORD=prijedor-lozinka-42 SPONA_USER=ana.csr HOME=$STATE/home
    unset XDG_CONFIG_HOME XDG_STATE_HOME XDG_DATA_HOME SPONA_CONFIG
}

start_server() {
    "$BUILD/server/spona-server" -c "$STATE/server.conf" run >"$STATE/server.log" 2>&1 &
    echo $! >"$STATE/server.pid"
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$BENCH_PORT") 2>/dev/null && return 0
        sleep 0.1
    done
    say "spona-server did not start; its log:"
    cat "$STATE/server.log" >&2
    exit 1
}

write_ids() {
    # persons with a case (someone being worked on), cases, open cases (notes), and
    # "last-name first-two-letters" queries; random samples of the generated data
    psql_as spona_owner -At >"$STATE/ids.txt" <<'SQL'
SELECT 'person ' || p.id FROM persons p
 WHERE EXISTS (SELECT 1 FROM cases c WHERE c.person_id = p.id) ORDER BY random() LIMIT 5000;
SELECT 'case ' || id FROM cases ORDER BY random() LIMIT 5000;
SELECT 'open_case ' || id FROM cases WHERE closed_at IS NULL ORDER BY random() LIMIT 2000;
SELECT 'name ' || last_name || ' ' || left(first_name, 2) FROM persons
 ORDER BY random() LIMIT 2000;
SQL
    say "ids: $(cut -d' ' -f1 "$STATE/ids.txt" | sort | uniq -c | tr '\n' ' ')"
}

setup() {
    mkdir -p "$STATE/home"
    bash "$REPO/tests/harness/pki.sh" setup "$STATE/pki" >/dev/null
    bash "$REPO/tests/harness/pg.sh" setup "$STATE" "$BUILD/server/spona-server" "$REPO/sql"
    local root
    root=$(cat "$STATE/db/root")
    cat >>"$root/data/postgresql.conf" <<CONF
# deploy/bench/pg-compare.sh
shared_buffers = $SHARED_BUFFERS
shared_preload_libraries = 'pg_stat_statements'
log_line_prefix = '%m [%p] %u '
CONF
    pg_restart
    psql_as postgres -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
        -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm"
    "$BUILD/client/spona-generate-persons" \
        --dsn "host=127.0.0.1 port=$(cat "$STATE/db/port") dbname=spona user=spona_owner" \
        --municipality prijedor --institution prijedor.csr -n "$PERSONS" --events "$EVENTS"
    psql_as postgres -c "VACUUM ANALYZE" \
        -c "SELECT count(*) AS relations_prewarmed FROM (SELECT pg_prewarm(c.oid) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')) AS w"
    # every connection its own session of one user: as many open sessions as connections
    { cat "$STATE/admin.conf"
      printf '[server]\nlisten = 127.0.0.1:%s\nio_threads = %s\nworkers = %s\n' \
          "$BENCH_PORT" "$IO_THREADS" "$WORKERS"
      # every connection logs in at once as one user from one address: the login limits
      # (issue 11: 10 a user; no more logins in flight than max_failed_logins, and at most
      # login_hash_queue waiting for their hash) would refuse most of them, and the run
      # would measure fewer connections than it says
      printf '[auth]\nmax_sessions_per_user = 1000\nlogin_attempts_per_user = 100000\n'
      printf 'max_failed_logins = 1000\nlogin_hash_queue = 256\n'
      printf 'login_attempts_per_address = 100000\nlogin_attempts_per_institution = 100000\n'
    } >"$STATE/server.conf"
    start_server
    client_env
    "$BUILD/client/spona" login --user ana.csr >/dev/null
    "$BUILD/client/spona" protocol import "$REPO/deploy/protocols/prijedor-v1.yaml" >/dev/null
    write_ids
    say "ready: spona-server on 127.0.0.1:$BENCH_PORT (pid $(cat "$STATE/server.pid"))"
}

# CPU seconds so far of spona-server and of the cluster's backends (utime + stime)
cpu_of() {
    local ticks=0 pid t
    for pid in "$@"; do
        t=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null) || t=0 # it may have ended
        ticks=$((ticks + ${t:-0}))
    done
    echo "$ticks"
}
cpu_snapshot() {
    local root postmaster
    root=$(cat "$STATE/db/root")
    postmaster=$(as_db_user head -1 "$root/data/postmaster.pid")
    echo "$(cpu_of "$(cat "$STATE/server.pid")") $(cpu_of $(pgrep -P "$postmaster"))"
}

# one request of OP on ID with every statement logged; the pgbench script of it
capture() {
    local op=$1 kind=$2 id
    id=$(awk -v k="$kind" '$1 == k { print $2; exit }' "$STATE/ids.txt")
    printf '%s %s\n' "$kind" "$id" >"$STATE/capture-$op.ids"
    local log logged
    log=$(cat "$STATE/db/root")/postgres.log
    logged=$(as_db_user stat -c %s "$log")
    psql_as postgres -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" \
        >/dev/null
    sleep 1
    "$BUILD/client/spona-bench" --op "$op" --ids "$STATE/capture-$op.ids" -c 1 -n 1 >/dev/null
    psql_as postgres -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" \
        >/dev/null
    as_db_user tail -c +"$((logged + 1))" "$log" >"$STATE/capture-$op.log"
    python3 "$HERE/capture-sql.py" "$STATE/capture-$op.log" spona_app "$id" \
        "$STATE/pgbench/same-$op.sql"
}

pgbench_scripts() {
    mkdir -p "$STATE/pgbench"
    local n=0 id
    rm -f "$STATE/pgbench"/bare-*.sql
    for id in $(awk '$1 == "person" { print $2 }' "$STATE/ids.txt" | head -128); do
        n=$((n + 1))
        printf "SELECT * FROM persons WHERE id = '%s';\n" "$id" >"$STATE/pgbench/bare-$n.sql"
    done
    psql_as spona_owner -c "CREATE TABLE IF NOT EXISTS bench_insert (id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(), note text NOT NULL)"
    echo "INSERT INTO bench_insert (note) VALUES ('pgbench note');" >"$STATE/pgbench/insert.sql"
}

# pgbench_tps ROLE CLIENTS SCRIPT-ARGS...: transactions per second (prepared statements,
# as spona-server prepares its own)
pgbench_tps() {
    local role=$1 clients=$2 threads=2
    shift 2
    [ "$clients" -lt 2 ] && threads=1
    "$PG_BIN/pgbench" -n -h 127.0.0.1 -p "$(cat "$STATE/db/port")" -U "$role" -c "$clients" \
        -j "$threads" -T "$DURATION" -M prepared "$@" spona 2>&1 | tee -a "$STATE/pgbench.log" |
        awk '/^tps = / && !seen { print $3; seen = 1 }'
}

# spona_run OP CLIENTS: "requests/s p50 p99 p99.9 errors load server-cores pg-cores client-cores"
spona_run() {
    local op=$1 clients=$2 before after load json started ended client_cpu
    load=$(cut -d' ' -f1 /proc/loadavg)
    before=$(cpu_snapshot)
    started=$(date +%s.%N)
    local TIMEFORMAT='%U %S'
    client_cpu=$( { time "$BUILD/client/spona-bench" --op "$op" --ids "$STATE/ids.txt" \
        -c "$clients" --duration-seconds "$DURATION" --warmup 5 --json \
        >"$STATE/spona-$op-$clients.json" 2>>"$STATE/spona-bench.err"; } 2>&1) || true
    ended=$(date +%s.%N)
    after=$(cpu_snapshot)
    python3 - "$STATE/spona-$op-$clients.json" "$op" "$load" "$before" "$after" "$started" \
        "$ended" "$client_cpu" "$(getconf CLK_TCK)" <<'PY'
import json, sys
path, op, load, before, after, started, ended, client, hz = sys.argv[1:]
figures = json.load(open(path))["operations"]["all" if op == "mix" else op]
lat = figures["latency_ms"]
wall = float(ended) - float(started)
b, a = [int(x) for x in before.split()], [int(x) for x in after.split()]
cpu = sum(float(x) for x in client.split())
print("%.0f %.2f %.2f %.2f %d %s %.2f %.2f %.2f" % (figures["requests_per_second"],
      lat["p50"], lat["p99"], lat["p99_9"], figures["errors"], load,
      (a[0] - b[0]) / float(hz) / wall, (a[1] - b[1]) / float(hz) / wall, cpu / wall))
PY
}

top_statements() {
    psql_as postgres -P pager=off -c "SELECT calls, round(total_exec_time::numeric, 0) AS total_ms,
        round(mean_exec_time::numeric, 3) AS mean_ms,
        round((100 * total_exec_time / sum(total_exec_time) OVER ())::numeric, 1) AS pct,
        left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS query
        FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12"
}

# the pgbench arguments of a captured request into SAME: its script, its parameters
same_args() {
    local line
    SAME=(-f "$STATE/pgbench/same-$1.sql")
    while IFS= read -r line; do SAME+=(-D "$line"); done <"$STATE/pgbench/same-$1.sql.defines"
}

run() {
    client_env
    pgbench_scripts
    local person_rt case_rt
    person_rt=$(capture person_get person)
    case_rt=$(capture case_get case)
    echo "statements per request (captured): person_get $person_rt, case_get $case_rt"
    local bare=() f first=1 clients
    for f in "$STATE/pgbench"/bare-*.sql; do bare+=(-f "$f@1"); done
    for clients in $CLIENTS; do
        echo
        echo "== $clients connections / clients, $DURATION s each, $(nproc) cores," \
             "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "spona op       req/s  p50ms  p99ms p99.9ms errors load srv-cores pg-cores cli-cores"
        local op
        declare -A rate=([person_get]=0 [case_get]=0 [note_add]=0)
        for op in $OPS; do
            [ $first = 1 ] && psql_as postgres -c "SELECT pg_stat_statements_reset()" >/dev/null
            local line
            line=$(spona_run "$op" "$clients")
            printf '%-13s %s\n' "$op" "$line"
            rate[$op]=${line%% *}
            if [ $first = 1 ] && [ "$op" = person_get -o "$op" = case_get ]; then
                echo "-- pg_stat_statements during $op:"
                top_statements
            fi
        done
        first=0
        local bare_tps same_tps same_case_tps insert_tps
        bare_tps=$(pgbench_tps spona_owner "$clients" "${bare[@]}")
        same_args person_get
        same_tps=$(pgbench_tps spona_app "$clients" "${SAME[@]}")
        same_args case_get
        same_case_tps=$(pgbench_tps spona_app "$clients" "${SAME[@]}")
        insert_tps=$(pgbench_tps spona_owner "$clients" -f "$STATE/pgbench/insert.sql")
        echo "pgbench tps: bare primary-key read $bare_tps, person_get's SQL $same_tps," \
             "case_get's SQL $same_case_tps, insert+commit $insert_tps"
        awk -v p="${rate[person_get]}" -v c="${rate[case_get]}" -v n="${rate[note_add]}" \
            -v b="$bare_tps" \
            -v s="$same_tps" -v sc="$same_case_tps" -v i="$insert_tps" 'BEGIN {
            printf "ratios: person_get/bare %.3f, person_get/same-SQL %.3f, case_get/bare %.3f, ", p / b, p / s, c / b
            printf "case_get/same-SQL %.3f, note_add/insert %.3f\n", c / sc, n / i }'
    done
}

# the server of another build on the same cluster and data (before and after a change)
restart() {
    if [ -f "$STATE/server.pid" ]; then
        local pid
        pid=$(cat "$STATE/server.pid")
        kill "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    start_server
    say "spona-server of $BUILD on 127.0.0.1:$BENCH_PORT (pid $(cat "$STATE/server.pid"))"
}

stop() {
    if [ -f "$STATE/server.pid" ]; then
        kill "$(cat "$STATE/server.pid")" 2>/dev/null || true
        rm -f "$STATE/server.pid"
    fi
    bash "$REPO/tests/harness/pg.sh" cleanup "$STATE"
}

[ $# -ge 2 ] || usage
case $1 in
setup) [ $# -eq 3 ] || usage; BUILD=$(cd "$2" && pwd); STATE=$(mkdir -p "$3" && cd "$3" && pwd); setup ;;
run) [ $# -eq 3 ] || usage; BUILD=$(cd "$2" && pwd); STATE=$(cd "$3" && pwd); run ;;
restart) [ $# -eq 3 ] || usage; BUILD=$(cd "$2" && pwd); STATE=$(cd "$3" && pwd); restart ;;
stop) [ $# -eq 2 ] || usage; STATE=$(cd "$2" && pwd); stop ;;
*) usage ;;
esac
