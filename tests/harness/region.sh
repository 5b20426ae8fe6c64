#!/bin/bash
# The region of the integration tests (docs/region.md): a regional database
# `spona_region` in the harness's PostgreSQL cluster (tests/harness/pg.sh must have
# run), migrated by `spona-server migrate` in regional mode (sql/region/, twice: the
# second run applies nothing), the region's own institution `region.admin` (role
# regional_admin, user `regina`) and `region.viewer` (role observer, user `vid`: a
# region user who is not an administrator), and the regional CA made by deploy/pki.sh:
#   STATE/region/pki/ca.crt, ca.key      the regional CA ([region] ca_cert, ca_key)
#   STATE/region/pki/crl.pem             its CRL (the regional server's [tls] crl_file)
#   STATE/region/pki/admin.crt, .key     CN region.admin
#   STATE/region/pki/viewer.crt, .key    CN region.viewer
#   STATE/region/admin.conf              spona-server config (regional) for the admin commands
# Passwords are "<username>-lozinka-42", as for the municipal users.
#
# usage: region.sh setup STATE SPONA_SERVER MIGRATIONS_DIR
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
region=$state/region

"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c "DROP DATABASE IF EXISTS spona_region" \
    -c "CREATE DATABASE spona_region OWNER spona_owner"

rm -rf "$region"
mkdir -p "$region"
bash "$deploy_pki" "$region/pki" region >/dev/null
bash "$deploy_pki" --issue "$region/pki" admin region.admin >/dev/null
bash "$deploy_pki" --issue "$region/pki" viewer region.viewer >/dev/null
chmod 600 "$region/pki/ca.key"

cat >"$region/admin.conf" <<EOF
; spona-server config (regional mode) for the region's admin commands (tests/harness/region.sh)
[server]
mode = regional
[tls]
certificate = $state/pki/server.crt
private_key = $state/pki/server.key
client_ca_file = $region/pki/ca.crt
crl_file = $region/pki/crl.pem
[database]
dsn = host=127.0.0.1 port=$port dbname=spona_region user=spona_app
admin_dsn = host=127.0.0.1 port=$port dbname=spona_region user=spona_owner
migrations_dir = $migrations
[region]
ca_cert = $region/pki/ca.crt
ca_key = $region/pki/ca.key
crl = $region/published.crl
[auth]
scrypt_log2_n = 10
[log]
level = warn
EOF

admin=("$server" -c "$region/admin.conf")
"${admin[@]}" migrate
"${admin[@]}" migrate | grep -q "schema is up to date"
"${admin[@]}" add-municipality region "Testna regija"
"${admin[@]}" add-institution region region.admin regional_admin "Regionalna administracija"
"${admin[@]}" add-institution region region.viewer observer "Regionalni posmatrač"
SPONA_PASSWORD=regina-lozinka-42 "${admin[@]}" add-user region.admin regina \
    "Regina Regionalna" </dev/null
SPONA_PASSWORD=vid-lozinka-42 "${admin[@]}" add-user region.viewer vid "Vid Posmatrač" </dev/null
echo "region.sh: regional database spona_region migrated and seeded; CA in $region/pki"
