#!/usr/bin/env bash
# The strings of the clients marked for translation (_, N_, i18n_n, NC_), as a .pot
# file (docs/i18n.md). Used by the target spona-pot and by tests/i18n/completeness.sh.
#   po/extract.sh XGETTEXT OUTPUT.pot   (run from the source root)
set -euo pipefail
xgettext=$1
output=$2
cd "$(dirname "${BASH_SOURCE[0]}")/.."
"$xgettext" --language=C --from-code=UTF-8 --package-name=spona --no-location \
    --keyword=_ --keyword=N_ --keyword=i18n_n:1,2 --keyword=NC_:1c,2 --keyword=CODE:1c,2 \
    --keyword=i18n_pgettext:1c,2 --flag=_:1:c-format --flag=i18n_n:1:c-format \
    --flag=i18n_n:2:c-format --add-comments=TRANSLATORS: --sort-output \
    --output="$output" client/cli/*.c client/docs/*.c client/lib/*.c \
    client/desktop/*.c
