#!/bin/bash
# The topology of the sync tests (docs/region.md, "Tests"; tests/integration/test_sync.c):
# one region and two municipalities, each on a database of its own in the harness's
# PostgreSQL cluster (tests/harness/pg.sh must have run), so that the sync test may
# rewrite a municipality's audit history without touching the suite's other databases:
#   spona_sync_region   regional (sql/region/), the region's own institution
#                       region.admin (role regional_admin, user regina)
#   spona_sync_sjever   municipal, municipality sjever, institution sjever.csr (user sara)
#   spona_sync_jug      municipal, municipality jug, institution jug.csr (user jure)
# and the region's CA made by deploy/pki.sh:
#   STATE/sync/pki/ca.crt, ca.key, crl.pem, admin.crt/.key (CN region.admin)
#   STATE/sync/region.conf, sjever.conf, jug.conf   spona-server configs for admin commands
# Passwords are "<username>-lozinka-42".
#
# usage: sync.sh setup STATE SPONA_SERVER MIGRATIONS_DIR
set -euo pipefail

PG_BIN=${SPONA_PG_BIN:-/usr/lib/postgresql/15/bin}

if [ $# -ne 4 ] || [ "$1" != setup ]; then
    echo "usage: $0 setup STATE SPONA_SERVER MIGRATIONS_DIR" >&2
    exit 2
fi
state=$(cd "$2" && pwd)
server=$3
migrations=$4
port=$(cat "$state/db/port")
deploy_pki=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../deploy" && pwd)/pki.sh
dir=$state/sync

for db in spona_sync_region spona_sync_sjever spona_sync_jug; do
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
        -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db OWNER spona_owner"
done

rm -rf "$dir"
mkdir -p "$dir"
bash "$deploy_pki" "$dir/pki" region >/dev/null
bash "$deploy_pki" --issue "$dir/pki" admin region.admin >/dev/null
chmod 600 "$dir/pki/ca.key"

# conf FILE DATABASE [regional]
conf() {
    {
        echo "; spona-server config for the sync tests' admin commands (tests/harness/sync.sh)"
        [ "${3:-}" = regional ] && printf '[server]\nmode = regional\n'
        cat <<EOF
[tls]
certificate = $state/pki/server.crt
private_key = $state/pki/server.key
client_ca_file = $dir/pki/ca.crt
crl_file = $dir/pki/crl.pem
[database]
dsn = host=127.0.0.1 port=$port dbname=$2 user=spona_app
admin_dsn = host=127.0.0.1 port=$port dbname=$2 user=spona_owner
migrations_dir = $migrations
[auth]
scrypt_log2_n = 10
[log]
level = warn
EOF
        [ "${3:-}" = regional ] &&
            printf '[region]\nca_cert = %s\nca_key = %s\ncrl = %s\n' "$dir/pki/ca.crt" \
                "$dir/pki/ca.key" "$dir/published.crl"
        true
    } >"$1"
}

conf "$dir/region.conf" spona_sync_region regional
region=("$server" -c "$dir/region.conf")
"${region[@]}" migrate >/dev/null
"${region[@]}" add-municipality region "Testna regija"
"${region[@]}" add-institution region region.admin regional_admin "Regionalna administracija"
SPONA_PASSWORD=regina-lozinka-42 "${region[@]}" add-user region.admin regina \
    "Regina Regionalna" </dev/null

# municipality CODE NAME USER FULL_NAME
municipality() {
    conf "$dir/$1.conf" "spona_sync_$1"
    local admin=("$server" -c "$dir/$1.conf")
    "${admin[@]}" migrate >/dev/null
    "${admin[@]}" add-municipality "$1" "$2" "Testna regija"
    "${admin[@]}" add-institution "$1" "$1.csr" lead_agency "Centar za socijalni rad $2"
    SPONA_PASSWORD="$3-lozinka-42" "${admin[@]}" add-user "$1.csr" "$3" "$4" </dev/null
}
municipality sjever Sjever sara "Sara Sjeverna"
municipality jug Jug jure "Jure Južni"
echo "sync.sh: spona_sync_region, spona_sync_sjever, spona_sync_jug migrated and seeded; CA in $dir/pki"
