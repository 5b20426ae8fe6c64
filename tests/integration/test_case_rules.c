/*
 * Integration test: the rules of the case workflow (docs/cases.md) on the test
 * protocol (testgrad v2): every invalid lifecycle transition is FAILED_PRECONDITION
 * naming the allowed ones; only the lead moves the stage; reopen from closed; a
 * stale expected_version is CONFLICT naming the current version (case, plan,
 * referral, person); a partner sets the status of its own plan measures only;
 * follow-ups are one per month mark; overdue referrals for the lead (with the case)
 * and the coordinator (counts only); the partner's inbox; and bad dates, kinds,
 * ratings, stages and ids are INVALID_ARGUMENT naming the field; a write retried with
 * its idempotency key (case_advance, note_add) is applied once.
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
#define OK SPONA__V1__STATUS__OK

static struct itest_server server;
static struct spona_client *lead, *zzz, *skola, *grad, *csr2;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "case_rules", NULL);
}

static int group_teardown(void **state)
{
    spona_client_close(lead);
    spona_client_close(zzz);
    spona_client_close(skola);
    spona_client_close(grad);
    spona_client_close(csr2);
    return itest_group_teardown(state);
}

static void test_log_in(void **state)
{
    (void)state;
    lead = idata_login(&server, "csr", "vlado");
    zzz = idata_login(&server, "zzz", "zoran");
    skola = idata_login(&server, "skola", "sanja");
    grad = idata_login(&server, "grad", "goran");
    csr2 = idata_login(&server, "csr2", "emir");
}

static const char *const stages[] = {"intake", "assessment", "planning", "implementation",
                                     "review", NULL};

struct rcase {
    char *person_id;
    char *case_id;
};

static void new_case(struct rcase *c)
{
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Pravilo", "last_name", "Testno", "jmbg", jmbg, NULL};
    c->person_id = idata_person_create_ok(lead, pairs);
    c->case_id = idata_case_open_ok(lead, c->person_id);
}

static void free_case(struct rcase *c)
{
    free(c->person_id);
    free(c->case_id);
}

/* The version case_get shows the lead (what case_advance/close/reopen expect). */
static uint64_t case_version(const struct rcase *c)
{
    spona_response *r = idata_case_get(lead, c->case_id);
    idata_expect_what(r, OK, "case_get");
    uint64_t version = r->case_get->version;
    envelope_free_response(r);
    assert_int_equal(version, idata_row_version("cases", c->case_id));
    return version;
}

static void advance_ok(const struct rcase *c, const char *to)
{
    spona_response *r = idata_case_advance(lead, c->case_id, case_version(c), to);
    char what[64];
    snprintf(what, sizeof(what), "case_advance to %s", to);
    idata_expect_what(r, OK, what);
    assert_string_equal(r->case_advance->stage, to);
    envelope_free_response(r);
}

/* A fresh case moved forward to stage. */
static void case_at(struct rcase *c, const char *stage)
{
    new_case(c);
    for (size_t i = 1; stages[i - 1] != NULL && strcmp(stages[i - 1], stage) != 0; i++)
        advance_ok(c, stages[i]);
}

/* Asserts status and that the message contains want (when not NULL). */
static void expect_status(spona_response *r, spona_status status, const char *want,
                          const char *what)
{
    idata_expect_what(r, status, what);
    if (want != NULL && strstr(r->message, want) == NULL)
        fail_msg("%s: %s message '%s' does not say '%s'", what, envelope_status_name(status),
                 r->message, want);
    envelope_free_response(r);
}

/* The allowed advances from each stage (besides closed, which case_close does). */
static int advance_allowed(size_t from, size_t to)
{
    return to == from + 1 || (from == 4 && to == 3);
}

static void test_every_invalid_transition(void **state)
{
    (void)state;
    for (size_t from = 0; stages[from] != NULL; from++) {
        struct rcase c;
        case_at(&c, stages[from]);
        for (size_t to = 0; stages[to] != NULL; to++) {
            if (advance_allowed(from, to))
                continue;
            spona_response *r = idata_case_advance(lead, c.case_id, case_version(&c),
                                                   stages[to]);
            char what[96];
            snprintf(what, sizeof(what), "case_advance from %s to %s", stages[from],
                     stages[to]);
            idata_expect_what(r, SPONA__V1__STATUS__FAILED_PRECONDITION, what);
            /* names every allowed target: the advances, and closed */
            for (size_t ok = 0; stages[ok] != NULL; ok++)
                if (advance_allowed(from, ok) && strstr(r->message, stages[ok]) == NULL)
                    fail_msg("%s: message '%s' does not name the allowed %s", what,
                             r->message, stages[ok]);
            if (strstr(r->message, "closed") == NULL)
                fail_msg("%s: message '%s' does not name the allowed closed", what,
                         r->message);
            envelope_free_response(r);
        }
        /* the refusals changed nothing */
        spona_response *r = idata_case_get(lead, c.case_id);
        idata_expect_what(r, OK, "case_get");
        assert_string_equal(r->case_get->stage, stages[from]);
        envelope_free_response(r);
        /* reopening an open case is no move either */
        r = idata_case_reopen(lead, c.case_id, case_version(&c), "ponovo");
        expect_status(r, SPONA__V1__STATUS__FAILED_PRECONDITION, NULL,
                      "case_reopen of an open case");
        free_case(&c);
    }

    /* from closed: nothing but reopen (to assessment) */
    struct rcase c;
    new_case(&c);
    spona_response *r = idata_case_close(lead, c.case_id, case_version(&c), "moved", "");
    idata_expect_what(r, OK, "case_close from intake");
    assert_string_equal(r->case_close->stage, "closed");
    envelope_free_response(r);
    for (size_t to = 0; stages[to] != NULL; to++) {
        r = idata_case_advance(lead, c.case_id, case_version(&c), stages[to]);
        char what[64];
        snprintf(what, sizeof(what), "case_advance from closed to %s", stages[to]);
        expect_status(r, SPONA__V1__STATUS__FAILED_PRECONDITION, "assessment", what);
    }
    r = idata_case_close(lead, c.case_id, case_version(&c), "other", "");
    expect_status(r, SPONA__V1__STATUS__FAILED_PRECONDITION, NULL, "case_close of a closed case");
    r = idata_case_reopen(lead, c.case_id, case_version(&c), "Ponovo prijavljena na biro.");
    idata_expect_what(r, OK, "case_reopen from closed");
    assert_string_equal(r->case_reopen->stage, "assessment");
    envelope_free_response(r);
    advance_ok(&c, "planning");
    free_case(&c);
}

static void test_only_the_lead_moves_the_stage(void **state)
{
    (void)state;
    struct rcase c;
    new_case(&c);
    idata_refer_and_accept(lead, zzz, c.case_id, "testgrad.zzz");
    uint64_t version = case_version(&c);
    expect_status(idata_case_advance(zzz, c.case_id, version, "assessment"),
                  SPONA__V1__STATUS__PERMISSION_DENIED, "lead", "case_advance by zzz");
    expect_status(idata_case_close(zzz, c.case_id, version, "employed", ""),
                  SPONA__V1__STATUS__PERMISSION_DENIED, NULL, "case_close by zzz");
    /* another lead agency, not on the team, does not even see the case */
    expect_status(idata_case_advance(csr2, c.case_id, version, "assessment"),
                  SPONA__V1__STATUS__NOT_FOUND, "may see", "case_advance by testgrad.csr2");
    expect_status(idata_case_advance(grad, c.case_id, version, "assessment"),
                  SPONA__V1__STATUS__NOT_FOUND, NULL, "case_advance by the coordinator");
    assert_int_equal(case_version(&c), version);
    /* only the lead records an assessment */
    static const struct idata_domain domains[] = {{"work_history", 2, ""}, {NULL, 0, NULL}};
    advance_ok(&c, "assessment");
    expect_status(idata_assessment_record(zzz, c.case_id, "2025-02-01", domains, ""),
                  SPONA__V1__STATUS__PERMISSION_DENIED, NULL, "assessment_record by zzz");
    free_case(&c);
}

/* Asserts CONFLICT naming the current version. */
static void expect_conflict(spona_response *r, uint64_t current, const char *what)
{
    char want[64];
    snprintf(want, sizeof(want), "current version %llu", (unsigned long long)current);
    expect_status(r, SPONA__V1__STATUS__CONFLICT, want, what);
}

static void test_stale_versions_conflict(void **state)
{
    (void)state;
    struct rcase c;
    new_case(&c);
    uint64_t old = case_version(&c);
    advance_ok(&c, "assessment");
    uint64_t current = case_version(&c);
    expect_conflict(idata_case_advance(lead, c.case_id, old, "planning"), current,
                    "case_advance with a stale version");
    expect_conflict(idata_case_close(lead, c.case_id, old, "other", ""), current,
                    "case_close with a stale version");
    advance_ok(&c, "planning");

    /* the plan */
    spona_response *r = idata_plan_add_goal(lead, c.case_id, 0, 1, "Zaposlenje", "2025-12-31");
    idata_expect_what(r, OK, "plan_change: the first plan");
    assert_int_equal(r->plan_change->version, 1);
    envelope_free_response(r);
    expect_conflict(idata_plan_add_goal(lead, c.case_id, 0, 2, "Drugi cilj", "2025-12-31"), 1,
                    "plan_change from version 0 again");
    r = idata_plan_add_goal(lead, c.case_id, 1, 2, "Drugi cilj", "2025-12-31");
    idata_expect_what(r, OK, "plan_change from version 1");
    assert_int_equal(r->plan_change->version, 2);
    envelope_free_response(r);
    expect_conflict(idata_plan_add_goal(lead, c.case_id, 1, 3, "Treći cilj", "2025-12-31"), 2,
                    "plan_change from the stale version 1");
    r = idata_plan_get(lead, c.case_id, 0, 0);
    idata_expect_what(r, OK, "plan_get");
    assert_int_equal(r->plan_get->n_goals, 2);
    envelope_free_response(r);

    /* a referral */
    char *referral = idata_referral_create_ok(lead, c.case_id, "testgrad.zzz",
                                              "job_search_support", "2031-01-31");
    uint64_t rv = idata_row_version("referrals", referral);
    expect_conflict(idata_referral_decline(zzz, referral, rv + 7, "ne"), rv,
                    "referral_decline with a stale version");
    r = idata_referral_accept(zzz, referral);
    idata_expect_what(r, OK, "referral_accept");
    envelope_free_response(r);
    expect_conflict(idata_referral_complete(zzz, referral, rv, "gotovo"),
                    idata_row_version("referrals", referral),
                    "referral_complete with the version before acceptance");
    free(referral);

    /* the person */
    r = idata_person_get(lead, c.person_id);
    idata_expect_what(r, OK, "person_get");
    uint64_t pv = r->person_get->version;
    envelope_free_response(r);
    const char *phone[] = {"phone", "065 1", NULL};
    r = idata_person_update(lead, c.person_id, pv, phone);
    idata_expect_what(r, OK, "person_update");
    uint64_t pcurrent = r->person_update->version;
    envelope_free_response(r);
    expect_conflict(idata_person_update(lead, c.person_id, pv, phone), pcurrent,
                    "person_update with a stale version");
    free_case(&c);
}

static void test_reopen_needs_no_other_open_case(void **state)
{
    (void)state;
    struct rcase c;
    new_case(&c);
    spona_response *r = idata_case_close(lead, c.case_id, case_version(&c), "dropped_out",
                                         "Nije se javljala.");
    idata_expect_what(r, OK, "case_close");
    envelope_free_response(r);
    /* a new case for the same person, then the old one cannot be reopened */
    char *second = idata_case_open_ok(lead, c.person_id);
    r = idata_case_reopen(lead, c.case_id, case_version(&c), "Greška");
    expect_status(r, SPONA__V1__STATUS__CONFLICT, second, "case_reopen with another open case");
    expect_status(idata_case_reopen(lead, c.case_id, case_version(&c), ""),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "reason", "case_reopen without a reason");
    free(second);
    free_case(&c);
}

/* A plan whose measure 1 is zzz's and measure 2 the school's, version 1. */
static void plan_with_two_partners(const struct rcase *c)
{
    Spona__V1__PlanMeasure measures[2];
    Spona__V1__PlanMeasure *list[] = {&measures[0], &measures[1]};
    static const char *const spec[2][2] = {{"job_search_support", "testgrad.zzz"},
                                           {"training", "testgrad.skola"}};
    for (int i = 0; i < 2; i++) {
        spona__v1__plan_measure__init(&measures[i]);
        measures[i].number = (uint32_t)i + 1;
        measures[i].kind = M(spec[i][0]);
        measures[i].responsible_institution_code = M(spec[i][1]);
        measures[i].due_date = M("2025-10-31");
    }
    Spona__V1__PlanGoal goal;
    spona__v1__plan_goal__init(&goal);
    goal.number = 1;
    goal.text = M("Posao");
    goal.target_date = M("2025-12-31");
    Spona__V1__PlanGoal *goals[] = {&goal};
    Spona__V1__PlanChangeRequest body;
    spona__v1__plan_change_request__init(&body);
    body.case_id = c->case_id;
    body.add_goals = goals;
    body.n_add_goals = 1;
    body.add_measures = list;
    body.n_add_measures = 2;
    spona_response *r = idata_plan_change(lead, &body);
    idata_expect_what(r, OK, "plan_change: a plan with two partners' measures");
    assert_int_equal(r->plan_change->version, 1);
    envelope_free_response(r);
}

static void test_partners_set_only_their_own_measures(void **state)
{
    (void)state;
    struct rcase c;
    case_at(&c, "planning");
    plan_with_two_partners(&c);
    idata_refer_and_accept(lead, zzz, c.case_id, "testgrad.zzz");

    spona_response *r = idata_plan_measure_status(zzz, c.case_id, 1, 1, "in_progress");
    idata_expect_what(r, OK, "plan_change by zzz: its own measure 1");
    assert_int_equal(r->plan_change->version, 2);
    assert_string_equal(r->plan_change->measures[0]->status, "in_progress");
    assert_string_equal(r->plan_change->measures[1]->status, "planned");
    envelope_free_response(r);
    expect_status(idata_plan_measure_status(zzz, c.case_id, 2, 2, "done"),
                  SPONA__V1__STATUS__PERMISSION_DENIED, NULL,
                  "plan_change by zzz: the school's measure 2");

    /* nor may a partner add goals, measures or set a goal's status */
    expect_status(idata_plan_add_goal(zzz, c.case_id, 2, 2, "Cilj Zavoda", "2025-12-31"),
                  SPONA__V1__STATUS__PERMISSION_DENIED, NULL, "plan_change by zzz: a new goal");
    Spona__V1__PlanGoal achieved;
    spona__v1__plan_goal__init(&achieved);
    achieved.number = 1;
    achieved.status = M("achieved");
    Spona__V1__PlanGoal *statuses[] = {&achieved};
    Spona__V1__PlanChangeRequest body;
    spona__v1__plan_change_request__init(&body);
    body.case_id = c.case_id;
    body.expected_version = 2;
    body.goal_status = statuses;
    body.n_goal_status = 1;
    expect_status(idata_plan_change(zzz, &body), SPONA__V1__STATUS__PERMISSION_DENIED, NULL,
                  "plan_change by zzz: a goal's status");
    /* the school, not on the team, does not see the case at all */
    expect_status(idata_plan_measure_status(skola, c.case_id, 2, 2, "in_progress"),
                  SPONA__V1__STATUS__NOT_FOUND, NULL, "plan_change by the school off the team");
    /* the refusals left the plan as it was; the lead may set any status */
    r = idata_plan_measure_status(lead, c.case_id, 2, 2, "cancelled");
    idata_expect_what(r, OK, "plan_change by the lead: the school's measure");
    assert_int_equal(r->plan_change->version, 3);
    assert_int_equal(r->plan_change->n_goals, 1);
    envelope_free_response(r);
    free_case(&c);
}

static char *record_employed(struct spona_client *client, const struct rcase *c)
{
    Spona__V1__OutcomeRecordRequest body;
    spona__v1__outcome_record_request__init(&body);
    body.case_id = c->case_id;
    body.kind = M("employed");
    body.occurred_on = M("2025-04-01");
    body.employer = M("Pekara Klas");
    body.contract_type = M("permanent");
    body.pathway = M("integrated_case_management");
    spona_response *r = idata_outcome_record(client, &body);
    idata_expect_what(r, OK, "outcome_record employed");
    char *id = strdup(r->outcome_record->outcome_id);
    assert_non_null(id);
    envelope_free_response(r);
    return id;
}

static void test_follow_ups_once_per_mark(void **state)
{
    (void)state;
    struct rcase c;
    case_at(&c, "implementation");
    char *outcome = record_employed(lead, &c);
    spona_response *r = idata_follow_up_record(lead, outcome, 3, "2025-07-01", 1, "");
    idata_expect_what(r, OK, "follow_up_record at 3 months");
    envelope_free_response(r);
    expect_status(idata_follow_up_record(lead, outcome, 3, "2025-07-02", 0, "opet"),
                  SPONA__V1__STATUS__CONFLICT, NULL, "a second follow-up at 3 months");
    r = idata_follow_up_record(lead, outcome, 6, "2025-10-01", 1, "");
    idata_expect_what(r, OK, "follow_up_record at 6 months");
    assert_int_equal(r->follow_up_record->n_follow_ups, 2);
    envelope_free_response(r);
    expect_status(idata_follow_up_record(lead, outcome, 4, "2025-08-01", 1, ""),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "months", "follow-up at 4 months");
    expect_status(idata_follow_up_record(lead, outcome, 12, "2025-13-01", 1, ""),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "checked_on", "follow-up on a bad date");
    expect_status(idata_follow_up_record(lead, outcome, 12, "2025-03-01", 1, ""),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "checked_on",
                  "follow-up checked before the outcome's date");
    expect_status(idata_follow_up_record(grad, outcome, 12, "2026-04-01", 1, ""),
                  SPONA__V1__STATUS__NOT_FOUND, NULL, "follow-up by the coordinator");
    free(outcome);
    free_case(&c);
}

/*
 * A closed case takes no more records (FAILED_PRECONDITION, reopen it first), whoever
 * writes and whatever the record; an employment outcome's follow-ups, which come after
 * the close, are still recorded.
 */
static void test_closed_case_takes_no_records(void **state)
{
    (void)state;
    struct rcase c;
    case_at(&c, "implementation");
    char *outcome = record_employed(lead, &c);
    idata_refer_and_accept(lead, zzz, c.case_id, "testgrad.zzz");
    char *pending = idata_referral_create_ok(lead, c.case_id, "testgrad.zzz", "obuka", "");
    spona_response *r = idata_case_close(lead, c.case_id, case_version(&c), "employed", "");
    idata_expect_what(r, OK, "case_close employed");
    envelope_free_response(r);

    const struct idata_domain domains[] = {{"work_history", 3, ""}, {NULL, 0, NULL}};
    const char *const codes[] = {"testgrad.csr", NULL};
    Spona__V1__OutcomeRecordRequest second;
    spona__v1__outcome_record_request__init(&second);
    second.case_id = c.case_id;
    second.kind = M("in_training");
    second.occurred_on = M("2025-05-01");
    struct {
        spona_response *response;
        const char *what;
    } refused[] = {
        {idata_note_add(lead, c.case_id, "nakon zatvaranja"), "note_add by the lead"},
        {idata_conference_record(lead, c.case_id, "2025-05-02", codes, NULL, "d", "n"),
         "conference_record"},
        {idata_outcome_record(lead, &second), "outcome_record"},
        {idata_assessment_record(lead, c.case_id, "", domains, ""), "assessment_record"},
        {idata_plan_add_goal(lead, c.case_id, 0, 9, "cilj", ""), "plan_change"},
        {idata_referral_create(lead, c.case_id, "testgrad.zzz", "nova"), "referral_create"},
        {idata_referral_accept(zzz, pending), "referral_accept"},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        expect_status(refused[i].response, SPONA__V1__STATUS__FAILED_PRECONDITION,
                      "reopen it first", refused[i].what);

    r = idata_follow_up_record(lead, outcome, 3, "2025-07-01", 1, "");
    idata_expect_what(r, OK, "follow_up_record after the close");
    envelope_free_response(r);
    free(pending);
    free(outcome);
    free_case(&c);
}

static const Spona__V1__ReferralView *find_referral(Spona__V1__ReferralView *const *list,
                                                    size_t count, const char *id)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(list[i]->referral_id, id) == 0)
            return list[i];
    return NULL;
}

static void test_inbox_and_overdue(void **state)
{
    (void)state;
    struct rcase c;
    case_at(&c, "implementation");
    char *late = idata_referral_create_ok(lead, c.case_id, "testgrad.zzz",
                                          "job_search_support", "2020-01-15");
    char *timely = idata_referral_create_ok(lead, c.case_id, "testgrad.zzz", "public_works",
                                            "2031-01-15");

    /* the lead: the overdue one with its case, not the other */
    spona_response *r = idata_overdue(lead);
    idata_expect_what(r, OK, "overdue by the lead");
    const Spona__V1__ReferralView *v = find_referral(r->overdue->referrals,
                                                     r->overdue->n_referrals, late);
    if (v == NULL)
        fail_msg("the lead's overdue list (%zu) lacks referral %s due 2020-01-15",
                 r->overdue->n_referrals, late);
    assert_string_equal(v->case_id, c.case_id);
    assert_string_equal(v->institution_code, "testgrad.zzz");
    assert_string_equal(v->due_date, "2020-01-15");
    assert_true(v->overdue);
    assert_null(find_referral(r->overdue->referrals, r->overdue->n_referrals, timely));
    for (size_t i = 0; i < r->overdue->n_referrals; i++)
        assert_true(r->overdue->referrals[i]->overdue);
    envelope_free_response(r);

    /* the coordinator: counts per institution, no referral, no case */
    r = idata_overdue(grad);
    idata_expect_what(r, OK, "overdue by the coordinator");
    assert_int_equal(r->overdue->n_referrals, 0);
    /* small counts (1-4) are left out, as in the reports (test_case_leaks.c) */
    for (size_t i = 0; i < r->overdue->n_counts; i++)
        assert_true(r->overdue->counts[i]->overdue >= 5);
    envelope_free_response(r);

    /* zzz's inbox: both, the late one marked */
    r = idata_inbox(zzz, 1);
    idata_expect_what(r, OK, "inbox by zzz");
    v = find_referral(r->inbox->referrals, r->inbox->n_referrals, late);
    assert_non_null(v);
    assert_true(v->overdue);
    assert_string_equal(v->status, "sent");
    v = find_referral(r->inbox->referrals, r->inbox->n_referrals, timely);
    assert_non_null(v);
    assert_false(v->overdue);
    for (size_t i = 0; i < r->inbox->n_referrals; i++)
        assert_string_equal(r->inbox->referrals[i]->institution_code, "testgrad.zzz");
    envelope_free_response(r);
    /* nobody else's inbox has them */
    r = idata_inbox(skola, 0);
    idata_expect_what(r, OK, "inbox by the school");
    assert_null(find_referral(r->inbox->referrals, r->inbox->n_referrals, late));
    envelope_free_response(r);

    /* declined: out of the open inbox and of the overdue list */
    r = idata_referral_decline(zzz, late, idata_row_version("referrals", late),
                               "Rok je prošao.");
    idata_expect_what(r, OK, "referral_decline of the late referral");
    envelope_free_response(r);
    r = idata_inbox(zzz, 1);
    idata_expect_what(r, OK, "open inbox by zzz");
    assert_null(find_referral(r->inbox->referrals, r->inbox->n_referrals, late));
    envelope_free_response(r);
    r = idata_inbox(zzz, 0);
    idata_expect_what(r, OK, "whole inbox by zzz");
    v = find_referral(r->inbox->referrals, r->inbox->n_referrals, late);
    assert_non_null(v);
    assert_string_equal(v->status, "declined");
    assert_string_equal(v->reason, "Rok je prošao.");
    envelope_free_response(r);
    r = idata_overdue(lead);
    idata_expect_what(r, OK, "overdue by the lead after the decline");
    assert_null(find_referral(r->overdue->referrals, r->overdue->n_referrals, late));
    envelope_free_response(r);
    /* only the addressee answers: the lead may not, the school off the team sees nothing */
    expect_status(idata_referral_decline(lead, timely, idata_row_version("referrals", timely),
                                         "nije naše"),
                  SPONA__V1__STATUS__PERMISSION_DENIED, "testgrad.zzz",
                  "referral_decline by the lead of a referral to zzz");
    expect_status(idata_referral_decline(skola, timely, idata_row_version("referrals", timely),
                                         "nije naše"),
                  SPONA__V1__STATUS__NOT_FOUND, "may see",
                  "referral_decline by the school, off the team, of a referral to zzz");
    expect_status(idata_referral_complete(zzz, timely, idata_row_version("referrals", timely),
                                          "gotovo"),
                  SPONA__V1__STATUS__CONFLICT, "sent", "referral_complete of a sent referral");
    free(late);
    free(timely);
    free_case(&c);
}

/* Sends a case_advance or a note_add with an idempotency key. */
static spona_response *keyed(struct spona_client *client, const char *key, const char *case_id,
                             uint64_t version, const char *to_stage, const char *note)
{
    spona_request request;
    spona__v1__request__init(&request);
    request.idempotency_key = M(key);
    Spona__V1__CaseAdvanceRequest advance;
    Spona__V1__NoteAddRequest add;
    if (note == NULL) {
        spona__v1__case_advance_request__init(&advance);
        advance.case_id = M(case_id);
        advance.expected_version = version;
        advance.to_stage = M(to_stage);
        request.body_case = SPONA__V1__REQUEST__BODY_CASE_ADVANCE;
        request.case_advance = &advance;
    } else {
        spona__v1__note_add_request__init(&add);
        add.case_id = M(case_id);
        add.text = M(note);
        request.body_case = SPONA__V1__REQUEST__BODY_NOTE_ADD;
        request.note_add = &add;
    }
    return idata_call(client, &request);
}

static void test_retried_writes_apply_once(void **state)
{
    (void)state;
    struct rcase c;
    new_case(&c);
    uint64_t version = case_version(&c);
    char advance_key[37], note_key[37];
    idata_fresh_key(advance_key);
    idata_fresh_key(note_key);
    spona_response *first = keyed(lead, advance_key, c.case_id, version, "assessment", NULL);
    idata_expect_what(first, OK, "case_advance with a key");
    spona_response *n1 = keyed(lead, note_key, c.case_id, 0, NULL, "Jednom upisana bilješka.");
    idata_expect_what(n1, OK, "note_add with a key");

    /* the answers were lost; a new connection retries both with the same keys */
    struct spona_client *again = idata_login(&server, "csr", "vlado");
    spona_response *second = keyed(again, advance_key, c.case_id, version, "assessment", NULL);
    idata_expect_what(second, OK, "case_advance retried with its key");
    assert_string_equal(second->case_advance->stage, "assessment");
    assert_int_equal(case_version(&c), version + 1);
    spona_response *n2 = keyed(again, note_key, c.case_id, 0, NULL, "Jednom upisana bilješka.");
    idata_expect_what(n2, OK, "note_add retried with its key");
    assert_string_equal(n2->note_add->note_id, n1->note_add->note_id);
    PGconn *superuser = idata_pg_connect("postgres");
    const char *p[] = {c.case_id};
    char *notes = idata_pg_value(superuser,
                                 "SELECT count(*) FROM case_notes WHERE case_id = $1::uuid", 1, p);
    char *moves = idata_pg_value(
        superuser, "SELECT count(*) FROM case_stage_changes WHERE case_id = $1::uuid", 1, p);
    assert_string_equal(notes, "1");
    assert_string_equal(moves, "1");
    free(notes);
    free(moves);
    PQfinish(superuser);
    /* without the key the same advance is a new write: a stale version now */
    expect_status(idata_case_advance(again, c.case_id, version, "assessment"),
                  SPONA__V1__STATUS__CONFLICT, NULL, "case_advance repeated without a key");
    envelope_free_response(n2);
    envelope_free_response(second);
    envelope_free_response(n1);
    envelope_free_response(first);
    spona_client_close(again);
    free_case(&c);
}

/* A paper case moved into Spona keeps the day it was opened; never a future day. */
static void test_case_opened_on(void **state)
{
    (void)state;
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Papirna", "last_name", "Testna", "jmbg", jmbg, NULL};
    char *person_id = idata_person_create_ok(lead, pairs);
    Spona__V1__CaseOpenRequest open;
    spona__v1__case_open_request__init(&open);
    open.person_id = person_id;
    spona_request request;
    spona__v1__request__init(&request);
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_OPEN;
    request.case_open = &open;

    open.opened_on = (char *)(uintptr_t) "2099-01-01";
    spona_response *r = idata_call(lead, &request);
    idata_expect(r, SPONA__V1__STATUS__INVALID_ARGUMENT);
    assert_non_null(strstr(r->message, "future"));
    envelope_free_response(r);
    open.opened_on = (char *)(uintptr_t) "2025-13-01";
    r = idata_call(lead, &request);
    idata_expect(r, SPONA__V1__STATUS__INVALID_ARGUMENT);
    envelope_free_response(r);

    open.opened_on = (char *)(uintptr_t) "2025-03-14";
    r = idata_call(lead, &request);
    idata_expect(r, SPONA__V1__STATUS__OK);
    spona_response *shown = idata_case_get(lead, r->case_open->case_id);
    idata_expect(shown, SPONA__V1__STATUS__OK);
    assert_int_equal(strncmp(shown->case_get->opened_at, "2025-03-14", 10), 0);
    envelope_free_response(shown);
    envelope_free_response(r);
    free(person_id);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    struct rcase c;
    case_at(&c, "assessment");
    uint64_t version = case_version(&c);
    expect_status(idata_case_advance(lead, c.case_id, version, "finished"),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "to_stage", "case_advance to 'finished'");
    expect_status(idata_case_close(lead, c.case_id, version, "bored", ""),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "reason", "case_close reason 'bored'");
    expect_status(idata_case_close(lead, c.case_id, version, "", ""),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "reason", "case_close without a reason");

    /* assessment: ratings 1..5, known domains, real dates */
    static const struct {
        struct idata_domain domain;
        const char *date, *want;
    } bad_assessments[] = {
        {{"work_history", 0, ""}, "2025-02-01", "rating"},
        {{"work_history", 6, ""}, "2025-02-01", "rating"},
        {{"luck", 3, ""}, "2025-02-01", "domains[0]: not a domain"},
        {{"work_history", 3, ""}, "2025-02-30", "assessed_on"},
    };
    for (size_t i = 0; i < sizeof(bad_assessments) / sizeof(bad_assessments[0]); i++) {
        struct idata_domain domains[2] = {bad_assessments[i].domain, {NULL, 0, NULL}};
        char what[128];
        snprintf(what, sizeof(what), "assessment_record %s rating %u on '%s'",
                 domains[0].domain, domains[0].rating, bad_assessments[i].date);
        expect_status(idata_assessment_record(lead, c.case_id, bad_assessments[i].date, domains,
                                              ""),
                      SPONA__V1__STATUS__INVALID_ARGUMENT, bad_assessments[i].want, what);
    }
    expect_status(idata_assessment_get(lead, c.case_id, 0), SPONA__V1__STATUS__NOT_FOUND, NULL,
                  "assessment_get when none was recorded");

    /* plan: measure kinds, statuses, dates */
    Spona__V1__PlanMeasure measure;
    spona__v1__plan_measure__init(&measure);
    measure.number = 1;
    measure.kind = M("magic");
    measure.responsible_institution_code = M("testgrad.zzz");
    Spona__V1__PlanMeasure *measures[] = {&measure};
    Spona__V1__PlanChangeRequest body;
    spona__v1__plan_change_request__init(&body);
    body.case_id = c.case_id;
    body.add_measures = measures;
    body.n_add_measures = 1;
    expect_status(idata_plan_change(lead, &body), SPONA__V1__STATUS__INVALID_ARGUMENT, "measure kind: not one of",
                  "plan_change with measure kind 'magic'");
    measure.kind = M("training");
    measure.due_date = M("2025-13-01");
    expect_status(idata_plan_change(lead, &body), SPONA__V1__STATUS__INVALID_ARGUMENT,
                  "due_date", "plan_change with a measure due on 2025-13-01");
    measure.due_date = M("");
    measure.responsible_institution_code = M("testgrad.nepostojeca");
    spona_response *r = idata_plan_change(lead, &body);
    if (r->status != SPONA__V1__STATUS__INVALID_ARGUMENT &&
        r->status != SPONA__V1__STATUS__NOT_FOUND)
        fail_msg("plan_change with an unknown institution: got %s, '%s'",
                 envelope_status_name(r->status), r->message);
    envelope_free_response(r);
    Spona__V1__PlanGoal goal;
    spona__v1__plan_goal__init(&goal);
    goal.number = 1;
    goal.text = M("Cilj");
    goal.target_date = M("31.12.2025");
    Spona__V1__PlanGoal *goals[] = {&goal};
    spona__v1__plan_change_request__init(&body);
    body.case_id = c.case_id;
    body.add_goals = goals;
    body.n_add_goals = 1;
    expect_status(idata_plan_change(lead, &body), SPONA__V1__STATUS__INVALID_ARGUMENT,
                  "target_date", "plan_change with a goal due '31.12.2025'");
    goal.target_date = M("2025-12-31");
    body.review_date = M("2025-02-29");
    expect_status(idata_plan_change(lead, &body), SPONA__V1__STATUS__INVALID_ARGUMENT,
                  "review_date", "plan_change with review date 2025-02-29");
    spona__v1__plan_change_request__init(&body);
    body.case_id = c.case_id;
    expect_status(idata_plan_change(lead, &body), SPONA__V1__STATUS__INVALID_ARGUMENT, NULL,
                  "plan_change that changes nothing");

    /* referral due date; outcome kind, date, pathway, certificate */
    expect_status(idata_referral_create_due(lead, c.case_id, "testgrad.zzz", "x", "2025-13-01"),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "due_date",
                  "referral_create due 2025-13-01");
    Spona__V1__OutcomeRecordRequest outcome;
    spona__v1__outcome_record_request__init(&outcome);
    outcome.case_id = c.case_id;
    outcome.kind = M("rich");
    outcome.occurred_on = M("2025-04-01");
    expect_status(idata_outcome_record(lead, &outcome), SPONA__V1__STATUS__INVALID_ARGUMENT,
                  "kind", "outcome_record kind 'rich'");
    outcome.kind = M("left_benefits");
    outcome.occurred_on = M("yesterday");
    expect_status(idata_outcome_record(lead, &outcome), SPONA__V1__STATUS__INVALID_ARGUMENT,
                  "occurred_on", "outcome_record on 'yesterday'");
    outcome.kind = M("employed");
    outcome.occurred_on = M("2025-04-01");
    outcome.employer = M("Pekara");
    outcome.contract_type = M("permanent");
    outcome.pathway = M("luck");
    expect_status(idata_outcome_record(lead, &outcome), SPONA__V1__STATUS__INVALID_ARGUMENT,
                  "pathway", "outcome_record pathway 'luck'");
    spona__v1__outcome_record_request__init(&outcome);
    outcome.case_id = c.case_id;
    outcome.kind = M("training_completed");
    outcome.occurred_on = M("2025-04-01");
    expect_status(idata_outcome_record(lead, &outcome), SPONA__V1__STATUS__INVALID_ARGUMENT,
                  "certificate", "outcome_record training_completed without a certificate");

    /* conference date and participants */
    const char *const codes[] = {"testgrad.csr", NULL};
    const char *const users[] = {"vlado", NULL};
    expect_status(idata_conference_record(lead, c.case_id, "2025-04-31", codes, users, "d", "n"),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "held_on",
                  "conference_record held 2025-04-31");
    const char *const unknown[] = {"testgrad.nepostojeca", NULL};
    expect_status(idata_conference_record(lead, c.case_id, "2025-04-30", unknown, users, "d",
                                          "n"),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "institution_codes: one is not",
                  "conference_record with an unknown institution");
    expect_status(idata_note_add(lead, c.case_id, ""), SPONA__V1__STATUS__INVALID_ARGUMENT,
                  NULL, "note_add with no text");

    /* ids that are not UUIDs, and unknown ones */
    static const char *const bad_ids[] = {"not-a-uuid", "", "'; DROP TABLE cases; --"};
    for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
        spona_response *answers[] = {
            idata_case_advance(lead, bad_ids[i], 1, "planning"),
            idata_case_close(lead, bad_ids[i], 1, "other", ""),
            idata_assessment_get(lead, bad_ids[i], 0),
            idata_plan_get(lead, bad_ids[i], 0, 0),
            idata_timeline(lead, bad_ids[i]),
            idata_note_add(lead, bad_ids[i], "x"),
            idata_referral_decline(zzz, bad_ids[i], 1, "x"),
            idata_follow_up_record(lead, bad_ids[i], 3, "2025-01-01", 1, ""),
        };
        for (size_t k = 0; k < sizeof(answers) / sizeof(answers[0]); k++) {
            char what[96];
            snprintf(what, sizeof(what), "request %zu with id '%s'", k, bad_ids[i]);
            idata_expect_what(answers[k], SPONA__V1__STATUS__INVALID_ARGUMENT, what);
            envelope_free_response(answers[k]);
        }
    }
    const char *nobody = "00000000-0000-4000-8000-000000000000";
    expect_status(idata_case_advance(lead, nobody, 1, "planning"), SPONA__V1__STATUS__NOT_FOUND,
                  "may see", "case_advance of an unknown case");
    expect_status(idata_timeline(lead, nobody), SPONA__V1__STATUS__NOT_FOUND, NULL,
                  "timeline of an unknown case");
    expect_status(idata_referral_complete(zzz, nobody, 1, "x"), SPONA__V1__STATUS__NOT_FOUND,
                  NULL, "referral_complete of an unknown referral");
    free_case(&c);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_in),
        cmocka_unit_test(test_every_invalid_transition),
        cmocka_unit_test(test_only_the_lead_moves_the_stage),
        cmocka_unit_test(test_stale_versions_conflict),
        cmocka_unit_test(test_reopen_needs_no_other_open_case),
        cmocka_unit_test(test_partners_set_only_their_own_measures),
        cmocka_unit_test(test_follow_ups_once_per_mark),
        cmocka_unit_test(test_closed_case_takes_no_records),
        cmocka_unit_test(test_inbox_and_overdue),
        cmocka_unit_test(test_retried_writes_apply_once),
        cmocka_unit_test(test_case_opened_on),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
