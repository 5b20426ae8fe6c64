#!/usr/bin/env bash
# Catalog completeness (docs/i18n.md): every string the CLI marks for translation (_,
# N_, i18n_n, labels of codes) has a translation, not fuzzy, in each source catalog
# (po/bs.po, hr.po, sr@latin.po, en.po); sr.po is made from sr@latin.po by the build.
# Checks first that the check itself fails on a string no catalog has.
#   completeness.sh SOURCE_ROOT   (exit 1 and the missing strings on failure)
set -euo pipefail
root=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/po/extract.sh" xgettext "$work/spona.pot"
count=$(grep -c '^msgid ' "$work/spona.pot")
echo "completeness: $((count - 1)) strings marked in client/cli and client/lib"
if ((count < 300)); then
    echo "completeness: fewer strings than expected: is the extraction broken?"
    exit 1
fi

# the check catches a string without translation
cp "$work/spona.pot" "$work/more.pot"
printf '\nmsgid "a string that no catalog translates"\nmsgstr ""\n' >>"$work/more.pot"
if msgcmp "$root/po/bs.po" "$work/more.pot" 2>/dev/null; then
    echo "completeness: msgcmp did not notice a missing string"
    exit 1
fi

faults=0
for lang in bs hr sr@latin en; do
    po=$root/po/$lang.po
    if ! msgcmp "$po" "$work/spona.pot" 2>"$work/msgcmp.txt"; then
        echo "completeness: po/$lang.po lacks translations:"
        sed 's/^/  /' "$work/msgcmp.txt" | head -40
        faults=$((faults + 1))
        continue
    fi
    stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1)
    if grep -Eq 'untranslated|fuzzy' <<<"$stats"; then
        echo "completeness: po/$lang.po: $stats"
        faults=$((faults + 1))
    else
        echo "completeness: po/$lang.po: $stats"
    fi
done
if ((faults > 0)); then
    echo "completeness: run 'cmake --build build --target spona-pot', then msgmerge and translate"
    exit 1
fi
