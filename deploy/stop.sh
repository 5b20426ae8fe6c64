#!/usr/bin/env bash
# Stops what deploy/quickstart.sh started: the server (SIGTERM, graceful) and the
# development PostgreSQL cluster.
#
#   ./deploy/stop.sh           stop both; data, certificates and logs stay in .spona-dev/
#   ./deploy/stop.sh --purge   stop both and delete .spona-dev/ (and the cluster's
#                              /var/tmp fallback directory, if it was used)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEV=$ROOT/.spona-dev
PID_FILE=$DEV/server.pid

purge=0
case ${1:-} in
"") ;;
--purge) purge=1 ;;
*) echo "usage: deploy/stop.sh [--purge]" >&2; exit 2 ;;
esac

if [[ -s $PID_FILE ]]; then
    pid=$(<"$PID_FILE")
    if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q spona-server; then
        kill -TERM "$pid"
        for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "stop: the server (pid $pid) did not stop within 15 s: killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        echo "stop: stopped spona-server (pid $pid)"
    else
        echo "stop: spona-server is not running (stale pid file)"
    fi
    rm -f "$PID_FILE"
else
    echo "stop: spona-server is not running"
fi

"$ROOT/deploy/dev-cluster.sh" stop

if ((purge)); then
    base=
    if [[ -f $DEV/cluster.env ]]; then
        base=$(sed -n "s/^PG_BASE='\(.*\)'$/\1/p" "$DEV/cluster.env")
    fi
    if [[ -n $base && $base != "$DEV" && $base == /var/tmp/spona-dev-* ]]; then
        rm -rf "$base"
        echo "stop: deleted $base"
    fi
    rm -rf "$DEV"
    echo "stop: deleted $DEV"
fi
