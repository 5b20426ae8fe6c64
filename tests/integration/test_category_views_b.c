/*
 * Integration test: the plan and the referrals by category (sql/030, docs/access.md
 * "Columns by category"), as the server's database role spona_app with an
 * institution's identity, on testgrad's protocol v2. Built through the API: person P,
 * case C led by the centre, zzz (reads and writes plan_measures) and the school (reads
 * none) on its team, a plan whose measure zzz then updates (a partner's plan version,
 * written through the views), pending referrals to the NGO (reads plan_measures with
 * consent, given) and to the chamber (reads none), which declines with a reason.
 *   - a direct SELECT of a plan's obligations, a goal's text, a measure's description or
 *     a referral's measure is refused (permission denied);
 *   - through the views, each institution reads a text only when it may read
 *     plan_measures: the lead and zzz do, the school gets NULL; the NGO reads its
 *     pending referral's measure before it is on the team, the chamber gets NULL but
 *     its own decline reason; the API answers the same (inbox);
 *   - each view has exactly the rows row-level security gives on its table.
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

static struct itest_server server;
static char *person_p, *case_c, *referral_ngo, *referral_komora;
static PGconn *app;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "category_views_b", NULL);
}

static int group_teardown(void **state)
{
    if (app != NULL)
        PQfinish(app);
    char *strings[] = {person_p, case_c, referral_ngo, referral_komora};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        free(strings[i]);
    return itest_group_teardown(state);
}

/* Acts as institution code (testgrad) and its user username, as the server does. */
static void act_as(const char *institution, const char *username)
{
    idata_pg_act_as(app, institution, username);
}

/* Asserts the value of sql ($1 = id) as text, "<null>" for NULL, "<none>" for no row. */
static void assert_shown(const char *sql, const char *id, const char *expected,
                         const char *who)
{
    char wrapped[768];
    snprintf(wrapped, sizeof(wrapped),
             "SELECT COALESCE((SELECT COALESCE((%s)::text, '<null>')), '<none>')", sql);
    const char *p[] = {id};
    char *value = idata_pg_value(app, wrapped, 1, p);
    if (strcmp(value, expected) != 0)
        fail_msg("%s: %s ($1 = %s): '%s', expected '%s'", who, sql, id, value, expected);
    free(value);
}

/* Asserts that sql ($1 = id) is refused for want of a privilege. */
static void assert_denied(const char *sql, const char *id)
{
    const char *p[] = {id};
    char *error = idata_pg_error(app, sql, 1, p);
    if (strstr(error, "permission denied") == NULL)
        fail_msg("%s: expected permission denied; got '%s'", sql, error);
    free(error);
}

/* Version 1 of C's plan, by the lead: a goal, zzz's measure, the obligations. */
static void plan_by_the_lead(struct spona_client *lead)
{
    Spona__V1__PlanMeasure measure;
    spona__v1__plan_measure__init(&measure);
    measure.kind = M("training");
    measure.description = M("obuka za zavarivača");
    measure.responsible_institution_code = M("testgrad.zzz");
    measure.due_date = M("2025-10-31");
    Spona__V1__PlanMeasure *measures[] = {&measure};
    Spona__V1__PlanGoal goal;
    spona__v1__plan_goal__init(&goal);
    goal.text = M("stalno zaposlenje");
    goal.target_date = M("2025-12-31");
    Spona__V1__PlanGoal *goals[] = {&goal};
    Spona__V1__PlanChangeRequest body;
    spona__v1__plan_change_request__init(&body);
    body.case_id = case_c;
    body.add_goals = goals;
    body.n_add_goals = 1;
    body.add_measures = measures;
    body.n_add_measures = 1;
    body.obligations = M("javljati se svake sedmice");
    spona_response *r = idata_plan_change(lead, &body);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "plan_change by the lead");
    assert_int_equal(r->plan_change->version, 1);
    envelope_free_response(r);
}

static void test_build_through_the_api(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zzz = idata_login(&server, "zzz", "zana");
    struct spona_client *skola = idata_login(&server, "skola", "sanja");
    const char *fields[] = {"first_name", "Plan", "last_name", "Uputnica", NULL};
    person_p = idata_person_create_ok(lead, fields);
    case_c = idata_case_open_ok(lead, person_p);
    idata_refer_and_accept(lead, zzz, case_c, "testgrad.zzz");
    idata_refer_and_accept(lead, skola, case_c, "testgrad.skola");
    const char *const plan[] = {"plan_measures", NULL};
    spona_response *r = idata_consent_grant(lead, person_p, "testgrad.ngo", plan, NULL, NULL);
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    plan_by_the_lead(lead);
    /* a partner with write on plan_measures stores version 2 with its measure's status */
    r = idata_plan_measure_status(zzz, case_c, 1, 1, "in_progress");
    idata_expect_what(r, SPONA__V1__STATUS__OK, "plan_change by zzz: its own measure");
    assert_int_equal(r->plan_change->version, 2);
    assert_string_equal(r->plan_change->measures[0]->description, "obuka za zavarivača");
    assert_string_equal(r->plan_change->goals[0]->text, "stalno zaposlenje");
    assert_string_equal(r->plan_change->obligations, "javljati se svake sedmice");
    envelope_free_response(r);
    referral_ngo = idata_referral_create_ok(lead, case_c, "testgrad.ngo",
                                            "psihosocijalna podrška", NULL);
    referral_komora = idata_referral_create_ok(lead, case_c, "testgrad.komora",
                                               "posredovanje kod poslodavca", NULL);
    struct spona_client *komora = idata_login(&server, "komora", "kemal");
    r = idata_referral_decline(komora, referral_komora, 1, "nemamo slobodnih mjesta");
    idata_expect_what(r, SPONA__V1__STATUS__OK, "referral_decline by the chamber");
    assert_string_equal(r->referral_decline->measure, "");
    assert_string_equal(r->referral_decline->reason, "nemamo slobodnih mjesta");
    envelope_free_response(r);
    spona_client_close(komora);
    spona_client_close(skola);
    spona_client_close(zzz);
    spona_client_close(lead);
    app = idata_pg_connect("spona_app");
}

static void test_texts_refused_on_the_tables(void **state)
{
    (void)state;
    act_as("testgrad.csr", "vesna");
    assert_denied("SELECT obligations FROM plans WHERE case_id = $1::uuid", case_c);
    assert_denied("SELECT g.text FROM plan_goals g JOIN plans p ON p.id = g.plan_id"
                  " WHERE p.case_id = $1::uuid", case_c);
    assert_denied("SELECT m.description FROM plan_measures m JOIN plans p ON p.id = m.plan_id"
                  " WHERE p.case_id = $1::uuid", case_c);
    assert_denied("SELECT measure FROM referrals WHERE case_id = $1::uuid", case_c);
    assert_denied("SELECT decline_reason FROM referrals WHERE case_id = $1::uuid", case_c);
    assert_denied("SELECT result FROM referrals WHERE case_id = $1::uuid", case_c);
    /* the columns that are no one's personal data stay readable */
    assert_shown("SELECT max(version) FROM plans WHERE case_id = $1::uuid", case_c, "2", "lead");
    assert_shown("SELECT count(*) FROM referrals WHERE case_id = $1::uuid", case_c, "4",
                 "lead");
}

#define PLAN_LATEST                                                                        \
    "(SELECT id FROM plans_for_caller WHERE case_id = $1::uuid ORDER BY version DESC"      \
    " LIMIT 1)"
#define OBLIGATIONS_SQL                                                                    \
    "SELECT obligations FROM plans_for_caller WHERE case_id = $1::uuid AND version = 2"
#define GOAL_SQL "SELECT text FROM plan_goals_for_caller WHERE plan_id = " PLAN_LATEST
#define MEASURE_SQL                                                                        \
    "SELECT description || '/' || status FROM plan_measures_for_caller"                    \
    " WHERE plan_id = " PLAN_LATEST
#define REFERRAL_SQL "SELECT measure FROM referrals_for_caller WHERE id = $1::uuid"

/* The plan's texts for who (acting as institution/user) shown, or NULL. */
static void assert_plan_texts(const char *institution, const char *user, int readable)
{
    act_as(institution, user);
    assert_shown(OBLIGATIONS_SQL, case_c, readable ? "javljati se svake sedmice" : "<null>",
                 institution);
    assert_shown(GOAL_SQL, case_c, readable ? "stalno zaposlenje" : "<null>", institution);
    assert_shown(MEASURE_SQL, case_c, readable ? "obuka za zavarivača/in_progress" : "<null>",
                 institution);
    assert_shown("SELECT count(*) FROM plan_measures_for_caller WHERE plan_id = " PLAN_LATEST,
                 case_c, "1", institution);
}

static void test_plan_by_category(void **state)
{
    (void)state;
    assert_plan_texts("testgrad.csr", "vesna", 1);   /* clause 1 */
    assert_plan_texts("testgrad.zzz", "zana", 1);    /* clause 3 */
    assert_plan_texts("testgrad.skola", "sanja", 0); /* no clause reads plan_measures */
    /* the NGO, addressed but not on the team, sees no plan at all */
    act_as("testgrad.ngo", "nada");
    assert_shown("SELECT count(*) FROM plans_for_caller WHERE case_id = $1::uuid", case_c, "0",
                 "ngo");
    assert_shown("SELECT count(*) FROM plan_goals_for_caller g JOIN plans p ON p.id = g.plan_id"
                 " WHERE p.case_id = $1::uuid", case_c, "0", "ngo");
}

static void test_referrals_by_category(void **state)
{
    (void)state;
    act_as("testgrad.csr", "vesna");
    assert_shown(REFERRAL_SQL, referral_ngo, "psihosocijalna podrška", "lead");
    assert_shown("SELECT decline_reason FROM referrals_for_caller WHERE id = $1::uuid",
                 referral_komora, "nemamo slobodnih mjesta", "lead");
    act_as("testgrad.zzz", "zana");
    assert_shown(REFERRAL_SQL, referral_komora, "posredovanje kod poslodavca", "zzz");
    act_as("testgrad.skola", "sanja");
    assert_shown(REFERRAL_SQL, referral_ngo, "<null>", "skola");
    assert_shown("SELECT measure FROM referrals_for_caller r JOIN institutions i"
                 "  ON i.id = r.institution_id WHERE r.case_id = $1::uuid"
                 "   AND i.code = 'testgrad.skola'", case_c, "<null>", "skola (its own)");
    assert_shown("SELECT decline_reason FROM referrals_for_caller WHERE id = $1::uuid",
                 referral_komora, "<null>", "skola");
    /* pending, with the person's consent to plan_measures: clause 9 before the team */
    act_as("testgrad.ngo", "nada");
    assert_shown(REFERRAL_SQL, referral_ngo, "psihosocijalna podrška", "ngo");
    assert_shown("SELECT count(*) FROM referrals_for_caller WHERE case_id = $1::uuid", case_c,
                 "1", "ngo");
    /* the chamber reads no plan_measures: not the measure, but its own answer */
    act_as("testgrad.komora", "kemal");
    assert_shown(REFERRAL_SQL, referral_komora, "<null>", "komora");
    assert_shown("SELECT decline_reason FROM referrals_for_caller WHERE id = $1::uuid",
                 referral_komora, "nemamo slobodnih mjesta", "komora");
}

/* The inbox answers what the views give: the NGO's measure, nothing of the chamber's. */
static void test_inbox_through_the_views(void **state)
{
    (void)state;
    static const struct {
        const char *code, *user, *referral_code, *measure;
    } who[] = {
        {"ngo", "nada", "testgrad.ngo", "psihosocijalna podrška"},
        {"komora", "kemal", "testgrad.komora", ""},
    };
    for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
        struct spona_client *client = idata_login(&server, who[i].code, who[i].user);
        spona_response *r = idata_inbox(client, 0);
        idata_expect_what(r, SPONA__V1__STATUS__OK, "inbox");
        int found = 0;
        for (size_t k = 0; k < r->inbox->n_referrals; k++) {
            const Spona__V1__ReferralView *view = r->inbox->referrals[k];
            if (strcmp(view->case_id, case_c) != 0)
                continue;
            found++;
            assert_string_equal(view->institution_code, who[i].referral_code);
            assert_string_equal(view->measure, who[i].measure);
        }
        assert_int_equal(found, 1);
        envelope_free_response(r);
        spona_client_close(client);
    }
}

/* The rows of each view are the rows row-level security gives the caller on its table. */
static void assert_views_keep_the_rows(const char *who)
{
    static const char *const pairs[][3] = {
        {"plans", "plans_for_caller", "id::text"},
        {"plan_goals", "plan_goals_for_caller", "plan_id || '/' || number"},
        {"plan_measures", "plan_measures_for_caller", "plan_id || '/' || number"},
        {"referrals", "referrals_for_caller", "id::text"},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        char sql[768];
        snprintf(sql, sizeof(sql),
                 "SELECT (SELECT count(*) FROM %s)::text || '/' ||"
                 "       (SELECT count(*) FROM (SELECT %s FROM %s EXCEPT SELECT %s FROM %s"
                 "        UNION ALL SELECT %s FROM %s EXCEPT SELECT %s FROM %s) d)::text"
                 " WHERE $1::text = $1::text",
                 pairs[i][0], pairs[i][2], pairs[i][0], pairs[i][2], pairs[i][1], pairs[i][2],
                 pairs[i][1], pairs[i][2], pairs[i][0]);
        const char *p[] = {""};
        char *value = idata_pg_value(app, sql, 1, p);
        if (strcmp(strchr(value, '/'), "/0") != 0)
            fail_msg("%s: %s and %s differ in rows (rows/differing: %s)", who, pairs[i][0],
                     pairs[i][1], value);
        free(value);
    }
}

static void test_views_keep_the_rows(void **state)
{
    (void)state;
    static const char *const who[][2] = {
        {"testgrad.csr", "vesna"}, {"testgrad.zzz", "zana"},   {"testgrad.skola", "sanja"},
        {"testgrad.ngo", "nada"},  {"testgrad.komora", "kemal"}, {"testgrad.grad", "goran"},
    };
    for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
        act_as(who[i][0], who[i][1]);
        assert_views_keep_the_rows(who[i][0]);
    }
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_through_the_api),
        cmocka_unit_test(test_texts_refused_on_the_tables),
        cmocka_unit_test(test_plan_by_category),
        cmocka_unit_test(test_referrals_by_category),
        cmocka_unit_test(test_inbox_through_the_views),
        cmocka_unit_test(test_views_keep_the_rows),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
