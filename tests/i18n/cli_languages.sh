#!/usr/bin/env bash
# The CLI in Bosnian and Serbian Cyrillic against a running server (run by
# tests/integration/test_i18n_cli.c, which sets SPONA_CLI, SPONA_SERVER, SPONA_CA,
# SPONA_CERT, SPONA_KEY and SPONA_PASSWORD for prijedor.csr's case manager ana.csr).
# Registers a person, opens a case and adds a goal (ids read from --json output), then
# runs whoami, case show, plan show, inbox, consent list, assess and outcome (with their
# stage suggestions) and timeline with --lang bs and --lang sr-Cyrl, and case --help in
# bs, and checks their output: no word of a list of English words, Cyrillic
# (and no Latin letter outside ids and codes) in sr-Cyrl, the stage's label, and a
# version conflict and an unknown case refused in the language, from their error codes.
set -uo pipefail
cli=${SPONA_CLI:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SPONA_SESSION_FILE=$work/session
faults=0
fault() { echo "cli_languages: $*"; faults=$((faults + 1)); }

# English words that a localized run must not print (as whole words, any case)
english='case|person|version|stage|opened|team|goal|goals|measure|measures|referral|institution|role|user|session|intake|none|yet|the|of|to|you|your|no|not|visible|hidden|clause|category|found|recorded|logged|since|changed|false|true'

json_value() { sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p" | head -1; }

"$cli" login --user ana.csr >"$work/login.txt" 2>&1 || { cat "$work/login.txt"; exit 1; }
person=$("$cli" --json person add --field first_name=Milica --field 'last_name=Kovačević' |
    json_value person_id)
case_id=$("$cli" --json case open "$person" --reason 'upućena iz Zavoda za zapošljavanje' |
    json_value case_id)
[[ -n $person && -n $case_id ]] || { echo "cli_languages: no person or case id"; exit 1; }
"$cli" plan add-goal "$case_id" --version 0 --text 'zaposlenje do kraja godine' >/dev/null ||
    fault "plan add-goal failed"

# Runs the localized commands in language $1 into $work/$1.out (stdout and stderr).
run_language() {
    local lang=$1 out=$work/$1.out
    : >"$out"
    for command in "whoami" "case show $case_id" "plan show $case_id" "inbox" \
        "consent list $person"; do
        # shellcheck disable=SC2086
        "$cli" --lang "$lang" $command >>"$out" 2>&1 || fault "$lang: '$command' failed"
    done
    # a refusal from its error code: the plan is at version 1 now (version_conflict)
    "$cli" --lang "$lang" plan add-goal "$case_id" --version 0 --text 'x' >"$work/$lang.conflict" 2>&1 &&
        fault "$lang: a stale --version was accepted"
    # and a case no one may see (not_visible)
    "$cli" --lang "$lang" case show 00000000-0000-4000-8000-000000000000 >"$work/$lang.unknown" 2>&1 &&
        fault "$lang: an unknown case was shown"
    cat "$work/$lang.conflict" "$work/$lang.unknown" >>"$out"
    # a stage suggestion (an assessment in intake suggests the stage assessment; an
    # employment outcome suggests closing) and the timeline, from codes the server sends
    "$cli" --lang "$lang" assess "$case_id" --domain work_history=3 >"$work/$lang.assess" 2>&1 ||
        fault "$lang: assess failed: $(cat "$work/$lang.assess")"
    "$cli" --lang "$lang" outcome "$case_id" --kind employed --on 2026-11-02 \
        --pathway integrated_case_management >"$work/$lang.outcome" 2>&1 ||
        fault "$lang: outcome failed: $(cat "$work/$lang.outcome")"
    "$cli" --lang "$lang" timeline "$case_id" >"$work/$lang.timeline" 2>&1 ||
        fault "$lang: timeline failed"
    cat "$work/$lang.assess" "$work/$lang.outcome" "$work/$lang.timeline" >>"$out"
    # ids, codes and names are not words: UUIDs, institution codes, the tokens of options
    sed -E 's/[0-9a-f]{8}-[0-9a-f-]{27}//g; s/prijedor\.[a-z]+//g; s/--[a-z-]+//g;
            s/`[^`]*`//g' "$out" >"$work/$lang.words"
    local found
    found=$(grep -owiE "$english" "$work/$lang.words" | sort -u | tr '\n' ' ')
    [[ -z $found ]] || fault "$lang: English words in the output: $found"
}

run_language bs
grep -q 'prijem' "$work/bs.out" || fault "bs: the stage intake is not shown as 'prijem'"
grep -q 'zaposlenje do kraja godine' "$work/bs.out" || fault "bs: the goal is not shown"
grep -q 'je u međuvremenu izmijenjen' "$work/bs.conflict" ||
    fault "bs: the version conflict is not translated: $(cat "$work/bs.conflict")"
grep -q 'nema takvog zapisa koji smijete vidjeti (predmet)' "$work/bs.unknown" ||
    fault "bs: the unknown case is not translated: $(cat "$work/bs.unknown")"

grep -q 'predmet je u fazi prijem; potrebe su procijenjene' "$work/bs.assess" ||
    fault "bs: no stage suggestion after the assessment: $(cat "$work/bs.assess")"
grep -q '^prijedlog: prevedite predmet u fazu procjena: `spona case advance' "$work/bs.assess" ||
    fault "bs: the suggestion does not name the stage or the command: $(cat "$work/bs.assess")"
grep -q 'prijedlog: zatvorite predmet uz razlog zaposlen/a: `spona case close .* --reason employed`' \
    "$work/bs.outcome" || fault "bs: no close suggestion after employment: $(cat "$work/bs.outcome")"
grep -q 'predmet otvorila ustanova prijedor.csr' "$work/bs.timeline" ||
    fault "bs: the timeline's opening is not translated: $(cat "$work/bs.timeline")"
grep -q 'ishod zaposlen/a, 2026-11-02 (integrisano vođenje slučaja)' "$work/bs.timeline" ||
    fault "bs: the timeline's outcome is not translated: $(cat "$work/bs.timeline")"
grep -q 'procjena potreba, verzija 1' "$work/bs.timeline" ||
    fault "bs: the timeline's assessment is not translated: $(cat "$work/bs.timeline")"

# the help of a command in Bosnian: usage and description translated, the command line
# (spona case, placeholders in capitals, options) as written
"$cli" --lang bs case --help >"$work/bs.help" 2>&1 || fault "bs: case --help failed"
grep -q '^Upotreba: spona case SUBCOMMAND' "$work/bs.help" || fault "bs: case --help: no usage line"
grep -q 'Njegove faze: prijem' "$work/bs.help" || fault "bs: case --help is not translated"
# (the subcommands' names, paths and the config file's keys are written as typed too)
found=$(sed -E '/session_file/d; s/^  case [a-z-]+//; s/spona( [a-z-]+)+//g; s/--[a-z-]+//g;
        s/\b[A-Z_]{2,}\b//g; s/`[^`]*`//g; s/[^ ]*[/$~][^ ]*//g' "$work/bs.help" | grep -owiE "$english" | sort -u | tr '\n' ' ')
[[ -z $found ]] || fault "bs: English words in case --help: $found"

run_language sr-Cyrl
grep -q 'предмет је у фази пријем' "$work/sr-Cyrl.assess" ||
    fault "sr-Cyrl: no stage suggestion after the assessment: $(cat "$work/sr-Cyrl.assess")"
grep -q '`spona case close .* --reason employed`' "$work/sr-Cyrl.outcome" ||
    fault "sr-Cyrl: the command of the suggestion is not kept: $(cat "$work/sr-Cyrl.outcome")"
grep -q 'предмет отворила установа prijedor.csr' "$work/sr-Cyrl.timeline" ||
    fault "sr-Cyrl: the timeline's opening is not translated: $(cat "$work/sr-Cyrl.timeline")"
grep -qF -e 'а' -e 'е' -e 'и' -e 'о' "$work/sr-Cyrl.out" || fault "sr-Cyrl: no Cyrillic in the output"
grep -q 'пријем' "$work/sr-Cyrl.out" || fault "sr-Cyrl: the stage intake is not shown as 'пријем'"
grep -q 'је у међувремену измијењен' "$work/sr-Cyrl.conflict" ||
    fault "sr-Cyrl: the version conflict is not translated: $(cat "$work/sr-Cyrl.conflict")"
grep -q 'нема таквог записа' "$work/sr-Cyrl.unknown" ||
    fault "sr-Cyrl: the unknown case is not translated: $(cat "$work/sr-Cyrl.unknown")"
# labels and messages are Cyrillic: no Latin word left but names, ids and codes the
# server or the user gave (the person, the goal, the institution's name)
latin=$(grep -v -e 'Milica' -e 'zaposlenje' -e 'Kovačević' -e 'SHA' "$work/sr-Cyrl.words" |
    LC_ALL=C.UTF-8 grep -oE '\b[A-Za-zČčĆćŠšŽžĐđ]{4,}\b' | sort -u | head -20 | tr '\n' ' ')
echo "cli_languages: Latin words in sr-Cyrl (names from the server): ${latin:-none}"

# English stays English, and --json keeps its keys and codes
"$cli" --lang en case show "$case_id" | grep -q '^stage *intake' || fault "en: stage is not 'intake'"
"$cli" --lang sr-Cyrl --json case show "$case_id" | grep -q '"stage": *"intake"' ||
    fault "sr-Cyrl --json: the stage code is not kept"
"$cli" --lang bs --json plan add-goal "$case_id" --version 0 --text x >"$work/json.err" 2>&1
grep -q '"code": *"version_conflict"' "$work/json.err" ||
    fault "--json: no error code: $(cat "$work/json.err")"

if ((faults > 0)); then
    for lang in bs sr-Cyrl; do echo "--- $lang"; cat "$work/$lang.out"; done
    exit 1
fi
echo "cli_languages: bs and sr-Cyrl output localized"
