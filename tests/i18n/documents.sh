#!/usr/bin/env bash
# The printed documents in every language against a running server (run by
# tests/integration/test_documents.c, which sets SPONA_CLI, SPONA_SERVER, SPONA_CA,
# SPONA_CERT, SPONA_KEY and SPONA_PASSWORD for prijedor.csr's case manager ana.csr).
# Registers a person with JMBG and birth date, opens a case and makes a plan with
# measures for two partners (the employment bureau and the school), then writes, in en,
# bs, hr, sr-Latn and sr-Cyrl: the plan to sign, the indicator report, the protocol in
# force and the disclosures letter. Each PDF must render (pdftoppm) and read back
# (pdftotext) with the headings of its language, Cyrillic for sr-Cyrl, DejaVu fonts,
# the protocol's group names, the municipality's name, a signature line per partner and
# the institutions in the letter; the report's table in words; a measure's typed text as
# typed (no Cyrillic CNC) and its kind once; a letter in the person's language. With SPONA_DOCS_SHOTS=DIR, PNGs of page 1 of each document
# in sr-Cyrl and bs are left in DIR.
set -uo pipefail
cli=${SPONA_CLI:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SPONA_SESSION_FILE=$work/session
faults=0
fault() { echo "documents: $*"; faults=$((faults + 1)); }
for tool in pdftoppm pdftotext pdffonts; do
    command -v $tool >/dev/null || { echo "documents: $tool missing (poppler-utils)"; exit 1; }
done

json_value() { sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p" | head -1; }

# a valid JMBG for 15.05.1990, a woman, region 16, with a serial of this run
jmbg=$(python3 -c '
import random
for _ in range(1000):
    d = "1505990" + "16" + "%03d" % random.randint(500, 999)
    t = sum(w * int(c) for w, c in zip([7, 6, 5, 4, 3, 2] * 2, d)); m = 11 - t % 11
    if m != 10:
        print(d + str(0 if m == 11 else m)); break')

"$cli" login --user ana.csr >"$work/login.txt" 2>&1 || { cat "$work/login.txt"; exit 1; }
person=$("$cli" --json person add --field first_name=Milica --field 'last_name=Kovačević' \
    --field "jmbg=$jmbg" --field birth_date=1990-05-15 --field sex=F |
    json_value person_id)
opened=$("$cli" --json case open "$person" --reason 'upućena iz Zavoda za zapošljavanje')
case_id=$(json_value case_id <<<"$opened")
number=$(json_value number <<<"$opened")
[[ -n $person && -n $case_id && -n $number ]] || { echo "documents: no person or case: $opened"; exit 1; }
"$cli" plan add-goal "$case_id" --version 0 --text 'zaposlenje do kraja godine' >/dev/null ||
    fault "plan add-goal failed"
"$cli" plan add-measure "$case_id" --version 1 --kind job_search_support \
    --text 'podrška u traženju posla' --responsible prijedor.zzz >/dev/null ||
    fault "plan add-measure (zzz) failed"
"$cli" plan add-measure "$case_id" --version 2 --kind training --text 'obuka za CNC operatera' \
    --responsible prijedor.skola >/dev/null || fault "plan add-measure (skola) failed"
"$cli" person show "$person" >/dev/null || fault "person show failed"

# Writes the four documents in language $1, renders each and reads its text back.
write_language() {
    local lang=$1 doc
    "$cli" --lang "$lang" plan print "$case_id" --pdf "$work/$lang-plan.pdf" >/dev/null ||
        fault "$lang: plan print --pdf failed"
    "$cli" --lang "$lang" report --pdf "$work/$lang-report.pdf" >/dev/null ||
        fault "$lang: report --pdf failed"
    "$cli" --lang "$lang" protocol print --pdf "$work/$lang-protocol.pdf" >/dev/null ||
        fault "$lang: protocol print --pdf failed"
    "$cli" --lang "$lang" disclosures "$person" --letter "$work/$lang-letter.pdf" >/dev/null ||
        fault "$lang: disclosures --letter failed"
    for doc in plan report protocol letter; do
        local pdf=$work/$lang-$doc.pdf
        [[ -s $pdf ]] || { fault "$lang: no $doc PDF"; continue; }
        pdftoppm -png -r 30 -f 1 -l 1 "$pdf" "$work/$lang-$doc" ||
            fault "$lang: pdftoppm cannot render the $doc"
        pdftotext -layout "$pdf" "$work/$lang-$doc.txt" || fault "$lang: pdftotext: $doc"
        pdffonts "$pdf" | grep -q DejaVu || fault "$lang: the $doc does not use DejaVu"
    done
}

# expect LANG DOC TEXT...: each TEXT must be in the document's text
expect() {
    local lang=$1 doc=$2 text
    shift 2
    for text in "$@"; do
        grep -qF -- "$text" "$work/$lang-$doc.txt" || fault "$lang $doc: '$text' missing"
    done
}

# count LANG DOC TEXT N: TEXT appears exactly N times (signature lines)
count() {
    local found
    found=$(grep -oF -- "$3" "$work/$1-$2.txt" | wc -l)
    [[ $found -eq $4 ]] || fault "$1 $2: '$3' $found times, expected $4"
}

for lang in en bs hr sr-Latn sr-Cyrl; do
    write_language "$lang"
    expect "$lang" plan "$number" "$jmbg"
done

expect en plan 'Individual activation plan' 'Beneficiary' 'Milica Kovačević' '1990-05-15' \
    'Zavod za zapošljavanje RS, Biro Prijedor' 'JU Mašinska škola Prijedor' 'Prijedor, '
count en plan 'For the partner institution' 2
expect en report 'Municipality Prijedor' 'Women victims of domestic violence' 'Partial period'
expect en protocol 'Signatories' 'Clauses' 'Priority groups' 'Persons with disabilities'
expect en letter 'Who saw your data' 'JU Centar za socijalni rad Prijedor'

expect bs plan 'Individualni plan aktivacije' 'Korisnik' 'Datum rođenja' '15.05.1990.' \
    'Mjesto i datum' 'Zavod za zapošljavanje RS, Biro Prijedor' 'Potpisi'
count bs plan 'Za partnersku instituciju' 2
expect bs report 'Općina Prijedor' 'Žene žrtve nasilja u porodici' 'Djelimičan period'
expect bs protocol 'Potpisnici' 'Članovi' 'Prioritetne grupe' 'Osobe sa invaliditetom'
expect bs letter 'Ko je vidio vaše podatke' 'JU Centar za socijalni rad Prijedor'

expect hr plan 'Individualni plan aktivacije' 'Inačica plana' 'Mjere'
count hr plan 'Za partnersku instituciju' 2
expect hr report 'Općina Prijedor' 'Žene žrtve nasilja u obitelji' 'Djelomično razdoblje'
expect hr protocol 'Potpisnici' 'Članci' 'Prioritetne skupine' 'Osobe s invaliditetom'
expect hr letter 'Tko je vidio vaše podatke' 'JU Centar za socijalni rad Prijedor'

expect sr-Latn plan 'Individualni plan aktivacije' 'Verzija plana'
count sr-Latn plan 'Za partnersku instituciju' 2
expect sr-Latn report 'Opština Prijedor' 'Žene žrtve nasilja u porodici'
expect sr-Latn protocol 'Potpisnici' 'Članovi'
expect sr-Latn letter 'Ko je vidio vaše podatke'

expect sr-Cyrl plan 'Индивидуални план активације' 'Корисник' 'Датум рођења' 'Мјесто и датум' \
    'Милица Ковачевић' 'Приједор, '
count sr-Cyrl plan 'За партнерску институцију' 2
expect sr-Cyrl report 'Општина Приједор' 'Жене жртве насиља у породици' 'Дјелимичан период'
expect sr-Cyrl protocol 'Потписници' 'Чланови' 'Приоритетне групе'
expect sr-Cyrl letter 'Ко је видио ваше податке' 'Центар за социјални рад Приједор'
# the letter is in the person's language when she has one: Jovana's is in Cyrillic
# though the CLI speaks Bosnian (and the CLI's own words stay Bosnian)
jovana=$("$cli" --json person add --field first_name=Jovana --field last_name=Petrović \
    --field language=sr_RS | json_value person_id)
[[ -n $jovana ]] || fault "person add with a language failed"
"$cli" --lang bs disclosures "$jovana" --letter "$work/jovana-letter.pdf" >"$work/jovana.out" 2>&1 ||
    fault "disclosures --letter for Jovana failed: $(cat "$work/jovana.out")"
pdftotext -layout "$work/jovana-letter.pdf" "$work/jovana-letter.txt" 2>/dev/null
grep -qF 'Ко је видио ваше податке' "$work/jovana-letter.txt" ||
    fault "Jovana's letter is not in her language (sr-Cyrl): $(head -5 "$work/jovana-letter.txt")"
"$cli" --lang bs person show "$jovana" | grep -q 'jezik *sr-Cyrl' ||
    fault "person show does not give Jovana's language as sr-Cyrl"

# what people typed is printed as typed (no ЦНЦ for CNC); a measure's kind once
expect sr-Cyrl plan 'obuka za CNC operatera'
grep -qF 'ЦНЦ' "$work/sr-Cyrl-plan.txt" && fault "sr-Cyrl plan: the measure's text transliterated"
count bs plan 'podrška u traženju posla' 1
# the report's table: indicator names and breakdowns in words, no codes, no n/a
expect bs report 'Osobe u vođenju slučaja'
for lang in bs sr-Cyrl; do
    grep -qwE 'persons_in_case_management|n/a|sex:F' "$work/$lang-report.txt" &&
        fault "$lang report: an indicator code or n/a in the table"
done
for doc in plan report protocol letter; do
    # no Latin heading left, and no replacement or missing-glyph character
    grep -qF -e 'Individual' -e 'Signatures' -e 'Potpisi' "$work/sr-Cyrl-$doc.txt" &&
        fault "sr-Cyrl $doc: a Latin heading"
    grep -qP '\x{FFFD}' "$work/sr-Cyrl-$doc.txt" && fault "sr-Cyrl $doc: a replacement character"
done

if [[ -n ${SPONA_DOCS_SHOTS:-} ]]; then
    mkdir -p "$SPONA_DOCS_SHOTS"
    for lang in sr-Cyrl bs; do
        for doc in plan report protocol letter; do
            pdftoppm -png -r 50 -f 1 -l 1 -singlefile "$work/$lang-$doc.pdf" \
                "$SPONA_DOCS_SHOTS/$doc-$lang"
        done
    done
fi

if [[ $faults -gt 0 ]]; then
    echo "documents: $faults faults"
    exit 1
fi
echo "documents: every document in en, bs, hr, sr-Latn and sr-Cyrl rendered and read back"
