#!/bin/bash
# desktop.walkthrough (docs/desktop.md, "Tests"): spona-desktop driven and read through
# AT-SPI (dogtail) under Xvfb, in a private D-Bus session with the accessibility bus,
# against a spona-server of its own on the harness's PostgreSQL and testgrad's protocol.
# Prepares with the CLI a person with a Latin name, a case with an assessment and a
# referral to the NGO that the NGO accepted; walkthrough.py then plays the Centre for
# Social Work, the Employment Bureau and the NGO, and checks the server's state with the
# CLI. Exit 77 (ctest SKIP) when spona-desktop was not built (no GTK 4 / libadwaita) or
# Xvfb, dbus-run-session, the AT-SPI bus or dogtail are missing.
#
# desktop.work runs work.py (the sixth argument) on the same preparation instead.
#
# usage: walkthrough.sh STATE SPONA_SERVER SPONA_CLI SPONA_DESKTOP|none SHOTS_DIR [SCRIPT]
set -euo pipefail

[ $# -eq 5 ] || [ $# -eq 6 ] ||
    { echo "usage: $0 STATE SPONA_SERVER SPONA_CLI SPONA_DESKTOP SHOTS [SCRIPT]" >&2; exit 2; }
state=$(cd "$1" && pwd) server=$2 cli=$3 desktop=$4 shots=$5 script=${6:-walkthrough.py}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
name=desktop.${script%.py}

skip() { echo "$name: SKIP: $*"; exit 77; }
[ "$desktop" != none ] && [ -x "$desktop" ] || skip "spona-desktop not built (GTK 4 / libadwaita not found)"
command -v Xvfb >/dev/null || skip "no Xvfb"
command -v dbus-run-session >/dev/null || skip "no dbus-run-session"
[ -x /usr/libexec/at-spi-bus-launcher ] || skip "no at-spi-bus-launcher (at-spi2-core)"
/usr/bin/python3 -c 'import dogtail' 2>/dev/null || skip "no python3-dogtail"

work=$(mktemp -d)
finish() {
    local pid
    pid=$(cat "$work/server.pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$work"
}
trap finish EXIT
fail() { echo "$name: FAIL: $*" >&2; [ -f "$work/server.log" ] && tail -30 "$work/server.log" >&2; exit 1; }

# the server runs from restart-server.sh, which walkthrough.py runs again to cut every
# connection (the desktop must reconnect and resume its session by itself)
cat >"$work/restart-server.sh" <<'SH'
#!/bin/bash
# usage: restart-server.sh WORK SPONA_SERVER PORT: stops the server (if any), starts it
# again on PORT and waits until it listens; its pid goes to WORK/server.pid. 0 or 1.
work=$1 server=$2 port=$3
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pid=$(cat "$work/server.pid" 2>/dev/null || true)
if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
fi
"$server" -c "$work/server.conf" run >>"$work/server.log" 2>&1 &
echo $! >"$work/server.pid"
for _ in $(seq 1 100); do
    port_in_use "$port" && exit 0
    kill -0 "$(cat "$work/server.pid")" 2>/dev/null || exit 1
    sleep 0.1
done
exit 1
SH

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=""
for attempt in $(seq 1 20); do
    candidate=$((60000 + ($$ + attempt * 41) % 2000))
    port_in_use "$candidate" && continue
    { cat "$state/admin.conf"
      printf '[server]\nlisten = 127.0.0.1:%s\nio_threads = 1\nworkers = 2\n' "$candidate"; } \
        >"$work/server.conf"
    if bash "$work/restart-server.sh" "$work" "$server" "$candidate"; then
        port=$candidate
        break
    fi
    kill "$(cat "$work/server.pid")" 2>/dev/null || true
    rm -f "$work/server.pid"
done
[ -n "$port" ] || fail "spona-server did not start"

# one config file per institution, as an installation would have (the CLI and the
# desktop read the same file); the user's session file beside it
pki=$state/pki
for who in csr:ana zzz:zana ngo:nada grad:goran; do
    inst=${who%%:*} user=${who#*:}
    cat >"$work/$inst.conf" <<CONF
[client]
server = 127.0.0.1:$port
ca = $pki/ca.crt
cert = $pki/$inst.crt
key = $pki/$inst.key
user = $user
session_file = $work/$inst.session
CONF
done
as() { local inst=$1 user=$2; shift 2
       SPONA_CONFIG=$work/$inst.conf SPONA_PASSWORD=$user-lozinka-42 "$cli" "$@"; }
json() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

as csr ana login >/dev/null || fail "CLI login as ana"
as zzz zana login >/dev/null || fail "CLI login as zana"
as ngo nada login >/dev/null || fail "CLI login as nada"

# a surname nobody else has, in letters with one Cyrillic letter each
suffix=$(/usr/bin/python3 -c 'import random; print("".join(random.choice("abdegiklmnoprstuvz") for _ in range(6)))')
first=Milena last="Vukadin${suffix}"
person=$(as csr ana --json person add --first-name "$first" --last-name "$last" \
    --field birth_date=1990-05-15 | json person_id) || fail "person add"
case_id=$(as csr ana --json case open "$person" --reason "desktop walkthrough" | json case_id) ||
    fail "case open"
as csr ana assess "$case_id" --on 2026-11-02 --domain education_skills=3:srednja \
    --domain health_disability=2:astma --domain "transport=4:nema autobusa" >/dev/null ||
    fail "assess"
# a plan, for the plan's print preview
as csr ana plan add-goal "$case_id" --version 0 --text 'zaposlenje do kraja godine' \
    >/dev/null || fail "plan add-goal"
ngo_referral=$(as csr ana --json refer "$case_id" --to testgrad.ngo \
    --measure psihosocijalna_podrska | json referral_id) || fail "refer to the NGO"
as ngo nada referral accept "$ngo_referral" >/dev/null || fail "the NGO accepts"
# the desktop signs in by itself: no stored sessions for it
rm -f "$work"/*.session

mkdir -p "$shots"
rm -f "$shots"/*.png "$shots"/failure-tree.txt  # only this run's
export SPONA_RESTART="bash $work/restart-server.sh $work $server $port"
export SPONA_SCRIPT=$script SPONA_WORK=$work SPONA_DESKTOP=$desktop SPONA_CLI=$cli SPONA_SHOTS=$shots \
    SPONA_CASE=$case_id SPONA_FIRST=$first SPONA_LAST=$last
xvfb=(xvfb-run -a -s "-screen 0 1280x900x24")
"${xvfb[@]}" dbus-run-session -- bash "$here/walkthrough-session.sh" ||
    fail "$script failed (screenshots in $shots)"
echo "$name: ok"
