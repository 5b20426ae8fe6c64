/*
 * Integration test: the rules the workflow owes its users (issue 13, docs/cases.md
 * "Rules the workflow owes its users") on the test protocol (testgrad v2):
 * - the Employment Bureau, which recorded an employment outcome, records its
 *   follow-up after its last referral was completed and it left the team; a school
 *   off the team gets NOT_FOUND, a school on the team PERMISSION_DENIED;
 * - follow-up dates inside their window (the boundaries accepted, a day outside and
 *   a date in the future refused with INVALID_ARGUMENT naming checked_on);
 * - priority-group codes: unknown ones refused on create and update, naming the field
 *   and the protocol's codes, never the value; known ones stored;
 * - records imply stages: an employment outcome in planning suggests a close with
 *   reason employed, an assessment in intake suggests assessment, a partner gets no
 *   suggestion;
 * - a measure with a responsible partner creates a referral, or links an open one,
 *   both ways.
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
static struct spona_client *lead, *zzz, *skola;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "workflow_rules", NULL);
}

static int group_teardown(void **state)
{
    spona_client_close(lead);
    spona_client_close(zzz);
    spona_client_close(skola);
    return itest_group_teardown(state);
}

static void test_log_in(void **state)
{
    (void)state;
    lead = idata_login(&server, "csr", "vlado");
    zzz = idata_login(&server, "zzz", "zana");
    skola = idata_login(&server, "skola", "sanja");
}

static const char *const stages[] = {"intake", "assessment", "planning", "implementation",
                                     "review", NULL};

struct wcase {
    char *person_id;
    char *case_id;
};

/* A fresh case moved forward to stage. */
static void case_at(struct wcase *c, const char *stage)
{
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Pravilo", "last_name", "Toka", "jmbg", jmbg, NULL};
    c->person_id = idata_person_create_ok(lead, pairs);
    c->case_id = idata_case_open_ok(lead, c->person_id);
    for (size_t i = 1; stages[i - 1] != NULL && strcmp(stages[i - 1], stage) != 0; i++) {
        spona_response *r = idata_case_get(lead, c->case_id);
        idata_expect_what(r, OK, "case_get");
        uint64_t version = r->case_get->version;
        envelope_free_response(r);
        r = idata_case_advance(lead, c->case_id, version, stages[i]);
        idata_expect_what(r, OK, "case_advance");
        envelope_free_response(r);
    }
}

static void free_case(struct wcase *c)
{
    free(c->person_id);
    free(c->case_id);
}

/* Asserts status and that the message contains want and not avoid (either NULL). */
static void expect_status(spona_response *r, spona_status status, const char *want,
                          const char *avoid, const char *what)
{
    idata_expect_what(r, status, what);
    if (want != NULL && strstr(r->message, want) == NULL)
        fail_msg("%s: message '%s' does not say '%s'", what, r->message, want);
    if (avoid != NULL && strstr(r->message, avoid) != NULL)
        fail_msg("%s: message '%s' repeats '%s'", what, r->message, avoid);
    envelope_free_response(r);
}

/* An employment outcome of 2025-04-01 recorded by client; *out the answer (caller frees). */
static char *record_employed(struct spona_client *client, const struct wcase *c,
                             spona_response **out)
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
    if (out != NULL)
        *out = r;
    else
        envelope_free_response(r);
    return id;
}

static void test_recorder_follows_up_after_leaving(void **state)
{
    (void)state;
    struct wcase c;
    case_at(&c, "implementation");
    char *to_zzz = idata_referral_create_ok(lead, c.case_id, "testgrad.zzz", "posredovanje", NULL);
    spona_response *r = idata_referral_accept(zzz, to_zzz);
    idata_expect_what(r, OK, "referral_accept by zzz");
    envelope_free_response(r);
    char *outcome = record_employed(zzz, &c, NULL);
    r = idata_referral_complete(zzz, to_zzz, idata_row_version("referrals", to_zzz), "zaposlena");
    idata_expect_what(r, OK, "referral_complete by zzz");
    envelope_free_response(r);
    expect_status(idata_case_get(zzz, c.case_id), SPONA__V1__STATUS__NOT_FOUND, NULL, NULL,
                  "case_get by zzz after it left the team");

    /* the school: off the team, it recorded nothing */
    expect_status(idata_follow_up_record(skola, outcome, 3, "2025-07-01", 1, ""),
                  SPONA__V1__STATUS__NOT_FOUND, NULL, NULL, "follow-up by the school off the team");

    r = idata_follow_up_record(zzz, outcome, 3, "2025-07-01", 1, "i dalje radi");
    idata_expect_what(r, OK, "follow-up by zzz, which recorded the outcome, off the team");
    assert_int_equal(r->follow_up_record->n_follow_ups, 1);
    assert_int_equal(r->follow_up_record->follow_ups[0]->months, 3);
    assert_string_equal(r->follow_up_record->recorded_by_institution, "testgrad.zzz");
    envelope_free_response(r);
    expect_status(idata_follow_up_record(zzz, outcome, 3, "2025-07-02", 1, ""),
                  SPONA__V1__STATUS__CONFLICT, NULL, NULL, "a second 3-month follow-up by zzz");

    /* the lead's follow-up is not shown to zzz, off the team */
    r = idata_follow_up_record(lead, outcome, 6, "2025-10-01", 0, "");
    idata_expect_what(r, OK, "6-month follow-up by the lead");
    assert_int_equal(r->follow_up_record->n_follow_ups, 2);
    envelope_free_response(r);
    r = idata_follow_up_record(zzz, outcome, 12, "2026-04-01", 1, "");
    idata_expect_what(r, OK, "12-month follow-up by zzz");
    assert_int_equal(r->follow_up_record->n_follow_ups, 1);
    assert_int_equal(r->follow_up_record->follow_ups[0]->months, 12);
    envelope_free_response(r);

    /* a partner on the team that did not record the outcome: refused */
    char *to_skola = idata_referral_create_ok(lead, c.case_id, "testgrad.skola", "obuka", NULL);
    r = idata_referral_accept(skola, to_skola);
    idata_expect_what(r, OK, "referral_accept by the school");
    envelope_free_response(r);
    char *second = record_employed(lead, &c, NULL);
    expect_status(idata_follow_up_record(skola, second, 3, "2025-07-01", 1, ""),
                  SPONA__V1__STATUS__PERMISSION_DENIED, "recorded the outcome", NULL,
                  "follow-up by the school on the team, which did not record it");
    free(second);
    free(to_skola);
    free(to_zzz);
    free(outcome);
    free_case(&c);
}

static void test_follow_up_windows(void **state)
{
    (void)state;
    struct wcase c;
    case_at(&c, "implementation");
    char *outcome = record_employed(lead, &c, NULL);
    /* 2025-04-01: 3 months from 2025-06-17 to 2025-10-01; 6: 2025-09-17 to 2026-01-01 */
    expect_status(idata_follow_up_record(lead, outcome, 3, "2025-04-02", 1, ""),
                  SPONA__V1__STATUS__INVALID_ARGUMENT,
                  "checked_on: a 3-month follow-up is dated from 2025-06-17 to 2025-10-01",
                  "2025-04-02", "a 3-month follow-up the day after the job");
    expect_status(idata_follow_up_record(lead, outcome, 3, "2025-06-16", 1, ""),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "checked_on", NULL,
                  "a 3-month follow-up 15 days early");
    expect_status(idata_follow_up_record(lead, outcome, 3, "2025-10-02", 1, ""),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "checked_on", NULL,
                  "a 3-month follow-up a day too late");
    expect_status(idata_follow_up_record(lead, outcome, 6, "2099-01-01", 1, ""),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "not dated in the future", NULL,
                  "a follow-up in the future");
    expect_status(idata_follow_up_record(lead, outcome, 12, "2025-03-01", 1, ""),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "checked_on", NULL,
                  "a follow-up before the outcome");
    spona_response *r = idata_follow_up_record(lead, outcome, 3, "2025-06-17", 1, "");
    idata_expect_what(r, OK, "a 3-month follow-up 14 days early");
    envelope_free_response(r);
    r = idata_follow_up_record(lead, outcome, 6, "2026-01-01", 1, "");
    idata_expect_what(r, OK, "a 6-month follow-up 3 months late");
    envelope_free_response(r);
    free(outcome);
    free_case(&c);
}

static void test_priority_group_codes(void **state)
{
    (void)state;
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *bad[] = {"first_name", "Grupa", "last_name", "Kodova", "jmbg", jmbg,
                         "priority_groups", "zene_zrtve_nasilja", NULL};
    expect_status(idata_person_create(lead, bad), SPONA__V1__STATUS__INVALID_ARGUMENT,
                  "priority_groups: entry 1 is not a priority group of the protocol in force",
                  "zene_zrtve", "person_create with an unknown group code");
    spona_response *r = idata_person_create(lead, bad);
    assert_non_null(strstr(r->message, "women_domestic_violence, youth_leaving_care"));
    envelope_free_response(r);
    const char *good[] = {"first_name", "Grupa", "last_name", "Kodova", "jmbg", jmbg,
                          "priority_groups", "women_domestic_violence", NULL};
    char *person = idata_person_create_ok(lead, good);
    r = idata_person_get(lead, person);
    idata_expect_what(r, OK, "person_get");
    assert_string_equal(idata_field(r->person_get, "priority_groups"), "women_domestic_violence");
    uint64_t version = r->person_get->version;
    envelope_free_response(r);
    const char *update_bad[] = {"priority_groups", "youth_leaving_care,nepoznata", NULL};
    expect_status(idata_person_update(lead, person, version, update_bad),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "priority_groups: entry 2", "nepoznata",
                  "person_update with an unknown group code");
    const char *update_twice[] = {"priority_groups", "youth_leaving_care, youth_leaving_care",
                                  NULL};
    expect_status(idata_person_update(lead, person, version, update_twice),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "repeats", NULL,
                  "person_update with a code twice");
    const char *update_good[] = {"priority_groups", "youth_leaving_care, women_domestic_violence",
                                 NULL};
    r = idata_person_update(lead, person, version, update_good);
    idata_expect_what(r, OK, "person_update with two known codes");
    envelope_free_response(r);
    assert_int_equal(idata_row_version("persons", person), version + 1);
    free(person);
}

static void test_records_suggest_stages(void **state)
{
    (void)state;
    struct wcase c;
    case_at(&c, "intake");
    const struct idata_domain domains[] = {{"work_history", 3, ""}, {NULL, 0, NULL}};
    spona_response *r = idata_assessment_record(lead, c.case_id, "", domains, "");
    idata_expect_what(r, OK, "assessment_record in intake");
    assert_non_null(r->assessment_record->stage_suggestion);
    assert_string_equal(r->assessment_record->stage_suggestion->current_stage, "intake");
    assert_string_equal(r->assessment_record->stage_suggestion->suggested_stage, "assessment");
    envelope_free_response(r);
    free_case(&c);

    case_at(&c, "planning");
    r = idata_assessment_record(lead, c.case_id, "", domains, "");
    idata_expect_what(r, OK, "assessment_record in planning");
    assert_null(r->assessment_record->stage_suggestion);
    envelope_free_response(r);
    spona_response *answer;
    char *outcome = record_employed(lead, &c, &answer);
    const Spona__V1__StageSuggestion *s = answer->outcome_record->stage_suggestion;
    assert_non_null(s);
    assert_string_equal(s->current_stage, "planning");
    assert_string_equal(s->suggested_stage, "closed");
    assert_string_equal(s->close_reason, "employed");
    envelope_free_response(answer);
    free(outcome);

    /* a partner records: no suggestion (only the lead moves a stage) */
    idata_refer_and_accept(lead, zzz, c.case_id, "testgrad.zzz");
    outcome = record_employed(zzz, &c, &answer);
    assert_null(answer->outcome_record->stage_suggestion);
    envelope_free_response(answer);
    free(outcome);
    free_case(&c);
}

/* The referrals in client's inbox on case_id (the answer; caller frees), counted in *count. */
static spona_response *inbox_of(struct spona_client *client, const char *case_id, size_t *count,
                                const Spona__V1__ReferralView **first)
{
    spona_response *r = idata_inbox(client, 0);
    idata_expect_what(r, OK, "inbox");
    *count = 0;
    *first = NULL;
    for (size_t i = 0; i < r->inbox->n_referrals; i++)
        if (strcmp(r->inbox->referrals[i]->case_id, case_id) == 0) {
            if (*first == NULL)
                *first = r->inbox->referrals[i];
            (*count)++;
        }
    return r;
}

static void test_measures_refer_to_partners(void **state)
{
    (void)state;
    struct wcase c;
    case_at(&c, "planning");
    char *to_skola = idata_referral_create_ok(lead, c.case_id, "testgrad.skola", "obuka",
                                              "2031-06-30");
    Spona__V1__PlanMeasure measures[3];
    Spona__V1__PlanMeasure *list[3] = {&measures[0], &measures[1], &measures[2]};
    static const char *const text[3][3] = {{"training", "Obuka CNC", "testgrad.skola"},
                                           {"job_search_support", "Posredovanje", "testgrad.zzz"},
                                           {"documents", "Lična karta", "testgrad.csr"}};
    for (int i = 0; i < 3; i++) {
        spona__v1__plan_measure__init(&measures[i]);
        measures[i].kind = M(text[i][0]);
        measures[i].description = M(text[i][1]);
        measures[i].responsible_institution_code = M(text[i][2]);
        measures[i].due_date = M("2031-12-31");
    }
    measures[1].referral_id = M("00000000-0000-4000-8000-000000000000"); /* ignored */
    Spona__V1__PlanChangeRequest body;
    spona__v1__plan_change_request__init(&body);
    body.case_id = c.case_id;
    body.add_measures = list;
    body.n_add_measures = 3;
    spona_response *r = idata_plan_change(lead, &body);
    idata_expect_what(r, OK, "plan_change with three measures");
    const Spona__V1__PlanView *plan = r->plan_change;
    assert_int_equal(plan->n_measures, 3);
    assert_string_equal(plan->measures[0]->referral_id, to_skola); /* linked */
    char *to_zzz = strdup(plan->measures[1]->referral_id);     /* created */
    assert_non_null(to_zzz);
    assert_int_equal(strlen(to_zzz), 36);
    assert_string_not_equal(to_zzz, "00000000-0000-4000-8000-000000000000");
    assert_string_equal(plan->measures[2]->referral_id, ""); /* the lead's own: none */
    uint32_t version = plan->version;
    envelope_free_response(r);

    size_t count;
    const Spona__V1__ReferralView *referral;
    r = inbox_of(zzz, c.case_id, &count, &referral);
    assert_int_equal(count, 1);
    assert_string_equal(referral->referral_id, to_zzz);
    assert_int_equal(referral->plan_measure, 2);
    assert_string_equal(referral->status, "sent");
    assert_string_equal(referral->measure, "job_search_support: Posredovanje");
    envelope_free_response(r);
    r = inbox_of(skola, c.case_id, &count, &referral);
    assert_int_equal(count, 1);
    assert_int_equal(referral->plan_measure, 1);
    envelope_free_response(r);

    /* a later version keeps the links */
    r = idata_plan_measure_status(lead, c.case_id, version, 3, "in_progress");
    idata_expect_what(r, OK, "plan_change: a status");
    assert_string_equal(r->plan_change->measures[1]->referral_id, to_zzz);
    assert_string_equal(r->plan_change->measures[0]->referral_id, to_skola);
    envelope_free_response(r);

    /* the lead's own referral to zzz takes over the one the plan sent: still one */
    r = idata_referral_create_due(lead, c.case_id, "testgrad.zzz", "posredovanje", "2032-01-31");
    idata_expect_what(r, OK, "referral_create to zzz after the plan's");
    assert_string_equal(r->referral_create->referral_id, to_zzz);
    envelope_free_response(r);
    r = inbox_of(zzz, c.case_id, &count, &referral);
    assert_int_equal(count, 1);
    assert_string_equal(referral->measure, "posredovanje");
    assert_string_equal(referral->due_date, "2032-01-31");
    envelope_free_response(r);
    /* and a second one is a referral of its own */
    char *second = idata_referral_create_ok(lead, c.case_id, "testgrad.zzz", "sajam", NULL);
    assert_string_not_equal(second, to_zzz);
    free(second);
    free(to_zzz);
    free(to_skola);
    free_case(&c);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_in),
        cmocka_unit_test(test_recorder_follows_up_after_leaving),
        cmocka_unit_test(test_follow_up_windows),
        cmocka_unit_test(test_priority_group_codes),
        cmocka_unit_test(test_records_suggest_stages),
        cmocka_unit_test(test_measures_refer_to_partners),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
