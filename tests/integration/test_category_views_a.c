/*
 * Integration test: needs assessments and a person's household and benefit periods
 * read only through category-aware views (sql/029, docs/access.md "Columns by
 * category"), as the server's database role (spona_app) with an institution's identity.
 * On testgrad (protocol v2) the lead (testgrad.csr) records an assessment with an
 * education_work, a health_disability and a plan_measures domain and strengths, and the
 * person gets a household member and a benefit period; the employment bureau
 * (testgrad.zzz) is on the case's team. Checked:
 *   - each view has the rows row-level security gives the table (lead, partner, and a
 *     school off the team: none);
 *   - a direct SELECT of a domain's rating or notes, an assessment's strengths, a
 *     member's name or a benefit's amount is refused (permission denied), for any caller;
 *   - through the views the lead reads everything; zzz reads the plan_measures domain and
 *     the strengths (clause 3), NULL for education_work until the person consents
 *     (clause 4), NULL for health_disability and for household and benefits always (no
 *     clause), while it still gets the rows; the API answers zzz the same domains;
 *   - assessment_domain_categories (SQL) equals server/policy/case_domains.c row for row;
 *   - a memo of the person's decision (sql/056) that spona_app sets itself widens
 *     nothing: the lead's memo replayed by zzz, zzz's memo with the lead's categories, and
 *     zzz's own memo after a consent was withdrawn are ignored.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_domains.h"
#include "idata.h"
#include "policy.h"

static struct itest_server server;
static char *person_p, *case_c;
static PGconn *app, *owner;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "category_views_a", NULL);
}

static int group_teardown(void **state)
{
    if (app != NULL)
        PQfinish(app);
    if (owner != NULL)
        PQfinish(owner);
    free(person_p);
    free(case_c);
    return itest_group_teardown(state);
}

/* Acts as institution code (testgrad) and its user username ("": none), as the server does. */
static void act_as(const char *institution, const char *username)
{
    idata_pg_act_as(app, institution, username);
}

/* Asserts the single value of sql with $1 = id ("<NULL>" for NULL). */
static void assert_value(const char *sql, const char *id, const char *expected)
{
    const char *p[] = {id};
    PGresult *r = idata_pg(app, PGRES_TUPLES_OK, sql, 1, p);
    if (PQntuples(r) != 1)
        fail_msg("%s ($1 = %s): %d rows, expected one", sql, id, PQntuples(r));
    const char *value = PQgetisnull(r, 0, 0) ? "<NULL>" : PQgetvalue(r, 0, 0);
    if (strcmp(value, expected) != 0)
        fail_msg("%s ($1 = %s): '%s', expected '%s'", sql, id, value, expected);
    PQclear(r);
}

static void test_build_through_the_api(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zzz = idata_login(&server, "zzz", "zana");
    const char *a[] = {"first_name", "Kategorija", "last_name", "Procjena", NULL};
    person_p = idata_person_create_ok(lead, a);
    case_c = idata_case_open_ok(lead, person_p);
    idata_refer_and_accept(lead, zzz, case_c, "testgrad.zzz");
    static const struct idata_domain domains[] = {
        {"education_skills", 3, "finished secondary school"},
        {"health_disability", 4, "back injury"},
        {"transport", 2, "no bus on Sundays"},
        {NULL, 0, NULL},
    };
    spona_response *r = idata_assessment_record(lead, case_c, "", domains, "punctual");
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    spona_client_close(zzz);
    spona_client_close(lead);

    app = idata_pg_connect("spona_app");
    owner = idata_pg_connect("spona_owner");
    const char *p[] = {person_p};
    PGresult *pr = idata_pg(owner, PGRES_COMMAND_OK,
                            "INSERT INTO person_household (person_id, municipality_id, name,"
                            "                              relation, birth_year)"
                            " SELECT id, municipality_id, 'Mala Procjena', 'child', 2015"
                            "   FROM persons WHERE id = $1::uuid",
                            1, p);
    PQclear(pr);
    pr = idata_pg(owner, PGRES_COMMAND_OK,
                  "INSERT INTO person_benefits (person_id, municipality_id, kind, since, amount)"
                  " SELECT id, municipality_id, 'cash_assistance', '2024-01-01', 123.45"
                  "   FROM persons WHERE id = $1::uuid",
                  1, p);
    PQclear(pr);
}

/* Personal columns of the tables themselves: refused to spona_app whoever it acts as. */
static void test_direct_select_refused(void **state)
{
    (void)state;
    static const char *const reads[] = {
        "SELECT notes FROM assessment_domains",
        "SELECT rating FROM assessment_domains",
        "SELECT * FROM assessment_domains",
        "SELECT strengths FROM assessments",
        "SELECT * FROM assessments",
        "SELECT name FROM person_household",
        "SELECT birth_year FROM person_household",
        "SELECT amount FROM person_benefits",
        "SELECT note FROM person_benefits",
    };
    const char *const callers[][2] = {{"testgrad.csr", "vesna"}, {"testgrad.zzz", "zana"}};
    for (size_t c = 0; c < 2; c++) {
        act_as(callers[c][0], callers[c][1]);
        for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
            char *error = idata_pg_error(app, reads[i], 0, NULL);
            if (strstr(error, "permission denied") == NULL)
                fail_msg("%s as %s: expected permission denied; got '%s'", reads[i],
                         callers[c][0], error);
            free(error);
        }
    }
    /* what stays granted: the rows' shape, not their content */
    act_as("testgrad.zzz", "zana");
    assert_value("SELECT count(domain) FROM assessment_domains d JOIN assessments a"
                 " ON a.id = d.assessment_id WHERE a.case_id = $1::uuid",
                 case_c, "3");
}

/* The ids of sql ($1 = id) in order, as one string. */
static char *ids(const char *sql, const char *id)
{
    const char *p[] = {id};
    return idata_pg_value(app, sql, 1, p);
}

/* Each view has exactly the rows its table gives under row-level security, for the lead,
 * a partner on the team and a school that is not (none). */
static void test_views_have_the_rows_of_row_security(void **state)
{
    (void)state;
    static const struct {
        const char *table, *view;
    } reads[] = {
        {"SELECT string_agg(id::text, ',' ORDER BY id) FROM assessments WHERE case_id = $1::uuid",
         "SELECT string_agg(id::text, ',' ORDER BY id) FROM assessments_for_caller"
         " WHERE case_id = $1::uuid"},
        {"SELECT string_agg(domain, ',' ORDER BY domain) FROM assessment_domains"
         " WHERE assessment_id IN (SELECT id FROM assessments WHERE case_id = $1::uuid)",
         "SELECT string_agg(domain, ',' ORDER BY domain) FROM assessment_domains_for_caller"
         " WHERE assessment_id IN (SELECT id FROM assessments WHERE case_id = $1::uuid)"},
    };
    static const struct {
        const char *table, *view;
    } person_reads[] = {
        {"SELECT string_agg(id::text, ',' ORDER BY id) FROM person_household"
         " WHERE person_id = $1::uuid",
         "SELECT string_agg(id::text, ',' ORDER BY id) FROM person_household_for_caller"
         " WHERE person_id = $1::uuid"},
        {"SELECT string_agg(id::text, ',' ORDER BY id) FROM person_benefits"
         " WHERE person_id = $1::uuid",
         "SELECT string_agg(id::text, ',' ORDER BY id) FROM person_benefits_for_caller"
         " WHERE person_id = $1::uuid"},
    };
    const char *const callers[][3] = {
        {"testgrad.csr", "vesna", "some"}, {"testgrad.zzz", "zana", "some"},
        {"testgrad.skola", "", "none"}};
    for (size_t c = 0; c < 3; c++) {
        act_as(callers[c][0], callers[c][1]);
        for (size_t i = 0; i < 4; i++) {
            const char *table = i < 2 ? reads[i].table : person_reads[i - 2].table;
            const char *view = i < 2 ? reads[i].view : person_reads[i - 2].view;
            const char *id = i < 2 ? case_c : person_p;
            char *from_table = ids(table, id), *from_view = ids(view, id);
            if (strcmp(from_table, from_view) != 0)
                fail_msg("%s: rows '%s' through the view, '%s' under row security", view,
                         from_view, from_table);
            if ((strcmp(callers[c][2], "none") == 0) != (from_table[0] == '\0'))
                fail_msg("%s as %s: rows '%s'", table, callers[c][0], from_table);
            free(from_table);
            free(from_view);
        }
    }
}

#define DOMAIN_NOTES "SELECT notes FROM assessment_domains_for_caller WHERE case_id = $1::uuid" \
                     " AND domain = "
#define DOMAIN_RATING "SELECT rating FROM assessment_domains_for_caller WHERE case_id = $1::uuid" \
                      " AND domain = "
#define STRENGTHS "SELECT strengths FROM assessments_for_caller WHERE case_id = $1::uuid"
#define MEMBER "SELECT name FROM person_household_for_caller WHERE person_id = $1::uuid"
#define AMOUNT "SELECT amount::text FROM person_benefits_for_caller WHERE person_id = $1::uuid"

static void test_lead_reads_every_category(void **state)
{
    (void)state;
    act_as("testgrad.csr", "vesna");
    assert_value(DOMAIN_NOTES "'education_skills'", case_c, "finished secondary school");
    assert_value(DOMAIN_NOTES "'health_disability'", case_c, "back injury");
    assert_value(DOMAIN_RATING "'health_disability'", case_c, "4");
    assert_value(DOMAIN_NOTES "'transport'", case_c, "no bus on Sundays");
    assert_value(STRENGTHS, case_c, "punctual");
    assert_value(MEMBER, person_p, "Mala Procjena");
    assert_value(AMOUNT, person_p, "123.45");
}

/* zzz's read of case C through the API: exactly the domains named (comma-separated). */
static void assert_api_domains(const char *expected)
{
    struct spona_client *zzz = idata_login(&server, "zzz", "zana");
    spona_response *r = idata_assessment_get(zzz, case_c, 0);
    idata_expect(r, SPONA__V1__STATUS__OK);
    char got[256] = "";
    for (size_t i = 0; i < r->assessment_get->n_domains; i++)
        snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i > 0 ? "," : "",
                 r->assessment_get->domains[i]->domain);
    if (strcmp(got, expected) != 0)
        fail_msg("assessment_get by zzz: domains '%s', expected '%s'", got, expected);
    assert_string_equal(r->assessment_get->strengths, "punctual");
    envelope_free_response(r);
    spona_client_close(zzz);
}

static void test_partner_reads_by_category(void **state)
{
    (void)state;
    act_as("testgrad.zzz", "zana");
    /* no consent: education_work hidden (clause 4 needs it), health and household no clause */
    assert_value(DOMAIN_NOTES "'education_skills'", case_c, "<NULL>");
    assert_value(DOMAIN_RATING "'education_skills'", case_c, "<NULL>");
    assert_value(DOMAIN_NOTES "'health_disability'", case_c, "<NULL>");
    assert_value(DOMAIN_RATING "'health_disability'", case_c, "<NULL>");
    assert_value(DOMAIN_NOTES "'transport'", case_c, "no bus on Sundays");
    assert_value(DOMAIN_RATING "'transport'", case_c, "2");
    assert_value(STRENGTHS, case_c, "punctual");
    assert_value(MEMBER, person_p, "<NULL>");
    assert_value(AMOUNT, person_p, "<NULL>");
    assert_api_domains("transport");

    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    const char *const education[] = {"education_work", NULL};
    spona_response *r = idata_consent_grant(lead, person_p, "testgrad.zzz", education, NULL,
                                            NULL);
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    spona_client_close(lead);

    act_as("testgrad.zzz", "zana");
    assert_value(DOMAIN_NOTES "'education_skills'", case_c, "finished secondary school");
    assert_value(DOMAIN_RATING "'education_skills'", case_c, "3");
    assert_value(DOMAIN_NOTES "'health_disability'", case_c, "<NULL>");
    assert_value(MEMBER, person_p, "<NULL>");
    assert_value(AMOUNT, person_p, "<NULL>");
    assert_api_domains("education_skills,transport");
}

/* The single value of sql with $1 = id, as text (the caller frees it). */
static char *value_of(const char *sql, const char *id)
{
    const char *p[] = {id};
    PGresult *r = idata_pg(app, PGRES_TUPLES_OK, sql, 1, p);
    assert_int_equal(PQntuples(r), 1);
    char *value = strdup(PQgetisnull(r, 0, 0) ? "<NULL>" : PQgetvalue(r, 0, 0));
    PQclear(r);
    assert_non_null(value);
    return value;
}

#define READABLE "SELECT spona_person_readable($1::uuid)::text"
#define MEMO "SELECT current_setting('spona.person_memo', true) WHERE $1::uuid IS NOT NULL"
#define SET_MEMO "SELECT set_config('spona.person_memo', $1, true)"

/* Sets the memo (sql/056) to text memo, as spona_app may. */
static void set_memo(const char *memo)
{
    PQclear(idata_pg(app, PGRES_TUPLES_OK, SET_MEMO, 1, &memo));
}

/* sql/056: spona_app sets any memo it likes; one not made by spona_person_readable for
 * this caller, person, transaction and facts is ignored, and the views decide afresh. */
static void test_forged_memo_widens_nothing(void **state)
{
    (void)state;
    PQclear(idata_pg(app, PGRES_COMMAND_OK, "BEGIN", 0, NULL));
    act_as("testgrad.csr", "vesna");
    char *lead_memo = NULL;
    assert_value(AMOUNT, person_p, "123.45");  /* the lead's decision, now the memo */
    lead_memo = value_of(MEMO, person_p);
    assert_non_null(strstr(lead_memo, "benefits_household"));

    /* the lead's memo, replayed by zzz in the same transaction */
    act_as("testgrad.zzz", "zana");
    set_memo(lead_memo);
    assert_value(AMOUNT, person_p, "<NULL>");
    assert_value(MEMBER, person_p, "<NULL>");

    /* zzz's own memo with the lead's categories and zzz's MAC */
    char *own = value_of(MEMO, person_p);
    assert_null(strstr(own, "benefits_household"));
    char forged[1024];
    const char *lead_cats = strchr(lead_memo, '|'), *own_mac = strrchr(own, '|');
    assert_non_null(lead_cats);
    assert_non_null(own_mac);
    snprintf(forged, sizeof(forged), "%.*s%.*s%s", (int)(strchr(own, '|') - own), own,
             (int)(strrchr(lead_memo, '|') - lead_cats), lead_cats, own_mac);
    set_memo(forged);
    assert_value(AMOUNT, person_p, "<NULL>");
    char *readable = value_of(READABLE, person_p);
    assert_null(strstr(readable, "benefits_household"));

    /* zzz's valid memo, then the consent withdrawn by another transaction: the memo,
     * even set again, no longer answers */
    char *valid = value_of(MEMO, person_p);
    assert_non_null(strstr(valid, "education_work"));
    PQclear(idata_pg(owner, PGRES_COMMAND_OK,
                     "UPDATE consents SET withdrawn_at = now() WHERE person_id = $1::uuid"
                     "   AND category = 'education_work' AND withdrawn_at IS NULL",
                     1, (const char *[]){person_p}));
    set_memo(valid);
    free(readable);
    readable = value_of(READABLE, person_p);
    assert_null(strstr(readable, "education_work"));
    PQclear(idata_pg(app, PGRES_COMMAND_OK, "ROLLBACK", 0, NULL));
    free(readable);
    free(valid);
    free(own);
    free(lead_memo);
}

/* The names in case_domains_text(): "a, b, ... or z". */
static size_t c_domain_names(char names[][64], size_t max)
{
    char text[512];
    snprintf(text, sizeof(text), "%s", case_domains_text());
    size_t n = 0;
    for (char *word = strtok(text, ", "); word != NULL; word = strtok(NULL, ", ")) {
        if (strcmp(word, "or") == 0)
            continue;
        assert_true(n < max);
        snprintf(names[n++], 64, "%s", word);
    }
    return n;
}

static void test_domain_categories_equal_case_domains_c(void **state)
{
    (void)state;
    char names[32][64];
    size_t n = c_domain_names(names, 32);
    assert_true(n > 0);
    PGresult *r = idata_pg(owner, PGRES_TUPLES_OK,
                           "SELECT domain, category FROM assessment_domain_categories", 0, NULL);
    if ((size_t)PQntuples(r) != n)
        fail_msg("assessment_domain_categories has %d rows; case_domains.c %zu domains",
                 PQntuples(r), n);
    for (size_t i = 0; i < n; i++) {
        int category = case_domain_category(names[i]);
        assert_true(category >= 0);
        const char *expected = policy_category_name((enum policy_category)category);
        int found = 0;
        for (int row = 0; row < PQntuples(r); row++) {
            if (strcmp(PQgetvalue(r, row, 0), names[i]) != 0)
                continue;
            found = 1;
            if (strcmp(PQgetvalue(r, row, 1), expected) != 0)
                fail_msg("domain %s: SQL says %s, case_domains.c %s", names[i],
                         PQgetvalue(r, row, 1), expected);
        }
        if (!found)
            fail_msg("domain %s of case_domains.c is not in assessment_domain_categories",
                     names[i]);
    }
    PQclear(r);
    /* the strengths: the view decides plan_measures, as CASE_STRENGTHS_CATEGORY */
    assert_string_equal(policy_category_name(CASE_STRENGTHS_CATEGORY), "plan_measures");
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_through_the_api),
        cmocka_unit_test(test_direct_select_refused),
        cmocka_unit_test(test_views_have_the_rows_of_row_security),
        cmocka_unit_test(test_lead_reads_every_category),
        cmocka_unit_test(test_partner_reads_by_category),
        cmocka_unit_test(test_forged_memo_widens_nothing),
        cmocka_unit_test(test_domain_categories_equal_case_domains_c),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
