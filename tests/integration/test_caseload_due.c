/*
 * Integration test: the caseload in one query (issue 13; docs/cases.md "Caseload").
 * On testgrad v2:
 *  - the stored next due date (sql/060, cases.next_due, kept by triggers) follows the
 *    case's records step by step: after a referral due long ago, a plan with a review
 *    date and measures, a measure done, the referral completed, an outcome and its
 *    follow-up, the case closed, the stored date equals the one computed from the
 *    records (spona_case_next_due), case_list shows it, and the overdue filter and
 *    the overdue counts say what the records say;
 *  - paging over the overdue filter and by due date (by_due; pages of 2): every
 *    overdue case once, none that is not, the earliest due date first and none last;
 *    a cursor of one order refused by the other, a due cursor without a date refused;
 *  - six referrals written at once on one case: the stored date is the earliest;
 *  - nobody writes next_due but the triggers (an UPDATE is refused, also the
 *    superuser's);
 *  - one page of the association's (testgrad.ngo, identity only with the person's
 *    consent) list has two persons: the one who consented named, the other hidden,
 *    her name nowhere in the answer, and neither name on the other's row.
 */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idata.h"

#define M(text) IDATA_MUTABLE(text)
#define OK SPONA__V1__STATUS__OK
#define PAST_REFERRAL "2020-03-01"
#define PAST_MEASURE "2021-05-10"
#define FUTURE_REVIEW "2039-01-20"
#define FUTURE_MEASURE "2038-02-02"

static struct itest_server server;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "caseload_due", NULL);
}

static spona_response *case_list_by(struct spona_client *client, const char *scope,
                                    const char *stage, int overdue, uint32_t limit,
                                    const char *after, int by_due)
{
    Spona__V1__CaseListRequest body = SPONA__V1__CASE_LIST_REQUEST__INIT;
    body.scope = M(scope);
    body.stage = M(stage != NULL ? stage : "");
    body.group = M("");
    body.partner = M("");
    body.overdue_only = overdue != 0;
    body.limit = limit;
    body.after = M(after != NULL ? after : "");
    body.by_due = by_due != 0;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_LIST;
    request.case_list = &body;
    return idata_call(client, &request);
}

static spona_response *case_list(struct spona_client *client, const char *scope,
                                 const char *stage, int overdue, uint32_t limit,
                                 const char *after)
{
    return case_list_by(client, scope, stage, overdue, limit, after, 0);
}

/* A row's due date as the by_due order sorts it: none last. */
static const char *due_key(const Spona__V1__CaseListRow *row)
{
    return row->next_due[0] != '\0' ? row->next_due : "9999-99-99";
}

/*
 * The row of case_id in the caller's whole list (pages of 2, every case at most once),
 * copied into *out (next_due, counts); returns whether it was listed.
 */
static int listed_by(struct spona_client *client, const char *case_id, const char *stage,
                     int overdue, int by_due, Spona__V1__CaseListRow *out, char next_due[16])
{
    char after[128] = "", last_due[16] = "";
    int found = 0;
    for (int page = 0; page < 1000; page++) {
        spona_response *r = case_list_by(client, "team", stage, overdue, 2, after, by_due);
        idata_expect_what(r, OK, "case_list");
        for (size_t i = 0; i < r->case_list->n_cases; i++) {
            const Spona__V1__CaseListRow *row = r->case_list->cases[i];
            if (by_due && !row->due_hidden) { /* the earliest first, none last */
                assert_true(strcmp(last_due, due_key(row)) <= 0);
                snprintf(last_due, sizeof(last_due), "%s", due_key(row));
            }
            if (overdue) /* nothing listed as overdue that is not */
                assert_true(row->due_hidden || (row->next_due[0] != '\0' &&
                                                 (row->overdue_referrals > 0 ||
                                                  row->overdue_measures > 0 ||
                                                  row->review_overdue)));
            if (strcmp(row->case_id, case_id) != 0)
                continue;
            assert_false(found);
            found = 1;
            *out = *row;
            snprintf(next_due, 16, "%s", row->next_due);
        }
        snprintf(after, sizeof(after), "%s", r->case_list->next_cursor);
        envelope_free_response(r);
        if (after[0] == '\0')
            return found;
    }
    fail_msg("case_list never ended");
    return 0;
}

static int listed(struct spona_client *client, const char *case_id, const char *stage,
                  int overdue, Spona__V1__CaseListRow *out, char next_due[16])
{
    return listed_by(client, case_id, stage, overdue, 0, out, next_due);
}

/* Asserts the stored next due date of the case equals the computed one and want. */
static void assert_stored_due(const char *case_id, const char *want, const char *what)
{
    PGconn *pg = idata_pg_connect("postgres");
    const char *params[] = {case_id};
    char *stored = idata_pg_value(pg, "SELECT COALESCE(next_due::text, '') FROM cases"
                                      " WHERE id = $1::uuid", 1, params);
    char *computed = idata_pg_value(pg, "SELECT COALESCE(spona_case_next_due($1::uuid)::text,"
                                        " '')", 1, params);
    if (strcmp(stored, computed) != 0 || strcmp(stored, want) != 0)
        fail_msg("%s: next_due stored '%s', computed '%s', expected '%s'", what, stored,
                 computed, want);
    free(stored);
    free(computed);
    PQfinish(pg);
}

/* Checks the case after a step: stored = computed = want; the list and its filter agree. */
static void check_due(struct spona_client *lead, const char *case_id, const char *stage,
                      const char *want, int overdue, const char *what)
{
    assert_stored_due(case_id, want, what);
    Spona__V1__CaseListRow row;
    char next_due[16];
    if (!listed(lead, case_id, stage, 0, &row, next_due))
        fail_msg("%s: the case is not in the lead's list", what);
    assert_string_equal(next_due, want);
    assert_false(row.due_hidden);
    assert_int_equal(row.overdue_referrals > 0 || row.overdue_measures > 0 || row.review_overdue,
                     overdue);
    if (listed(lead, case_id, stage, 1, &row, next_due) != overdue)
        fail_msg("%s: the overdue filter says %d, the records %d", what, !overdue, overdue);
    if (!listed_by(lead, case_id, stage, 0, 1, &row, next_due))
        fail_msg("%s: the case is not in the list by due date", what);
    assert_string_equal(next_due, want);
}

static uint64_t version_of(const char *table, const char *id)
{
    return idata_row_version(table, id);
}

static void advance(struct spona_client *lead, const char *case_id, const char *to)
{
    spona_response *r = idata_case_advance(lead, case_id, version_of("cases", case_id), to);
    idata_expect_what(r, OK, to);
    envelope_free_response(r);
}

/* The plan's version and its two measures' numbers. */
struct plan_at {
    uint32_t version;
    uint32_t number[2];
};

/* A plan with a review date and two measures of the lead: one due long ago, one later. */
static struct plan_at plan_with_measures(struct spona_client *lead, const char *case_id)
{
    Spona__V1__PlanMeasure measures[2];
    Spona__V1__PlanMeasure *list[2] = {&measures[0], &measures[1]};
    const char *due[2] = {PAST_MEASURE, FUTURE_MEASURE};
    for (int i = 0; i < 2; i++) {
        spona__v1__plan_measure__init(&measures[i]);
        measures[i].kind = M("documents");
        measures[i].description = M(i == 0 ? "Lična karta" : "Uvjerenje");
        measures[i].responsible_institution_code = M("testgrad.csr");
        measures[i].due_date = M(due[i]);
    }
    Spona__V1__PlanChangeRequest body;
    spona__v1__plan_change_request__init(&body);
    body.case_id = M(case_id);
    body.add_measures = list;
    body.n_add_measures = 2;
    body.review_date = M(FUTURE_REVIEW);
    spona_response *r = idata_plan_change(lead, &body);
    idata_expect_what(r, OK, "plan_change: review date and two measures");
    assert_int_equal(r->plan_change->n_measures, 2);
    struct plan_at plan = {r->plan_change->version,
                           {r->plan_change->measures[0]->number,
                            r->plan_change->measures[1]->number}};
    envelope_free_response(r);
    return plan;
}

static char *record_outcome(struct spona_client *lead, const char *case_id)
{
    Spona__V1__OutcomeRecordRequest body;
    spona__v1__outcome_record_request__init(&body);
    body.case_id = M(case_id);
    body.kind = M("employed");
    body.occurred_on = M("2025-04-01");
    body.employer = M("Pekara Klas");
    body.contract_type = M("permanent");
    body.pathway = M("integrated_case_management");
    spona_response *r = idata_outcome_record(lead, &body);
    idata_expect_what(r, OK, "outcome_record");
    char *id = strdup(r->outcome_record->outcome_id);
    envelope_free_response(r);
    return id;
}

static void test_stored_due_follows_the_records(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zana = idata_login(&server, "zzz", "zana");
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Rok", "last_name", "Dospijeća", "jmbg", jmbg, NULL};
    char *person = idata_person_create_ok(lead, pairs);
    char *case_id = idata_case_open_ok(lead, person);
    check_due(lead, case_id, NULL, "", 0, "a new case");

    /* a referral due long ago: overdue */
    char *referral = idata_referral_create_ok(lead, case_id, "testgrad.zzz", "posredovanje",
                                              PAST_REFERRAL);
    check_due(lead, case_id, NULL, PAST_REFERRAL, 1, "referral sent, due long ago");
    spona_response *r = idata_referral_accept(zana, referral);
    idata_expect_what(r, OK, "referral_accept");
    envelope_free_response(r);
    check_due(lead, case_id, NULL, PAST_REFERRAL, 1, "referral accepted");

    /* a plan: its review date and measures count, the earliest wins */
    advance(lead, case_id, "assessment");
    advance(lead, case_id, "planning");
    struct plan_at plan = plan_with_measures(lead, case_id);
    check_due(lead, case_id, NULL, PAST_REFERRAL, 1, "plan with measures");

    /* the referral completed: the measure due long ago is next, still overdue */
    r = idata_referral_complete(zana, referral, version_of("referrals", referral), "zaposlen");
    idata_expect_what(r, OK, "referral_complete");
    envelope_free_response(r);
    check_due(lead, case_id, NULL, PAST_MEASURE, 1, "referral completed");

    /* the overdue measure done: the later measure is next, nothing overdue */
    r = idata_plan_measure_status(lead, case_id, plan.version, plan.number[0], "done");
    idata_expect_what(r, OK, "measure done");
    envelope_free_response(r);
    check_due(lead, case_id, NULL, FUTURE_MEASURE, 0, "measure done");

    /* an outcome and its follow-up move no due date */
    advance(lead, case_id, "implementation");
    char *outcome = record_outcome(lead, case_id);
    check_due(lead, case_id, NULL, FUTURE_MEASURE, 0, "outcome recorded");
    r = idata_follow_up_record(lead, outcome, 3, "2025-07-01", 1, "i dalje radi");
    idata_expect_what(r, OK, "follow_up_record");
    envelope_free_response(r);
    check_due(lead, case_id, NULL, FUTURE_MEASURE, 0, "follow-up recorded");

    /* the other measure cancelled: the review date is what is left */
    r = idata_plan_measure_status(lead, case_id, plan.version + 1, plan.number[1],
                                  "cancelled");
    idata_expect_what(r, OK, "measure cancelled");
    envelope_free_response(r);
    check_due(lead, case_id, NULL, FUTURE_REVIEW, 0, "second measure cancelled");

    /* a new referral due long ago, then the case closed: listed under closed, as stored */
    free(referral);
    referral = idata_referral_create_ok(lead, case_id, "testgrad.zzz", "ponovo", PAST_REFERRAL);
    check_due(lead, case_id, NULL, PAST_REFERRAL, 1, "second referral");
    r = idata_case_close(lead, case_id, version_of("cases", case_id), "employed", "");
    idata_expect_what(r, OK, "case_close");
    envelope_free_response(r);
    Spona__V1__CaseListRow row;
    char next_due[16];
    assert_false(listed(lead, case_id, NULL, 0, &row, next_due)); /* open cases only */
    PGconn *pg = idata_pg_connect("postgres");
    const char *params[] = {case_id};
    char *due = idata_pg_value(pg, "SELECT COALESCE(spona_case_next_due($1::uuid)::text, '')",
                               1, params);
    char *late = idata_pg_value(pg, "SELECT COALESCE(spona_case_next_due($1::uuid)"
                                    " < current_date, false)", 1, params);
    check_due(lead, case_id, "closed", due, strcmp(late, "t") == 0, "case closed");
    free(due);
    free(late);
    PQfinish(pg);
    free(outcome);
    free(referral);
    free(case_id);
    free(person);
    spona_client_close(zana);
    spona_client_close(lead);
}

/* Pages of 2 over the overdue filter: each overdue case once, in order, no other. */
static void test_overdue_paging(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vlado");
    char *ids[5];
    for (int i = 0; i < 5; i++) {
        char jmbg[14];
        idata_fresh_jmbg(jmbg);
        const char *pairs[] = {"first_name", "Stranica", "last_name", "Kasni", "jmbg", jmbg,
                               NULL};
        char *person = idata_person_create_ok(lead, pairs);
        ids[i] = idata_case_open_ok(lead, person);
        free(person);
        char *referral = idata_referral_create_ok(lead, ids[i], "testgrad.zzz", "posao",
                                                  i % 2 == 0 ? PAST_REFERRAL : "2040-01-01");
        free(referral);
    }
    for (int i = 0; i < 5; i++) {
        Spona__V1__CaseListRow row;
        char next_due[16];
        assert_int_equal(listed(lead, ids[i], NULL, 1, &row, next_due), i % 2 == 0);
        assert_int_equal(listed_by(lead, ids[i], NULL, 1, 1, &row, next_due), i % 2 == 0);
        assert_true(listed_by(lead, ids[i], NULL, 0, 1, &row, next_due));
        assert_stored_due(ids[i], i % 2 == 0 ? PAST_REFERRAL : "2040-01-01", "paging");
        free(ids[i]);
    }
    /* a cursor of one order is not one of the other; a due cursor must hold a date */
    spona_response *r = case_list(lead, "team", NULL, 0, 1, NULL);
    idata_expect_what(r, OK, "case_list, a page of one");
    char opened_cursor[128];
    snprintf(opened_cursor, sizeof(opened_cursor), "%s", r->case_list->next_cursor);
    envelope_free_response(r);
    r = case_list_by(lead, "team", NULL, 0, 1, NULL, 1);
    idata_expect_what(r, OK, "case_list by due, a page of one");
    char due_cursor[128];
    snprintf(due_cursor, sizeof(due_cursor), "%s", r->case_list->next_cursor);
    assert_non_null(strstr(due_cursor, "due."));
    envelope_free_response(r);
    const struct {
        const char *after;
        int by_due;
    } bad[] = {{opened_cursor, 1}, {due_cursor, 0},
               {"due.2021-02-30.00000000-0000-4000-8000-000000000000", 1},
               {"due.20210210xx.00000000-0000-4000-8000-000000000000", 1},
               {"due.yesterday.00000000-0000-4000-8000-000000000000", 1}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = case_list_by(lead, "team", NULL, 0, 2, bad[i].after, bad[i].by_due);
        idata_expect_what(r, SPONA__V1__STATUS__INVALID_ARGUMENT, bad[i].after);
        assert_non_null(strstr(r->message, "after"));
        assert_null(strstr(r->message, "2021"));
        envelope_free_response(r);
    }
    spona_client_close(lead);
}

/* One of the concurrent writers: a referral of its own due date on the shared case. */
struct writer {
    const char *user;
    const char *case_id;
    char due[11];
    int ok;
};

static void *write_one(void *data)
{
    struct writer *writer = data;
    struct spona_client *client = idata_login(&server, "csr", writer->user);
    spona_response *r = idata_referral_create_due(client, writer->case_id, "testgrad.zzz",
                                                  "istovremeno", writer->due);
    writer->ok = r->status == OK;
    envelope_free_response(r);
    spona_client_close(client);
    return NULL;
}

/* Writers of one case at once take turns on its row: the stored date is the earliest. */
static void test_concurrent_writers(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Istovremen", "last_name", "Rok", "jmbg", jmbg, NULL};
    char *person = idata_person_create_ok(lead, pairs);
    char *case_id = idata_case_open_ok(lead, person);
    struct writer writers[6];
    pthread_t threads[6];
    for (int i = 0; i < 6; i++) {
        writers[i] = (struct writer){.user = i % 2 == 0 ? "vesna" : "vlado", .case_id = case_id};
        snprintf(writers[i].due, sizeof(writers[i].due), "203%d-0%d-1%d", 6 - i, i + 1, i);
    }
    for (int i = 0; i < 6; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, write_one, &writers[i]), 0);
    for (int i = 0; i < 6; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < 6; i++)
        assert_true(writers[i].ok);
    assert_stored_due(case_id, writers[5].due, "six concurrent referrals"); /* 2031-06-15 */
    free(case_id);
    free(person);
    spona_client_close(lead);
}

/* next_due is the triggers': an UPDATE of it is refused, also the superuser's. */
static void test_next_due_kept_by_the_database(void **state)
{
    (void)state;
    PGconn *pg = idata_pg_connect("postgres");
    char *error = idata_pg_error(pg, "UPDATE cases SET next_due = '1999-01-01'"
                                     " WHERE id = (SELECT id FROM cases LIMIT 1)", 0, NULL);
    assert_non_null(strstr(error, "next_due is kept by the database"));
    free(error);
    char *drift = idata_pg_value(pg, "SELECT count(*) FROM cases"
                                     " WHERE next_due IS DISTINCT FROM spona_case_next_due(id)",
                                 0, NULL);
    assert_string_equal(drift, "0"); /* every case of every test so far */
    free(drift);
    PQfinish(pg);
}

/* One page, two persons: the one who consented named, the other hidden and nowhere. */
static void test_names_decided_per_row(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *nada = idata_login(&server, "ngo", "nada");
    const char *last[2] = {"Saglasnić", "Skrivenović"};
    char *cases[2];
    for (int i = 0; i < 2; i++) {
        char jmbg[14];
        idata_fresh_jmbg(jmbg);
        const char *pairs[] = {"first_name", "Jedna", "last_name", last[i], "jmbg", jmbg, NULL};
        char *person = idata_person_create_ok(lead, pairs);
        cases[i] = idata_case_open_ok(lead, person);
        if (i == 0) { /* clause 9: identity with her consent */
            const char *categories[] = {"identity", NULL};
            spona_response *r = idata_consent_grant(lead, person, "testgrad.ngo", categories,
                                                    NULL, NULL);
            idata_expect_what(r, OK, "consent_grant");
            envelope_free_response(r);
        }
        idata_refer_and_accept(lead, nada, cases[i], "testgrad.ngo");
        free(person);
    }
    spona_response *r = case_list(nada, "team", NULL, 0, 200, NULL);
    idata_expect_what(r, OK, "case_list nada");
    int seen = 0;
    for (size_t i = 0; i < r->case_list->n_cases; i++) {
        const Spona__V1__CaseListRow *row = r->case_list->cases[i];
        if (strcmp(row->case_id, cases[0]) == 0) {
            assert_false(row->name_hidden);
            assert_string_equal(row->last_name, last[0]);
            seen |= 1;
        } else if (strcmp(row->case_id, cases[1]) == 0) {
            assert_true(row->name_hidden);
            assert_string_equal(row->first_name, "");
            assert_string_equal(row->last_name, "");
            seen |= 2;
        } else {
            assert_string_not_equal(row->last_name, last[0]);
        }
    }
    assert_int_equal(seen, 3); /* both on one page */
    size_t length = protobuf_c_message_get_packed_size(&r->base);
    uint8_t *bytes = malloc(length);
    assert_non_null(bytes);
    protobuf_c_message_pack(&r->base, bytes);
    assert_null(memmem(bytes, length, last[1], strlen(last[1])));
    free(bytes);
    envelope_free_response(r);
    for (int i = 0; i < 2; i++)
        free(cases[i]);
    spona_client_close(nada);
    spona_client_close(lead);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stored_due_follows_the_records),
        cmocka_unit_test(test_overdue_paging),
        cmocka_unit_test(test_names_decided_per_row),
        cmocka_unit_test(test_concurrent_writers),
        cmocka_unit_test(test_next_due_kept_by_the_database),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, itest_group_teardown);
}
