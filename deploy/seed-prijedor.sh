#!/usr/bin/env bash
# Demo data: the municipality of Prijedor and the seven signatories of its Protocol on
# cooperation (source: seed article 001), each with one demo user. Uses the server's own
# admin commands, so it needs a migrated database; running it again changes nothing but
# resetting the demo users' passwords (and unlocking them).
#
#   deploy/seed-prijedor.sh CONFIG_FILE       register everything
#   deploy/seed-prijedor.sh --list-codes      print the institution codes, one a line
#   deploy/seed-prijedor.sh --list-users      print "CODE USERNAME", one a line
#
# Environment: SPONA_SERVER_BIN (default build/server/spona-server),
# SPONA_DEMO_PASSWORD (default spona-demo, at least 8 characters).
set -euo pipefail

readonly MUNICIPALITY_CODE=prijedor
readonly MUNICIPALITY_NAME=Prijedor
readonly MUNICIPALITY_REGION="Republika Srpska"

# code | role | institution name | demo username | demo user's full name
readonly SIGNATORIES=(
    "prijedor.grad|coordinator|Grad Prijedor|dragana.grad|Dragana Stojanović"
    "prijedor.csr|lead_agency|JU Centar za socijalni rad Prijedor|ana.csr|Ana Kovačević"
    "prijedor.zzz|employment_service|Zavod za zapošljavanje RS, Biro Prijedor|milan.zzz|Милан Тодоровић"
    "prijedor.skola|education_provider|JU Mašinska škola Prijedor|jelena.skola|Јелена Ђурић"
    "prijedor.komora|employer_liaison|Područna privredna komora Banja Luka, kancelarija Prijedor|nedzad.komora|Nedžad Hodžić"
    "prijedor.preda|employer_liaison|Razvojna agencija Grada Prijedora PREDA|sanja.preda|Sanja Radić"
    "prijedor.hleb|service_provider|Udruženje Hleb života|marija.hleb|Marija Babić"
)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

case ${1:-} in
--list-codes)
    for row in "${SIGNATORIES[@]}"; do printf '%s\n' "${row%%|*}"; done
    exit 0
    ;;
--list-users)
    for row in "${SIGNATORIES[@]}"; do
        IFS='|' read -r code _ _ username _ <<<"$row"
        printf '%s %s\n' "$code" "$username"
    done
    exit 0
    ;;
"" | -*)
    echo "usage: deploy/seed-prijedor.sh CONFIG_FILE | --list-codes | --list-users" >&2
    exit 2
    ;;
esac

config=$1
server=${SPONA_SERVER_BIN:-$ROOT/build/server/spona-server}
[[ -x $server ]] || { echo "seed: $server not found: build first" >&2; exit 1; }
password=${SPONA_DEMO_PASSWORD:-spona-demo}

admin() { "$server" -c "$config" "$@" </dev/null; }

admin add-municipality "$MUNICIPALITY_CODE" "$MUNICIPALITY_NAME" "$MUNICIPALITY_REGION"
for row in "${SIGNATORIES[@]}"; do
    IFS='|' read -r code role name username full_name <<<"$row"
    admin add-institution "$MUNICIPALITY_CODE" "$code" "$role" "$name"
    SPONA_PASSWORD=$password admin add-user "$code" "$username" "$full_name"
done
echo "seed: municipality $MUNICIPALITY_CODE with ${#SIGNATORIES[@]} institutions and demo users registered"
