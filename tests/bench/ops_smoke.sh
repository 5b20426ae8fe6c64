#!/bin/bash
# Smoke test of spona-bench --op (client/bench/ops_bench.c; the figures are in
# docs/performance.md, never asserted): against a spona-server of its own on the
# harness database, two logged-in connections send pings for one second and the
# report must show them answered with no error; then the usage errors: an unknown
# operation, and person_get without ids, exit 1 with a reason. Asserts outcomes only.
#
# usage: ops_smoke.sh STATE SPONA_SERVER SPONA_BENCH
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 STATE SPONA_SERVER SPONA_BENCH" >&2; exit 2; }
state=$1 server=$2 bench=$3
work=$(mktemp -d)
server_pid=""
finish() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap finish EXIT
fail() { echo "ops_smoke: FAIL: $*" >&2; [ -f "$work/server.log" ] && cat "$work/server.log" >&2; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port=""
for attempt in $(seq 1 20); do
    candidate=$((58000 + ($$ + attempt * 37) % 2000))
    port_in_use "$candidate" && continue
    { cat "$state/admin.conf"
      printf '[server]\nlisten = 127.0.0.1:%s\nio_threads = 1\nworkers = 2\n' "$candidate"; } \
        >"$work/server.conf"
    "$server" -c "$work/server.conf" run >"$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do
        port_in_use "$candidate" && { port=$candidate; break; }
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$port" ] && break
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
done
[ -n "$port" ] || fail "spona-server did not start"

export SPONA_SERVER=127.0.0.1:$port SPONA_CA=$state/pki/ca.crt \
    SPONA_CERT=$state/pki/prijedor-csr.crt SPONA_KEY=$state/pki/prijedor-csr.key \
    SPONA_USER=ana.csr SPONA_PASSWORD=prijedor-lozinka-42

"$bench" --op ping -c 2 --duration-seconds 1 --json >"$work/ping.json" 2>"$work/ping.err" ||
    fail "ping run exited $?: $(cat "$work/ping.err")"
python3 - "$work/ping.json" <<'PY' || fail "ping report: $(cat "$work/ping.json")"
import json, sys
report = json.load(open(sys.argv[1]))
ping = report["operations"]["ping"]
assert report["failed_connections"] == 0 and report["lost"] == 0, report
assert ping["requests"] > 0 and ping["errors"] == 0, ping
assert ping["latency_ms"]["p50"] <= ping["latency_ms"]["p99_9"] <= ping["latency_ms"]["max"], ping
PY

code=0
"$bench" --op bogus >"$work/out" 2>&1 || code=$?
[ $code -eq 1 ] && grep -q -- '--op is' "$work/out" || fail "--op bogus: exit $code, $(cat "$work/out")"
code=0
"$bench" --op person_get -n 1 >"$work/out" 2>&1 || code=$?
[ $code -eq 1 ] && grep -q 'person_get needs "person" lines' "$work/out" ||
    fail "person_get without ids: exit $code, $(cat "$work/out")"
echo "ops_smoke: ok"
