/*
 * Integration test: row-level security holds underneath the server's C filter.
 * Situations are built through the API (testgrad, protocol v2): case A with a
 * referral accepted by testgrad.zzz and consent recorded for it, case B with no
 * partner. Then, connected with libpq as the server's own database role spona_app,
 * the test sets the RLS context the server sets per transaction and shows that
 *   - with no context at all, persons, cases, case_team, referrals and consents
 *     return nothing;
 *   - in the context of an institution not on the team (testgrad.ngo), nothing of
 *     either case (and UPDATE touches no row);
 *   - in the lead's context, every row; in zzz's context, case A's rows but not B's;
 *   - the lead's institution with another municipality sees nothing;
 *   - spona_app cannot UPDATE, DELETE or TRUNCATE audit_log.
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

static struct itest_server server;
static char *person_a, *case_a, *person_b, *case_b;
static char *testgrad_id, *novigrad_id, *csr_id, *zzz_id, *ngo_id;
static PGconn *app;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "rls", NULL);
}

static int group_teardown(void **state)
{
    if (app != NULL)
        PQfinish(app);
    char *strings[] = {person_a, case_a, person_b, case_b, testgrad_id, novigrad_id,
                       csr_id, zzz_id, ngo_id};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        free(strings[i]);
    return itest_group_teardown(state);
}

static void test_build_cases_through_the_api(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zzz = idata_login(&server, "zzz", "zana");
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *a[] = {"first_name", "Redak", "last_name", "Prvi", "jmbg", jmbg, NULL};
    person_a = idata_person_create_ok(lead, a);
    case_a = idata_case_open_ok(lead, person_a);
    idata_refer_and_accept(lead, zzz, case_a, "testgrad.zzz");
    const char *const education[] = {"education_work", NULL};
    spona_response *g = idata_consent_grant(lead, person_a, "testgrad.zzz", education, NULL,
                                            NULL);
    idata_expect(g, SPONA__V1__STATUS__OK);
    envelope_free_response(g);
    const char *b[] = {"first_name", "Redak", "last_name", "Drugi", NULL};
    person_b = idata_person_create_ok(lead, b);
    case_b = idata_case_open_ok(lead, person_b);
    spona_client_close(zzz);
    spona_client_close(lead);

    app = idata_pg_connect("spona_app");
    const char *p[1];
    p[0] = "testgrad";
    testgrad_id = idata_pg_value(app, "SELECT id FROM municipalities WHERE code = $1", 1, p);
    p[0] = "novigrad";
    novigrad_id = idata_pg_value(app, "SELECT id FROM municipalities WHERE code = $1", 1, p);
    p[0] = "testgrad.csr";
    csr_id = idata_pg_value(app, "SELECT id FROM institutions WHERE code = $1", 1, p);
    p[0] = "testgrad.zzz";
    zzz_id = idata_pg_value(app, "SELECT id FROM institutions WHERE code = $1", 1, p);
    p[0] = "testgrad.ngo";
    ngo_id = idata_pg_value(app, "SELECT id FROM institutions WHERE code = $1", 1, p);
}

/* Sets the context as the server does (session-wide here: is_local false). */
static void set_context(const char *municipality, const char *institution)
{
    const char *p[] = {municipality, institution};
    PGresult *r = idata_pg(app, PGRES_TUPLES_OK,
                           "SELECT set_config('spona.municipality_id', $1, false),"
                           "       set_config('spona.institution_id', $2, false)",
                           2, p);
    PQclear(r);
}

/* Rows of a case's data visible now: persons, cases, case_team, referrals, consents. */
struct visible {
    long persons, cases, team, referrals, consents;
};

static long count(const char *sql, const char *id)
{
    const char *p[] = {id};
    char *value = idata_pg_value(app, sql, 1, p);
    long n = atol(value);
    free(value);
    return n;
}

static struct visible visible_of(const char *person, const char *case_id)
{
    struct visible v;
    v.persons = count("SELECT count(*) FROM persons WHERE id = $1::uuid", person);
    v.cases = count("SELECT count(*) FROM cases WHERE id = $1::uuid", case_id);
    v.team = count("SELECT count(*) FROM case_team WHERE case_id = $1::uuid", case_id);
    v.referrals = count("SELECT count(*) FROM referrals WHERE case_id = $1::uuid", case_id);
    v.consents = count("SELECT count(*) FROM consents WHERE person_id = $1::uuid", person);
    return v;
}

static void assert_nothing(const char *person, const char *case_id, const char *context)
{
    struct visible v = visible_of(person, case_id);
    if (v.persons || v.cases || v.team || v.referrals || v.consents)
        fail_msg("%s sees rows of case %s: persons %ld, cases %ld, case_team %ld, "
                 "referrals %ld, consents %ld", context, case_id, v.persons, v.cases, v.team,
                 v.referrals, v.consents);
}

static void test_no_context_sees_nothing(void **state)
{
    (void)state;
    assert_non_null(app);
    assert_nothing(person_a, case_a, "spona_app without a context");
    assert_nothing(person_b, case_b, "spona_app without a context");
    static const char *const tables[] = {"persons", "cases", "case_team", "referrals",
                                         "consents"};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tables[i]);
        char *value = idata_pg_value(app, sql, 0, NULL);
        if (strcmp(value, "0") != 0)
            fail_msg("without a context spona_app sees %s rows of %s", value, tables[i]);
        free(value);
    }
}

static void test_other_institution_sees_nothing(void **state)
{
    (void)state;
    assert_non_null(app);
    set_context(testgrad_id, ngo_id);
    assert_nothing(person_a, case_a, "testgrad.ngo's context");
    assert_nothing(person_b, case_b, "testgrad.ngo's context");
    /* nor can it change what it cannot see */
    const char *p[] = {person_a};
    PGresult *r = idata_pg(app, PGRES_COMMAND_OK,
                           "UPDATE persons SET first_name = 'Provala' WHERE id = $1::uuid", 1, p);
    assert_string_equal(PQcmdTuples(r), "0");
    PQclear(r);
    /* zzz: on A's team, not on B's */
    set_context(testgrad_id, zzz_id);
    struct visible v = visible_of(person_a, case_a);
    assert_int_equal(v.persons, 1);
    assert_int_equal(v.cases, 1);
    assert_true(v.team >= 2);
    assert_true(v.referrals >= 1);
    assert_true(v.consents >= 1);
    assert_nothing(person_b, case_b, "testgrad.zzz's context (not on case B)");
}

static void test_lead_context_sees_the_rows(void **state)
{
    (void)state;
    assert_non_null(app);
    set_context(testgrad_id, csr_id);
    struct visible v = visible_of(person_a, case_a);
    assert_int_equal(v.persons, 1);
    assert_int_equal(v.cases, 1);
    assert_int_equal(v.team, 2); /* the lead and zzz */
    assert_int_equal(v.referrals, 1);
    assert_int_equal(v.consents, 1);
    v = visible_of(person_b, case_b);
    assert_int_equal(v.persons, 1);
    assert_int_equal(v.cases, 1);
    assert_int_equal(v.team, 1);
    const char *p[] = {person_a};
    char *name = idata_pg_value(
        app, "SELECT first_name FROM persons_for_caller WHERE id = $1::uuid", 1, p);
    assert_string_equal(name, "Redak"); /* the NGO's update above changed nothing */
    free(name);
    /* the same institution in another municipality: nothing */
    set_context(novigrad_id, csr_id);
    assert_nothing(person_a, case_a, "testgrad.csr with municipality novigrad");
    /* and a reset context is no context */
    set_context("", "");
    assert_nothing(person_a, case_a, "an emptied context");
}

static void test_audit_log_is_append_only_for_spona_app(void **state)
{
    (void)state;
    assert_non_null(app);
    set_context(testgrad_id, csr_id);
    static const char *const statements[] = {
        "UPDATE audit_log SET detail = 'rewritten'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "UPDATE audit_head SET seq = 0",
    };
    for (size_t i = 0; i < sizeof(statements) / sizeof(statements[0]); i++) {
        char *error = idata_pg_error(app, statements[i], 0, NULL);
        if (strstr(error, "permission denied") == NULL)
            fail_msg("'%s' as spona_app: expected permission denied; got '%s'", statements[i],
                     error);
        free(error);
    }
    /* reading is allowed (the server verifies the chain) */
    char *records = idata_pg_value(app, "SELECT count(*) FROM audit_log", 0, NULL);
    assert_true(atol(records) > 0);
    free(records);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_cases_through_the_api),
        cmocka_unit_test(test_no_context_sees_nothing),
        cmocka_unit_test(test_other_institution_sees_nothing),
        cmocka_unit_test(test_lead_context_sees_the_rows),
        cmocka_unit_test(test_audit_log_is_append_only_for_spona_app),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
