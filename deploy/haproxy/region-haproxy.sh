#!/bin/bash
# Two (or more) regional daemons behind HAProxy, the documented and tested setup of
# docs/operations.md ("The regional tier beyond one machine"):
#
#   region-haproxy.sh config LISTEN PIDFILE BACKEND... > haproxy.cfg
#       writes the HAProxy configuration: LISTEN (127.0.0.1:7440) in front of the
#       BACKENDs (host:port of each regional spona-server), TLS passed through
#   region-haproxy.sh start CONFIG     checks the configuration and starts HAProxy (daemon)
#   region-haproxy.sh reload CONFIG    takes a changed configuration (a daemon added or
#       moved): a new HAProxy starts on it and the old one finishes its connections (-sf)
#   region-haproxy.sh stop PIDFILE     stops it
#
# Every daemon runs with the same config but its own [server] listen address, on the
# same regional database (docs/region.md); integration.region_haproxy runs this script.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

case ${1:-} in
config)
    [ $# -ge 4 ] || { echo "usage: $0 config LISTEN PIDFILE BACKEND..." >&2; exit 2; }
    listen=$2 pidfile=$3
    shift 3
    servers="" n=0
    for backend in "$@"; do
        n=$((n + 1))
        servers+="    server regional$n $backend"$'\n'
    done
    sed -e "s|@LISTEN@|$listen|" -e "s|@PIDFILE@|$pidfile|" "$here/region.cfg.in" |
        while IFS= read -r line; do
            if [ "$line" = "@SERVERS@" ]; then printf '%s' "$servers"; else printf '%s\n' "$line"; fi
        done
    ;;
start)
    [ $# -eq 2 ] || { echo "usage: $0 start CONFIG" >&2; exit 2; }
    haproxy -c -q -f "$2"
    haproxy -D -f "$2"
    ;;
reload)
    [ $# -eq 2 ] || { echo "usage: $0 reload CONFIG" >&2; exit 2; }
    haproxy -c -q -f "$2"
    pidfile=$(awk '$1 == "pidfile" { print $2 }' "$2")
    haproxy -D -f "$2" -sf "$(cat "$pidfile")"
    ;;
stop)
    [ $# -eq 2 ] || { echo "usage: $0 stop PIDFILE" >&2; exit 2; }
    [ -f "$2" ] && kill "$(cat "$2")" 2>/dev/null || true
    ;;
*)
    echo "usage: $0 config|start|reload|stop ..." >&2
    exit 2
    ;;
esac
