/*
 * Integration test: the gaps of issue 10 that sql/032-034 close, as the server's database
 * role spona_app with some institution's and user's identity (docs/access.md, "What the
 * database enforces"). Built through the API on testgrad's protocol v2: person P at risk,
 * case C led by the centre with zzz, the school and the NGO on its team (the NGO without
 * her consent: it sees her row, not her identity), a pending referral to the chamber, an
 * assessment and a plan by the lead, and zzz's user zoran excluded from C.
 *   - assessments by category (sql/032): with a protocol whose lead may not write health
 *     or plan_measures, its domain of that category, a domain without a category, and
 *     strengths are refused; another domain is written;
 *   - the plan's texts only to readers (sql/032): a partner that may write plan_measures
 *     but not read them gets no text through the views, and stores its measure's status
 *     by spona_plan_copy, which copies the texts in the database, for its own measures
 *     only; an institution that may not write and an excluded user are refused;
 *   - search's candidates (sql/033) only persons whose identity the caller may read;
 *   - a referral's addressee gets the withheld-address fact, not the safety flag, and an
 *     excluded institution no consents of hers (sql/033);
 *   - the decision table takes rows only with a version stored in the same transaction;
 *   - sessions under row-level security (sql/034): the acting user's own, or the one of
 *     the acting token; inserts only for the acting user;
 *   - the category views of sql/029 and sql/030 show an excluded user no row.
 * The protocol variants (a write-only partner, a lead without some writes) are made in
 * one transaction as the superuser acting as spona_app (SET LOCAL ROLE) and rolled back:
 * no other test sees them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idata.h"

#define M IDATA_MUTABLE
#define WRITE_REFUSED "permission denied: the protocol does not let you write"

static struct itest_server server;
static char *person_p, *case_c, *referral_komora, *assessment_a;
static PGconn *app, *super;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "rls_leaks_b", NULL);
}

static int group_teardown(void **state)
{
    if (app != NULL)
        PQfinish(app);
    if (super != NULL)
        PQfinish(super);
    char *strings[] = {person_p, case_c, referral_komora, assessment_a};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        free(strings[i]);
    return itest_group_teardown(state);
}

/* The single value of sql ($1 = id) on conn as text, "<null>" for NULL, "<none>": no row. */
static char *value_of(PGconn *conn, const char *sql, const char *id)
{
    char wrapped[1024];
    snprintf(wrapped, sizeof(wrapped),
             "SELECT COALESCE((SELECT COALESCE((%s)::text, '<null>')), '<none>')", sql);
    const char *p[] = {id};
    return idata_pg_value(conn, wrapped, 1, p);
}

static void assert_value_on(PGconn *conn, const char *sql, const char *id, const char *expected,
                            const char *who)
{
    char *value = value_of(conn, sql, id);
    if (strcmp(value, expected) != 0)
        fail_msg("%s: %s ($1 = %s): '%s', expected '%s'", who, sql, id, value, expected);
    free(value);
}

/* --- a transaction as the superuser acting as spona_app ---------------------------------- */

/* Ends what an earlier test that failed midway left open on either connection. */
static void connections_reset(void)
{
    assert_non_null(super);
    PQclear(PQexec(super, "ROLLBACK"));
    PQclear(PQexec(app, "ROLLBACK"));
}

static void super_exec(const char *sql, int n, const char *const *params)
{
    PGresult *r = PQexecParams(super, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
}

/* From here on (in the transaction) acts as spona_app with that identity. */
static void tx_as(const char *institution, const char *username)
{
    super_exec("RESET ROLE", 0, NULL);
    const char *p[] = {institution, username};
    super_exec("SELECT set_config('spona.municipality_id', i.municipality_id::text, true),"
               "       set_config('spona.institution_id', i.id::text, true),"
               "       set_config('spona.user_id', COALESCE((SELECT u.id::text FROM users u"
               "                   WHERE u.institution_id = i.id AND u.username = $2), ''), true)"
               "  FROM institutions i WHERE i.code = $1",
               2, p);
    super_exec("SET LOCAL ROLE spona_app", 0, NULL);
}

/* Removes, for this transaction, the clauses that let role do action on category. */
static void tx_without(const char *role, const char *category, const char *action)
{
    super_exec("RESET ROLE", 0, NULL);
    const char *p[] = {role, category, action};
    super_exec("DELETE FROM policy_decisions d USING municipalities m"
               " WHERE m.id = d.municipality_id AND m.code = 'testgrad'"
               "   AND d.role = $1 AND d.category = $2 AND d.action = $3",
               3, p);
}

/* Runs sql ($1 = id) in the transaction, expecting an error containing expected. */
static void tx_refused(const char *sql, const char *id, const char *expected)
{
    super_exec("SAVEPOINT attempt", 0, NULL);
    const char *p[] = {id};
    PGresult *r = PQexecParams(super, sql, 1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK)
        fail_msg("%s ($1 = %s): not refused", sql, id);
    if (strstr(PQresultErrorMessage(r), expected) == NULL)
        fail_msg("%s: expected '%s'; got '%s'", sql, expected, PQresultErrorMessage(r));
    PQclear(r);
    super_exec("ROLLBACK TO SAVEPOINT attempt", 0, NULL);
}

/* Runs sql ($1 = id) in the transaction, expecting success. */
static void tx_ok(const char *sql, const char *id)
{
    const char *p[] = {id};
    super_exec(sql, 1, p);
}

/* --- the build ------------------------------------------------------------------------- */

static spona_response *case_exclude(struct spona_client *client, const char *case_uuid,
                                    const char *institution_code, const char *username)
{
    Spona__V1__CaseExcludeRequest body;
    spona__v1__case_exclude_request__init(&body);
    body.case_id = M(case_uuid);
    body.institution_code = M(institution_code);
    body.username = M(username);
    body.reason = M("a relative of the perpetrator works there");
    spona_request request;
    spona__v1__request__init(&request);
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_EXCLUDE;
    request.case_exclude = &body;
    return idata_call(client, &request);
}

/* Version 1 of C's plan: a goal, zzz's measure (1), the chamber's (2), the obligations. */
static void plan_by_the_lead(struct spona_client *lead)
{
    Spona__V1__PlanMeasure training, fair;
    spona__v1__plan_measure__init(&training);
    training.kind = M("training");
    training.description = M("obuka za zavarivača");
    training.responsible_institution_code = M("testgrad.zzz");
    spona__v1__plan_measure__init(&fair);
    fair.kind = M("job_search_support");
    fair.description = M("sajam zapošljavanja");
    fair.responsible_institution_code = M("testgrad.komora");
    Spona__V1__PlanMeasure *measures[] = {&training, &fair};
    Spona__V1__PlanGoal goal;
    spona__v1__plan_goal__init(&goal);
    goal.text = M("stalno zaposlenje");
    Spona__V1__PlanGoal *goals[] = {&goal};
    Spona__V1__PlanChangeRequest body;
    spona__v1__plan_change_request__init(&body);
    body.case_id = case_c;
    body.add_goals = goals;
    body.n_add_goals = 1;
    body.add_measures = measures;
    body.n_add_measures = 2;
    body.obligations = M("javljati se svake sedmice");
    spona_response *r = idata_plan_change(lead, &body);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "plan_change by the lead");
    envelope_free_response(r);
}

static void test_build_through_the_api(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zzz = idata_login(&server, "zzz", "zana");
    struct spona_client *skola = idata_login(&server, "skola", "sanja");
    struct spona_client *ngo = idata_login(&server, "ngo", "nada");
    const char *fields[] = {"first_name", "Praznina", "last_name", "Zatvorena", "address",
                            "Skrivena 9", "safety_flag", "true", NULL};
    person_p = idata_person_create_ok(lead, fields);
    case_c = idata_case_open_ok(lead, person_p);
    idata_refer_and_accept(lead, zzz, case_c, "testgrad.zzz");
    idata_refer_and_accept(lead, skola, case_c, "testgrad.skola");
    idata_refer_and_accept(lead, ngo, case_c, "testgrad.ngo");
    referral_komora = idata_referral_create_ok(lead, case_c, "testgrad.komora", "sajam", NULL);
    const char *const education[] = {"education_work", NULL};
    spona_response *r = idata_consent_grant(lead, person_p, "testgrad.zzz", education, NULL,
                                            NULL);
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    const struct idata_domain domains[] = {
        {"health_disability", 3, "dijabetes"},
        {"education_skills", 2, "srednja škola"},
        {"transport", 4, "nema prevoz"},
        {NULL, 0, NULL},
    };
    r = idata_assessment_record(lead, case_c, "", domains, "uporna");
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    plan_by_the_lead(lead);
    r = case_exclude(lead, case_c, "testgrad.zzz", "zoran");
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    spona_client_close(ngo);
    spona_client_close(skola);
    spona_client_close(zzz);
    spona_client_close(lead);

    app = idata_pg_connect("spona_app");
    super = idata_pg_connect("postgres");
    const char *c[] = {case_c};
    assessment_a = idata_pg_value(super, "SELECT id FROM assessments WHERE case_id = $1::uuid",
                                  1, c);
}

/* --- assessments by category (sql/032) ---------------------------------------------------- */

#define DOMAIN_INSERT(domain)                                                                  \
    "INSERT INTO assessment_domains (assessment_id, municipality_id, domain, rating, notes)"   \
    " VALUES ($1::uuid, spona_current_municipality(), '" domain "', 2, 'x')"
#define ASSESSMENT_INSERT(strengths)                                                           \
    "INSERT INTO assessments (case_id, municipality_id, version, assessed_on, assessor,"       \
    "                         strengths)"                                                      \
    " VALUES ($1::uuid, spona_current_municipality(), 2, current_date, spona_current_user(),"  \
    "         '" strengths "')"

static void test_assessment_writes_by_category(void **state)
{
    (void)state;
    connections_reset();
    super_exec("BEGIN", 0, NULL);
    /* the protocol as it is: the lead writes every domain (a new version 2, rolled back) */
    tx_as("testgrad.csr", "vesna");
    tx_ok(ASSESSMENT_INSERT("jaka volja"), case_c);
    super_exec("ROLLBACK", 0, NULL);

    super_exec("BEGIN", 0, NULL);
    tx_without("lead_agency", "health_disability", "write");
    tx_without("lead_agency", "plan_measures", "write");
    tx_as("testgrad.csr", "vesna");
    /* a domain of a category it may not write, added to the assessment it made */
    tx_refused(DOMAIN_INSERT("documents"), assessment_a, WRITE_REFUSED " plan_measures");
    tx_refused(ASSESSMENT_INSERT("jaka volja"), case_c, WRITE_REFUSED " plan_measures");
    tx_ok(ASSESSMENT_INSERT(""), case_c);
    char *second = value_of(super, "SELECT id FROM assessments WHERE case_id = $1::uuid"
                                   "   AND version = 2", case_c);
    tx_refused(DOMAIN_INSERT("health_disability"), second, WRITE_REFUSED " health_disability");
    tx_refused(DOMAIN_INSERT("transport"), second, WRITE_REFUSED " plan_measures");
    tx_refused(DOMAIN_INSERT("astrology"), second, "no category");
    tx_ok(DOMAIN_INSERT("housing"), second);
    tx_ok(DOMAIN_INSERT("education_skills"), second);
    free(second);
    super_exec("ROLLBACK", 0, NULL);
}

/* --- the plan's texts to readers; the copy in the database (sql/032) ---------------------- */

#define PLAN_LATEST                                                                            \
    "(SELECT id FROM plans_for_caller WHERE case_id = $1::uuid ORDER BY version DESC LIMIT 1)"
#define COPY(goals, goal_statuses, measures, measure_statuses)                                 \
    "SELECT spona_plan_copy($1::uuid, 1, '" goals "', '" goal_statuses "', '" measures         \
    "', '" measure_statuses "')"

/* The texts of the latest version as the caller of the transaction reads them. */
static void tx_assert_texts(const char *who, const char *obligations, const char *goal,
                            const char *measure)
{
    static const char *const sql[] = {
        "SELECT obligations FROM plans_for_caller WHERE id = " PLAN_LATEST,
        "SELECT text FROM plan_goals_for_caller WHERE number = 1 AND plan_id = " PLAN_LATEST,
        "SELECT description || '/' || status FROM plan_measures_for_caller"
        " WHERE number = 1 AND plan_id = " PLAN_LATEST,
    };
    const char *expected[] = {obligations, goal, measure};
    for (size_t i = 0; i < 3; i++)
        assert_value_on(super, sql[i], case_c, expected[i], who);
}

static void test_plan_texts_to_readers_only(void **state)
{
    (void)state;
    connections_reset();
    super_exec("BEGIN", 0, NULL);
    /* zzz may write plan_measures (clause 3) but, here, not read them */
    tx_without("employment_service", "plan_measures", "read");
    tx_as("testgrad.zzz", "zana");
    tx_assert_texts("write-only zzz", "<null>", "<null>", "<null>");
    assert_value_on(super, "SELECT count(*) FROM plan_measures_for_caller WHERE plan_id = "
                           PLAN_LATEST, case_c, "2", "write-only zzz: the rows");
    /* not the chamber's measure, nor a goal: a partner sets its own measures' status */
    tx_refused(COPY("{}", "{}", "{2}", "{done}"), case_c, "its own measures");
    tx_refused(COPY("{1}", "{achieved}", "{}", "{}"), case_c, "its own measures");
    tx_ok(COPY("{}", "{}", "{1}", "{in_progress}"), case_c);
    /* an excluded user, an institution that may not write the plan: refused */
    tx_as("testgrad.zzz", "zoran");
    tx_refused(COPY("{}", "{}", "{1}", "{done}"), case_c, WRITE_REFUSED);
    tx_as("testgrad.skola", "sanja");
    tx_refused(COPY("{}", "{}", "{}", "{}"), case_c, WRITE_REFUSED);
    /* the lead reads version 2: zzz's copy, with every text, by zana */
    tx_as("testgrad.csr", "vesna");
    tx_assert_texts("the lead", "javljati se svake sedmice", "stalno zaposlenje",
                    "obuka za zavarivača/in_progress");
    assert_value_on(super, "SELECT p.version || ' ' || u.username FROM plans_for_caller p"
                           "  JOIN users u ON u.id = p.created_by WHERE p.id = " PLAN_LATEST,
                    case_c, "2 zana", "the copy");
    assert_value_on(super, "SELECT description FROM plan_measures_for_caller WHERE number = 2"
                           "   AND plan_id = " PLAN_LATEST, case_c, "sajam zapošljavanja",
                    "the chamber's measure, copied");
    super_exec("ROLLBACK", 0, NULL);
    /* the protocol as it is: zzz reads the texts (clause 3); the school none */
    super_exec("BEGIN", 0, NULL);
    tx_as("testgrad.zzz", "zana");
    tx_assert_texts("zzz", "javljati se svake sedmice", "stalno zaposlenje",
                    "obuka za zavarivača/planned");
    tx_as("testgrad.skola", "sanja");
    tx_assert_texts("the school", "<null>", "<null>", "<null>");
    super_exec("ROLLBACK", 0, NULL);
}

/* --- search, the referral's addressee, own consents (sql/033) ------------------------------ */

static void test_search_candidates_only_identified(void **state)
{
    (void)state;
    connections_reset();
    const char *p[] = {person_p};
    char *key = idata_pg_value(super, "SELECT name_key FROM persons WHERE id = $1::uuid", 1, p);
    char *loose = idata_pg_value(super, "SELECT name_key_loose FROM persons WHERE id = $1::uuid",
                                 1, p);
    char high[256];
    snprintf(high, sizeof(high), "%s~", key);
    const char *kp[] = {key, high, person_p};
    const char *lp[] = {loose, person_p};
    static const char keyed[] =
        "SELECT count(*) FROM spona_person_key_candidates('last_first', $1, $2, NULL, 100)"
        " WHERE person_id = $3::uuid";
    static const char looser[] = "SELECT count(*) FROM spona_person_loose_candidates($1, 100)"
                                 " WHERE person_id = $2::uuid";
    static const struct {
        const char *institution, *user, *expected;
    } callers[] = {
        {"testgrad.csr", "vesna", "1"}, /* the lead */
        {"testgrad.zzz", "zana", "1"},  /* identity by clause 2 */
        {"testgrad.ngo", "nada", "0"},  /* on the team, no consent: sees her, not her name */
        {"testgrad.zzz", "zoran", "0"}, /* excluded */
    };
    for (size_t i = 0; i < sizeof(callers) / sizeof(callers[0]); i++) {
        idata_pg_act_as(app, callers[i].institution, callers[i].user);
        char *n = idata_pg_value(app, keyed, 3, kp);
        if (strcmp(n, callers[i].expected) != 0)
            fail_msg("%s/%s: key candidates %s, expected %s", callers[i].institution,
                     callers[i].user, n, callers[i].expected);
        free(n);
        n = idata_pg_value(app, looser, 2, lp);
        if (strcmp(n, callers[i].expected) != 0)
            fail_msg("%s/%s: loose candidates %s, expected %s", callers[i].institution,
                     callers[i].user, n, callers[i].expected);
        free(n);
    }
    /* the NGO does see her row: the candidates, not row security, hid her name */
    idata_pg_act_as(app, "testgrad.ngo", "nada");
    assert_value_on(app, "SELECT count(*) FROM persons WHERE id = $1::uuid", person_p, "1",
                    "the NGO");
    free(loose);
    free(key);
}

static void test_addressee_and_own_consents(void **state)
{
    (void)state;
    connections_reset();
    idata_pg_act_as(app, "testgrad.komora", "kemal");
    /* the chamber, addressed and not the lead: her address is withheld from it */
    assert_value_on(app, "SELECT address_withheld FROM spona_referral_addressee($1::uuid)",
                    referral_komora, "true", "the chamber");
    const char *r[] = {referral_komora};
    char *error = idata_pg_error(app, "SELECT safety_flag FROM spona_referral_addressee($1::uuid)",
                                 1, r);
    if (strstr(error, "does not exist") == NULL)
        fail_msg("the addressee's subject still has a safety_flag: '%s'", error);
    free(error);
    /* own consents: to zzz's user, not to its excluded user */
    static const char own[] = "SELECT array_to_string(spona_own_consents($1::uuid), ',')";
    idata_pg_act_as(app, "testgrad.zzz", "zana");
    assert_value_on(app, own, person_p, "education_work", "zana");
    idata_pg_act_as(app, "testgrad.zzz", "zoran");
    assert_value_on(app, own, person_p, "", "zoran (excluded)");
}

/* --- the decision table's rows, sessions ----------------------------------------------------- */

static void test_decision_rows_only_with_their_version(void **state)
{
    (void)state;
    connections_reset();
    static const char widen[] =
        "INSERT INTO policy_decisions (protocol_id, municipality_id, version, role, category,"
        "                              action, clause, needs_team, needs_consent)"
        " SELECT protocol_id, municipality_id, version, role, 'health_disability', 'read', 99,"
        "        false, false FROM policy_decisions"
        "  WHERE municipality_id = spona_current_municipality() AND role = $1"
        "    AND version = spona_version_in_force() LIMIT 1";
    static const char *const roles[][3] = {{"testgrad.zzz", "zana", "employment_service"},
                                           {"testgrad.csr", "vesna", "lead_agency"}};
    for (size_t i = 0; i < 2; i++) {
        idata_pg_act_as(app, roles[i][0], roles[i][1]);
        PQclear(idata_pg(app, PGRES_COMMAND_OK, "BEGIN", 0, NULL));
        const char *p[] = {roles[i][2]};
        PGresult *r = PQexecParams(app, widen, 1, NULL, p, NULL, NULL, 0);
        int refused = strstr(PQresultErrorMessage(r), "row-level security") != NULL;
        PQclear(r);
        PQclear(PQexec(app, "ROLLBACK")); /* whatever it did */
        if (!refused)
            fail_msg("%s could widen its own clauses", roles[i][0]);
    }
}

#define SESSIONS "SELECT count(*) FROM sessions WHERE $1::text = ''"

static void test_sessions_own_rows_only(void **state)
{
    (void)state;
    connections_reset();
    /* sanja (logged in by the build) sees her sessions, no one else's */
    idata_pg_act_as(app, "testgrad.skola", "sanja");
    assert_value_on(app, "SELECT (count(*) > 0)::text FROM sessions WHERE $1::text = ''", "",
                    "true", "sanja's own");
    assert_value_on(app, "SELECT count(*) FROM sessions WHERE user_id <> spona_current_user()"
                         "   AND $1::text = ''", "", "0", "sanja: others'");
    PGresult *r = idata_pg(app, PGRES_COMMAND_OK,
                           "UPDATE sessions SET last_seen_at = last_seen_at"
                           " WHERE user_id <> spona_current_user()", 0, NULL);
    assert_string_equal(PQcmdTuples(r), "0");
    PQclear(r);
    char *error = idata_pg_error(app,
                                 "INSERT INTO sessions (municipality_id, user_id, institution_id,"
                                 "   installation, peer, token_sha256)"
                                 " SELECT spona_current_municipality(), u.id,"
                                 "        spona_current_institution(), 'x', 'x', '\\x01'"
                                 "   FROM users u WHERE u.username = 'vesna'", 0, NULL);
    if (strstr(error, "row-level security") == NULL)
        fail_msg("a session for another user: '%s'", error);
    free(error);
    /* a resume's view: the one session of the token, at its institution */
    char *token = idata_pg_value(super, "SELECT encode(token_sha256, 'hex') FROM sessions s"
                                        "  JOIN users u ON u.id = s.user_id"
                                        " WHERE u.username = 'vesna' LIMIT 1", 0, NULL);
    const char *t[] = {token};
    idata_pg_act_as(app, "testgrad.csr", NULL);
    assert_value_on(app, SESSIONS, "", "0", "no user, no token");
    PQclear(idata_pg(app, PGRES_TUPLES_OK, "SELECT set_config('spona.session_token', $1, false)",
                     1, t));
    assert_value_on(app, SESSIONS, "", "1", "the token's");
    idata_pg_act_as(app, "testgrad.skola", NULL);
    assert_value_on(app, SESSIONS, "", "0", "the token elsewhere");
    PQclear(idata_pg(app, PGRES_TUPLES_OK, "SELECT set_config('spona.session_token', '', false)",
                     0, NULL));
    free(token);
}

/* --- the category views of sql/029 and sql/030 to an excluded user ----------------------- */

static void test_views_show_the_excluded_nothing(void **state)
{
    (void)state;
    connections_reset();
    static const char *const views[] = {
        "SELECT count(*) FROM assessments_for_caller WHERE case_id = $1::uuid",
        "SELECT count(*) FROM assessment_domains_for_caller WHERE case_id = $1::uuid",
        "SELECT count(*) FROM plans_for_caller WHERE case_id = $1::uuid",
        "SELECT count(*) FROM plan_goals_for_caller g JOIN plans p ON p.id = g.plan_id"
        " WHERE p.case_id = $1::uuid",
        "SELECT count(*) FROM plan_measures_for_caller m JOIN plans p ON p.id = m.plan_id"
        " WHERE p.case_id = $1::uuid",
        "SELECT count(*) FROM referrals_for_caller WHERE case_id = $1::uuid",
        "SELECT count(*) FROM person_household_for_caller h JOIN cases c"
        "    ON c.person_id = h.person_id WHERE c.id = $1::uuid",
        "SELECT count(*) FROM person_benefits_for_caller b JOIN cases c"
        "    ON c.person_id = b.person_id WHERE c.id = $1::uuid",
    };
    /* zana, of the same institution, sees the rows of the first six */
    idata_pg_act_as(app, "testgrad.zzz", "zana");
    for (size_t i = 0; i < 6; i++) {
        char *n = value_of(app, views[i], case_c);
        if (strcmp(n, "0") == 0)
            fail_msg("zana: %s: no rows", views[i]);
        free(n);
    }
    idata_pg_act_as(app, "testgrad.zzz", "zoran");
    for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
        assert_value_on(app, views[i], case_c, "0", "zoran (excluded)");
    /* and the domains' texts to zana only by category: education (consent), not health */
    idata_pg_act_as(app, "testgrad.zzz", "zana");
    assert_value_on(app, "SELECT notes FROM assessment_domains_for_caller WHERE case_id = $1::uuid"
                         "   AND domain = 'education_skills'", case_c, "srednja škola", "zana");
    assert_value_on(app, "SELECT notes FROM assessment_domains_for_caller WHERE case_id = $1::uuid"
                         "   AND domain = 'health_disability'", case_c, "<null>", "zana");
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_through_the_api),
        cmocka_unit_test(test_assessment_writes_by_category),
        cmocka_unit_test(test_plan_texts_to_readers_only),
        cmocka_unit_test(test_search_candidates_only_identified),
        cmocka_unit_test(test_addressee_and_own_consents),
        cmocka_unit_test(test_decision_rows_only_with_their_version),
        cmocka_unit_test(test_sessions_own_rows_only),
        cmocka_unit_test(test_views_show_the_excluded_nothing),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
