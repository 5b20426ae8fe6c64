#!/usr/bin/env bash
# The case worker's day of issue 13 through the CLI, in Bosnian and in Serbian Cyrillic
# (run by tests/integration/test_journey.c, which sets SPONA_CLI, SPONA_SERVER, SPONA_CA,
# SPONA_CERT, SPONA_KEY and SPONA_PASSWORD for prijedor.csr's case manager ana.csr; the
# employment bureau's counsellor milan.zzz uses prijedor-zzz's certificate beside it).
# Nothing typed is a UUID or a version: persons, referrals and outcomes by the id prefix
# an earlier command printed, cases by their number (PD-YYYY-NNNN). Per language:
#   local input (Ž, 15.05.1990, da) and a priority group (a code not the protocol's
#   refused, its own accepted); case open, case list; assess without --on and the stage
#   suggested, case advance (no --version); a plan measure for the bureau that refers
#   the person to it; the bureau's inbox with the person's name, referral accept (the
#   new version printed), an outcome recorded by the bureau, referral complete (no
#   --version), the bureau's follow-up of its own outcome after its place on the team
#   ended (one dated outside the window refused first); a stale write from a second
#   desk refused with the conflict explained (who, when, what); case close, timeline.
# Every output line of both runs is checked for English words (a list below), and each
# rule for its outcome. The exit status is the verdict. With SPONA_JOURNEY_OUT=DIR the
# output of both runs is left in DIR.
set -uo pipefail
cli=${SPONA_CLI:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
faults=0
fault() { echo "journey: $*"; faults=$((faults + 1)); }

# English words that a localized run must not print (whole words, any case)
english='case|cases|person|version|plan|referral|referrals|accepted|error|not|the|stage|goal|measure|follow|follow-up|outcome|none|n/a|employed|recorded|opened|to|of|and|no|for|by|on|at|is|you|your|with|conflict|changed|suggested|inbox|overdue|team|status|sent|due'

zzz_cert=${SPONA_CERT/prijedor-csr/prijedor-zzz}
zzz_key=${SPONA_KEY/prijedor-csr/prijedor-zzz}

# as ana.csr at her desk (A), at a second desk (B), and as milan.zzz (Z)
desk_a() { SPONA_SESSION_FILE=$work/a.session "$cli" --lang "$lang" "$@"; }
desk_b() { SPONA_SESSION_FILE=$work/b.session "$cli" --lang "$lang" "$@"; }
bureau() { SPONA_SESSION_FILE=$work/z.session "$cli" --lang "$lang" --cert "$zzz_cert" --key "$zzz_key" "$@"; }

# step NAME EXPECT COMMAND...: runs the command, output (stdout and stderr) to
# $work/$lang.NAME and appended to $work/$lang.out; EXPECT ok or refused.
step() {
    local name=$1 expect=$2 out=$work/$lang.$1 code
    shift 2
    "$@" >"$out" 2>&1
    code=$?
    { echo "### $name ($1) spona ${*:2}"; cat "$out"; } >>"$work/$lang.out"
    if [[ $expect == ok && $code -ne 0 ]]; then
        fault "$lang: $name failed ($code): $(cat "$out")"
    elif [[ $expect == refused && $code -eq 0 ]]; then
        fault "$lang: $name was accepted: $(cat "$out")"
    fi
}
# has NAME TEXT...: the output of step NAME contains each TEXT (grep -E)
has() {
    local name=$1 text
    shift
    for text in "$@"; do
        grep -qE -- "$text" "$work/$lang.$name" || fault "$lang: $name: no '$text' in: $(cat "$work/$lang.$name")"
    done
}
# the first id prefix (8 hex digits) in the output of step NAME
prefix_of() { grep -oE '\b[0-9a-f]{8}-[0-9a-f]{4}' "$work/$lang.$1" | head -1 | cut -c1-8; }

# a valid JMBG for 15.05.1990, a woman, region 16, with a serial of this run
jmbg() {
    python3 -c '
import random
for _ in range(1000):
    d = "1505990" + "16" + "%03d" % random.randint(500, 999)
    t = sum(w * int(c) for w, c in zip([7, 6, 5, 4, 3, 2] * 2, d)); m = 11 - t % 11
    if m != 10:
        print(d + str(0 if m == 11 else m)); break'
}

# dates: the outcome four months ago, its 3-month follow-up a month ago (in the window),
# and one dated the day after the outcome (outside it); local forms d.m.yyyy.
outcome_on=$(date -d '4 months ago' +%d.%m.%Y)
follow_on=$(date -d '1 month ago' +%-d.%-m.%Y.)
early_on=$(date -d '4 months ago + 1 day' +%d.%m.%Y)

journey() {
    lang=$1
    local first=$2 last=$3 person case_no referral outcome
    : >"$work/$lang.out"
    step login ok desk_a login --user ana.csr
    step login_b ok desk_b login --user ana.csr
    step login_z ok bureau login --user milan.zzz

    # 7. local input, and 6. priority groups
    step person_add ok desk_a person add --first-name "$first" --last-name "$last" \
        --field "jmbg=$(jmbg)" --field sex=Ž --field birth_date=15.05.1990 --field rural=da
    person=$(prefix_of person_add)
    [[ -n $person ]] || { fault "$lang: person add printed no id"; return; }
    SPONA_SESSION_FILE=$work/a.session "$cli" --json person show "$person" | tr -d ' ' >"$work/$lang.person_json" 2>&1
    grep -qF '"name":"sex","value":"F"' "$work/$lang.person_json" &&
        grep -qF '"name":"birth_date","value":"1990-05-15"' "$work/$lang.person_json" &&
        grep -qF '"name":"rural","value":"true"' "$work/$lang.person_json" ||
        fault "$lang: local input not stored as F, 1990-05-15, true: $(cat "$work/$lang.person_json")"
    step group_bad refused desk_a person update "$person" --field priority_groups=zene_zrtve_nasilja
    has group_bad 'zene_zrtve_nasilja|women_domestic_violence'
    step group_ok ok desk_a person update "$person" --field priority_groups=women_domestic_violence
    # the group shown by the protocol's name in the language, not by its code
    step person_show ok desk_a person show "$person"
    has person_show 'Žene žrtve nasilja u porodici|Жене жртве насиља у породици'
    if grep -q 'women_domestic_violence' "$work/$lang.person_show"; then
        fault "$lang: person show prints the group's code: $(cat "$work/$lang.person_show")"
    fi

    # 1. a case by its number, in the caseload
    step case_open ok desk_a case open "$person" --reason 'upućena iz Zavoda za zapošljavanje'
    case_no=$(grep -oE '\b[A-Z]{2}-[0-9]{4}-[0-9]{4}\b' "$work/$lang.case_open" | head -1)
    [[ -n $case_no ]] || { fault "$lang: case open printed no case number"; return; }
    step case_list ok desk_a case list
    has case_list "$case_no" "$first"

    # 7. assess without --on, 8. the stage suggested, 2. advance without --version
    step assess ok desk_a assess "$case_no" --domain work_history=3
    has assess "$(date +%Y-%m-%d)|$(date +%d.%m.%Y)" "spona case advance [^ ]+ --to assessment"
    step advance ok desk_a case advance "$case_no" --to assessment
    step advance2 ok desk_a case advance "$case_no" --to planning

    # 10. a measure for the bureau refers the person to it
    step goal ok desk_a plan add-goal "$case_no" --text 'zaposlenje do kraja godine'
    step measure ok desk_a plan add-measure "$case_no" --kind job_search_support \
        --text 'podrška u traženju posla' --responsible prijedor.zzz
    step plan_show ok desk_a plan show "$case_no"
    # the measure's line names the referral the plan sent
    grep -E 'podrška u traženju posla.*prijedor\.zzz.*\b[0-9a-f]{8}-' "$work/$lang.plan_show" >/dev/null ||
        fault "$lang: the measure names no referral: $(cat "$work/$lang.plan_show")"

    # 3. the bureau's inbox names the person; 2. accept prints the version, complete needs none
    step inbox ok bureau inbox
    has inbox "$first" "$last" "$case_no"
    grep -F "$case_no" "$work/$lang.inbox" | grep -q 'job_search_support' &&
        fault "$lang: the inbox shows the measure's kind as a code"
    grep -F "$case_no" "$work/$lang.inbox" | grep -qi 'podrška u traženju posla: podrška u traženju posla' &&
        fault "$lang: the inbox repeats the measure's kind as its description"
    referral=$(grep -F "$case_no" "$work/$lang.inbox" | grep -oE '\b[0-9a-f]{8}-[0-9a-f]{4}' | head -1 | cut -c1-8)
    [[ -n $referral ]] || { fault "$lang: the inbox shows no referral id"; return; }
    step accept ok bureau referral accept "$referral"
    # 4. the bureau records the outcome it achieved, then completes its referral
    step outcome ok bureau outcome "$case_no" --kind employed --on "$outcome_on" \
        --employer 'Pekara Klas' --contract permanent --pathway integrated_case_management
    outcome=$(prefix_of outcome)
    step complete ok bureau referral complete "$referral" --result 'zaposlena u Pekari Klas'
    # 5. a follow-up dated the day after the outcome is refused; 4. one in the window is
    # the bureau's to record though its place on the team ended
    step follow_early refused bureau outcome follow-up "$outcome" --months 3 --on "$early_on" --employed
    has follow_early '[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}\.[0-9]{2}\.[0-9]{4}'
    step follow_up ok bureau outcome follow-up "$outcome" --months 3 --on "$follow_on" --employed

    # a stale write from the first desk: the conflict in words (who, when, what)
    step show_a ok desk_a case show "$case_no"
    step show_b ok desk_b case show "$case_no"
    step advance_b ok desk_b case advance "$case_no" --to implementation
    step advance_a refused desk_a case advance "$case_no" --to implementation
    has advance_a 'prijedor.csr' 'ana.csr'
    # 8. the lead is told to close after the employment; closing without --version
    step close ok desk_b case close "$case_no" --reason employed
    step timeline ok desk_a timeline "$case_no"
    grep -q 'job_search_support' "$work/$lang.timeline" &&
        fault "$lang: the timeline shows the measure's kind as a code"
    step overdue ok desk_a overdue
    step whoami ok bureau whoami

    # ids, codes and names are not words: UUIDs and prefixes, case numbers, institution
    # and user codes, the tokens of options, commands in backquotes, text we typed
    # (lines about other tests' cases, with the text they typed, are not this run's)
    awk -v number="$case_no" '!(/[A-Z][A-Z]-[0-9][0-9][0-9][0-9]-[0-9]+/ && index($0, number) == 0)' \
        "$work/$lang.out" >"$work/$lang.ours"
    sed -E 's/[0-9a-f]{8}(-[0-9a-f-]{4,27})?//g; s/\b[A-Z]{2}-[0-9]{4}-[0-9]{4}\b//g;
            s/prijedor\.[a-z]+//g; s/[a-z]+\.(csr|zzz)//g; s/--[a-z-]+//g; s/`[^`]*`//g;
            /^### /d' "$work/$lang.ours" >"$work/$lang.words"
    local found
    # (plan, status, to and on are Bosnian words too: in Latin they are not counted)
    local words=$english
    [[ $lang == bs ]] && words=$(sed -E 's/\|(plan|status|to|on)\b//g' <<<"$english")
    found=$(grep -owiE "$words" "$work/$lang.words" | sort -u | tr '\n' ' ')
    [[ -z $found ]] || fault "$lang: English words in the output: $found"
}

journey bs Milica Kovačević
has advance_a 'izmijenjen' 'faza je promijenjena iz planiranje u provođenje'
has show_a 'spol +Ž'
has group_bad 'nije prioritetna grupa protokola'
has follow_early 'praćenje nakon 3 mjeseci datira se od'
has close 'zatvoren predmet'
has accept 'uputnica je sada verzija 2'
has complete 'sada verzija 3'
has timeline 'ishod zaposlen/a'
has follow_early 'tromjesečn|3'
journey sr-Cyrl Јована Петровић
grep -qF -e 'предмет' "$work/sr-Cyrl.out" || fault "sr-Cyrl: no Cyrillic in the output"
has advance_a 'измијењен' 'фаза је промијењена из планирање у спровођење'
has show_a 'пол +Ж'
has follow_early 'праћење након 3 мјесеци'
has accept 'упутница је сада верзија 2'

# SPONA_JOURNEY_OUT=DIR keeps the runs' output (docs/journey.md shows the Bosnian one)
if [[ -n ${SPONA_JOURNEY_OUT:-} ]]; then
    mkdir -p "$SPONA_JOURNEY_OUT" && cp "$work/bs.out" "$work/sr-Cyrl.out" "$SPONA_JOURNEY_OUT/"
fi

if ((faults > 0)); then
    for lang in bs sr-Cyrl; do echo "--- $lang"; cat "$work/$lang.out"; done
    exit 1
fi
echo "journey: the case worker's day in bs and sr-Cyrl, every rule as it should be"
