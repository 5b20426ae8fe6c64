/*
 * Integration test: the database decides per category as the C policy does
 * (docs/access.md, "The decision table"; sql/022). testgrad's protocol v2 is in force
 * (the protocol_setup fixture imported it through the API, which stored its decision
 * table). The test checks
 *   - person_field_categories is server/policy/fields.c, row for row;
 *   - the stored decision table of v2 has the rows decision_table_json derives, and
 *     `spona-server derive-decisions` writes those of a version stored without them;
 *   - for situations built through the API (on the team or only referred × consent to
 *     every category or none × safety flag or none; a case from which the lead excluded
 *     one institution and one user of another; break-glass team membership of a second
 *     lead agency, with and without the flag, written directly into case_team), for
 *     every institution of testgrad (every role and one that signed nothing) × every
 *     category × read/write: spona_decide_clause in SQL, run as spona_app with the
 *     institution's identity set as the server sets it, gives what access_decide
 *     (policy_decide) in C gives for the same subject — the same clause when allowed — on every case the caller may see (row-level security:
 *     a case it may not see is refused whatever the clauses say, as the server answers
 *     NOT_FOUND); spona_decide_person agrees for the person; persons_for_caller
 *     shows exactly the columns of the readable categories; persons_identified (search's
 *     view, sql/025) holds the person exactly when her identity is readable; and the
 *     views of the written records (sql/025) show the text of a note, a conference, an
 *     outcome and its follow-up exactly when case_notes or outcomes is readable; those of
 *     sql/029 and sql/030 an assessment's strengths (plan_measures), each domain's notes
 *     (its category), a household member and a benefit period (benefits_household) and
 *     the plan's obligations, goals and measures (plan_measures: readers only, sql/032);
 *   - spona_decide_subject (the rules from facts, no rows read) equals access_decide for
 *     every role × lead × team × break-glass × consent × exclusion × flag × category ×
 *     action, including the subjects row-level security would hide (off the team);
 *   - built with SPONA_TEST_NO_C_FILTER (the test sets SPONA_SERVER_NO_C_FILTER), a
 *     second server whose person reads take the fields from persons_for_caller with the
 *     C filter off answers every institution's person_get of every situation exactly as
 *     spona-server does (status, fields and values, decisions). Skipped otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "case_domains.h"
#include "decision_table.h"
#include "fields.h"
#include "idata.h"
#include "policy.h"
#include "policy_parse.h"

#define POLICY_FILE SPONA_TEST_PROTOCOLS "/testgrad-v2.yaml"
#define MUTABLE(text) ((char *)(uintptr_t)(text))

struct institution {
    const char *code;
    const char *cert;
    const char *username;
    int role;                      /* from the parsed policy; -1: not a signatory */
    char *id, *user_id;            /* from the database */
    struct spona_client *client;
};

static struct institution institutions[] = {
    {"testgrad.csr", "csr", "vesna", -1, NULL, NULL, NULL},
    {"testgrad.csr2", "csr2", "emir", -1, NULL, NULL, NULL},
    {"testgrad.zzz", "zzz", "zana", -1, NULL, NULL, NULL},
    {"testgrad.skola", "skola", "sanja", -1, NULL, NULL, NULL},
    {"testgrad.komora", "komora", "kemal", -1, NULL, NULL, NULL},
    {"testgrad.ngo", "ngo", "nada", -1, NULL, NULL, NULL},
    {"testgrad.grad", "grad", "goran", -1, NULL, NULL, NULL},
    {"testgrad.nesig", "nesig", "nikola", -1, NULL, NULL, NULL},
};
#define INSTITUTION_COUNT (sizeof(institutions) / sizeof(institutions[0]))
#define LEAD 0
#define SECOND_LEAD 1
#define EXCLUDED_INSTITUTION 2 /* zzz: excluded whole from the exclusion case */
#define EXCLUDED_USER 4        /* komora's kemal: excluded by name from it */

/* One person + case as the API built it, with what actually holds per institution. */
struct situation {
    int want_team, want_consent, safety, exclusion, emergency;
    char *person_id, *case_id;
    int on_team[INSTITUTION_COUNT];
    int excluded[INSTITUTION_COUNT];
    int break_glass[INSTITUTION_COUNT];
    policy_mask consented[INSTITUTION_COUNT];
};

#define SITUATION_COUNT 11 /* 8 team × consent × flag, 1 exclusion, 2 break-glass */
static struct situation situations[SITUATION_COUNT];
static struct policy policy;
static struct itest_server server;
static PGconn *app;
static char *testgrad_id;

static int group_setup(void **state)
{
    *state = &server;
    char err[4096];
    if (policy_parse_file(POLICY_FILE, NULL, &policy, err, sizeof(err)) != 0) {
        fprintf(stderr, "cannot parse %s: %s\n", POLICY_FILE, err);
        return -1;
    }
    for (size_t i = 0; i < INSTITUTION_COUNT; i++)
        for (size_t k = 0; k < policy.signatory_count; k++)
            if (strcmp(policy.signatories[k].institution, institutions[i].code) == 0)
                institutions[i].role = (int)policy.signatories[k].role;
    return itest_server_start(&server, "decision_table", NULL);
}

static int group_teardown(void **state)
{
    for (size_t i = 0; i < INSTITUTION_COUNT; i++) {
        spona_client_close(institutions[i].client);
        free(institutions[i].id);
        free(institutions[i].user_id);
    }
    for (size_t k = 0; k < SITUATION_COUNT; k++) {
        free(situations[k].person_id);
        free(situations[k].case_id);
    }
    free(testgrad_id);
    if (app != NULL)
        PQfinish(app);
    policy_free(&policy);
    return itest_group_teardown(state);
}

/* --- the tables of sql/022 ------------------------------------------------------------ */

static void test_field_categories_are_those_of_fields_c(void **state)
{
    (void)state;
    app = idata_pg_connect("spona_app");
    PGresult *r = idata_pg(app, PGRES_TUPLES_OK,
                           "SELECT column_name, category, address FROM person_field_categories",
                           0, NULL);
    assert_int_equal(PQntuples(r), (int)person_field_count);
    for (int row = 0; row < PQntuples(r); row++) {
        const struct field_def *field = fields_find(PQgetvalue(r, row, 0));
        if (field == NULL)
            fail_msg("person_field_categories has %s, fields.c does not", PQgetvalue(r, row, 0));
        if (strcmp(policy_category_name(field->category), PQgetvalue(r, row, 1)) != 0 ||
            field->address != (strcmp(PQgetvalue(r, row, 2), "t") == 0))
            fail_msg("%s: fields.c says %s%s, person_field_categories %s%s", field->name,
                     policy_category_name(field->category), field->address ? " (address)" : "",
                     PQgetvalue(r, row, 1),
                     strcmp(PQgetvalue(r, row, 2), "t") == 0 ? " (address)" : "");
    }
    PQclear(r);
}

/* Asserts that testgrad's stored decision table of version is exactly parsed's rows. */
static void assert_stored_is_derived(const struct policy *parsed, int version)
{
    char *json = NULL;
    assert_int_equal(decision_table_json(parsed, &json), 0);
    char version_text[16];
    snprintf(version_text, sizeof(version_text), "%d", version);
    const char *p[] = {json, version_text};
    /* the derived rows minus the stored ones and the other way round: nothing */
    char *differ = idata_pg_value(
        app,
        "WITH derived AS (SELECT * FROM json_to_recordset($1::json) AS r(role text,"
        "      category text, action text, clause integer, needs_team boolean,"
        "      needs_consent boolean)),"
        "     stored AS (SELECT d.role, d.category, d.action, d.clause, d.needs_team,"
        "                       d.needs_consent FROM policy_decisions d"
        "                  JOIN municipalities m ON m.id = d.municipality_id"
        "                 WHERE m.code = 'testgrad' AND d.version = $2::int)"
        " SELECT (SELECT count(*) FROM (SELECT * FROM derived EXCEPT SELECT * FROM stored) a)"
        "      + (SELECT count(*) FROM (SELECT * FROM stored EXCEPT SELECT * FROM derived) b)"
        "      || ' ' || (SELECT count(*) FROM stored)",
        2, p);
    char want[64];
    snprintf(want, sizeof(want), "0 %zu", decision_table_count(parsed));
    if (strcmp(differ, want) != 0)
        fail_msg("version %d: %s rows differ, stored (want %s)", version, differ, want);
    free(differ);
    free(json);
}

static void test_stored_table_is_the_derived_one(void **state)
{
    (void)state;
    assert_stored_is_derived(&policy, 2);
}

/* A version stored before sql/022 has no rows: `spona-server derive-decisions` writes
 * them from its stored text. (Version 1 is not in force: nothing else reads its rows.) */
static void test_derive_decisions_fills_a_version_without_rows(void **state)
{
    (void)state;
    struct policy first;
    char err[4096];
    if (policy_parse_file(SPONA_TEST_PROTOCOLS "/testgrad-v1.yaml", NULL, &first, err,
                          sizeof(err)) != 0)
        fail_msg("cannot parse testgrad-v1.yaml: %s", err);
    PGconn *superuser = idata_pg_connect("postgres");
    PGresult *r = idata_pg(superuser, PGRES_COMMAND_OK,
                           "DELETE FROM policy_decisions d USING municipalities m"
                           " WHERE m.id = d.municipality_id AND m.code = 'testgrad'"
                           "   AND d.version = 1",
                           0, NULL);
    PQclear(r);
    PQfinish(superuser);
    assert_int_equal(itest_admin("derive-decisions", NULL), 0);
    assert_stored_is_derived(&first, 1);
    assert_int_equal(itest_admin("derive-decisions", NULL), 0); /* again: nothing to do */
    assert_stored_is_derived(&first, 1);
    policy_free(&first);
}

/* --- building the situations --------------------------------------------------------- */

static spona_response *case_exclude(struct spona_client *client, const char *case_id,
                                    const char *institution_code, const char *username)
{
    Spona__V1__CaseExcludeRequest body;
    spona__v1__case_exclude_request__init(&body);
    body.case_id = MUTABLE(case_id);
    body.institution_code = MUTABLE(institution_code);
    body.username = MUTABLE(username != NULL ? username : "");
    body.reason = MUTABLE("srodstvo");
    spona_request request;
    spona__v1__request__init(&request);
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_EXCLUDE;
    request.case_exclude = &body;
    return idata_call(client, &request);
}

/* The fields every person is created with (jmbg, birth_date and sex stay empty). */
static const char *const person_values[] = {
    "first_name", "Tablica", "last_name", "Odluka", "address", "Ulica 2",
    "phone", "065 000 222", "email", "t@example.org", "benefit_status", "da",
    "household_size", "2", "rural", "false", "education_level", "SSS",
    "work_history", "da", "skills", "da", "disability_status", "nema",
    "work_capability", "puna", "work_capable", "true", "health_notes", "nema",
    "safety_flag", "?", "safety_notes", "nema",
    "priority_groups", "women_domestic_violence", NULL};

static int person_has(const char *name)
{
    for (size_t i = 0; person_values[i] != NULL; i += 2)
        if (strcmp(person_values[i], name) == 0)
            return 1;
    return 0;
}

static char *create_person(const struct situation *s)
{
    const char *pairs[sizeof(person_values) / sizeof(person_values[0])];
    memcpy(pairs, person_values, sizeof(pairs));
    for (size_t i = 0; pairs[i] != NULL; i += 2)
        if (strcmp(pairs[i], "safety_flag") == 0)
            pairs[i + 1] = s->safety ? "true" : "false";
    return idata_person_create_ok(institutions[LEAD].client, pairs);
}

/* Refers the person to every institution (accepted when want_team) and, when
 * want_consent, records consent to every person-level category. */
static void build_team_and_consent(struct situation *s)
{
    static const char *const all_categories[] = {
        "identity", "contact_address", "benefits_household", "education_work",
        "health_disability", "safety", "plan_measures", "case_notes", "outcomes", NULL};
    struct spona_client *lead = institutions[LEAD].client;
    for (size_t i = 1; i < INSTITUTION_COUNT; i++) {
        spona_response *referral = idata_referral_create(lead, s->case_id,
                                                         institutions[i].code, "mjera");
        if (referral->status == SPONA__V1__STATUS__OK && s->want_team) {
            spona_response *accepted = idata_referral_accept(
                institutions[i].client, referral->referral_create->referral_id);
            s->on_team[i] = accepted->status == SPONA__V1__STATUS__OK;
            envelope_free_response(accepted);
        }
        envelope_free_response(referral);
        if (s->want_consent) {
            spona_response *granted = idata_consent_grant(lead, s->person_id,
                                                          institutions[i].code,
                                                          all_categories, NULL, NULL);
            if (granted->status == SPONA__V1__STATUS__OK)
                s->consented[i] = POLICY_PERSON_CATEGORIES;
            envelope_free_response(granted);
        }
    }
}

static void build_exclusions(struct situation *s)
{
    spona_response *r = case_exclude(institutions[LEAD].client, s->case_id,
                                     institutions[EXCLUDED_INSTITUTION].code, NULL);
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    r = case_exclude(institutions[LEAD].client, s->case_id, institutions[EXCLUDED_USER].code,
                     institutions[EXCLUDED_USER].username);
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    s->excluded[EXCLUDED_INSTITUTION] = 1;
    s->excluded[EXCLUDED_USER] = 1;
}

/* Break-glass team membership of the second lead agency, written as emergency_access
 * writes it (case_team via 'emergency', expiring) but directly: an emergency_access
 * request would also put an entry in the coordinator's review, which
 * integration.emergency reads for its own. */
static void build_break_glass(struct situation *s)
{
    PGconn *superuser = idata_pg_connect("postgres");
    const char *p[] = {s->case_id, institutions[SECOND_LEAD].code,
                       institutions[SECOND_LEAD].username};
    PGresult *r = idata_pg(superuser, PGRES_COMMAND_OK,
                           "INSERT INTO case_team (case_id, municipality_id, institution_id, via,"
                           "                       expires_at, emergency_user, emergency_reason)"
                           " SELECT c.id, c.municipality_id, i.id, 'emergency',"
                           "        now() + interval '60 minutes', u.id, 'hitna situacija'"
                           "   FROM cases c, institutions i JOIN users u ON u.institution_id = i.id"
                           "  WHERE c.id = $1::uuid AND i.code = $2 AND u.username = $3",
                           3, p);
    assert_string_equal(PQcmdTuples(r), "1");
    PQclear(r);
    PQfinish(superuser);
    s->on_team[SECOND_LEAD] = 1;
    s->break_glass[SECOND_LEAD] = 1;
}

/* The lead's assessment (a domain of five categories, strengths) and plan (a goal, a
 * measure, obligations), and the person's household member and benefit period (written
 * as the owner, as integration.category_views_a does): sql/029 and sql/030's views. */
static void build_plan_records(const struct situation *s)
{
    struct spona_client *lead = institutions[LEAD].client;
    const struct idata_domain domains[] = {
        {"health_disability", 3, "zdravlje"}, {"education_skills", 2, "škola"},
        {"housing", 4, "stan"},               {"domestic_violence", 5, "nasilje"},
        {"transport", 2, "prevoz"},           {NULL, 0, NULL},
    };
    spona_response *r = idata_assessment_record(lead, s->case_id, "", domains, "snage");
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    Spona__V1__PlanMeasure measure;
    spona__v1__plan_measure__init(&measure);
    measure.kind = MUTABLE("training");
    measure.description = MUTABLE("obuka");
    measure.responsible_institution_code = MUTABLE("testgrad.zzz");
    Spona__V1__PlanMeasure *measures[] = {&measure};
    Spona__V1__PlanGoal goal;
    spona__v1__plan_goal__init(&goal);
    goal.text = MUTABLE("cilj");
    Spona__V1__PlanGoal *goals[] = {&goal};
    Spona__V1__PlanChangeRequest body;
    spona__v1__plan_change_request__init(&body);
    body.case_id = s->case_id;
    body.add_goals = goals;
    body.n_add_goals = 1;
    body.add_measures = measures;
    body.n_add_measures = 1;
    body.obligations = MUTABLE("obaveze");
    r = idata_plan_change(lead, &body);
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    PGconn *owner = idata_pg_connect("spona_owner");
    const char *p[] = {s->person_id};
    PQclear(idata_pg(owner, PGRES_COMMAND_OK,
                     "INSERT INTO person_household (person_id, municipality_id, name, relation,"
                     "                              birth_year)"
                     " SELECT id, municipality_id, 'Član', 'child', 2015 FROM persons"
                     "  WHERE id = $1::uuid", 1, p));
    PQclear(idata_pg(owner, PGRES_COMMAND_OK,
                     "INSERT INTO person_benefits (person_id, municipality_id, kind, since)"
                     " SELECT id, municipality_id, 'cash_assistance', '2024-01-01' FROM persons"
                     "  WHERE id = $1::uuid", 1, p));
    PQfinish(owner);
}

/* The lead's written records on the case: a note, a conference, an outcome, a follow-up. */
static void build_records(const struct situation *s)
{
    struct spona_client *lead = institutions[LEAD].client;
    spona_response *r = idata_note_add(lead, s->case_id, "zapisnik");
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    const char *codes[] = {institutions[LEAD].code, NULL};
    const char *users[] = {institutions[LEAD].username, NULL};
    r = idata_conference_record(lead, s->case_id, "2025-02-01", codes, users, "odluka", "korak");
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    Spona__V1__OutcomeRecordRequest body;
    spona__v1__outcome_record_request__init(&body);
    body.case_id = s->case_id;
    body.kind = MUTABLE("in_training");
    body.occurred_on = MUTABLE("2025-02-02");
    body.note = MUTABLE("ishod");
    r = idata_outcome_record(lead, &body);
    idata_expect(r, SPONA__V1__STATUS__OK);
    spona_response *f = idata_follow_up_record(lead, r->outcome_record->outcome_id, 3,
                                               "2025-05-02", 1, "praćenje");
    idata_expect(f, SPONA__V1__STATUS__OK);
    envelope_free_response(f);
    envelope_free_response(r);
    build_plan_records(s);
}

static void test_build_situations(void **state)
{
    (void)state;
    for (size_t i = 0; i < INSTITUTION_COUNT; i++)
        institutions[i].client = idata_login(&server, institutions[i].cert,
                                             institutions[i].username);
    for (int k = 0; k < SITUATION_COUNT; k++) {
        struct situation *s = &situations[k];
        s->want_team = k < 8 ? (k & 1) != 0 : k == 8;
        s->want_consent = k < 8 ? (k & 2) != 0 : k == 8;
        s->safety = k < 8 ? (k & 4) != 0 : k == 9;
        s->exclusion = k == 8;
        s->emergency = k >= 9;
        s->person_id = create_person(s);
        s->case_id = idata_case_open_ok(institutions[LEAD].client, s->person_id);
        s->on_team[LEAD] = 1;
        build_records(s);
        if (!s->emergency)
            build_team_and_consent(s);
        if (s->exclusion)
            build_exclusions(s);
        if (s->emergency)
            build_break_glass(s);
    }
    PGconn *superuser = idata_pg_connect("postgres");
    testgrad_id = idata_pg_value(superuser, "SELECT id FROM municipalities WHERE code = 'testgrad'",
                                 0, NULL);
    for (size_t i = 0; i < INSTITUTION_COUNT; i++) {
        const char *p[] = {institutions[i].code, institutions[i].username};
        institutions[i].id = idata_pg_value(superuser,
                                            "SELECT id FROM institutions WHERE code = $1", 1, p);
        institutions[i].user_id = idata_pg_value(
            superuser,
            "SELECT u.id FROM users u JOIN institutions i ON i.id = u.institution_id"
            " WHERE i.code = $1 AND u.username = $2",
            2, p);
    }
    PQfinish(superuser);
}

/* --- the comparison -------------------------------------------------------------------- */

static void require_situations(void)
{
    for (int k = 0; k < SITUATION_COUNT; k++)
        if (situations[k].case_id == NULL)
            fail_msg("the situations were not built (see the test above)");
}

/* The identity the server sets for a request of institution i (session-wide here). */
static void act_as(size_t i)
{
    const char *p[] = {testgrad_id, institutions[i].id, institutions[i].user_id};
    PGresult *r = idata_pg(app, PGRES_TUPLES_OK,
                           "SELECT set_config('spona.municipality_id', $1, false),"
                           "       set_config('spona.institution_id', $2, false),"
                           "       set_config('spona.user_id', $3, false)",
                           3, p);
    PQclear(r);
}

/* What the C policy says: the allowing clause (0: break-glass), -1 when refused. */
static int c_decision(const struct situation *s, size_t i, int category, int action)
{
    struct access_case access;
    memset(&access, 0, sizeof(access));
    snprintf(access.institution_code, sizeof(access.institution_code), "%s",
             institutions[i].code);
    access.is_signatory = institutions[i].role >= 0;
    access.emergency = s->break_glass[i];
    access.subject.role = institutions[i].role >= 0 ? (enum policy_role)institutions[i].role
                                                    : POLICY_ROLE_COORDINATOR;
    access.subject.on_team = s->on_team[i];
    access.subject.is_lead_institution = i == LEAD;
    access.subject.excluded = s->excluded[i];
    access.subject.consented_categories = s->consented[i];
    access.subject.person_has_safety_flag = s->safety;
    struct policy_decision decision;
    access_decide(&policy, &access, (enum policy_category)category, (enum policy_action)action,
                  &decision);
    /* the server answers NOT_FOUND for a case the caller may not see */
    int visible = s->on_team[i] && !s->excluded[i];
    return decision.allowed && visible ? decision.clause_number : -1;
}

/* What the database says, as institution i (act_as): the clause, -1 when refused. */
static int sql_decision(const struct situation *s, int category, int action, int *person)
{
    const char *p[] = {policy_category_name(category), policy_action_name(action), s->case_id,
                       s->person_id};
    PGresult *r = idata_pg(app, PGRES_TUPLES_OK,
                           "SELECT spona_decide_clause($1, $2, $3::uuid),"
                           "       spona_decide_person($1, $2, $4::uuid)",
                           4, p);
    int clause = PQgetisnull(r, 0, 0) ? -1 : atoi(PQgetvalue(r, 0, 0));
    *person = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
    PQclear(r);
    return clause;
}

static void describe(const struct situation *s, size_t i, char *out, size_t size)
{
    snprintf(out, size, "%s (%s) on case %s [%s, %s, %s%s%s]", institutions[i].code,
             institutions[i].role >= 0 ? policy_role_name(institutions[i].role) : "no role",
             s->case_id, s->on_team[i] ? "on the team" : "off the team",
             s->consented[i] ? "consent" : "no consent", s->safety ? "safety flag" : "no flag",
             s->excluded[i] ? ", excluded" : "", s->break_glass[i] ? ", break-glass" : "");
}

static void test_sql_decides_as_c_on_every_combination(void **state)
{
    (void)state;
    require_situations();
    int compared = 0;
    for (int k = 0; k < SITUATION_COUNT; k++)
        for (size_t i = 0; i < INSTITUTION_COUNT; i++) {
            act_as(i);
            for (int category = 0; category < POLICY_CATEGORY_COUNT; category++)
                for (int action = 0; action < POLICY_ACTION_COUNT; action++) {
                    int person;
                    int want = c_decision(&situations[k], i, category, action);
                    int got = sql_decision(&situations[k], category, action, &person);
                    char who[256];
                    describe(&situations[k], i, who, sizeof(who));
                    if (got != want || person != (want >= 0))
                        fail_msg("%s %s for %s: C says %d, spona_decide_clause %d, "
                                 "spona_decide_person %d (-1: refused)",
                                 policy_action_name(action), policy_category_name(category),
                                 who, want, got, person);
                    compared++;
                }
        }
    assert_int_equal(compared, SITUATION_COUNT * (int)INSTITUTION_COUNT *
                                   POLICY_CATEGORY_COUNT * POLICY_ACTION_COUNT);
}

/* C's answer for a subject given as facts (flags: bits of enum fact), as a list in the
 * order of the SQL below: "clause" or "-" per category × action, comma-separated. */
enum fact { F_LEAD, F_TEAM, F_EMERGENCY, F_CONSENT, F_EXCLUDED, F_SAFETY, F_COUNT };

static void c_decisions_of_facts(int role, unsigned flags, char *out, size_t size)
{
    struct access_case access;
    memset(&access, 0, sizeof(access));
    access.is_signatory = role >= 0;
    access.emergency = (flags >> F_EMERGENCY) & 1u;
    access.subject.role = role >= 0 ? (enum policy_role)role : POLICY_ROLE_COORDINATOR;
    access.subject.is_lead_institution = (flags >> F_LEAD) & 1u;
    access.subject.on_team = (flags >> F_TEAM) & 1u;
    access.subject.consented_categories = (flags >> F_CONSENT) & 1u ? POLICY_ALL_CATEGORIES : 0;
    access.subject.excluded = (flags >> F_EXCLUDED) & 1u;
    access.subject.person_has_safety_flag = (flags >> F_SAFETY) & 1u;
    /* break-glass by an excluded caller or by the coordinator cannot happen (the
     * pipeline refuses the one, only a lead agency's user may break the glass); C would
     * let it read person-level data, SQL refuses: the stricter answer is expected */
    int impossible = access.emergency && (access.subject.excluded ||
                                          access.subject.role == POLICY_ROLE_COORDINATOR);
    size_t used = 0;
    out[0] = '\0';
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++)
        for (int action = 0; action < POLICY_ACTION_COUNT; action++) {
            struct policy_decision d;
            access_decide(&policy, &access, (enum policy_category)category,
                          (enum policy_action)action, &d);
            int allowed = d.allowed &&
                          !(impossible && policy_category_is_person_level(category));
            int written = allowed ? snprintf(out + used, size - used, "%s%d", used ? "," : "",
                                             d.clause_number)
                                  : snprintf(out + used, size - used, "%s-", used ? "," : "");
            used += written > 0 ? (size_t)written : 0;
        }
}

/* spona_decide_subject (the decision from facts, without reading cases) against
 * access_decide for every role × team × lead × break-glass × consent × exclusion ×
 * safety flag, every category and action: the rules themselves, including what row-level
 * security would hide (a subject off the team). */
static void test_decide_subject_as_c_for_every_fact(void **state)
{
    (void)state;
    require_situations();
    act_as(LEAD);
    static const char categories[] =
        "{identity,contact_address,benefits_household,education_work,health_disability,"
        "safety,plan_measures,case_notes,outcomes,aggregates}";
    for (int role = -1; role < POLICY_ROLE_COUNT; role++)
        for (unsigned flags = 0; flags < (1u << F_COUNT); flags++) {
            char text[F_COUNT][8];
            const char *p[F_COUNT + 2] = {role >= 0 ? policy_role_name(role) : NULL};
            for (int f = 0; f < F_COUNT; f++) {
                snprintf(text[f], sizeof(text[f]), "%s", (flags >> f) & 1u ? "true" : "false");
                p[f + 1] = text[f];
            }
            p[F_COUNT + 1] = categories;
            char *got = idata_pg_value(
                app,
                "SELECT string_agg(COALESCE(spona_decide_subject(c, a, $1, $2::bool, $3::bool,"
                "                  $4::bool, $5::bool, $6::bool, $7::bool)::text, '-'), ','"
                "                  ORDER BY ci, ai)"
                "  FROM unnest($8::text[]) WITH ORDINALITY AS x(c, ci),"
                "       unnest(ARRAY['read', 'write']) WITH ORDINALITY AS y(a, ai)",
                F_COUNT + 2, p);
            char want[512];
            c_decisions_of_facts(role, flags, want, sizeof(want));
            if (strcmp(got, want) != 0)
                fail_msg("%s, facts 0x%02x (lead, team, emergency, consent, excluded, flag): "
                         "C says %s, SQL %s",
                         role >= 0 ? policy_role_name(role) : "no role", flags, want, got);
            free(got);
        }
}

static void test_persons_for_caller_shows_the_readable_categories(void **state)
{
    (void)state;
    require_situations();
    for (int k = 0; k < SITUATION_COUNT; k++)
        for (size_t i = 0; i < INSTITUTION_COUNT; i++) {
            const struct situation *s = &situations[k];
            act_as(i);
            const char *p[] = {s->person_id};
            PGresult *r = idata_pg(app, PGRES_TUPLES_OK,
                                   "SELECT to_jsonb(v) FROM persons_for_caller v"
                                   " WHERE id = $1::uuid", 1, p);
            char who[256];
            describe(s, i, who, sizeof(who));
            int visible = s->on_team[i] && !s->excluded[i];
            if (PQntuples(r) != visible)
                fail_msg("persons_for_caller for %s: %d rows", who, PQntuples(r));
            for (size_t f = 0; visible && f < person_field_count; f++) {
                if (!person_has(person_fields[f].name))
                    continue; /* empty: NULL either way */
                char null_key[64];
                snprintf(null_key, sizeof(null_key), "\"%s\": null", person_fields[f].name);
                int shown = strstr(PQgetvalue(r, 0, 0), null_key) == NULL;
                int readable = c_decision(s, i, person_fields[f].category,
                                          POLICY_ACTION_READ) >= 0;
                if (shown != readable)
                    fail_msg("persons_for_caller for %s: %s %s, its category %s %s", who,
                             person_fields[f].name, shown ? "shown" : "hidden",
                             policy_category_name(person_fields[f].category),
                             readable ? "readable" : "not readable");
            }
            PQclear(r);
        }
}

/* The value of sql ($1: the situation's person, $2: its case) as institution i's. */
static char *value_as(size_t i, const struct situation *s, const char *sql)
{
    act_as(i);
    const char *p[] = {s->person_id, s->case_id};
    return idata_pg_value(app, sql, 2, p);
}

/* A domain's row and notes in assessment_domains_for_caller ($2: the case). */
#define DOMAIN_VIEW(domain)                                                                    \
    "SELECT count(*) || '/' || count(notes) FROM assessment_domains_for_caller"                \
    " WHERE case_id = $2::uuid AND domain = '" domain "' AND $1::text <> ''"

/* sql/025, 029, 030: search's view and the record views against the C decisions. */
static void test_other_views_show_the_readable_categories(void **state)
{
    (void)state;
    require_situations();
    static const struct {
        const char *sql; /* "row/text": whether a row is there, whether its text is */
        int category;
    } views[] = {
        {"SELECT count(*) || '/' || count(*) FROM persons_identified"
         " WHERE id = $1::uuid AND $2::text <> ''", POLICY_CATEGORY_IDENTITY},
        {"SELECT count(*) || '/' || count(text) FROM case_notes_for_caller"
         " WHERE case_id = $2::uuid AND $1::text <> ''", POLICY_CATEGORY_CASE_NOTES},
        {"SELECT count(*) || '/' || count(decisions) FROM case_conferences_for_caller"
         " WHERE case_id = $2::uuid AND $1::text <> ''", POLICY_CATEGORY_CASE_NOTES},
        {"SELECT count(*) || '/' || count(note) FROM outcomes_for_caller"
         " WHERE case_id = $2::uuid AND $1::text <> ''", POLICY_CATEGORY_OUTCOMES},
        {"SELECT count(*) || '/' || count(note) FROM outcome_follow_ups_for_caller"
         " WHERE case_id = $2::uuid AND $1::text <> ''", POLICY_CATEGORY_OUTCOMES},
        /* sql/029: an assessment's strengths, each domain by its category */
        {"SELECT count(*) || '/' || count(strengths) FROM assessments_for_caller"
         " WHERE case_id = $2::uuid AND $1::text <> ''", CASE_STRENGTHS_CATEGORY},
        {DOMAIN_VIEW("health_disability"), POLICY_CATEGORY_HEALTH_DISABILITY},
        {DOMAIN_VIEW("education_skills"), POLICY_CATEGORY_EDUCATION_WORK},
        {DOMAIN_VIEW("housing"), POLICY_CATEGORY_BENEFITS_HOUSEHOLD},
        {DOMAIN_VIEW("domestic_violence"), POLICY_CATEGORY_SAFETY},
        {DOMAIN_VIEW("transport"), POLICY_CATEGORY_PLAN_MEASURES},
        /* a household member and a benefit period, on the person */
        {"SELECT count(*) || '/' || count(name) FROM person_household_for_caller"
         " WHERE person_id = $1::uuid AND $2::text <> ''", POLICY_CATEGORY_BENEFITS_HOUSEHOLD},
        {"SELECT count(*) || '/' || count(kind) FROM person_benefits_for_caller"
         " WHERE person_id = $1::uuid AND $2::text <> ''", POLICY_CATEGORY_BENEFITS_HOUSEHOLD},
        /* sql/030, 032: the plan's texts to readers of plan_measures */
        {"SELECT count(*) || '/' || count(obligations) FROM plans_for_caller"
         " WHERE case_id = $2::uuid AND $1::text <> ''", POLICY_CATEGORY_PLAN_MEASURES},
        {"SELECT count(*) || '/' || count(g.text) FROM plan_goals_for_caller g"
         "  JOIN plans p ON p.id = g.plan_id WHERE p.case_id = $2::uuid AND $1::text <> ''",
         POLICY_CATEGORY_PLAN_MEASURES},
        {"SELECT count(*) || '/' || count(m.description) FROM plan_measures_for_caller m"
         "  JOIN plans p ON p.id = m.plan_id WHERE p.case_id = $2::uuid AND $1::text <> ''",
         POLICY_CATEGORY_PLAN_MEASURES},
    };
    int compared = 0;
    for (int k = 0; k < SITUATION_COUNT; k++)
        for (size_t i = 0; i < INSTITUTION_COUNT; i++)
            for (size_t v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
                const struct situation *s = &situations[k];
                int visible = s->on_team[i] && !s->excluded[i];
                int readable = c_decision(s, i, views[v].category, POLICY_ACTION_READ) >= 0;
                /* search's view has no row for a person whose identity is hidden */
                const char *want = !visible ? "0/0"
                                   : v == 0 ? (readable ? "1/1" : "0/0")
                                            : (readable ? "1/1" : "1/0");
                char *got = value_as(i, s, views[v].sql);
                char who[256];
                describe(s, i, who, sizeof(who));
                if (strcmp(got, want) != 0)
                    fail_msg("%s for %s: rows/texts %s, expected %s (%s %s)", views[v].sql,
                             who, got, want, policy_category_name(views[v].category),
                             readable ? "readable" : "not readable");
                free(got);
                compared++;
            }
    assert_int_equal(compared, SITUATION_COUNT * (int)INSTITUTION_COUNT *
                                   (int)(sizeof(views) / sizeof(views[0])));
}

/* Starts spona-server-no-c-filter as a second server (itest starts $SPONA_SERVER). */
static int start_variant(struct itest_server *variant, const char *binary)
{
    char *normal = strdup(getenv("SPONA_SERVER"));
    if (normal == NULL)
        return -1;
    setenv("SPONA_SERVER", binary, 1);
    int started = itest_init() == 0 ? itest_server_start(variant, "decision_table_no_c_filter",
                                                         NULL)
                                    : -1;
    setenv("SPONA_SERVER", normal, 1);
    free(normal);
    return itest_init() == 0 ? started : -1;
}

/* Asserts that two person_get answers are the same. */
static void compare_person_get(const spona_response *on, const spona_response *off,
                               const char *who)
{
    if (on->status != off->status)
        fail_msg("person_get for %s: %s with the C filter, %s without", who,
                 envelope_status_name(on->status), envelope_status_name(off->status));
    if (on->status != SPONA__V1__STATUS__OK)
        return;
    const Spona__V1__PersonView *a = on->person_get, *b = off->person_get;
    if (a->n_fields != b->n_fields || a->n_decisions != b->n_decisions)
        fail_msg("person_get for %s: %zu fields, %zu decisions with the C filter; %zu, %zu "
                 "without", who, a->n_fields, a->n_decisions, b->n_fields, b->n_decisions);
    for (size_t f = 0; f < a->n_fields; f++)
        if (strcmp(a->fields[f]->name, b->fields[f]->name) != 0 ||
            strcmp(a->fields[f]->value, b->fields[f]->value) != 0)
            fail_msg("person_get for %s: field %s differs without the C filter (%s)", who,
                     a->fields[f]->name, b->fields[f]->name);
    for (size_t d = 0; d < a->n_decisions; d++)
        if (a->decisions[d]->allowed != b->decisions[d]->allowed ||
            strcmp(a->decisions[d]->reason, b->decisions[d]->reason) != 0)
            fail_msg("person_get for %s: decision %zu differs", who, d);
}

static void test_person_get_without_the_c_filter_is_the_same(void **state)
{
    (void)state;
    const char *binary = getenv("SPONA_SERVER_NO_C_FILTER");
    if (binary == NULL)
        skip(); /* built without SPONA_TEST_NO_C_FILTER */
    require_situations();
    static struct itest_server variant;
    assert_int_equal(start_variant(&variant, binary), 0);
    int compared = 0;
    for (size_t i = 0; i < INSTITUTION_COUNT; i++) {
        struct spona_client *client = idata_login(&variant, institutions[i].cert,
                                                  institutions[i].username);
        for (int k = 0; k < SITUATION_COUNT; k++) {
            char who[256];
            describe(&situations[k], i, who, sizeof(who));
            spona_response *on = idata_person_get(institutions[i].client,
                                                  situations[k].person_id);
            spona_response *off = idata_person_get(client, situations[k].person_id);
            compare_person_get(on, off, who);
            compared += on->status == SPONA__V1__STATUS__OK;
            envelope_free_response(on);
            envelope_free_response(off);
        }
        spona_client_close(client);
    }
    assert_true(compared > 0);
    assert_int_equal(itest_server_stop(&variant), 0);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_categories_are_those_of_fields_c),
        cmocka_unit_test(test_stored_table_is_the_derived_one),
        cmocka_unit_test(test_derive_decisions_fills_a_version_without_rows),
        cmocka_unit_test(test_build_situations),
        cmocka_unit_test(test_sql_decides_as_c_on_every_combination),
        cmocka_unit_test(test_decide_subject_as_c_for_every_fact),
        cmocka_unit_test(test_persons_for_caller_shows_the_readable_categories),
        cmocka_unit_test(test_other_views_show_the_readable_categories),
        cmocka_unit_test(test_person_get_without_the_c_filter_is_the_same),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
