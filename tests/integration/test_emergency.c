/*
 * Integration test: emergency ("break-glass") access. A user of a second lead
 * agency (testgrad.csr2), not on the case team, cannot see the case; with a written
 * reason it opens the case for a limited time and then reads every person-level
 * category; the team shows it joined "via emergency"; its records in the audit trail
 * and in disclosures carry emergency = true. Only lead-agency users may do it, the
 * reason must be written (at least 20 characters) and the duration is bounded. When
 * the access has expired (the test moves its expiry into the past as the superuser,
 * rather than waiting) the case is invisible again.
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

#define REASON "Hitna intervencija: prijava nasilja u porodici van radnog vremena"

static struct itest_server server;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "emergency", NULL);
}

static void expect_status(spona_response *r, spona_status status, const char *what)
{
    if (r->status != status)
        fail_msg("%s: expected %s; got %s, '%s'", what, envelope_status_name(status),
                 envelope_status_name(r->status), r->message);
    envelope_free_response(r);
}

static void test_break_glass(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *other = idata_login(&server, "csr2", "emir");
    struct spona_client *zzz = idata_login(&server, "zzz", "zana");
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Hitna", "last_name", "Testna", "jmbg", jmbg,
                           "address", "Sigurna kuća", "health_notes", "povrede",
                           "safety_flag", "true", "safety_notes", "mjera zabrane", NULL};
    char *person_id = idata_person_create_ok(lead, pairs);
    char *case_id = idata_case_open_ok(lead, person_id);

    /* not on the team: nothing */
    expect_status(idata_person_get(other, person_id), SPONA__V1__STATUS__NOT_FOUND,
                  "person_get by csr2 before break-glass");
    expect_status(idata_case_get(other, case_id), SPONA__V1__STATUS__NOT_FOUND,
                  "case_get by csr2 before break-glass");

    /* the rules of break-glass */
    expect_status(idata_emergency(other, case_id, "hitno", 30),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "a reason of 5 characters");
    expect_status(idata_emergency(other, case_id, REASON, 481),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "481 minutes");
    expect_status(idata_emergency(zzz, case_id, REASON, 30),
                  SPONA__V1__STATUS__PERMISSION_DENIED, "break-glass by the employment service");
    expect_status(idata_emergency(other, "00000000-0000-4000-8000-000000000000", REASON, 30),
                  SPONA__V1__STATUS__NOT_FOUND, "break-glass on an unknown case");
    expect_status(idata_emergency(other, "nije-uuid", REASON, 30),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "break-glass with a bad id");

    spona_response *r = idata_emergency(other, case_id, REASON, 30);
    idata_expect(r, SPONA__V1__STATUS__OK);
    assert_true(r->emergency_access->expires_at[0] != '\0');
    envelope_free_response(r);

    /* every person-level category is visible now */
    r = idata_person_get(other, person_id);
    idata_expect(r, SPONA__V1__STATUS__OK);
    static const char *const fields[] = {"first_name", "jmbg", "health_notes", "safety_flag",
                                         "safety_notes"};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (idata_field(r->person_get, fields[i]) == NULL)
            fail_msg("break-glass read lacks %s", fields[i]);
    const Spona__V1__CategoryDecision *d = idata_decision(
        r->person_get->decisions, r->person_get->n_decisions, "health_disability", "read");
    assert_non_null(d);
    assert_true(d->allowed);
    assert_non_null(strstr(d->reason, "emergency"));
    /* ... but the address of a person at risk stays with the lead */
    if (idata_field(r->person_get, "address") != NULL)
        fail_msg("break-glass showed the address of a person at risk");
    d = idata_decision(r->person_get->decisions, r->person_get->n_decisions, "contact_address",
                       "read");
    assert_non_null(d);
    assert_false(d->allowed);
    uint64_t version = r->person_get->version;
    envelope_free_response(r);

    /* break-glass reads; it never writes */
    const char *change[] = {"health_notes", "izmijenjeno", NULL};
    r = idata_person_update(other, person_id, version, change);
    idata_expect(r, SPONA__V1__STATUS__PERMISSION_DENIED);
    assert_non_null(strstr(r->message, "read-only"));
    envelope_free_response(r);
    r = idata_case_get(other, case_id);
    idata_expect(r, SPONA__V1__STATUS__OK);
    int via_emergency = 0;
    for (size_t i = 0; i < r->case_get->n_team; i++)
        if (strcmp(r->case_get->team[i]->institution_code, "testgrad.csr2") == 0)
            via_emergency = strcmp(r->case_get->team[i]->via, "emergency") == 0;
    assert_true(via_emergency);
    envelope_free_response(r);

    /* audited with emergency = true, and shown so in disclosures */
    r = idata_disclosures(lead, person_id);
    idata_expect(r, SPONA__V1__STATUS__OK);
    size_t emergency_records = 0;
    for (size_t i = 0; i < r->disclosures->n_disclosures; i++) {
        const Spona__V1__Disclosure *x = r->disclosures->disclosures[i];
        if (strcmp(x->institution_code, "testgrad.csr2") == 0) {
            assert_true(x->emergency);
            assert_string_equal(x->username, "emir");
            emergency_records++;
        } else {
            assert_false(x->emergency);
        }
    }
    assert_true(emergency_records >= 1);
    envelope_free_response(r);

    PGconn *superuser = idata_pg_connect("postgres");
    const char *p[] = {case_id};
    char *flagged = idata_pg_value(superuser,
                                   "SELECT count(*) FROM audit_log a JOIN users u"
                                   "    ON u.id = a.user_id"
                                   " WHERE a.case_id = $1::uuid AND u.username = 'emir'"
                                   "   AND a.emergency AND a.outcome = 'ok'",
                                   1, p);
    assert_true(atol(flagged) >= 2); /* the break-glass itself and the read */
    free(flagged);
    char *unflagged = idata_pg_value(superuser,
                                     "SELECT count(*) FROM audit_log a JOIN users u"
                                     "    ON u.id = a.user_id"
                                     " WHERE a.case_id = $1::uuid AND u.username = 'emir'"
                                     "   AND a.outcome = 'ok' AND NOT a.emergency",
                                     1, p);
    assert_string_equal(unflagged, "0");
    free(unflagged);
    char *action = idata_pg_value(superuser,
                                  "SELECT count(*) FROM audit_log WHERE case_id = $1::uuid"
                                  "   AND action = 'emergency_access' AND emergency"
                                  "   AND outcome = 'ok'",
                                  1, p);
    assert_string_equal(action, "1");
    free(action);

    /* time-limited: once expired, the case is invisible again (expiry moved, not awaited) */
    PGresult *res = idata_pg(superuser, PGRES_COMMAND_OK,
                             "UPDATE case_team SET expires_at = now() - interval '1 minute'"
                             " WHERE case_id = $1::uuid AND via = 'emergency'",
                             1, p);
    assert_string_equal(PQcmdTuples(res), "1");
    PQclear(res);
    PQfinish(superuser);
    expect_status(idata_person_get(other, person_id), SPONA__V1__STATUS__NOT_FOUND,
                  "person_get by csr2 after the access expired");
    expect_status(idata_case_get(other, case_id), SPONA__V1__STATUS__NOT_FOUND,
                  "case_get by csr2 after the access expired");

    spona_client_close(zzz);
    spona_client_close(other);
    spona_client_close(lead);
    free(person_id);
    free(case_id);
}

static spona_response *emergency_review(struct spona_client *client, const char *mark_id,
                                        int unreviewed_only)
{
    Spona__V1__EmergencyReviewRequest body;
    spona__v1__emergency_review_request__init(&body);
    char *mark = strdup(mark_id != NULL ? mark_id : "");
    char *note = strdup("provjereno s voditeljem slučaja");
    body.mark_id = mark;
    body.review_note = note;
    body.unreviewed_only = unreviewed_only;
    spona_request request;
    spona__v1__request__init(&request);
    request.body_case = SPONA__V1__REQUEST__BODY_EMERGENCY_REVIEW;
    request.emergency_review = &body;
    spona_response *response = idata_call(client, &request);
    free(mark);
    free(note);
    return response;
}

/* The coordinator reviews break-glass accesses: sees case, who and why; marks them. */
static void test_coordinator_review(void **state)
{
    (void)state;
    struct spona_client *grad = idata_login(&server, "grad", "goran");
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zzz = idata_login(&server, "zzz", "zana");

    spona_response *r = emergency_review(grad, NULL, 1);
    idata_expect(r, SPONA__V1__STATUS__OK);
    const Spona__V1__EmergencyAccessEntry *found = NULL;
    for (size_t i = 0; i < r->emergency_review->n_entries; i++)
        if (strcmp(r->emergency_review->entries[i]->username, "emir") == 0)
            found = r->emergency_review->entries[i];
    assert_non_null(found);
    assert_string_equal(found->reason, REASON);
    assert_string_equal(found->institution_code, "testgrad.csr2");
    assert_string_equal(found->reviewed_at, "");
    char *id = strdup(found->id);
    envelope_free_response(r);

    /* the lead may look, not mark; the employment service may not look */
    r = emergency_review(lead, NULL, 0);
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    r = emergency_review(lead, id, 0);
    idata_expect(r, SPONA__V1__STATUS__PERMISSION_DENIED);
    envelope_free_response(r);
    r = emergency_review(zzz, NULL, 0);
    idata_expect(r, SPONA__V1__STATUS__PERMISSION_DENIED);
    envelope_free_response(r);

    /* marked once; then it leaves the unreviewed list, and a second mark conflicts */
    r = emergency_review(grad, id, 1);
    idata_expect(r, SPONA__V1__STATUS__OK);
    for (size_t i = 0; i < r->emergency_review->n_entries; i++)
        assert_string_not_equal(r->emergency_review->entries[i]->id, id);
    envelope_free_response(r);
    r = emergency_review(grad, id, 0);
    idata_expect(r, SPONA__V1__STATUS__CONFLICT);
    envelope_free_response(r);
    r = emergency_review(grad, "00000000-0000-4000-8000-000000000000", 0);
    idata_expect(r, SPONA__V1__STATUS__NOT_FOUND);
    envelope_free_response(r);

    free(id);
    spona_client_close(zzz);
    spona_client_close(lead);
    spona_client_close(grad);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_break_glass),
        cmocka_unit_test(test_coordinator_review),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, itest_group_teardown);
}
