/*
 * Integration test: the records of a case (assessments, plans, conferences,
 * notes, outcomes and their follow-ups, the timeline) leak nothing the protocol
 * does not allow, on testgrad protocol v2. The lead (vesna, testgrad.csr)
 * registers a person and opens her earlier case; testgrad.zzz (zana) accepts a
 * referral there and never leaves its team. Every kind of record is written on
 * that case, then it is closed and her current case is opened.
 *
 *   - The timeline shows a consent only to a reader of the consent's category
 *     (a consent to share health data tells of health), names in
 *     hidden_categories every category the caller may not read whether the case
 *     has such events or not, and a closed case's timeline ends at its close:
 *     consents recorded or withdrawn afterwards are not told through it.
 *   - Every record read is audited with the person, the case and the categories
 *     it disclosed.
 *   - An institution excluded from her current case (testgrad.zzz), or a user
 *     excluded by name (vlado of the lead agency), asking through the earlier
 *     case whose team it never left, gets NOT_FOUND for every record read and
 *     write of that case, with the answer an unknown id gets, the refusal
 *     audited and nothing written.
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

#define OK SPONA__V1__STATUS__OK
#define NOT_FOUND SPONA__V1__STATUS__NOT_FOUND
#define UNKNOWN_ID "00000000-0000-4000-8000-00000000abcd"

static struct itest_server server;

/* The person, her earlier (closed) case and its outcome, her current case. */
static struct {
    char *person_id;
    char *earlier_case_id;
    char *outcome_id;
    char *current_case_id;
} her;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "case_record_leaks", NULL);
}

static int group_teardown(void **state)
{
    free(her.person_id);
    free(her.earlier_case_id);
    free(her.outcome_id);
    free(her.current_case_id);
    return itest_group_teardown(state);
}

static void expect_ok(spona_response *r, const char *what)
{
    idata_expect_what(r, OK, what);
    envelope_free_response(r);
}

static void grant(struct spona_client *lead, const char *institution, const char *category)
{
    const char *const categories[] = {category, NULL};
    expect_ok(idata_consent_grant(lead, her.person_id, institution, categories, NULL, NULL),
              "consent_grant");
}

static spona_response *outcome_record(struct spona_client *client, const char *case_id)
{
    Spona__V1__OutcomeRecordRequest body;
    spona__v1__outcome_record_request__init(&body);
    body.case_id = IDATA_MUTABLE(case_id);
    body.kind = IDATA_MUTABLE("in_training");
    body.occurred_on = IDATA_MUTABLE("2025-05-02");
    return idata_outcome_record(client, &body);
}

/* Every kind of record on the earlier case, by the lead. */
static void write_every_record(struct spona_client *lead)
{
    const char *id = her.earlier_case_id;
    static const struct idata_domain domains[] = {{"education_skills", 3, "osnovna škola"},
                                                  {"health_disability", 4, "hronična bolest"},
                                                  {NULL, 0, NULL}};
    expect_ok(idata_assessment_record(lead, id, "2025-03-01", domains, "uporna"),
              "assessment_record");
    expect_ok(idata_plan_add_goal(lead, id, 0, 0, "Završiti obuku", "2025-12-31"),
              "plan_change");
    expect_ok(idata_note_add(lead, id, "Bilješka voditeljice"), "note_add");
    const char *const codes[] = {"testgrad.csr", "testgrad.zzz", NULL};
    const char *const users[] = {"vesna", "zana", NULL};
    expect_ok(idata_conference_record(lead, id, "2025-03-15", codes, users, "Obuka.", "Posao."),
              "conference_record");
    spona_response *r = outcome_record(lead, id);
    idata_expect_what(r, OK, "outcome_record");
    her.outcome_id = strdup(r->outcome_record->outcome_id);
    envelope_free_response(r);
}

static void test_fixture(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zana = idata_login(&server, "zzz", "zana");
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Ranka", "last_name", "Zapisnikić", "jmbg", jmbg, NULL};
    her.person_id = idata_person_create_ok(lead, pairs);
    her.earlier_case_id = idata_case_open_ok(lead, her.person_id);
    idata_refer_and_accept(lead, zana, her.earlier_case_id, "testgrad.zzz");
    grant(lead, "testgrad.zzz", "education_work");
    grant(lead, "testgrad.ngo", "health_disability");
    write_every_record(lead);
    spona_client_close(zana);
    spona_client_close(lead);
}

static const Spona__V1__TimelineEvent *consent_event(const Spona__V1__TimelineResponse *t,
                                                     const char *text)
{
    for (size_t i = 0; i < t->n_events; i++)
        if (strcmp(t->events[i]->kind, "consent") == 0 &&
            strstr(t->events[i]->summary, text) != NULL)
            return t->events[i];
    return NULL;
}

static int listed(char *const *list, size_t count, const char *item)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(list[i], item) == 0)
            return 1;
    return 0;
}

/* A consent event shows only to a reader of its category; hidden_categories tells nothing. */
static void test_timeline_consents_by_category(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zana = idata_login(&server, "zzz", "zana");
    spona_response *r = idata_timeline(zana, her.earlier_case_id);
    idata_expect_what(r, OK, "timeline by zana");
    const Spona__V1__TimelineResponse *t = r->timeline;
    const Spona__V1__TimelineEvent *e = consent_event(t, "for education_work");
    if (e == NULL)
        fail_msg("zana's timeline does not show her institution's education_work consent");
    assert_string_equal(e->category, "education_work");
    /* its code and parameters say the same as its English summary, and no more */
    assert_string_equal(e->summary_code, "consent_given");
    assert_int_equal(e->n_summary_params, 3);
    assert_string_equal(e->summary_params[1], "education_work");
    for (size_t i = 0; i < t->n_events; i++)
        for (size_t j = 0; j < t->events[i]->n_summary_params; j++)
            if (strcmp(t->events[i]->summary_params[j], "health_disability") == 0)
                fail_msg("a parameter of a '%s' event names health data", t->events[i]->kind);
    if (consent_event(t, "health_disability") != NULL)
        fail_msg("zana's timeline shows a consent for health data (she may not read health)");
    for (size_t i = 0; i < t->n_events; i++)
        if (t->events[i]->category[0] == '\0' && strcmp(t->events[i]->kind, "consent") == 0)
            fail_msg("a consent event without its category: '%s'", t->events[i]->summary);
    /* every category she may not read, whether the case has events of it or not */
    static const char *const hidden[] = {"benefits_household", "health_disability", "safety",
                                         "case_notes"};
    for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
        if (!listed(t->hidden_categories, t->n_hidden_categories, hidden[i]))
            fail_msg("zana's hidden_categories does not name %s", hidden[i]);
    assert_int_equal(t->n_hidden_categories, 4);
    envelope_free_response(r);

    r = idata_timeline(lead, her.earlier_case_id);
    idata_expect_what(r, OK, "timeline by the lead");
    e = consent_event(r->timeline, "for health_disability");
    if (e == NULL)
        fail_msg("the lead's timeline does not show the health consent");
    assert_string_equal(e->category, "health_disability");
    assert_int_equal(r->timeline->n_hidden_categories, 0);
    envelope_free_response(r);
    spona_client_close(zana);
    spona_client_close(lead);
}

/* The categories audit_log names as disclosed for one request of username, "a,b,c". */
static char *audit_disclosed(PGconn *db, const char *username, uint64_t request_id,
                             const char *action)
{
    char id[24];
    snprintf(id, sizeof(id), "%llu", (unsigned long long)request_id);
    const char *params[] = {id, username, action, her.person_id, her.earlier_case_id};
    PGresult *result = idata_pg(
        db, PGRES_TUPLES_OK,
        "SELECT array_to_string(ARRAY(SELECT unnest(a.disclosed) ORDER BY 1), ','),"
        "       a.person_id = $4::uuid AND a.case_id = $5::uuid"
        "  FROM audit_log a WHERE a.request_id = $1::bigint AND a.action = $3"
        "   AND a.user_id = (SELECT id FROM users WHERE username = $2)"
        "   AND a.at > now() - interval '10 minutes' ORDER BY a.seq DESC LIMIT 1",
        5, params);
    if (PQntuples(result) != 1)
        fail_msg("%s's %s (request %s) is not on the audit trail", username, action, id);
    if (strcmp(PQgetvalue(result, 0, 1), "t") != 0)
        fail_msg("%s's %s is audited without her person and case ids", username, action);
    char *disclosed = strdup(PQgetvalue(result, 0, 0));
    PQclear(result);
    return disclosed;
}

static void expect_audited(PGconn *db, const char *username, spona_response *r,
                           const char *action, const char *disclosed)
{
    idata_expect_what(r, OK, action);
    char *got = audit_disclosed(db, username, r->request_id, action);
    if (strcmp(got, disclosed) != 0)
        fail_msg("%s by %s: audit says disclosed '%s'; expected '%s'", action, username, got,
                 disclosed);
    free(got);
    envelope_free_response(r);
}

/* Every record read names the person, the case and what it disclosed. */
static void test_record_reads_audited(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zana = idata_login(&server, "zzz", "zana");
    PGconn *db = idata_pg_connect("postgres");
    const char *id = her.earlier_case_id;
    expect_audited(db, "zana", idata_assessment_get(zana, id, 0), "assessment_get",
                   "education_work,plan_measures");
    expect_audited(db, "zana", idata_plan_get(zana, id, 0, 0), "plan_get",
                   "plan_measures");
    expect_audited(db, "zana", idata_plan_get(zana, id, 0, 1), "plan_get",
                   "identity,plan_measures");
    expect_audited(db, "zana", idata_timeline(zana, id), "timeline",
                   "education_work,outcomes,plan_measures");
    expect_audited(db, "vesna", idata_assessment_get(lead, id, 0), "assessment_get",
                   "education_work,health_disability,plan_measures");
    expect_audited(db, "vesna", idata_timeline(lead, id), "timeline",
                   "case_notes,education_work,health_disability,outcomes,plan_measures");
    PQfinish(db);
    spona_client_close(zana);
    spona_client_close(lead);
}

/* Fails when a consent event of t mentions text, or an event is later than the close. */
static void expect_ends_at_close(const Spona__V1__TimelineResponse *t, const char *who)
{
    const char *closed_at = NULL;
    for (size_t i = 0; i < t->n_events; i++)
        if (strcmp(t->events[i]->kind, "case_closed") == 0)
            closed_at = t->events[i]->at;
    if (closed_at == NULL)
        fail_msg("%s's timeline of the closed case has no case_closed event", who);
    for (size_t i = 0; i < t->n_events; i++)
        if (strcmp(t->events[i]->at, closed_at) > 0)
            fail_msg("%s's timeline of the closed case shows '%s' of %s, after its close %s",
                     who, t->events[i]->summary, t->events[i]->at, closed_at);
    if (consent_event(t, "testgrad.skola") != NULL || consent_event(t, "withdrawn") != NULL)
        fail_msg("%s's timeline of the closed case shows a consent given after its close", who);
}

/* A closed case's timeline ends at its close. */
static void test_closed_timeline_ends_at_close(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zana = idata_login(&server, "zzz", "zana");
    uint64_t version = idata_row_version("cases", her.earlier_case_id);
    expect_ok(idata_case_close(lead, her.earlier_case_id, version, "moved", ""), "case_close");
    her.current_case_id = idata_case_open_ok(lead, her.person_id);
    grant(lead, "testgrad.skola", "identity"); /* zana reads identity: only the close hides it */
    const char *const health[] = {"health_disability", NULL};
    expect_ok(idata_consent_withdraw(lead, her.person_id, "testgrad.ngo", health),
              "consent_withdraw");

    spona_response *r = idata_timeline(zana, her.earlier_case_id);
    idata_expect_what(r, OK, "timeline of the closed case by zana");
    expect_ends_at_close(r->timeline, "zana");
    envelope_free_response(r);
    r = idata_timeline(lead, her.earlier_case_id);
    idata_expect_what(r, OK, "timeline of the closed case by the lead");
    expect_ends_at_close(r->timeline, "the lead");
    envelope_free_response(r);
    /* the current case tells them */
    r = idata_timeline(lead, her.current_case_id);
    idata_expect_what(r, OK, "timeline of the current case by the lead");
    if (consent_event(r->timeline, "testgrad.skola") == NULL ||
        consent_event(r->timeline, "withdrawn") == NULL)
        fail_msg("the current case's timeline does not show the consents of today");
    envelope_free_response(r);
    spona_client_close(zana);
    spona_client_close(lead);
}

/* --- the excluded, through the earlier case ---------------------------------------------- */

static spona_response *send_assessment_record(struct spona_client *c, const char *id)
{
    static const struct idata_domain domains[] = {{"education_skills", 2, ""}, {NULL, 0, NULL}};
    return idata_assessment_record(c, id, "2025-06-01", domains, "");
}
static spona_response *send_assessment_get(struct spona_client *c, const char *id)
{
    return idata_assessment_get(c, id, 0);
}
static spona_response *send_plan_change(struct spona_client *c, const char *id)
{
    return idata_plan_add_goal(c, id, 1, 0, "Novi cilj", "");
}
static spona_response *send_plan_get(struct spona_client *c, const char *id)
{
    return idata_plan_get(c, id, 0, 1);
}
static spona_response *send_conference(struct spona_client *c, const char *id)
{
    const char *const codes[] = {"testgrad.csr", NULL};
    const char *const users[] = {"vesna", NULL};
    return idata_conference_record(c, id, "2025-06-01", codes, users, "Odluka.", "");
}
static spona_response *send_note(struct spona_client *c, const char *id)
{
    return idata_note_add(c, id, "Bilješka kroz raniji predmet");
}
static spona_response *send_outcome(struct spona_client *c, const char *id)
{
    return outcome_record(c, id);
}
static spona_response *send_follow_up(struct spona_client *c, const char *id)
{
    return idata_follow_up_record(c, id, 3, "2025-08-02", 1, "");
}
static spona_response *send_timeline(struct spona_client *c, const char *id)
{
    return idata_timeline(c, id);
}

/* Every row of the records, sent with a body the lead could send. */
static const struct {
    const char *action;
    int on_outcome; /* the id is the earlier case's outcome, not the case */
    spona_response *(*send)(struct spona_client *, const char *);
} record_rows[] = {
    {"assessment_record", 0, send_assessment_record},
    {"assessment_get", 0, send_assessment_get},
    {"plan_change", 0, send_plan_change},
    {"plan_get", 0, send_plan_get},
    {"conference_record", 0, send_conference},
    {"note_add", 0, send_note},
    {"outcome_record", 0, send_outcome},
    {"follow_up_record", 1, send_follow_up},
    {"timeline", 0, send_timeline},
};

/* Rows of the earlier case's records, in every table a record row writes. */
static char *records_count(PGconn *db)
{
    const char *params[] = {her.earlier_case_id};
    return idata_pg_value(
        db,
        "SELECT (SELECT count(*) FROM assessments WHERE case_id = $1::uuid) || '/' ||"
        "       (SELECT count(*) FROM plans WHERE case_id = $1::uuid) || '/' ||"
        "       (SELECT count(*) FROM case_conferences WHERE case_id = $1::uuid) || '/' ||"
        "       (SELECT count(*) FROM case_notes WHERE case_id = $1::uuid) || '/' ||"
        "       (SELECT count(*) FROM outcomes WHERE case_id = $1::uuid) || '/' ||"
        "       (SELECT count(*) FROM outcome_follow_ups f JOIN outcomes o"
        "           ON o.id = f.outcome_id WHERE o.case_id = $1::uuid)",
        1, params);
}

/* Asserts the refusal of request_id by username is audited "denied" with her ids. */
static void expect_refusal_audited(PGconn *db, const char *username, uint64_t request_id,
                                   const char *action)
{
    char id[24];
    snprintf(id, sizeof(id), "%llu", (unsigned long long)request_id);
    const char *params[] = {id, username, action, her.person_id, her.earlier_case_id};
    char *outcome = idata_pg_value(
        db,
        "SELECT COALESCE((SELECT a.outcome || (a.person_id = $4::uuid AND a.case_id = $5::uuid"
        "                                      AND COALESCE(cardinality(a.disclosed), 0) = 0)::text"
        "  FROM audit_log a WHERE a.request_id = $1::bigint AND a.action = $3"
        "   AND a.user_id = (SELECT id FROM users WHERE username = $2)"
        "   AND a.at > now() - interval '10 minutes' ORDER BY a.seq DESC LIMIT 1), 'none')",
        5, params);
    if (strcmp(outcome, "deniedtrue") != 0)
        fail_msg("%s's refused %s is audited as '%s' (expected denied, her person and case, "
                 "nothing disclosed)", username, action, outcome);
    free(outcome);
}

/* Each record row through the earlier case: the answer an unknown id gets. */
static void walk_records_as(const char *cert, const char *username)
{
    struct spona_client *client = idata_login(&server, cert, username);
    PGconn *db = idata_pg_connect("postgres");
    char *before = records_count(db);
    for (size_t i = 0; i < sizeof(record_rows) / sizeof(record_rows[0]); i++) {
        const char *id = record_rows[i].on_outcome ? her.outcome_id : her.earlier_case_id;
        const char *noun = record_rows[i].on_outcome ? "outcome" : "case";
        char expected[160], unknown[160];
        snprintf(expected, sizeof(expected), "no %s %s that you may see", noun, id);
        snprintf(unknown, sizeof(unknown), "no %s %s that you may see", noun, UNKNOWN_ID);
        spona_response *r = record_rows[i].send(client, id);
        if (r->status != NOT_FOUND || strcmp(r->message, expected) != 0)
            fail_msg("%s by %s through the earlier case: %s '%s' (expected NOT_FOUND '%s')",
                     record_rows[i].action, username, envelope_status_name(r->status),
                     r->message, expected);
        expect_refusal_audited(db, username, r->request_id, record_rows[i].action);
        envelope_free_response(r);
        r = record_rows[i].send(client, UNKNOWN_ID);
        if (r->status != NOT_FOUND || strcmp(r->message, unknown) != 0)
            fail_msg("%s by %s of an unknown id: %s '%s'", record_rows[i].action, username,
                     envelope_status_name(r->status), r->message);
        envelope_free_response(r);
    }
    char *after = records_count(db);
    if (strcmp(before, after) != 0)
        fail_msg("%s wrote records of the earlier case: %s before, %s after", username, before,
                 after);
    free(before);
    free(after);
    PQfinish(db);
    spona_client_close(client);
}

static spona_response *case_exclude(struct spona_client *lead, const char *institution_code,
                                    const char *username)
{
    Spona__V1__CaseExcludeRequest body;
    spona__v1__case_exclude_request__init(&body);
    body.case_id = her.current_case_id;
    body.institution_code = IDATA_MUTABLE(institution_code);
    body.username = IDATA_MUTABLE(username != NULL ? username : "");
    body.reason = IDATA_MUTABLE("sukob interesa");
    spona_request request;
    spona__v1__request__init(&request);
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_EXCLUDE;
    request.case_exclude = &body;
    return idata_call(lead, &request);
}

static void test_excluded_reach_no_record_of_the_earlier_case(void **state)
{
    (void)state;
    assert_non_null(her.current_case_id);
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    /* before the exclusions zana reads the earlier case's records */
    struct spona_client *zana = idata_login(&server, "zzz", "zana");
    expect_ok(idata_plan_get(zana, her.earlier_case_id, 0, 0), "plan_get by zana");
    spona_client_close(zana);
    expect_ok(case_exclude(lead, "testgrad.zzz", NULL), "exclude testgrad.zzz");
    expect_ok(case_exclude(lead, "testgrad.csr", "vlado"), "exclude vlado");
    spona_client_close(lead);
    walk_records_as("zzz", "zana");
    walk_records_as("csr", "vlado");
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture),
        cmocka_unit_test(test_timeline_consents_by_category),
        cmocka_unit_test(test_record_reads_audited),
        cmocka_unit_test(test_closed_timeline_ends_at_close),
        cmocka_unit_test(test_excluded_reach_no_record_of_the_earlier_case),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
