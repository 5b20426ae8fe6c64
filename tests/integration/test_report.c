/*
 * Integration test: the protocol's indicators (issue 5, docs/reports.md) on the test
 * protocol (testgrad v2, clause 11: aggregates for the lead agency and the
 * coordinator). The lead (testgrad.csr) builds seven persons with known sexes, birth
 * dates and areas, their cases, assessments, plans, referrals and answers, outcomes
 * and follow-ups through the API. Then:
 *  - the lead's report grows by exactly what the fixture holds (expected figures
 *    computed here from the fixture's definition; other tests' data in testgrad is
 *    the baseline taken before), and its median days to employment equals the median
 *    computed here from the raw rows the database holds (read as the superuser);
 *  - the coordinator (testgrad.grad) gets the same rows with every figure from 1 to 4
 *    shown as "<5", 0 and >= 5 as they are;
 *  - the coordinator cannot narrow the period to single anyone out (one day, half a
 *    month, a month not starting on the 1st), bad dates are INVALID_ARGUMENT, and no
 *    answer contains an id or a name of the fixture;
 *  - institutions without an aggregates clause (the employment bureau, a
 *    non-signatory) are PERMISSION_DENIED; each report is audited without a person.
 * Runs after the other testgrad tests' data or alongside nothing (ctest runs tests
 * one at a time unless told otherwise: the baseline must not move meanwhile).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idata.h"

#define M IDATA_MUTABLE
#define OK SPONA__V1__STATUS__OK
#define DENIED SPONA__V1__STATUS__PERMISSION_DENIED
#define INVALID SPONA__V1__STATUS__INVALID_ARGUMENT
#define PERSONS 7

static struct itest_server server;
static struct spona_client *lead, *grad, *zzz, *nesig;
static char *person_ids[PERSONS], *case_ids[PERSONS];
static spona_response *baseline, *after;
static char today[16], yesterday[16];
static int year;

/* The fixture: names unique to this test, so that an answer can be searched for them. */
static const struct fixture_person {
    const char *first, *last, *sex; /* sex NULL: not recorded */
    int age;                        /* years before this year; 0: no birth date */
    const char *rural;              /* NULL: not recorded */
} fixture[PERSONS] = {
    {"Izvještajka", "Prvakić", "F", 20, "true"},
    {"Izvještajka", "Drugačić", "F", 30, "true"},
    {"Izvještajka", "Trećakić", "F", 42, "false"},
    {"Izvještajka", "Četvrtić", "F", 60, "true"},
    {"Izvještajko", "Petković", "M", 20, "false"},
    {"Izvještajko", "Šestić", "M", 30, "true"},
    {"Izvještajni", "Sedmić", NULL, 0, NULL},
};

/* What the fixture adds to each figure (the ages are mid-band whatever today's date). */
static const struct expected {
    const char *indicator, *breakdown;
    long added;
} expected[] = {
    {"persons_in_case_management", "all", 7},
    {"persons_in_case_management", "sex:F", 4},
    {"persons_in_case_management", "sex:M", 2},
    {"persons_in_case_management", "sex:unknown", 1},
    {"persons_in_case_management", "age:0-14", 0},
    {"persons_in_case_management", "age:15-24", 2},
    {"persons_in_case_management", "age:25-34", 2},
    {"persons_in_case_management", "age:35-49", 1},
    {"persons_in_case_management", "age:50+", 1},
    {"persons_in_case_management", "age:unknown", 1},
    {"persons_in_case_management", "area:rural", 4},
    {"persons_in_case_management", "area:urban", 2},
    {"persons_in_case_management", "area:unknown", 1},
    {"assessed", "all", 5},
    {"with_plan", "all", 6},
    {"referred", "all", 6},
    {"referred", "institution:testgrad.zzz", 6},
    {"referred", "institution:testgrad.skola", 2},
    {"referrals_accepted", "all", 5},
    {"referrals_declined", "all", 1},
    {"referrals_completed", "all", 1},
    {"referrals_overdue", "all", 1},
    {"in_training", "all", 2},
    {"training_completed", "all", 1},
    {"self_employed", "all", 1},
    {"left_benefits", "all", 2},
    {"dropped_out", "all", 1},
    {"employed", "all", 6},
    {"employed", "pathway:integrated_case_management", 5},
    {"employed", "pathway:social_entrepreneurship", 1},
    {"employed", "pathway:other", 0},
    {"still_employed", "months:3", 2},
    {"still_employed", "months:6", 1},
    {"still_employed", "months:12", 0},
};
#define EXPECTED_COUNT (sizeof(expected) / sizeof(expected[0]))

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "report", NULL);
}

static int group_teardown(void **state)
{
    spona_client_close(lead);
    spona_client_close(grad);
    spona_client_close(zzz);
    spona_client_close(nesig);
    for (int i = 0; i < PERSONS; i++) {
        free(person_ids[i]);
        free(case_ids[i]);
    }
    if (baseline != NULL)
        envelope_free_response(baseline);
    if (after != NULL)
        envelope_free_response(after);
    return itest_group_teardown(state);
}

/* --- requests and answers ------------------------------------------------------------------- */

static spona_response *report(struct spona_client *client, const char *from, const char *to)
{
    Spona__V1__ReportRequest body;
    spona__v1__report_request__init(&body);
    body.from = M(from);
    body.to = M(to);
    spona_request request;
    spona__v1__request__init(&request);
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_REPORT;
    request.report = &body;
    return idata_call(client, &request);
}

static spona_response *report_ok(struct spona_client *client, const char *from, const char *to,
                                 const char *what)
{
    spona_response *r = report(client, from, to);
    idata_expect_what(r, OK, what);
    assert_int_equal(r->body_case, SPONA__V1__RESPONSE__BODY_REPORT);
    assert_string_equal(r->report->municipality_code, "testgrad");
    assert_int_equal(r->report->protocol_version, 2);
    return r;
}

/* The value of a row, or NULL when the report has none. */
static const char *row_value(const Spona__V1__ReportResponse *answer, const char *indicator,
                             const char *breakdown)
{
    for (size_t i = 0; i < answer->n_rows; i++)
        if (strcmp(answer->rows[i]->indicator, indicator) == 0 &&
            strcmp(answer->rows[i]->breakdown, breakdown) == 0)
            return answer->rows[i]->value;
    return NULL;
}

/* A count of the lead's report (a row that is missing counts 0); asserts it is a number. */
static long row_count(const Spona__V1__ReportResponse *answer, const char *indicator,
                      const char *breakdown)
{
    const char *value = row_value(answer, indicator, breakdown);
    if (value == NULL)
        return 0;
    char *end;
    long count = strtol(value, &end, 10);
    if (*value == '\0' || *end != '\0') {
        print_error("%s/%s: '%s' is not a count\n", indicator, breakdown, value);
        fail();
    }
    return count;
}

static char *pg_text(PGconn *pg, const char *sql)
{
    return idata_pg_value(pg, sql, 0, NULL);
}

/* --- the fixture -------------------------------------------------------------------------- */

static void test_login_and_dates(void **state)
{
    (void)state;
    lead = idata_login(&server, "csr", "vesna");
    grad = idata_login(&server, "grad", "goran");
    zzz = idata_login(&server, "zzz", "zana");
    nesig = idata_login(&server, "nesig", "nikola");
    PGconn *pg = idata_pg_connect("postgres");
    char *text = pg_text(pg, "SELECT to_char(current_date, 'YYYY-MM-DD')");
    snprintf(today, sizeof(today), "%s", text);
    free(text);
    text = pg_text(pg, "SELECT to_char(current_date - 1, 'YYYY-MM-DD')");
    snprintf(yesterday, sizeof(yesterday), "%s", text);
    free(text);
    PQfinish(pg);
    year = atoi(today);
    baseline = report_ok(lead, "", "", "report by the lead before the fixture");
    assert_false(baseline->report->suppressed_view);
}

static char *outcome(const char *case_id, const char *kind, const char *pathway,
                     const char *certificate)
{
    Spona__V1__OutcomeRecordRequest body;
    spona__v1__outcome_record_request__init(&body);
    body.case_id = M(case_id);
    body.kind = M(kind);
    body.occurred_on = M(today);
    body.pathway = M(pathway != NULL ? pathway : "");
    body.certificate = M(certificate != NULL ? certificate : "");
    if (strcmp(kind, "employed") == 0) {
        body.employer = M("Izvještajna d.o.o.");
        body.contract_type = M("permanent");
    }
    spona_response *r = idata_outcome_record(lead, &body);
    idata_expect_what(r, OK, kind);
    char *id = strdup(r->outcome_record->outcome_id);
    envelope_free_response(r);
    return id;
}

static void follow_up(const char *outcome_id, uint32_t months, int still)
{
    spona_response *r = idata_follow_up_record(lead, outcome_id, months, today, still, "");
    idata_expect_what(r, OK, "follow_up_record");
    envelope_free_response(r);
}

static void answer_referral(const char *referral_id, const char *answer)
{
    spona_response *r = NULL;
    if (strcmp(answer, "accept") == 0) {
        r = idata_referral_accept(zzz, referral_id);
    } else {
        uint64_t version = idata_row_version("referrals", referral_id);
        r = strcmp(answer, "decline") == 0
                ? idata_referral_decline(zzz, referral_id, version, "Nema mjesta u programu.")
                : idata_referral_complete(zzz, referral_id, version, "Program završen.");
    }
    idata_expect_what(r, OK, answer);
    envelope_free_response(r);
}

static void test_fixture(void **state)
{
    (void)state;
    static const struct idata_domain domains[] = {{"work_history", 3, ""}, {NULL, 0, NULL}};
    for (int i = 0; i < PERSONS; i++) {
        const struct fixture_person *f = &fixture[i];
        char birth[16];
        snprintf(birth, sizeof(birth), "%04d-07-01", year - f->age);
        const char *pairs[12] = {"first_name", f->first, "last_name", f->last};
        int n = 4;
        if (f->sex != NULL) {
            pairs[n++] = "sex";
            pairs[n++] = f->sex;
        }
        if (f->age != 0) {
            pairs[n++] = "birth_date";
            pairs[n++] = birth;
        }
        if (f->rural != NULL) {
            pairs[n++] = "rural";
            pairs[n++] = f->rural;
        }
        pairs[n] = NULL;
        person_ids[i] = idata_person_create_ok(lead, pairs);
        case_ids[i] = idata_case_open_ok(lead, person_ids[i]);
        if (i < 5) { /* assessed: persons 0-4 */
            spona_response *r = idata_assessment_record(lead, case_ids[i], today, domains, "");
            idata_expect_what(r, OK, "assessment_record");
            envelope_free_response(r);
        }
        if (i < 6) { /* a plan: persons 0-5 */
            spona_response *r = idata_plan_add_goal(lead, case_ids[i], 0, 1, "Zaposlenje", "");
            idata_expect_what(r, OK, "plan_change");
            envelope_free_response(r);
        }
    }
    /* referrals: to the bureau for persons 0-5 (0-4 accepted, 5 declined, 0 completed);
     * to the school for persons 0 and 1 (1 overdue since yesterday) */
    for (int i = 0; i < 6; i++) {
        char *id = idata_referral_create_ok(lead, case_ids[i], "testgrad.zzz", "Obuka", "");
        answer_referral(id, i < 5 ? "accept" : "decline");
        if (i == 0)
            answer_referral(id, "complete");
        free(id);
    }
    free(idata_referral_create_ok(lead, case_ids[0], "testgrad.skola", "Kurs", ""));
    free(idata_referral_create_ok(lead, case_ids[1], "testgrad.skola", "Kurs", yesterday));

    /* outcomes: employed 0-4 (integrated case management) and 5 (social
     * entrepreneurship); follow-ups 3 months for 0, 1 (still employed) and 2 (not), 6
     * months for 0 */
    for (int i = 0; i < 6; i++) {
        char *id = outcome(case_ids[i], "employed",
                           i < 5 ? "integrated_case_management" : "social_entrepreneurship",
                           NULL);
        if (i <= 2)
            follow_up(id, 3, i < 2);
        if (i == 0)
            follow_up(id, 6, 1);
        free(id);
    }
    free(outcome(case_ids[0], "in_training", NULL, NULL));
    free(outcome(case_ids[6], "in_training", NULL, NULL));
    free(outcome(case_ids[0], "training_completed", NULL, "Uvjerenje 1/2026"));
    free(outcome(case_ids[6], "self_employed", "other", NULL));
    free(outcome(case_ids[0], "left_benefits", NULL, NULL));
    free(outcome(case_ids[1], "left_benefits", NULL, NULL));
    free(outcome(case_ids[6], "dropped_out", NULL, NULL));
}

/* --- the lead's figures ------------------------------------------------------------------------ */

static void test_lead_counts(void **state)
{
    (void)state;
    after = report_ok(lead, "", "", "report by the lead after the fixture");
    const Spona__V1__ReportResponse *a = after->report, *b = baseline->report;
    assert_false(a->suppressed_view);
    assert_string_equal(a->from, b->from);
    assert_string_equal(a->to, b->to);
    for (size_t i = 0; i < EXPECTED_COUNT; i++) {
        const struct expected *e = &expected[i];
        assert_non_null(row_value(a, e->indicator, e->breakdown));
        long added = row_count(a, e->indicator, e->breakdown) -
                     row_count(b, e->indicator, e->breakdown);
        if (added != e->added) {
            print_error("%s/%s: the fixture added %ld, expected %ld\n", e->indicator,
                        e->breakdown, added, e->added);
            fail();
        }
    }
    /* every row is one of the fixed set above, a referral institution or the median */
    for (size_t i = 0; i < a->n_rows; i++) {
        const Spona__V1__IndicatorRow *row = a->rows[i];
        int known = strcmp(row->indicator, "median_days_to_employment") == 0 ||
                    (strcmp(row->indicator, "referred") == 0 &&
                     strncmp(row->breakdown, "institution:testgrad.", 21) == 0);
        for (size_t e = 0; !known && e < EXPECTED_COUNT; e++)
            known = strcmp(row->indicator, expected[e].indicator) == 0 &&
                    strcmp(row->breakdown, expected[e].breakdown) == 0;
        if (!known) {
            print_error("unexpected row %s/%s\n", row->indicator, row->breakdown);
            fail();
        }
    }
}

static int compare_days(const void *x, const void *y)
{
    long a = *(const long *)x, b = *(const long *)y;
    return (a > b) - (a < b);
}

/* The median days from case opening to first employment, from the raw rows. */
static void test_lead_median(void **state)
{
    (void)state;
    PGconn *pg = idata_pg_connect("postgres");
    const char *params[] = {after->report->from, after->report->to};
    PGresult *rows = idata_pg(pg, PGRES_TUPLES_OK,
                              "SELECT c.person_id, o.occurred_on, c.opened_at::date"
                              "  FROM outcomes o JOIN cases c ON c.id = o.case_id"
                              "  JOIN municipalities m ON m.id = o.municipality_id"
                              " WHERE m.code = 'testgrad' AND o.kind = 'employed'"
                              "   AND o.occurred_on BETWEEN $1::date AND $2::date"
                              " ORDER BY c.person_id, o.occurred_on",
                              2, params);
    int count = PQntuples(rows), persons = 0;
    long *days = calloc((size_t)count + 1, sizeof(*days));
    assert_non_null(days);
    for (int i = 0; i < count; i++) {
        if (i > 0 && strcmp(PQgetvalue(rows, i, 0), PQgetvalue(rows, i - 1, 0)) == 0)
            continue; /* the person's first employment only */
        const char *pair[] = {PQgetvalue(rows, i, 1), PQgetvalue(rows, i, 2)};
        char *diff = idata_pg_value(pg, "SELECT $1::date - $2::date", 2, pair);
        days[persons++] = strtol(diff, NULL, 10);
        free(diff);
    }
    PQclear(rows);
    PQfinish(pg);
    assert_int_equal(persons, row_count(after->report, "employed", "all"));
    qsort(days, (size_t)persons, sizeof(*days), compare_days);
    assert_true(persons >= 6);
    double median = persons % 2 == 1 ? (double)days[persons / 2]
                                     : (days[persons / 2 - 1] + days[persons / 2]) / 2.0;
    free(days);
    char want[32];
    snprintf(want, sizeof(want), "%.1f", median);
    const char *got = row_value(after->report, "median_days_to_employment", "all");
    assert_non_null(got);
    assert_string_equal(got, want);
}

/* --- the coordinator --------------------------------------------------------------------------- */

static void test_coordinator_suppressed(void **state)
{
    (void)state;
    spona_response *r = report_ok(grad, "", "", "report by the coordinator");
    const Spona__V1__ReportResponse *c = r->report, *l = after->report;
    assert_true(c->suppressed_view);
    assert_int_equal(c->n_rows, l->n_rows);
    long employed = row_count(l, "employed", "all");
    for (size_t i = 0; i < l->n_rows; i++) {
        assert_string_equal(c->rows[i]->indicator, l->rows[i]->indicator);
        assert_string_equal(c->rows[i]->breakdown, l->rows[i]->breakdown);
        long base = strcmp(l->rows[i]->indicator, "median_days_to_employment") == 0
                        ? employed
                        : strtol(l->rows[i]->value, NULL, 10);
        const char *want = base >= 1 && base <= 4 ? "<5" : l->rows[i]->value;
        if (strcmp(c->rows[i]->value, want) != 0) {
            print_error("%s/%s: coordinator sees '%s', lead '%s'\n", c->rows[i]->indicator,
                        c->rows[i]->breakdown, c->rows[i]->value, l->rows[i]->value);
            fail();
        }
    }
    envelope_free_response(r);
}

static void expect_refused(spona_status status, const char *from, const char *to,
                           const char *what)
{
    spona_response *r = report(grad, from, to);
    idata_expect_what(r, status, what);
    assert_int_not_equal(r->body_case, SPONA__V1__RESPONSE__BODY_REPORT);
    envelope_free_response(r);
}

static void test_coordinator_cannot_narrow(void **state)
{
    (void)state;
    PGconn *pg = idata_pg_connect("postgres");
    char *month_start = pg_text(pg, "SELECT to_char(date_trunc('month', current_date),"
                                    " 'YYYY-MM-DD')");
    char *month_end = pg_text(pg, "SELECT to_char(date_trunc('month', current_date)"
                                  " + interval '1 month - 1 day', 'YYYY-MM-DD')");
    char *mid_month = pg_text(pg, "SELECT to_char(date_trunc('month', current_date)"
                                  " + interval '14 days', 'YYYY-MM-DD')");
    char *second = pg_text(pg, "SELECT to_char(date_trunc('month', current_date)"
                               " - interval '1 month' + interval '1 day', 'YYYY-MM-DD')");
    PQfinish(pg);

    expect_refused(DENIED, today, today, "one day");
    expect_refused(DENIED, yesterday, today, "two days");
    expect_refused(DENIED, month_start, mid_month, "half a month");
    expect_refused(DENIED, second, month_end, "a month and a bit, not from the 1st");
    expect_refused(INVALID, month_end, month_start, "to before from");
    expect_refused(INVALID, "2026-02-30", "", "no such day");
    expect_refused(INVALID, "", "2026-13-31", "no such month");
    expect_refused(INVALID, "yesterday", "", "not a date");
    expect_refused(INVALID, "' OR 1=1 --", "", "not a date either");

    /* a whole month is fine; the lead may ask for one day */
    spona_response *r = report_ok(grad, month_start, month_end, "this month, coordinator");
    assert_true(r->report->suppressed_view);
    envelope_free_response(r);
    r = report_ok(lead, today, today, "one day, lead");
    assert_false(r->report->suppressed_view);
    assert_true(row_count(r->report, "persons_in_case_management", "all") >= PERSONS);
    envelope_free_response(r);
    free(month_start);
    free(month_end);
    free(mid_month);
    free(second);
}

/* Whether text holds something shaped like a UUID. */
static int has_uuid(const uint8_t *bytes, size_t length)
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    size_t n = sizeof(shape) - 1;
    for (size_t start = 0; start + n <= length; start++) {
        size_t i = 0;
        while (i < n && (shape[i] == '-' ? bytes[start + i] == '-' : isxdigit(bytes[start + i])))
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

static int contains(const uint8_t *bytes, size_t length, const char *text)
{
    size_t n = strlen(text);
    for (size_t start = 0; start + n <= length; start++)
        if (memcmp(bytes + start, text, n) == 0)
            return 1;
    return 0;
}

/* No answer, lead's or coordinator's, carries an id or a name of the fixture. */
static void test_no_person_in_answers(void **state)
{
    (void)state;
    spona_response *answers[] = {after, report_ok(grad, "", "", "coordinator again")};
    for (size_t a = 0; a < 2; a++) {
        size_t length = protobuf_c_message_get_packed_size(&answers[a]->base);
        uint8_t *bytes = malloc(length + 1);
        assert_non_null(bytes);
        protobuf_c_message_pack(&answers[a]->base, bytes);
        assert_false(has_uuid(bytes, length));
        for (int i = 0; i < PERSONS; i++) {
            assert_false(contains(bytes, length, person_ids[i]));
            assert_false(contains(bytes, length, case_ids[i]));
            assert_false(contains(bytes, length, fixture[i].last));
        }
        assert_false(contains(bytes, length, "Izvje"));
        free(bytes);
    }
    envelope_free_response(answers[1]);
}

static void test_no_clause_denied(void **state)
{
    (void)state;
    spona_response *r = report(zzz, "", "");
    idata_expect_what(r, DENIED, "report by the employment bureau");
    assert_non_null(strstr(r->message, "aggregates"));
    envelope_free_response(r);
    r = report(nesig, "", "");
    idata_expect_what(r, DENIED, "report by a non-signatory");
    envelope_free_response(r);
}

/* The coordinator's last report (OK) and the bureau's refusal are audited, no person. */
static void test_audit(void **state)
{
    (void)state;
    PGconn *pg = idata_pg_connect("postgres");
    static const char sql[] =
        "SELECT array_to_string(a.disclosed, ',') || '|' || array_to_string(a.denied, ',')"
        "       || '|' || (a.person_id IS NULL AND a.case_id IS NULL) || '|' || a.outcome"
        "       || '|' || array_to_string(a.clauses, ',')"
        "  FROM audit_log a JOIN institutions i ON i.id = a.institution_id"
        " WHERE i.code = $1 AND a.action = 'report' ORDER BY a.seq DESC LIMIT 1";
    const char *grad_code[] = {"testgrad.grad"}, *zzz_code[] = {"testgrad.zzz"};
    char *text = idata_pg_value(pg, sql, 1, grad_code);
    assert_string_equal(text, "aggregates||true|ok|11");
    free(text);
    text = idata_pg_value(pg, sql, 1, zzz_code);
    assert_string_equal(text, "|aggregates|true|denied|");
    free(text);
    PQfinish(pg);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_and_dates),
        cmocka_unit_test(test_fixture),
        cmocka_unit_test(test_lead_counts),
        cmocka_unit_test(test_lead_median),
        cmocka_unit_test(test_coordinator_suppressed),
        cmocka_unit_test(test_coordinator_cannot_narrow),
        cmocka_unit_test(test_no_person_in_answers),
        cmocka_unit_test(test_no_clause_denied),
        cmocka_unit_test(test_audit),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
