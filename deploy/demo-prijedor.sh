#!/usr/bin/env bash
# Demo data: the Prijedor pilot of integrated case management (seed articles 000 and 001),
# loaded THROUGH THE SERVER'S API with the `spona` CLI, as each institution's own user on
# its own installation (certificate), so that the protocol's policy decides and the audit
# trail records every write. Never raw SQL. docs/demo.md describes the data.
#
#   deploy/demo-prijedor.sh          load (after deploy/quickstart.sh; it runs this itself)
#
# 60 beneficiaries of the four priority groups of protocol v1 (women survivors of domestic
# violence, rural one-time-assistance recipients, persons with disabilities, young people
# leaving care), names in Latin and Cyrillic as written, valid JMBGs (region 16, Prijedor),
# households, benefit periods, cases opened by ana.csr at every stage, consents,
# assessments, activation plans, referrals answered by the partners (some declined),
# conferences, notes and outcomes: exactly 10 employed, 6 through integrated case
# management and 4 through social entrepreneurship, as the pilot reported.
#
# Safe to run again: a person whose JMBG is already registered is left alone. Every write
# carries an idempotency key derived from the person's JMBG and the step, and the loader
# notes in .spona-dev/demo-prijedor.state whose story it started and finished: a story cut
# short (Ctrl-C, a lost connection) is taken up again on the next run within 24 hours, the
# server answering the writes already applied with their first answers.
#
# Dates: the stories run over the 10 months before today (assessments, outcomes,
# follow-ups), so that the default report period covers them; the times the server stamps
# (referral sent, ...) are those of the run; cases are opened on the story's intake
# date (`spona case open --opened-on`).
#
# Environment: SPONA_SERVER (default 127.0.0.1:$SPONA_PORT, SPONA_PORT default 7443),
# SPONA_DEMO_PASSWORD (the demo users' password, default spona-demo),
# SPONA_CLI_BIN (default build/client/spona), SPONA_DEV_DIR (default .spona-dev: pki/ with
# ca.crt and <institution code>.crt/.key, and where sessions and the state file go).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEV=${SPONA_DEV_DIR:-$ROOT/.spona-dev}
CLI=${SPONA_CLI_BIN:-$ROOT/build/client/spona}

die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

case ${1:-} in
"") ;;
-h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
*) echo "usage: deploy/demo-prijedor.sh" >&2; exit 2 ;;
esac

[[ -x $CLI ]] || die "$CLI not found: build first (deploy/quickstart.sh)"
[[ -f $DEV/pki/ca.crt ]] || die "no $DEV/pki: run deploy/quickstart.sh first"
command -v python3 >/dev/null || die "python3 is needed"

export DEMO_CLI=$CLI DEMO_PKI=$DEV/pki DEMO_SESSIONS=$DEV/sessions/demo
export DEMO_STATE=$DEV/demo-prijedor.state
export DEMO_SERVER=${SPONA_SERVER:-127.0.0.1:${SPONA_PORT:-7443}}
export DEMO_PASSWORD=${SPONA_DEMO_PASSWORD:-spona-demo}
DEMO_USERS=$("$ROOT/deploy/seed-prijedor.sh" --list-users)
export DEMO_USERS

# The loader itself: Python 3, standard library only.
read -r -d '' PROGRAM <<'PY' || true
import datetime, json, os, random, subprocess, sys, uuid

CLI = os.environ["DEMO_CLI"]
PKI = os.environ["DEMO_PKI"]
SESSIONS = os.environ["DEMO_SESSIONS"]
STATE = os.environ["DEMO_STATE"]
USERS = dict(line.split() for line in os.environ["DEMO_USERS"].splitlines() if line.strip())
TODAY = datetime.date.today()
# Idempotency keys: uuid5 of (JMBG, step) in this namespace.
KEYS = uuid.UUID("5b0e7a52-6a8f-4f53-9d3e-7f1c2f0d1e16")

CSR, ZZZ, SKOLA, KOMORA = "prijedor.csr", "prijedor.zzz", "prijedor.skola", "prijedor.komora"
PREDA, HLEB = "prijedor.preda", "prijedor.hleb"
DV, RURAL = "women_domestic_violence", "rural_one_time_assistance"
PWD, YOUTH = "persons_with_disabilities", "youth_leaving_care"


class SponaError(Exception):
    def __init__(self, status, message, argv):
        super().__init__(f"{status}: {message} (spona {' '.join(argv[:3])} ...)")
        self.status, self.message = status, message


def env_of(code):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPONA_")}
    env.update(SPONA_SERVER=os.environ["DEMO_SERVER"], SPONA_CA=f"{PKI}/ca.crt",
               SPONA_CERT=f"{PKI}/{code}.crt", SPONA_KEY=f"{PKI}/{code}.key",
               SPONA_SESSION_FILE=f"{SESSIONS}/{code}")
    return env


calls = 0


def spona(code, argv, key=None, extra_env=None):
    """Runs `spona --json ARGV` as the institution CODE; its JSON answer, or SponaError."""
    global calls
    calls += 1
    cmd = [CLI, "--json", *argv] + (["--idempotency-key", key] if key else [])
    env = env_of(code)
    env.update(extra_env or {})
    done = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True)
    try:
        answer = json.loads(done.stdout) if done.stdout.strip() else {}
    except ValueError:
        answer = {}
    if done.returncode != 0 or "error" in answer:
        error = answer.get("error", {})
        raise SponaError(error.get("status", f"exit {done.returncode}"),
                         error.get("message", done.stderr.strip()), argv)
    return answer


# --- the people ---------------------------------------------------------------------
# Names as people in Prijedor write them: Serbian names often in Cyrillic, Bosniak and
# Croat names in Latin script. Stored exactly as written.
POOLS = {
    "sr_cyr": {"F": "Милица Јелена Драгана Снежана Гордана Мирјана Слађана Бранка Ивана "
                    "Тијана Невена Душанка Љиљана Драгица".split(),
               "M": "Милан Драган Небојша Жељко Горан Саша Бојан Ненад Стефан Никола Душко "
                    "Мирослав Ђорђе Огњен".split(),
               "last": "Савић Тодоровић Ђурић Јовановић Радаковић Гаврановић Кнежевић Мркаљ "
                       "Ђукић Шобот Љубоја Врањеш Ћулибрк Јањетовић Милошевић Зорић".split()},
    "sr_lat": {"F": "Dragana Sanja Vesna Marina Tanja Biljana Jovana Danijela".split(),
               "M": "Dejan Zoran Siniša Vladimir Dalibor Slobodan Nemanja Aleksandar".split(),
               "last": "Stojanović Kovačević Radić Todorović Đurđević Mandić Popović "
                       "Jelisavac Vukić Šarić".split()},
    "bs": {"F": "Amra Emina Selma Aida Mirsada Sabina Lejla Edina Fatima Alma Šejla "
                "Azra Senada".split(),
           "M": "Edin Mirza Armin Senad Adnan Emir Jasmin Haris Almir Nihad Elvir "
                "Samir".split(),
           "last": "Hodžić Mujić Kahrimanović Hadžić Memić Sivac Musić Karabašić Begić "
                   "Crnalić Čaušević Džaferović Velić Alibegović Fazlić Jakupović".split()},
    "hr": {"F": "Ana Marija Ivana Kristina".split(), "M": "Ivan Marko Josip Tomislav".split(),
           "last": "Babić Marić Jurić Perić Kovač Matić".split()},
}
SCRIPTS = ["sr_cyr", "bs", "sr_lat", "sr_cyr", "bs", "hr", "sr_cyr", "bs", "sr_lat", "bs"]

VILLAGES = ["Omarska", "Ljubija", "Kozarac", "Brezičani", "Gradina", "Busnovi", "Čarakovo",
            "Hambarine", "Tomašica", "Petrov Gaj", "Orlovci", "Rakelići", "Donja Puharska",
            "Kevljani", "Marićka", "Bišćani", "Lamovita", "Kozaruša"]
STREETS = ["Ulica kralja Petra I Karađorđevića", "Svetosavska", "Nikole Pašića",
           "Vožda Karađorđa", "Ulica Pećani", "Ulica Urije", "Zanatska", "Majke Jugovića",
           "Ulica Mlakve", "Cara Dušana", "Ulica Zagradski put", "Ulica Raskovac"]

# (archetype, groups, sex): the pilot's 60 beneficiaries in the order they came in.
E_ICM, E_SE, TRAINED, IN_TRAINING, DROPPED = "employed_icm", "employed_se", "trained", \
    "in_training", "dropped_out"
IMPL, REVIEW, PLANNING, ASSESSMENT, INTAKE = "implementation", "review", "planning", \
    "assessment", "intake"
ROSTER = [
    (E_ICM, [RURAL], "M"), (E_SE, [DV], "F"), (TRAINED, [YOUTH], "F"), (IN_TRAINING, [YOUTH], "M"),
    (DROPPED, [RURAL], "M"), (IMPL, [DV], "F"), (E_ICM, [RURAL], "F"), (REVIEW, [PWD], "F"),
    (PLANNING, [RURAL], "F"), (ASSESSMENT, [DV], "F"), (E_SE, [DV, RURAL], "F"),
    (TRAINED, [YOUTH], "M"), (IN_TRAINING, [YOUTH], "F"), (IMPL, [RURAL], "F"),
    (E_ICM, [PWD], "M"), (INTAKE, [RURAL], "F"), (IMPL, [RURAL], "M"), (TRAINED, [RURAL], "M"),
    (DROPPED, [YOUTH], "M"), (E_ICM, [YOUTH], "M"), (IN_TRAINING, [RURAL], "M"),
    (IMPL, [PWD], "M"), (E_SE, [RURAL], "F"), (PLANNING, [YOUTH], "M"), (TRAINED, [DV], "F"),
    (IN_TRAINING, [RURAL], "F"), (IMPL, [PWD], "F"), (ASSESSMENT, [RURAL], "M"),
    (E_ICM, [DV], "F"), (REVIEW, [RURAL], "M"), (IMPL, [YOUTH], "F"), (DROPPED, [PWD], "F"),
    (IN_TRAINING, [DV], "F"), (TRAINED, [PWD], "M"), (INTAKE, [DV], "F"),
    (IMPL, [DV, RURAL], "F"), (E_SE, [PWD], "F"), (PLANNING, [DV], "F"), (IN_TRAINING, [PWD], "M"),
    (IMPL, [RURAL], "M"), (E_ICM, [RURAL], "M"), (DROPPED, [DV], "F"), (TRAINED, [RURAL], "F"),
    (IMPL, [YOUTH], "M"), (ASSESSMENT, [PWD], "F"), (IN_TRAINING, [YOUTH], "M"),
    (IMPL, [DV], "F"), (REVIEW, [DV], "F"), (PLANNING, [PWD], "M"), (INTAKE, [YOUTH], "M"),
    (IMPL, [RURAL], "F"), (IN_TRAINING, [RURAL], "M"), (DROPPED, [RURAL], "M"),
    (TRAINED, [YOUTH], "M"), (IMPL, [PWD], "M"), (ASSESSMENT, [YOUTH], "F"),
    (IN_TRAINING, [DV], "F"), (IMPL, [RURAL], "M"), (PLANNING, [RURAL], "M"),
    (INTAKE, [PWD], "M"),
]


def jmbg_for(birth, sex, serial):
    """A valid JMBG: DD MM YYY, region 16 (Prijedor), BBB by sex, control digit."""
    base = 0 if sex == "M" else 500
    for offset in range(500):
        bbb = base + (serial + offset * 37) % 500
        digits = f"{birth:%d%m}{birth.year % 1000:03d}16{bbb:03d}"
        total = sum(w * int(d) for w, d in zip([7, 6, 5, 4, 3, 2] * 2, digits))
        m = 11 - total % 11
        if m == 10:
            continue  # no valid control digit in strict practice
        return digits + str(0 if m == 11 else m)
    raise RuntimeError("no JMBG")


def d(day):
    return day.isoformat()


class Person:
    def __init__(self, index, archetype, groups, sex, taken):
        rng = random.Random(f"spona-demo-prijedor-{index}")
        self.rng, self.index, self.archetype, self.groups, self.sex = rng, index, archetype, groups, sex
        # the how-manieth of its archetype: the stories' variations go by it
        self.ordinal = sum(1 for row in ROSTER[:index] if row[0] == archetype)
        self.script = SCRIPTS[index % len(SCRIPTS)]
        pool = POOLS[self.script]
        while True:  # no two demo persons with the same name
            self.first, self.last = rng.choice(pool[sex]), rng.choice(pool["last"])
            if (self.first, self.last) not in taken:
                taken.add((self.first, self.last))
                break
        youth = YOUTH in groups
        age = rng.randint(19, 23) if youth else rng.randint(24, 56)
        self.birth = TODAY - datetime.timedelta(days=age * 365 + rng.randint(10, 350))
        self.jmbg = jmbg_for(self.birth, sex, index * 11 + 7)
        self.rural = RURAL in groups or (not youth and rng.random() < 0.3)
        self.place = rng.choice(VILLAGES) if self.rural else "Prijedor"
        # the intake date: how far back the story starts, by how far it has come
        span = {E_ICM: (300, 320), E_SE: (280, 310), TRAINED: (200, 260),
                IN_TRAINING: (90, 150), DROPPED: (150, 250), IMPL: (60, 180),
                REVIEW: (180, 240), PLANNING: (25, 45), ASSESSMENT: (12, 25),
                INTAKE: (3, 10)}[archetype]
        if archetype == E_ICM and self.ordinal < 2:
            span = (316, 322)  # long enough ago for the 6-month follow-up
        self.intake = TODAY - datetime.timedelta(days=rng.randint(*span))

    @property
    def name(self):
        return f"{self.first} {self.last}"

    def day(self, offset):
        """The date OFFSET days after the intake, never after yesterday."""
        return min(self.intake + datetime.timedelta(days=offset),
                   TODAY - datetime.timedelta(days=1))

    def fields(self):
        rng, g = self.rng, self.groups
        if DV in g:
            address = "povjerljivo: sigurna kuća (adresu zna samo CSR)" \
                if rng.random() < 0.5 else f"{self.place}, adresa povjerljiva"
        elif self.rural:
            address = f"{self.place} bb, 79{rng.randint(101, 106)} Prijedor"
        else:
            address = f"{rng.choice(STREETS)} {rng.randint(1, 120)}, 79101 Prijedor"
        out = {
            "first_name": self.first, "last_name": self.last, "jmbg": self.jmbg,
            "birth_date": d(self.birth), "sex": self.sex, "address": address,
            "phone": f"06{rng.choice('56')}{rng.randint(100000, 999999)}",
            "rural": "true" if self.rural else "false",
            "benefit_status": "one_time_assistance" if RURAL in g else
                              rng.choice(["cash_assistance", "one_time_assistance"]),
            "education_level": rng.choice(
                ["osnovna škola", "osnovna škola (nezavršena)", "SSS, trogodišnja (KV)",
                 "SSS, četvorogodišnja", "SSS, mašinska škola (bravar)",
                 "SSS, ugostiteljska škola (kuvar)"]),
            "work_history": rng.choice(
                ["sezonski poslovi u poljoprivredi", "bez radnog iskustva",
                 "dvije godine u pekari, neprijavljen rad", "rad u trgovini, 2015-2018",
                 "povremeni poslovi na građevini", "šivara, 3 godine do stečaja firme"]),
            "skills": rng.choice(["rad sa mašinama", "kuvanje, priprema hrane",
                                  "rad na računaru (osnovno)", "vozačka dozvola B kategorije",
                                  "šivenje", "uzgoj povrća u plasteniku", "njega starijih"]),
            "work_capable": "true",
            "work_capability": ("" if PWD not in g else "djelimično ") +
                               ("radno sposobna" if self.sex == "F" else "radno sposoban"),
            "priority_groups": ",".join(g),
        }
        if PWD in g:
            out["disability_status"] = rng.choice(
                ["tjelesni invaliditet 60%", "oštećenje sluha 70%", "invaliditet 50%, ruka",
                 "hronična bolest, smanjena radna sposobnost"])
            out["health_notes"] = "bez teškog fizičkog rada; redovne kontrole"
        if DV in g:
            out["safety_flag"] = "true"
            out["safety_notes"] = rng.choice(
                ["mjera zabrane približavanja izrečena; ne otkrivati adresu",
                 "izašla iz sigurne kuće; nasilnik u drugoj opštini",
                 "prijava policiji i CSR; dogovoren siguran kontakt samo preko CSR"])
        if YOUTH in g:
            out["education_level"] = rng.choice(["SSS, trogodišnja (KV)", "osnovna škola",
                                                 "SSS, četvorogodišnja"])
            out["work_history"] = "bez radnog iskustva; izlazak iz doma za djecu bez roditeljskog staranja"
        return out

    def household(self):
        rng, g, members = self.rng, self.groups, []
        children = rng.randint(1, 3) if (DV in g or (RURAL in g and rng.random() < 0.7)) else 0
        pool = POOLS[self.script]
        if RURAL in g and DV not in g and rng.random() < 0.7:
            partner = rng.choice(pool["M" if self.sex == "F" else "F"])
            members.append(f"{partner} {self.last}|spouse|{self.birth.year + rng.randint(-4, 3)}")
        if PWD in g or (RURAL in g and rng.random() < 0.4):
            members.append(f"{rng.choice(pool['F'])} {self.last}|parent|"
                           f"{self.birth.year - rng.randint(22, 30)}")
        for n in range(children):
            year = max(self.birth.year + 19, TODAY.year - rng.randint(1, 15))
            members.append(f"{rng.choice(pool[rng.choice('FM')])} "
                           f"{self.last}|child|{min(year, TODAY.year - 1)}")
        if YOUTH in g and rng.random() < 0.4:
            members.append(f"{rng.choice(pool[rng.choice('FM')])} {self.last}|sibling|"
                           f"{self.birth.year + rng.randint(1, 3)}")
        return members

    def benefits(self):
        """(kind, since, until, amount, note) periods."""
        rng, g, out = self.rng, self.groups, []
        if RURAL in g:
            # one-time assistance, more often each year and to more people each year (the
            # trend of seed 000): a third of them since two years ago, a third since last
            # year, the rest since this year (its own generator, so that the stories'
            # other draws stay as they were)
            first = TODAY.year - random.Random(f"spona-demo-ota-{self.index}").randint(0, 2)
            for year, times in ((TODAY.year - 2, 1), (TODAY.year - 1, 2), (TODAY.year, 2)):
                for t in range(times):
                    day = datetime.date(year, 2 + t * 5 + rng.randint(0, 3), rng.randint(1, 28))
                    if year >= first and day <= TODAY:
                        out.append(("one_time_assistance", d(day), d(day),
                                    f"{rng.choice([100, 150, 200, 250])}.00",
                                    rng.choice(["ogrjev za zimu", "lijekovi", "školski pribor",
                                                "troškovi struje"])))
        elif YOUTH in g:
            left = self.birth + datetime.timedelta(days=18 * 365 + 30)
            out.append(("one_time_assistance", d(left), d(left), "500.00",
                        "pomoć pri izlasku iz doma"))
            out.append(("cash_assistance", d(max(left, self.intake - datetime.timedelta(days=200))),
                        "", "187.50", "stalna novčana pomoć"))
        else:
            since = self.intake - datetime.timedelta(days=rng.randint(60, 700))
            out.append(("cash_assistance", d(since), "", rng.choice(["187.50", "215.00"]), ""))
            if PWD in g:
                out.append(("other", d(since), "", "120.00", "lična invalidnina"))
        return out


_taken = set()
PEOPLE = [Person(i, *row, _taken) for i, row in enumerate(ROSTER)]


# --- the stories -------------------------------------------------------------------
TRAININGS = [("training", "obuka za CNC operatera, 3 mjeseca", "CNC operater, uvjerenje {n}/{y}"),
             ("requalification", "prekvalifikacija: zavarivač (MAG postupak)", "zavarivač MAG, uvjerenje {n}/{y}"),
             ("training", "obuka za pomoćnog pekara", "pomoćni pekar, uvjerenje {n}/{y}"),
             ("training", "obuka za njegovateljicu starijih osoba", "njegovatelj/ica, uvjerenje {n}/{y}"),
             ("training", "rad na računaru i osnove knjigovodstva", "računar i knjigovodstvo, uvjerenje {n}/{y}"),
             ("requalification", "prekvalifikacija: kuvar", "kuvar, uvjerenje {n}/{y}")]
ICM_EMPLOYERS = ["Metalac d.o.o. Prijedor", "Pekara „Žito“ d.o.o. Prijedor",
                 "Drvoprerada „Kozara“ d.o.o.", "Market „Sana“ d.o.o. Prijedor",
                 "Tekstilna radionica „Kozarka“ d.o.o.", "Mljekara „Omarska“ d.o.o."]
SOCIAL_ENTERPRISE = "Socijalno preduzeće „Sunčani vrt“ d.o.o. Prijedor"


class Story:
    """One person's case history, every write with its own idempotency key."""

    def __init__(self, person):
        self.p, self.step = person, 0
        self.person_id = self.case_id = None
        self.person_version = self.case_version = self.plan_version = 0
        self.measures = 0
        self.last_outcome = None

    def write(self, code, *argv):
        self.step += 1
        key = str(uuid.uuid5(KEYS, f"{self.p.jmbg}/{self.step}/{code}/{argv[0]}"))
        return spona(code, list(argv), key)

    # the lead's steps
    def register(self):
        argv = ["person", "add"]
        for name, value in self.p.fields().items():
            argv += ["--field", f"{name}={value}"]
        answer = self.write(CSR, *argv)
        self.person_id, self.person_version = answer["person_id"], int(answer["version"])
        members = self.p.household()
        argv = ["person", "household", self.person_id, "--version", str(self.person_version)]
        argv += [x for m in members for x in ("--member", m)] or ["--none"]
        self.person_version = int(self.write(CSR, *argv)["version"])
        for kind, since, until, amount, note in self.p.benefits():
            argv = ["person", "benefit", self.person_id, "--version", str(self.person_version),
                    "--kind", kind, "--since", since, "--amount", amount]
            argv += (["--until", until] if until else []) + (["--note", note] if note else [])
            self.person_version = int(self.write(CSR, *argv)["version"])

    def open(self):
        reason = {DV: "upućena od policije i sigurne kuće; radno sposobna, traži posao",
                  RURAL: "korisnik jednokratne pomoći iz ruralnog područja, radno sposoban",
                  PWD: "osoba sa invaliditetom, djelimično radno sposobna, želi raditi",
                  YOUTH: "mladi koji izlaze iz doma; bez posla i prihoda"}[self.p.groups[0]]
        self.case_id = self.write(CSR, "case", "open", self.person_id, "--reason", reason,
                                  "--opened-on", d(self.p.intake))["case_id"]
        self.case_version = 1
        self.note(CSR, f"Prvi razgovor {d(self.p.intake)}: uzeti podaci, potpisana izjava o "
                       "obradi ličnih podataka.")

    def advance(self, stage):
        answer = self.write(CSR, "case", "advance", self.case_id, "--version",
                            str(self.case_version), "--to", stage)
        self.case_version = int(answer["version"])

    def close(self, reason, note):
        answer = self.write(CSR, "case", "close", self.case_id, "--version",
                            str(self.case_version), "--reason", reason, "--note", note)
        self.case_version = int(answer["version"])

    def assess(self):
        rng, g = self.p.rng, self.p.groups
        domains = [f"education_skills={rng.randint(2, 4)}:{rng.choice(['završena osnovna škola', 'KV radnik, bez certifikata', 'SSS, zastarjela znanja'])}",
                   f"work_history={rng.randint(2, 5)}:{rng.choice(['samo neformalni rad', 'duži prekid rada', 'bez radnog iskustva'])}",
                   f"finances={rng.randint(3, 5)}:{rng.choice(['dugovi za struju', 'prihod samo od pomoći', 'bez redovnih prihoda'])}"]
        if DV in g:
            domains.append(f"domestic_violence={rng.randint(3, 5)}:nasilje u porodici prijavljeno; procjena rizika urađena")
            domains.append(f"childcare={rng.randint(2, 4)}:djeca u vrtiću/školi; potrebna podrška")
        if RURAL in g:
            domains.append(f"transport={rng.randint(3, 5)}:nema autobusa iz sela prije 7 sati")
            domains.append(f"housing={rng.randint(2, 4)}:stara kuća, ogrjev drvima")
        if PWD in g:
            domains.append(f"health_disability={rng.randint(2, 4)}:prilagođeno radno mjesto, bez teškog rada")
            domains.append(f"discrimination={rng.randint(2, 3)}:poslodavci nerado zapošljavaju OSI")
        if YOUTH in g:
            domains.append(f"housing={rng.randint(3, 5)}:stambena zajednica uz podršku, do 12 mjeseci")
            domains.append(f"documents={rng.randint(2, 3)}:lična karta i prijava prebivališta u toku")
        argv = ["assess", self.case_id, "--on", d(self.p.day(rng.randint(6, 10))),
                "--strengths", rng.choice(["motivisan/a, pouzdan/a", "vrijedna, dobra sa ljudima",
                                           "spretan/na, brzo uči", "odgovoran/na roditelj, uporan/na"])]
        for domain in domains:
            argv += ["--domain", domain]
        self.write(CSR, *argv)

    def plan_change(self, code, *argv):
        answer = self.write(code, "plan", argv[0], self.case_id, "--version",
                            str(self.plan_version), *argv[1:])
        self.plan_version = int(answer["version"])

    def goal(self, text, target_offset):
        self.plan_change(CSR, "add-goal", "--text", text, "--target", d(self.p.intake + datetime.timedelta(days=target_offset)),
                         "--review", d(self.p.intake + datetime.timedelta(days=90)),
                         "--obligations", "redovno dolaziti na mjere; javljati se voditeljici slučaja jednom mjesečno")

    def measure(self, kind, text, responsible, due):
        self.plan_change(CSR, "add-measure", "--kind", kind, "--text", text,
                         "--responsible", responsible, "--due", d(due))
        self.measures += 1
        return self.measures

    def set_status(self, code, number, status):
        self.plan_change(code, "set-status", "--measure", f"{number}={status}")

    def consent(self, code, categories, offset):
        self.write(CSR, "consent", "grant", self.person_id, "--to", code,
                   "--category", ",".join(categories), "--given", d(self.p.day(offset)),
                   "--form", f"CSR-PD-{self.p.day(offset).year}/{300 + self.p.index * 3 + len(code) % 3:04d}")

    def refer(self, code, number, text, due):
        answer = self.write(CSR, "refer", self.case_id, "--to", code, "--measure",
                            f"mjera {number}: {text}", "--due", d(due))
        return answer["referral_id"]

    def note(self, code, text):
        self.write(code, "note", self.case_id, text)

    def conference(self, offset, institutions, decisions, next_steps):
        users = [USERS[c] for c in institutions]
        argv = ["conference", self.case_id, "--on", d(self.p.day(offset)),
                "--decisions", decisions, "--next-steps", next_steps]
        for c in institutions:
            argv += ["--institution", c]
        for u in users:
            argv += ["--user", u]
        self.write(CSR, *argv)

    def outcome(self, code, kind, day, *extra):
        answer = self.write(code, "outcome", self.case_id, "--kind", kind, "--on", d(day), *extra)
        self.last_outcome = answer["outcome_id"]
        return answer["outcome_id"]

    def follow_up(self, outcome_id, months, day, employed, note):
        self.write(CSR, "outcome", "follow-up", outcome_id, "--months", str(months),
                   "--on", d(day), "--employed" if employed else "--not-employed", "--note", note)

    # partners' steps
    def accept(self, code, referral):
        self.write(code, "referral", "accept", referral)

    def decline(self, code, referral, reason):
        self.write(code, "referral", "decline", referral, "--version", "1", "--reason", reason)

    def complete(self, code, referral, result):
        self.write(code, "referral", "complete", referral, "--version", "2", "--result", result)

    # the whole story, as far as the archetype goes
    def run(self):
        p, rng, a, o = self.p, self.p.rng, self.p.archetype, self.p.ordinal
        self.register()
        self.open()
        if a == INTAKE:
            return "intake"
        self.advance("assessment")
        self.assess()
        if a == ASSESSMENT:
            return "assessment"
        self.advance("planning")
        goal = {E_SE: "zaposlenje u socijalnom preduzeću",
                YOUTH: "prvo zaposlenje i samostalan život"}
        self.goal(goal.get(a) or goal.get(p.groups[0]) or
                  "zaposlenje i izlazak iz sistema socijalne pomoći", rng.randint(200, 365))
        training = TRAININGS[p.index % len(TRAININGS)]
        job = self.measure("subsidised_employment" if a == E_ICM else "job_search_support",
                           "prijava na evidenciju, posredovanje i sufinansiranje zapošljavanja",
                           ZZZ, p.day(rng.randint(60, 90)))
        learn = se = support = None
        if a in (TRAINED, IN_TRAINING, DROPPED) or (a in (E_ICM, IMPL) and o % 2 == 0):
            learn = self.measure(training[0], training[1], SKOLA, p.day(120))
        if a == E_SE:
            se = self.measure("social_enterprise",
                              "priprema za rad u socijalnom preduzeću (plastenička proizvodnja)",
                              PREDA, p.day(rng.randint(100, 130)))
        if DV in p.groups or a == E_SE or (a == IMPL and o % 3 == 0):
            support = self.measure("psychosocial_support",
                                   "psihosocijalna podrška i grupa samopomoći", HLEB,
                                   p.day(rng.randint(60, 90)))
        if a == PLANNING:
            self.note(CSR, "Plan dogovoren usmeno; potpisivanje na sljedećem sastanku.")
            return "planning"
        self.advance("implementation")
        # the consents the person signed, one form per partner
        self.consent(ZZZ, ["education_work"], 16)
        if learn:
            self.consent(SKOLA, ["identity", "education_work"], 16)
        if se:
            self.consent(PREDA, ["education_work"], 16)
        if support:
            self.consent(HLEB, ["identity", "contact_address", "plan_measures"], 16)

        future = TODAY + datetime.timedelta(days=rng.randint(20, 120))
        finished = a in (E_ICM, E_SE, DROPPED)
        overdue = p.index % 7 == 3  # a few referrals are past their due date, still open

        def due(offset, stays_open):
            """A referral's due date: a referral the story leaves open is due in the
            future, but for the few that are overdue."""
            if not stays_open or overdue:
                return p.day(offset)
            return max(p.intake + datetime.timedelta(days=offset), future)

        r_job = self.refer(ZZZ, job, "prijava na evidenciju i posredovanje",
                           due(rng.randint(60, 90), not finished))
        r_learn = r_se = r_support = None
        if learn:
            if a == IN_TRAINING and o in (0, 5):
                first = self.refer(SKOLA, learn, training[1], p.day(60))
                self.decline(SKOLA, first, "grupa popunjena; sljedeći upis za mjesec dana")
            r_learn = self.refer(SKOLA, learn, training[1], due(120, a in (IN_TRAINING, IMPL)))
        if se:
            r_se = self.refer(PREDA, se, "socijalno preduzeće „Sunčani vrt“", p.day(130))
        if support:
            r_support = self.refer(HLEB, support, "psihosocijalna podrška",
                                   due(90, a not in (E_SE, E_ICM, DROPPED)))

        # the Bureau registers everyone referred to it
        self.accept(ZZZ, r_job)
        self.set_status(ZZZ, job, "in_progress")
        if r_learn:
            if a == DROPPED and o % 2 == 0:
                self.decline(SKOLA, r_learn, "kandidat nije došao na prijemni razgovor")
                r_learn = None
            else:
                self.accept(SKOLA, r_learn)
                self.outcome(SKOLA, "in_training", p.day(rng.randint(28, 40)),
                             "--note", f"upis: {training[1]}")
                self.set_status(CSR, learn, "in_progress")
        if r_support:
            if a == IMPL and o == 3:
                self.decline(HLEB, r_support, "osoba odbila uslugu nakon prvog razgovora")
                r_support = None
            else:
                self.accept(HLEB, r_support)
                self.note(HLEB, "Uključena u grupu samopomoći (utorkom); dolazi redovno.")
        if r_se:
            self.accept(PREDA, r_se)
        if a == IMPL and o in (1, 7):
            extra = self.measure("job_search_support",
                                 "povezivanje sa poslodavcima članicama komore", KOMORA, future)
            self.consent(KOMORA, ["education_work"], 20)
            r_extra = self.refer(KOMORA, extra, "povezivanje sa poslodavcima", future)
            self.decline(KOMORA, r_extra,
                         "trenutno nema poslodavca za traženi profil; javićemo se")
        if a == IN_TRAINING:
            self.note(CSR, "Kontakt telefonom: redovno pohađa obuku.")
            return "in training"
        if a == IMPL:
            self.note(CSR, rng.choice(
                ["Kućna posjeta: situacija stabilna.",
                 "Dogovoren termin u Birou; dokumentacija predata.",
                 "Razgovor o prevozu: dogovoreno zajedničko putovanje sa komšijom."]))
            return "implementation"

        if a == DROPPED:
            day = p.day(rng.randint(70, 110))
            reason, why = [("dropped_out", "prestao/la dolaziti na mjere i ne javlja se"),
                           ("moved", "odselio/la se u inostranstvo (Njemačka)"),
                           ("dropped_out", "odustao/la zbog sezonskog posla")][o % 3]
            self.outcome(CSR, "dropped_out", day, "--note", why)
            if r_learn:
                self.complete(SKOLA, r_learn, "obuka prekinuta: kandidat prestao dolaziti")
                self.set_status(CSR, learn, "cancelled")
            self.complete(ZZZ, r_job, "osoba se prestala javljati; brisana sa evidencije")
            if r_support:
                self.complete(HLEB, r_support, "prekinuto: osoba se ne javlja")
            self.close(reason, why)
            return f"dropped out, case closed ({reason})"

        # the school finishes the course
        if r_learn:
            cert = training[2].format(n=100 + p.index, y=p.day(110).year)
            self.outcome(SKOLA, "training_completed", p.day(rng.randint(105, 115)),
                         "--certificate", cert)
            self.complete(SKOLA, r_learn, f"obuka završena, {cert}")
            self.set_status(CSR, learn, "done")

        if a == REVIEW:
            self.advance("review")
            self.conference(rng.randint(150, 170), [CSR, ZZZ] + ([HLEB] if r_support else []),
                            "revizija plana: mjere nastavljaju još jedan ciklus",
                            "Biro nudi javne radove; sljedeća revizija za 3 mjeseca")
            self.advance("implementation")
            self.advance("review")
            return "review"
        if a == TRAINED:
            self.conference(rng.randint(115, 125), [CSR, ZZZ, SKOLA],
                            "obuka završena; Biro uključuje osobu u posredovanje",
                            "Biro šalje na razgovore kod poslodavaca")
            if o % 2:
                self.advance("review")
            return "training completed"

        # employed
        if r_support:
            self.note(HLEB, "Završen ciklus grupe samopomoći (10 susreta).")
            self.complete(HLEB, r_support, "završeno 10 susreta grupe samopomoći")
            self.set_status(CSR, support, "done")
        if a == E_ICM:
            employer = ICM_EMPLOYERS[o]
            by = KOMORA if o in (2, 5) else ZZZ
            start = p.day(rng.randint(125, 135) if o in (0, 1) else rng.randint(140, 175))
            before = (start - p.intake).days
            self.conference(before - 10, [CSR, ZZZ] + ([SKOLA] if learn else []) +
                            ([KOMORA] if by == KOMORA else []),
                            f"kandidat predložen poslodavcu {employer}",
                            "ugovor o radu; praćenje nakon 3, 6 i 12 mjeseci")
            if by == KOMORA:
                self.consent(KOMORA, ["education_work"], before - 20)
                extra = self.measure("job_search_support",
                                     "povezivanje sa poslodavcima članicama komore", KOMORA,
                                     start)
                r_k = self.refer(KOMORA, extra, "povezivanje sa poslodavcem", start)
                self.accept(KOMORA, r_k)
                employed = self.outcome(KOMORA, "employed", start, "--employer", employer,
                                        "--contract", "fixed_term",
                                        "--pathway", "integrated_case_management",
                                        "--note", "posao nađen preko komore; ugovor na 12 mjeseci")
                self.complete(KOMORA, r_k, f"zaposlen/a: {employer}")
                self.set_status(CSR, extra, "done")
                self.set_status(ZZZ, job, "done")
                self.complete(ZZZ, r_job, "prijava na evidenciju; zaposlen/a preko komore")
            else:
                employed = self.outcome(ZZZ, "employed", start, "--employer", employer,
                                        "--contract", "subsidised",
                                        "--pathway", "integrated_case_management",
                                        "--note", "program sufinansiranja zapošljavanja, 12 mjeseci")
                self.set_status(ZZZ, job, "done")
                self.complete(ZZZ, r_job, f"zaposlen/a: {employer}, uz subvenciju")
        else:
            start = p.day(rng.randint(140, 170))
            self.conference((start - p.intake).days - 10, [CSR, PREDA, HLEB],
                            f"zapošljavanje u: {SOCIAL_ENTERPRISE}",
                            "PREDA prati poslovni plan preduzeća; CSR prati porodicu")
            employed = self.outcome(PREDA, "employed", start, "--employer", SOCIAL_ENTERPRISE,
                                    "--contract", "fixed_term",
                                    "--pathway", "social_entrepreneurship",
                                    "--note", "plastenička proizvodnja, uz mentora")
            self.complete(PREDA, r_se, f"zaposlena: {SOCIAL_ENTERPRISE}")
            self.set_status(CSR, se, "done")
            self.complete(ZZZ, r_job, "prijava na evidenciju; zaposlena u socijalnom preduzeću")
            self.set_status(CSR, job, "done")
        if o % 3 != 2:
            self.outcome(CSR, "left_benefits", start + datetime.timedelta(days=30),
                         "--note", "prestalo pravo na novčanu pomoć zbog zaposlenja")
        self.plan_change(CSR, "set-status", "--goal", "1=achieved")
        if (TODAY - start).days >= 95 and o != 3:
            still = not (a == E_SE and o == 2)
            self.follow_up(employed, 3, start + datetime.timedelta(days=91), still,
                           "radi kod istog poslodavca" if still
                           else "ugovor prekinut nakon probnog rada")
            if (TODAY - start).days >= 185 and still:
                self.follow_up(employed, 6, start + datetime.timedelta(days=182), True,
                               "i dalje zaposlen/a; ugovor produžen")
        self.advance("review")
        if closes(p):
            self.close("employed", "zaposlen/a; " + ("integrisano vođenje slučaja"
                                                      if a == E_ICM else "socijalno preduzetništvo"))
            return f"employed ({'ICM' if a == E_ICM else 'SE'}), case closed"
        self.note(CSR, "Zaposlen/a; slučaj ostaje otvoren do kraja probnog rada.")
        return f"employed ({'ICM' if a == E_ICM else 'SE'})"


def closes(p):
    """Whether the story ends with the case closed."""
    return p.archetype == DROPPED or (p.archetype == E_ICM and p.ordinal != 4) or \
        (p.archetype == E_SE and p.ordinal in (0, 1))

# --- running ---------------------------------------------------------------------------
def load_state():
    try:
        with open(STATE, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def save_state(state):
    os.makedirs(os.path.dirname(STATE), exist_ok=True)
    with open(STATE + ".new", "w", encoding="utf-8") as f:
        json.dump(state, f, indent=0, sort_keys=True)
    os.replace(STATE + ".new", STATE)


def report_check():
    """The pilot's figures as the report gives them, when this CLI has `spona report`."""
    try:
        rows = spona(CSR, ["report"])["rows"]
    except (SponaError, KeyError):
        return
    figure = {(r["indicator"], r["breakdown"]): r["value"] for r in rows}
    print(f"demo: `spona report` (lead's view, default period): "
          f"{figure.get(('persons_in_case_management', 'all'))} persons in case management, "
          f"{figure.get(('employed', 'all'))} employed "
          f"({figure.get(('employed', 'pathway:integrated_case_management'))} ICM, "
          f"{figure.get(('employed', 'pathway:social_entrepreneurship'))} SE)")


def main():
    password = os.environ["DEMO_PASSWORD"]
    os.makedirs(SESSIONS, mode=0o700, exist_ok=True)
    print(f"demo: logging in as the demo users of the seven institutions ({os.environ['DEMO_SERVER']})")
    for code, user in USERS.items():
        spona(code, ["login", "--user", user], extra_env={"SPONA_PASSWORD": password})
    state = load_state()
    counts = {"new": 0, "existing": 0, "resumed": 0, "failed": 0}
    try:
        for n, p in enumerate(PEOPLE, 1):
            label = f"[{n:2}/{len(PEOPLE)}] {p.name} ({', '.join(p.groups)})"
            hits = spona(CSR, ["person", "search", p.jmbg])["hits"]
            mark = state.get(p.jmbg)
            if hits and mark != "started":
                counts["existing"] += 1
                print(f"{label}: already registered, left alone")
                continue
            resuming = bool(hits)
            state[p.jmbg] = "started"
            save_state(state)
            before = calls
            try:
                what = Story(p).run()
            except SponaError as e:
                counts["failed"] += 1
                print(f"{label}: FAILED: {e}", file=sys.stderr)
                if resuming:
                    print("    (the earlier run's answers are no longer kept: fix by hand or purge)",
                          file=sys.stderr)
                    state[p.jmbg] = "failed"
                    save_state(state)
                continue
            state[p.jmbg] = "done"
            save_state(state)
            counts["resumed" if resuming else "new"] += 1
            print(f"{label}: {'resumed: ' if resuming else ''}{what} ({calls - before} requests)")
        summary(counts)
        report_check()
    finally:
        for code in USERS:
            try:
                spona(code, ["logout"])
            except SponaError:
                pass
    return 1 if counts["failed"] else 0


def summary(counts):
    employed = [p for p in PEOPLE if p.archetype in (E_ICM, E_SE)]
    icm = sum(1 for p in employed if p.archetype == E_ICM)
    closed = sum(1 for p in PEOPLE if closes(p))
    print(f"demo: {counts['new']} loaded now, {counts['resumed']} resumed, "
          f"{counts['existing']} already there, {counts['failed']} failed; {calls} requests")
    if counts["failed"]:
        print("demo: some stories failed (see above)", file=sys.stderr)
        return
    print(f"demo: {len(PEOPLE)} persons, {len(PEOPLE)} cases ({closed} closed), "
          f"{len(employed)} employed ({icm} ICM, {len(employed) - icm} SE)")


sys.exit(main())
PY

exec python3 -c "$PROGRAM"
