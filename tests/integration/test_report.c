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
 *  - the coordinator (testgrad.grad) gets a quarter that has ended, as released: a
 *    second fixture in an old quarter (2019-Q2, which no other test touches) gives
 *    exactly known figures, which the coordinator sees with 1-4 as "<5" and the cells
 *    that would give those away as "x"; a later entry in that quarter changes the
 *    lead's live figures but not the coordinator's released ones;
 *  - the coordinator cannot choose a period that singles anyone out (one day, a month,
 *    two quarters, a quarter not starting on its 1st, the current quarter), bad dates
 *    are INVALID_ARGUMENT, and no answer contains an id or a name of the fixture;
 *  - institutions without an aggregates clause (the employment bureau, a
 *    non-signatory) are PERMISSION_DENIED; each report is audited without a person;
 *  - through SQL as spona_app (sql/018) the coordinator gets no live figure, no release
 *    of anything but an ended quarter, no raw figure of a release and cannot write one;
 *    a lead agency that leads no case (testgrad.csr2) gets no live figures, by API or
 *    SQL, and once it leads one, each lead's live figures count only its own cases;
 *    the database's suppression decides every cell as report_protect (C) does.
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
#include "report_intervals.h"

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

/* An old quarter that no other test writes into (asserted before the fixture). */
#define QUARTER_FROM "2019-04-01"
#define QUARTER_TO "2019-06-30"
#define QUARTER_PERSONS 8

static char *quarter_cases[QUARTER_PERSONS];
static spona_response *released; /* the coordinator's first answer for the quarter */


/* The fixture: names unique to this test, so that an answer can be searched for them. */
static const struct fixture_person {
    const char *first, *last, *sex; /* sex NULL: not recorded */
    int age;                        /* years before this year; 0: no birth date */
    const char *rural;              /* NULL: not recorded */
    const char *groups;             /* priority groups of testgrad v2; NULL: none */
    int one_time;                   /* 1: a one-time assistance that started today */
} fixture[PERSONS] = {
    {"Izvještajka", "Prvakić", "F", 20, "true", "women_domestic_violence", 1},
    {"Izvještajka", "Drugačić", "F", 30, "true", "women_domestic_violence", 1},
    {"Izvještajka", "Trećakić", "F", 42, "false", "women_domestic_violence,youth_leaving_care", 0},
    {"Izvještajka", "Četvrtić", "F", 60, "true", NULL, 0},
    {"Izvještajko", "Petković", "M", 20, "false", "youth_leaving_care", 0},
    {"Izvještajko", "Šestić", "M", 30, "true", NULL, 0},
    {"Izvještajni", "Sedmić", NULL, 0, NULL, NULL, 0},
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
    {"persons_in_case_management", "group:women_domestic_violence", 3},
    {"persons_in_case_management", "group:youth_leaving_care", 2},
    {"persons_in_case_management", "group:none", 3},
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
    {"employed", "group:women_domestic_violence", 3},
    {"employed", "group:youth_leaving_care", 2},
    {"employed", "group:none", 2},
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
    if (released != NULL)
        envelope_free_response(released);
    for (int i = 0; i < QUARTER_PERSONS; i++)
        free(quarter_cases[i]);
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
    year = atoi(today);
    /* live figures are only for a lead agency that leads a case */
    char *text_count = pg_text(pg, "SELECT count(*) FROM cases c JOIN institutions i"
                                   " ON i.id = c.lead_institution_id WHERE i.code = 'testgrad.csr'");
    if (strcmp(text_count, "0") == 0) {
        const char *pairs[] = {"first_name", "Osnovna", "last_name", "Polazić", NULL};
        char *person = idata_person_create_ok(lead, pairs);
        free(idata_case_open_ok(lead, person));
        free(person);
    }
    free(text_count);
    PQfinish(pg);
    baseline = report_ok(lead, "", "", "report by the lead before the fixture");
    assert_false(baseline->report->suppressed_view);
}

static char *outcome_on(const char *case_id, const char *kind, const char *pathway,
                        const char *occurred_on)
{
    Spona__V1__OutcomeRecordRequest body;
    spona__v1__outcome_record_request__init(&body);
    body.case_id = M(case_id);
    body.kind = M(kind);
    body.occurred_on = M(occurred_on);
    body.pathway = M(pathway != NULL ? pathway : "");
    body.certificate = M(strcmp(kind, "training_completed") == 0 ? "Uvjerenje 1/2026" : "");
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

static char *outcome(const char *case_id, const char *kind, const char *pathway)
{
    return outcome_on(case_id, kind, pathway, today);
}

/*
 * A follow-up checked today of an outcome of today, written as the superuser: the API
 * dates an M-month follow-up M months after its outcome (docs/cases.md, issue 13), and
 * the fixture needs both in the report's period. What is counted is the stored row.
 */
static void follow_up(const char *outcome_id, uint32_t months, int still)
{
    char months_text[16];
    snprintf(months_text, sizeof(months_text), "%u", months);
    const char *params[] = {outcome_id, months_text, still ? "true" : "false", today};
    PGconn *pg = idata_pg_connect("postgres");
    PQclear(idata_pg(pg, PGRES_COMMAND_OK,
                     "INSERT INTO outcome_follow_ups (outcome_id, municipality_id, months,"
                     "                                checked_on, still_employed, note,"
                     "                                recorded_by)"
                     " SELECT o.id, o.municipality_id, $2::int, $4::date, $3::bool, '',"
                     "        o.recorded_by FROM outcomes o WHERE o.id = $1::uuid",
                     4, params));
    PQfinish(pg);
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

/* A benefit period of the person that started on `since` (kind as BenefitPeriod.kind). */
static void benefit(const char *person_id, const char *kind, const char *since)
{
    Spona__V1__BenefitPeriod period;
    spona__v1__benefit_period__init(&period);
    period.kind = M(kind);
    period.since = M(since);
    period.until = M(since);
    period.amount = M("150.00");
    Spona__V1__BenefitAddRequest body;
    spona__v1__benefit_add_request__init(&body);
    body.person_id = M(person_id);
    body.expected_version = idata_row_version("persons", person_id);
    body.benefit = &period;
    spona_request request;
    spona__v1__request__init(&request);
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_BENEFIT_ADD;
    request.benefit_add = &body;
    spona_response *r = idata_call(lead, &request);
    idata_expect_what(r, OK, "benefit_add");
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
        const char *pairs[14] = {"first_name", f->first, "last_name", f->last};
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
        if (f->groups != NULL) {
            pairs[n++] = "priority_groups";
            pairs[n++] = f->groups;
        }
        pairs[n] = NULL;
        person_ids[i] = idata_person_create_ok(lead, pairs);
        case_ids[i] = idata_case_open_ok(lead, person_ids[i]);
        if (f->one_time)
            benefit(person_ids[i], "one_time_assistance", today);
        else if (i == 3)
            benefit(person_ids[i], "cash_assistance", today); /* not counted */
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
                           i < 5 ? "integrated_case_management" : "social_entrepreneurship");
        if (i <= 2)
            follow_up(id, 3, i < 2);
        if (i == 0)
            follow_up(id, 6, 1);
        free(id);
    }
    free(outcome(case_ids[0], "in_training", NULL));
    free(outcome(case_ids[6], "in_training", NULL));
    free(outcome(case_ids[0], "training_completed", NULL));
    free(outcome(case_ids[6], "self_employed", "other"));
    free(outcome(case_ids[0], "left_benefits", NULL));
    free(outcome(case_ids[1], "left_benefits", NULL));
    free(outcome(case_ids[6], "dropped_out", NULL));
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
    char this_year[16];
    snprintf(this_year, sizeof(this_year), "year:%d", year);
    assert_int_equal(row_count(a, "one_time_assistance_recipients", this_year) -
                         row_count(b, "one_time_assistance_recipients", this_year),
                     2);
    /* every row is one of the fixed set above, a referral institution, a year or the median */
    for (size_t i = 0; i < a->n_rows; i++) {
        const Spona__V1__IndicatorRow *row = a->rows[i];
        int known = strcmp(row->indicator, "median_days_to_employment") == 0 ||
                    (strcmp(row->indicator, "one_time_assistance_recipients") == 0 &&
                     strncmp(row->breakdown, "year:", 5) == 0) ||
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

/* Every case event carries its case's person (sql/010: set by a trigger, which also
 * overrides a person_id that an update tries to change). */
static void test_event_persons(void **state)
{
    (void)state;
    PGconn *pg = idata_pg_connect("postgres");
    char *wrong = pg_text(pg, "SELECT (SELECT count(*) FROM assessments t JOIN cases c"
                              "         ON c.id = t.case_id WHERE t.person_id <> c.person_id)"
                              "     + (SELECT count(*) FROM plans t JOIN cases c"
                              "         ON c.id = t.case_id WHERE t.person_id <> c.person_id)"
                              "     + (SELECT count(*) FROM referrals t JOIN cases c"
                              "         ON c.id = t.case_id WHERE t.person_id <> c.person_id)"
                              "     + (SELECT count(*) FROM outcomes t JOIN cases c"
                              "         ON c.id = t.case_id WHERE t.person_id <> c.person_id)"
                              "     + (SELECT count(*) FROM outcome_follow_ups t JOIN outcomes o"
                              "         ON o.id = t.outcome_id WHERE t.person_id <> o.person_id)");
    assert_string_equal(wrong, "0");
    free(wrong);
    const char *params[] = {case_ids[0], person_ids[1]};
    PQclear(idata_pg(pg, PGRES_COMMAND_OK,
                     "UPDATE outcomes SET person_id = $2::uuid WHERE case_id = $1::uuid", 2,
                     params));
    char *person = idata_pg_value(pg, "SELECT DISTINCT person_id FROM outcomes"
                                      " WHERE case_id = $1::uuid", 1, params);
    assert_string_equal(person, person_ids[0]);
    free(person);
    PQfinish(pg);
}

/* --- the coordinator: a released quarter ---------------------------------------------------- */

/* A figure of the quarter: as the lead sees it, and as the coordinator does. Every row
 * not listed is "0" for both. */
static const struct quarter_figure {
    const char *indicator, *breakdown, *lead, *coordinator;
} quarter_figures[] = {
    /* all 8 with F "x" (5 or more) and M "<5" would pin F to 5..7 and M to 1..3: "all"
     * is hidden too, and with it the one non-zero cell of every other dimension */
    {"persons_in_case_management", "all", "8", "x"},
    {"persons_in_case_management", "sex:F", "6", "x"}, /* all - unknown - F would be M */
    {"persons_in_case_management", "sex:M", "2", "<5"},
    {"persons_in_case_management", "age:unknown", "8", "x"},
    {"persons_in_case_management", "area:unknown", "8", "x"},
    {"persons_in_case_management", "group:none", "8", "x"},
    {"assessed", "all", "3", "<5"},
    /* all 6 would pin ICM to 5..6 */
    {"employed", "all", "6", "x"},
    {"employed", "pathway:integrated_case_management", "5", "x"},
    {"employed", "pathway:social_entrepreneurship", "1", "<5"},
    {"employed", "group:none", "6", "x"},
    {"median_days_to_employment", "all", "15.0", "15.0"},
    {"one_time_assistance_recipients", "year:2019", "7", "7"},
};
#define QUARTER_FIGURES (sizeof(quarter_figures) / sizeof(quarter_figures[0]))

/* Asserts every row of a report of the quarter: the listed figures, "0" for the rest
 * (the median of no one: "n/a"); coordinator: the coordinator's column. */
static void expect_quarter(const Spona__V1__ReportResponse *answer, int coordinator,
                           int empty)
{
    assert_string_equal(answer->from, QUARTER_FROM);
    assert_string_equal(answer->to, QUARTER_TO);
    for (size_t i = 0; i < answer->n_rows; i++) {
        const Spona__V1__IndicatorRow *row = answer->rows[i];
        const char *want = strcmp(row->indicator, "median_days_to_employment") == 0 ? "n/a"
                                                                                    : "0";
        for (size_t f = 0; !empty && f < QUARTER_FIGURES; f++)
            if (strcmp(row->indicator, quarter_figures[f].indicator) == 0 &&
                strcmp(row->breakdown, quarter_figures[f].breakdown) == 0)
                want = coordinator ? quarter_figures[f].coordinator : quarter_figures[f].lead;
        if (strcmp(row->value, want) != 0) {
            print_error("%s %s/%s: '%s', expected '%s'\n", coordinator ? "coordinator" : "lead",
                        row->indicator, row->breakdown, row->value, want);
            fail();
        }
    }
}

static char *case_open_on(struct spona_client *client, const char *person_id,
                          const char *opened_on)
{
    Spona__V1__CaseOpenRequest body;
    spona__v1__case_open_request__init(&body);
    body.person_id = M(person_id);
    body.reason = M("predmet iz 2019. prenesen u Sponu");
    body.opened_on = M(opened_on);
    spona_request request;
    spona__v1__request__init(&request);
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_OPEN;
    request.case_open = &body;
    spona_response *r = idata_call(client, &request);
    idata_expect_what(r, OK, "case_open with opened_on");
    char *id = strdup(r->case_open->case_id);
    envelope_free_response(r);
    assert_non_null(id);
    return id;
}

/* Eight persons whose cases were opened on 2019-04-06: six women and two men, three
 * assessed, six employed on 2019-04-21 (five through integrated case management, one
 * through social entrepreneurship), seven with a one-time assistance in April 2019. */
static void test_quarter_fixture(void **state)
{
    (void)state;
    spona_response *r = report_ok(lead, QUARTER_FROM, QUARTER_TO, "the quarter, before");
    expect_quarter(r->report, 0, 1);
    envelope_free_response(r);
    static const struct idata_domain domains[] = {{"work_history", 2, ""}, {NULL, 0, NULL}};
    for (int i = 0; i < QUARTER_PERSONS; i++) {
        char last[32];
        snprintf(last, sizeof(last), "Kvartalić%d", i);
        const char *pairs[] = {"first_name", i < 6 ? "Kvartalka" : "Kvartalko", "last_name",
                               last, "sex", i < 6 ? "F" : "M", NULL};
        char *person = idata_person_create_ok(lead, pairs);
        quarter_cases[i] = case_open_on(lead, person, "2019-04-06");
        if (i < 7)
            benefit(person, "one_time_assistance", "2019-04-02");
        free(person);
        if (i < 3) {
            r = idata_assessment_record(lead, quarter_cases[i], "2019-04-10", domains, "");
            idata_expect_what(r, OK, "assessment_record");
            envelope_free_response(r);
        }
        if (i < 6)
            free(outcome_on(quarter_cases[i], "employed",
                            i < 5 ? "integrated_case_management" : "social_entrepreneurship",
                            "2019-04-21"));
    }
    r = report_ok(lead, QUARTER_FROM, QUARTER_TO, "the quarter, after");
    assert_false(r->report->suppressed_view);
    assert_string_equal(r->report->released_at, "");
    expect_quarter(r->report, 0, 0);
    envelope_free_response(r);
}

/* The coordinator's first request releases the quarter: exact, suppressed figures. */
static void test_coordinator_release(void **state)
{
    (void)state;
    released = report_ok(grad, QUARTER_FROM, QUARTER_TO, "the quarter, coordinator");
    assert_true(released->report->suppressed_view);
    assert_int_equal(strlen(released->report->released_at), 16); /* YYYY-MM-DD HH:MM */
    assert_memory_equal(released->report->released_at, today, 10);
    expect_quarter(released->report, 1, 0);
}

/* A late entry in the quarter moves the lead's live figures, not the release. */
static void test_release_does_not_move(void **state)
{
    (void)state;
    free(outcome_on(quarter_cases[6], "employed", "social_entrepreneurship", "2019-05-15"));
    spona_response *l = report_ok(lead, QUARTER_FROM, QUARTER_TO, "the quarter, lead, later");
    assert_string_equal(row_value(l->report, "employed", "all"), "7");
    assert_string_equal(row_value(l->report, "employed", "pathway:social_entrepreneurship"),
                        "2");
    envelope_free_response(l);
    spona_response *c = report_ok(grad, QUARTER_FROM, QUARTER_TO, "the quarter, again");
    assert_string_equal(c->report->released_at, released->report->released_at);
    assert_int_equal(c->report->n_rows, released->report->n_rows);
    for (size_t i = 0; i < c->report->n_rows; i++) {
        assert_string_equal(c->report->rows[i]->indicator, released->report->rows[i]->indicator);
        assert_string_equal(c->report->rows[i]->breakdown, released->report->rows[i]->breakdown);
        assert_string_equal(c->report->rows[i]->value, released->report->rows[i]->value);
    }
    envelope_free_response(c);
}

/* --- what SQL as spona_app can get (sql/018) ---------------------------------------------- */

/* spona_app with the identity of institution `code`, as the server sets it. */
static PGconn *app_as(const char *code)
{
    PGconn *app = idata_pg_connect("spona_app");
    const char *p[] = {code};
    PQclear(idata_pg(app, PGRES_TUPLES_OK,
                     "SELECT set_config('spona.municipality_id', i.municipality_id::text, false),"
                     "       set_config('spona.institution_id', i.id::text, false)"
                     "  FROM institutions i WHERE i.code = $1",
                     1, p));
    return app;
}

/* Runs sql as app and asserts it fails with SQLSTATE state. */
static void expect_sql_error(PGconn *app, const char *sql, const char *state, const char *what)
{
    PGresult *r = PQexec(app, sql);
    const char *got = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (PQresultStatus(r) != PGRES_FATAL_ERROR || got == NULL || strcmp(got, state) != 0)
        fail_msg("%s: expected SQLSTATE %s, got %s (%s)", what, state, got ? got : "none",
                 PQresStatus(PQresultStatus(r)));
    PQclear(r);
}

/* The coordinator through SQL: no live figure for any period, one day included. */
static void test_sql_coordinator_gets_no_live_figures(void **state)
{
    (void)state;
    PGconn *app = app_as("testgrad.grad");
    expect_sql_error(app, "SELECT * FROM spona_indicators(current_date, current_date, '{}')",
                     "42501", "spona_indicators for one day as the coordinator");
    expect_sql_error(app, "SELECT * FROM spona_indicators('2019-04-01', '2019-06-30', '{}')",
                     "42501", "spona_indicators for the quarter as the coordinator");
    expect_sql_error(app,
                     "SELECT * FROM spona_indicators_over(current_date, current_date, '{}',"
                     " spona_current_municipality(), NULL)",
                     "42501", "spona_indicators_over as spona_app");
    /* a release is one ended quarter, also through SQL */
    expect_sql_error(app,
                     "SELECT * FROM spona_report_release(current_date, current_date, '{}')",
                     "22023", "a one-day release");
    expect_sql_error(app, "SELECT * FROM spona_report_release('2019-04-01', '2019-05-31', '{}')",
                     "22023", "a two-month release");
    PQfinish(app);
}

/* Stored releases hold only what was shown, and spona_app cannot write them. */
static void test_sql_release_holds_only_shown_figures(void **state)
{
    (void)state;
    assert_non_null(released);
    PGconn *app = app_as("testgrad.grad");
    expect_sql_error(app, "SELECT value FROM report_release_rows", "42703",
                     "the raw value of a release");
    expect_sql_error(app, "SELECT base FROM report_release_rows", "42703",
                     "the raw base of a release");
    expect_sql_error(app,
                     "INSERT INTO report_releases (municipality_id, period_from, period_to,"
                     " protocol_version, released_for) VALUES (spona_current_municipality(),"
                     " '2018-01-01', '2018-03-31', 2, spona_current_institution())",
                     "42501", "a release inserted by hand");
    /* what the table holds for the quarter is what the coordinator was answered */
    PGresult *rows = idata_pg(app, PGRES_TUPLES_OK,
                              "SELECT rr.shown FROM report_release_rows rr"
                              "  JOIN report_releases r ON r.id = rr.release_id"
                              " WHERE r.period_from = '" QUARTER_FROM "' ORDER BY rr.n",
                              0, NULL);
    assert_int_equal((size_t)PQntuples(rows), released->report->n_rows);
    for (int i = 0; i < PQntuples(rows); i++)
        assert_string_equal(PQgetvalue(rows, i, 0), released->report->rows[i]->value);
    PQclear(rows);
    /* and the function answers the same */
    rows = idata_pg(app, PGRES_TUPLES_OK,
                    "SELECT value FROM spona_report_release('" QUARTER_FROM "', '" QUARTER_TO
                    "', '{}')",
                    0, NULL);
    assert_int_equal((size_t)PQntuples(rows), released->report->n_rows);
    for (int i = 0; i < PQntuples(rows); i++)
        assert_string_equal(PQgetvalue(rows, i, 0), released->report->rows[i]->value);
    PQclear(rows);
    PQfinish(app);
}

/* A lead agency that leads no case (testgrad.csr2) gets no live figures, by API or SQL. */
static void test_lead_without_cases_refused(void **state)
{
    (void)state;
    PGconn *pg = idata_pg_connect("postgres");
    char *count = pg_text(pg, "SELECT count(*) FROM cases c JOIN institutions i"
                              " ON i.id = c.lead_institution_id WHERE i.code = 'testgrad.csr2'");
    assert_string_equal(count, "0"); /* no test makes testgrad.csr2 lead a case before */
    free(count);
    PQfinish(pg);
    struct spona_client *csr2 = idata_login(&server, "csr2", "emir");
    spona_response *r = report(csr2, "", "");
    idata_expect_what(r, DENIED, "live figures for a lead agency that leads no case");
    assert_non_null(strstr(r->message, "leads no case"));
    envelope_free_response(r);
    r = report(csr2, QUARTER_FROM, QUARTER_TO);
    idata_expect_what(r, DENIED, "a quarter for a lead agency that leads no case");
    envelope_free_response(r);
    spona_client_close(csr2);
    PGconn *app = app_as("testgrad.csr2");
    expect_sql_error(app, "SELECT * FROM spona_indicators('2019-04-01', '2019-06-30', '{}')",
                     "42501", "spona_indicators as a lead agency that leads no case");
    PQfinish(app);
}

/* A second lead agency's case in the quarter: each lead's live figures count only its own. */
static void test_lead_figures_only_over_its_cases(void **state)
{
    (void)state;
    struct spona_client *csr2 = idata_login(&server, "csr2", "emir");
    const char *pairs[] = {"first_name", "Drugaić", "last_name", "Područni", "sex", "M", NULL};
    char *person = idata_person_create_ok(csr2, pairs);
    free(case_open_on(csr2, person, "2019-05-06"));
    free(person);
    spona_response *own = report_ok(csr2, QUARTER_FROM, QUARTER_TO, "csr2's quarter");
    assert_string_equal(row_value(own->report, "persons_in_case_management", "all"), "1");
    assert_string_equal(row_value(own->report, "persons_in_case_management", "sex:M"), "1");
    assert_string_equal(row_value(own->report, "employed", "all"), "0");
    envelope_free_response(own);
    spona_response *csr = report_ok(lead, QUARTER_FROM, QUARTER_TO, "csr's quarter");
    assert_string_equal(row_value(csr->report, "persons_in_case_management", "all"), "8");
    assert_string_equal(row_value(csr->report, "persons_in_case_management", "sex:M"), "2");
    envelope_free_response(csr);
    spona_client_close(csr2);
}

/* The database's suppression (spona_report_protect) decides every cell as the C rules
 * (report_protect) do, on random tables. */
static void test_sql_suppression_matches_the_c_rules(void **state)
{
    (void)state;
    static const char *const indicators[] = {"p", "p", "p", "p", "p", "p", "p", "p", "p",
                                             "e", "e", "e", "e", "m"};
    static const char *const breakdowns[] = {
        "all", "sex:F", "sex:M", "sex:unknown", "age:0-14", "age:50+", "group:a", "group:none",
        "area:rural", "all", "pathway:icm", "pathway:se", "institution:b", "all"};
    enum { CELLS = sizeof(indicators) / sizeof(indicators[0]) };
    PGconn *app = app_as("testgrad.grad");
    unsigned seed = 777;
    for (int round = 0; round < 150; round++) {
        struct report_figure f[CELLS];
        char bases[256] = "{", linked[64] = "{";
        for (int i = 0; i < CELLS; i++) {
            seed = seed * 1103515245u + 12345u;
            f[i] = (struct report_figure){indicators[i], breakdowns[i], (long)((seed >> 16) % 12),
                                          strcmp(indicators[i], "m") != 0, 0};
        }
        /* the totals and complements as true figures would have them */
        f[0].base = f[1].base + f[2].base + f[3].base;
        f[4].base = f[4].base < f[0].base ? f[4].base : f[0].base;
        f[5].base = f[0].base - f[4].base;
        f[6].base = f[6].base < f[0].base ? f[6].base : f[0].base;
        f[7].base = f[0].base - f[6].base;
        f[8].base = f[0].base;
        f[9].base = f[10].base > f[11].base ? f[10].base : f[11].base;
        f[12].base = f[12].base < f[9].base ? f[12].base : f[9].base;
        for (int i = 0; i < CELLS; i++) {
            snprintf(bases + strlen(bases), sizeof(bases) - strlen(bases), "%s%ld",
                     i ? "," : "", f[i].base);
            snprintf(linked + strlen(linked), sizeof(linked) - strlen(linked), "%s%s",
                     i ? "," : "", f[i].linked ? "t" : "f");
        }
        strcat(bases, "}");
        strcat(linked, "}");
        const char *params[] = {"{p,p,p,p,p,p,p,p,p,e,e,e,e,m}",
                                "{all,sex:F,sex:M,sex:unknown,age:0-14,age:50+,group:a,"
                                "group:none,area:rural,all,pathway:icm,pathway:se,"
                                "institution:b,all}",
                                bases, linked};
        char *cells = idata_pg_value(app,
                                     "SELECT spona_report_protect($1::text[], $2::text[],"
                                     " $3::bigint[], $4::boolean[], 5)::text",
                                     4, params);
        report_protect(f, CELLS, 5);
        char c_cells[128] = "{";
        for (int i = 0; i < CELLS; i++)
            snprintf(c_cells + strlen(c_cells), sizeof(c_cells) - strlen(c_cells), "%s%d",
                     i ? "," : "", (int)f[i].cell);
        strcat(c_cells, "}");
        if (strcmp(cells, c_cells) != 0)
            fail_msg("bases %s: SQL %s, C %s", bases, cells, c_cells);
        free(cells);
    }
    PQfinish(app);
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
    char *quarter_start = pg_text(pg, "SELECT to_char(date_trunc('quarter', current_date),"
                                      " 'YYYY-MM-DD')");
    char *quarter_end = pg_text(pg, "SELECT to_char(date_trunc('quarter', current_date)"
                                    " + interval '3 months - 1 day', 'YYYY-MM-DD')");
    char *last_start = pg_text(pg, "SELECT to_char(date_trunc('quarter', current_date)"
                                   " - interval '3 months', 'YYYY-MM-DD')");
    char *last_end = pg_text(pg, "SELECT to_char(date_trunc('quarter', current_date)"
                                 " - interval '1 day', 'YYYY-MM-DD')");
    PQfinish(pg);

    expect_refused(DENIED, today, today, "one day");
    expect_refused(DENIED, yesterday, today, "two days");
    expect_refused(DENIED, "2019-04-01", "2019-04-30", "one month");
    expect_refused(DENIED, "2019-04-01", "2019-09-30", "two quarters");
    expect_refused(DENIED, "2019-01-01", "2019-12-31", "a year");
    expect_refused(DENIED, "2019-02-01", "2019-04-30", "three months, not a quarter");
    expect_refused(DENIED, "2019-04-02", "2019-06-30", "a quarter less a day");
    expect_refused(DENIED, quarter_start, quarter_end, "the quarter that has not ended");
    expect_refused(INVALID, quarter_end, quarter_start, "to before from");
    expect_refused(INVALID, "2026-02-30", "", "no such day");
    expect_refused(INVALID, "", "2026-13-31", "no such month");
    expect_refused(INVALID, "yesterday", "", "not a date");
    expect_refused(INVALID, "' OR 1=1 --", "", "not a date either");

    /* the default is the last quarter that has ended, released; the lead may ask for one
     * day */
    spona_response *r = report_ok(grad, "", "", "the default, coordinator");
    assert_true(r->report->suppressed_view);
    assert_string_equal(r->report->from, last_start);
    assert_string_equal(r->report->to, last_end);
    assert_true(strlen(r->report->released_at) > 0);
    envelope_free_response(r);
    r = report_ok(lead, today, today, "one day, lead");
    assert_false(r->report->suppressed_view);
    assert_true(row_count(r->report, "persons_in_case_management", "all") >= PERSONS);
    envelope_free_response(r);
    free(quarter_start);
    free(quarter_end);
    free(last_start);
    free(last_end);
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
    spona_response *answers[] = {after, released, report_ok(grad, "", "", "coordinator again")};
    for (size_t a = 0; a < 3; a++) {
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
        for (int i = 0; i < QUARTER_PERSONS; i++)
            assert_false(contains(bytes, length, quarter_cases[i]));
        assert_false(contains(bytes, length, "Izvje"));
        assert_false(contains(bytes, length, "Kvartal"));
        free(bytes);
    }
    envelope_free_response(answers[2]);
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
        cmocka_unit_test(test_event_persons),
        cmocka_unit_test(test_quarter_fixture),
        cmocka_unit_test(test_coordinator_release),
        cmocka_unit_test(test_release_does_not_move),
        cmocka_unit_test(test_sql_coordinator_gets_no_live_figures),
        cmocka_unit_test(test_sql_release_holds_only_shown_figures),
        cmocka_unit_test(test_lead_without_cases_refused),
        cmocka_unit_test(test_lead_figures_only_over_its_cases),
        cmocka_unit_test(test_sql_suppression_matches_the_c_rules),
        cmocka_unit_test(test_coordinator_cannot_narrow),
        cmocka_unit_test(test_no_person_in_answers),
        cmocka_unit_test(test_no_clause_denied),
        cmocka_unit_test(test_audit),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
