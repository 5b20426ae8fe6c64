/*
 * Integration test: the case lead excludes a named user, or a whole institution,
 * from one case (case_exclude, testgrad protocol v2). The lead (vesna,
 * testgrad.csr) registers a person, opens a case, refers it to testgrad.zzz (whose
 * users are zana and zoran) and records consent for education_work; both read.
 * Excluding zoran shuts him out from his next request on while zana still reads,
 * and the lead's explain for testgrad.zzz is unchanged. Excluding testgrad.ngo
 * (referred, accepted) shuts nada out, and the lead's explain for it shows every
 * category hidden because of the exclusion. Then: who may exclude and what a
 * request must hold; row-level security as spona_app in zoran's, zana's and the
 * NGO's context; and every exclusion on the audit trail.
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

/* protobuf-c wants char * for strings it never writes when packing */
#define MUTABLE(text) ((char *)(uintptr_t)(text))

#define REASON_USER "srodnik počinitelja zaposlen u filijali"
#define REASON_NGO "sukob interesa: volonter udruženja je svjedok u postupku"

static struct itest_server server;
static char *person_id, *case_id;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "exclusion", NULL);
}

static int group_teardown(void **state)
{
    free(person_id);
    free(case_id);
    return itest_group_teardown(state);
}

static spona_response *case_exclude(struct spona_client *client, const char *case_uuid,
                                    const char *institution_code, const char *username,
                                    const char *reason)
{
    Spona__V1__CaseExcludeRequest body;
    spona__v1__case_exclude_request__init(&body);
    body.case_id = MUTABLE(case_uuid);
    body.institution_code = MUTABLE(institution_code);
    body.username = MUTABLE(username != NULL ? username : "");
    body.reason = MUTABLE(reason);
    spona_request request;
    spona__v1__request__init(&request);
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_EXCLUDE;
    request.case_exclude = &body;
    return idata_call(client, &request);
}

/* Asserts an exclusion succeeded with an id. */
static void exclude_ok(struct spona_client *lead, const char *institution_code,
                       const char *username, const char *reason)
{
    spona_response *r = case_exclude(lead, case_id, institution_code, username, reason);
    if (r->status != SPONA__V1__STATUS__OK)
        fail_msg("case_exclude of %s/%s: %s, '%s'", institution_code,
                 username != NULL ? username : "(whole institution)",
                 envelope_status_name(r->status), r->message);
    assert_int_equal(r->body_case, SPONA__V1__RESPONSE__BODY_CASE_EXCLUDE);
    itest_assert_uuid(r->case_exclude->exclusion_id);
    envelope_free_response(r);
}

static void expect_status(spona_response *r, spona_status status, const char *what)
{
    if (r->status != status)
        fail_msg("%s: expected %s; got %s, '%s'", what, envelope_status_name(status),
                 envelope_status_name(r->status), r->message);
    if (status != SPONA__V1__STATUS__OK && (r->message == NULL || r->message[0] == '\0'))
        fail_msg("%s: %s without a message", what, envelope_status_name(status));
    envelope_free_response(r);
}

/* Asserts that client reads the person (with education_work) and the case. */
static void expect_reads(struct spona_client *client, const char *who)
{
    char what[128];
    spona_response *r = idata_person_get(client, person_id);
    snprintf(what, sizeof(what), "person_get by %s", who);
    if (r->status != SPONA__V1__STATUS__OK)
        fail_msg("%s: %s, '%s'", what, envelope_status_name(r->status), r->message);
    if (idata_field(r->person_get, "first_name") == NULL)
        fail_msg("%s: no first_name", what);
    envelope_free_response(r);
    snprintf(what, sizeof(what), "case_get by %s", who);
    expect_status(idata_case_get(client, case_id), SPONA__V1__STATUS__OK, what);
}

/* Asserts that client sees neither the person nor the case. */
static void expect_shut_out(struct spona_client *client, const char *who)
{
    char what[128];
    snprintf(what, sizeof(what), "person_get by %s after the exclusion", who);
    expect_status(idata_person_get(client, person_id), SPONA__V1__STATUS__NOT_FOUND, what);
    snprintf(what, sizeof(what), "case_get by %s after the exclusion", who);
    expect_status(idata_case_get(client, case_id), SPONA__V1__STATUS__NOT_FOUND, what);
}

static void test_exclude_a_user_then_an_institution(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zana = idata_login(&server, "zzz", "zana");
    struct spona_client *zoran = idata_login(&server, "zzz", "zoran");
    struct spona_client *nada = idata_login(&server, "ngo", "nada");

    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Isključena", "last_name", "Testna", "jmbg", jmbg,
                           "education_level", "srednja stručna sprema", NULL};
    person_id = idata_person_create_ok(lead, pairs);
    case_id = idata_case_open_ok(lead, person_id);
    idata_refer_and_accept(lead, zana, case_id, "testgrad.zzz");
    const char *const education[] = {"education_work", NULL};
    spona_response *r = idata_consent_grant(lead, person_id, "testgrad.zzz", education, NULL,
                                            NULL);
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    expect_reads(zana, "zana");
    expect_reads(zoran, "zoran");

    /* zoran is excluded: from his next request on (same connection) he sees nothing */
    exclude_ok(lead, "testgrad.zzz", "zoran", REASON_USER);
    expect_shut_out(zoran, "zoran");
    expect_reads(zana, "zana (her colleague zoran excluded)");
    r = idata_person_get(zana, person_id);
    idata_expect(r, SPONA__V1__STATUS__OK);
    const char *education_level = idata_field(r->person_get, "education_level");
    assert_non_null(education_level);
    assert_string_equal(education_level, "srednja stručna sprema");
    envelope_free_response(r);

    /* the lead's explain for the institution is unchanged: the exclusion is zoran's */
    r = idata_explain(lead, case_id, "testgrad.zzz");
    idata_expect(r, SPONA__V1__STATUS__OK);
    assert_string_equal(r->explain->institution_code, "testgrad.zzz");
    assert_true(r->explain->on_team);
    const Spona__V1__CategoryDecision *d = idata_decision(
        r->explain->decisions, r->explain->n_decisions, "education_work", "read");
    assert_non_null(d);
    if (!d->allowed)
        fail_msg("explain for testgrad.zzz: education_work hidden ('%s')", d->reason);
    for (size_t i = 0; i < r->explain->n_decisions; i++)
        if (strstr(r->explain->decisions[i]->reason, "excluded") != NULL)
            fail_msg("explain for testgrad.zzz: %s/%s says '%s'",
                     r->explain->decisions[i]->category, r->explain->decisions[i]->action,
                     r->explain->decisions[i]->reason);
    envelope_free_response(r);

    /* a whole institution: testgrad.ngo, on the team by an accepted referral */
    idata_refer_and_accept(lead, nada, case_id, "testgrad.ngo");
    expect_status(idata_case_get(nada, case_id), SPONA__V1__STATUS__OK,
                  "case_get by nada before the exclusion");
    exclude_ok(lead, "testgrad.ngo", NULL, REASON_NGO);
    expect_shut_out(nada, "nada");
    r = idata_explain(lead, case_id, "testgrad.ngo");
    idata_expect(r, SPONA__V1__STATUS__OK);
    assert_string_equal(r->explain->institution_code, "testgrad.ngo");
    assert_true(r->explain->n_decisions >= 2);
    for (size_t i = 0; i < r->explain->n_decisions; i++) {
        const Spona__V1__CategoryDecision *x = r->explain->decisions[i];
        if (x->allowed || strstr(x->reason, "excluded") == NULL)
            fail_msg("explain for excluded testgrad.ngo: %s/%s %s, '%s'", x->category,
                     x->action, x->allowed ? "allowed" : "hidden", x->reason);
    }
    envelope_free_response(r);
    /* ... and the rest of the team still reads */
    expect_reads(zana, "zana (testgrad.ngo excluded)");
    expect_reads(lead, "the lead");

    spona_client_close(nada);
    spona_client_close(zoran);
    spona_client_close(zana);
    spona_client_close(lead);
}

/* referral_accept of referral_id with an idempotency key. */
static spona_response *accept_keyed(struct spona_client *client, const char *referral_id,
                                    const char *key)
{
    Spona__V1__ReferralAcceptRequest body = SPONA__V1__REFERRAL_ACCEPT_REQUEST__INIT;
    body.referral_id = MUTABLE(referral_id);
    spona_request request;
    spona__v1__request__init(&request);
    request.body_case = SPONA__V1__REQUEST__BODY_REFERRAL_ACCEPT;
    request.referral_accept = &body;
    request.idempotency_key = MUTABLE(key);
    return idata_call(client, &request);
}

/*
 * A retried write's stored answer is not a way back in: zoran accepts a referral with
 * an idempotency key, is excluded from the case, and the same key then gets the answer
 * of a case he may not see, not the stored one (which names the case and the measure).
 */
static void test_retry_after_exclusion(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zoran = idata_login(&server, "zzz", "zoran");
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Ponovljena", "last_name", "Testna", "jmbg", jmbg, NULL};
    char *person = idata_person_create_ok(lead, pairs);
    char *kase = idata_case_open_ok(lead, person);
    char *referral = idata_referral_create_ok(lead, kase, "testgrad.zzz",
                                              "obuka za viljuškaristu", "");
    const char *key = "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";
    spona_response *r = accept_keyed(zoran, referral, key);
    expect_status(r, SPONA__V1__STATUS__OK, "referral_accept by zoran with a key");
    r = accept_keyed(zoran, referral, key);
    expect_status(r, SPONA__V1__STATUS__OK, "the same retried before the exclusion");
    r = case_exclude(lead, kase, "testgrad.zzz", "zoran", REASON_USER);
    expect_status(r, SPONA__V1__STATUS__OK, "case_exclude of zoran from this case");
    r = accept_keyed(zoran, referral, key);
    if (r->status != SPONA__V1__STATUS__NOT_FOUND)
        fail_msg("retry after the exclusion: %s, '%s' (the stored answer was given)",
                 envelope_status_name(r->status), r->message);
    assert_int_equal(r->body_case, SPONA__V1__RESPONSE__BODY__NOT_SET);
    envelope_free_response(r);
    free(referral);
    free(kase);
    free(person);
    spona_client_close(zoran);
    spona_client_close(lead);
}

static void test_refusals(void **state)
{
    (void)state;
    assert_non_null(case_id);
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zana = idata_login(&server, "zzz", "zana");

    expect_status(case_exclude(zana, case_id, "testgrad.zzz", "zoran", REASON_USER),
                  SPONA__V1__STATUS__PERMISSION_DENIED, "exclusion by a partner (zana)");
    expect_status(case_exclude(lead, case_id, "testgrad.zzz", "zana", ""),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "exclusion without a reason");
    expect_status(case_exclude(lead, case_id, "", "zana", REASON_USER),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "exclusion without an institution");
    expect_status(case_exclude(lead, case_id, "testgrad.nepostojeci", NULL, REASON_USER),
                  SPONA__V1__STATUS__NOT_FOUND, "exclusion of an unknown institution");
    expect_status(case_exclude(lead, case_id, "novigrad.zzz", NULL, REASON_USER),
                  SPONA__V1__STATUS__NOT_FOUND,
                  "exclusion of an institution of another municipality");
    expect_status(case_exclude(lead, case_id, "testgrad.zzz", "nepostojeci", REASON_USER),
                  SPONA__V1__STATUS__NOT_FOUND, "exclusion of an unknown user");
    expect_status(case_exclude(lead, case_id, "testgrad.csr", NULL, REASON_USER),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "the lead excluding itself");
    expect_status(case_exclude(lead, "nije-uuid", "testgrad.zzz", "zana", REASON_USER),
                  SPONA__V1__STATUS__INVALID_ARGUMENT, "exclusion with a bad case id");
    expect_status(case_exclude(lead, "00000000-0000-4000-8000-000000000000", "testgrad.zzz",
                               "zana", REASON_USER),
                  SPONA__V1__STATUS__NOT_FOUND, "exclusion on an unknown case");

    /* none of these excluded anyone */
    expect_reads(zana, "zana after the refused exclusions");
    spona_client_close(zana);
    spona_client_close(lead);
}

/* The id of one row found by code/username (as spona_app: no RLS on these tables). */
static char *lookup(PGconn *app, const char *sql, const char *key)
{
    const char *p[] = {key};
    return idata_pg_value(app, sql, 1, p);
}

/* Sets the RLS context as the server does (session-wide here). */
static void set_context(PGconn *app, const char *municipality, const char *institution,
                        const char *user)
{
    const char *p[] = {municipality, institution, user};
    PGresult *r = idata_pg(app, PGRES_TUPLES_OK,
                           "SELECT set_config('spona.municipality_id', $1, false),"
                           "       set_config('spona.institution_id', $2, false),"
                           "       set_config('spona.user_id', $3, false)",
                           3, p);
    PQclear(r);
}

static long count_rows(PGconn *app, const char *sql, const char *id)
{
    const char *p[] = {id};
    char *value = idata_pg_value(app, sql, 1, p);
    long n = atol(value);
    free(value);
    return n;
}

static void expect_rows(PGconn *app, long expected, const char *context)
{
    long persons = count_rows(app, "SELECT count(*) FROM persons WHERE id = $1::uuid",
                              person_id);
    long cases = count_rows(app, "SELECT count(*) FROM cases WHERE id = $1::uuid", case_id);
    long cases_of_person = count_rows(
        app, "SELECT count(*) FROM cases WHERE person_id = $1::uuid", person_id);
    if (persons != expected || cases != expected || cases_of_person != expected)
        fail_msg("%s: persons %ld, cases %ld (by person %ld); expected %ld each", context,
                 persons, cases, cases_of_person, expected);
    if (expected == 0) {
        /* nothing else of the case either: its team, its referrals, the person's consents */
        long team = count_rows(app, "SELECT count(*) FROM case_team WHERE case_id = $1::uuid",
                               case_id);
        long referrals = count_rows(
            app, "SELECT count(*) FROM referrals WHERE case_id = $1::uuid", case_id);
        long consents = count_rows(
            app, "SELECT count(*) FROM consents WHERE person_id = $1::uuid", person_id);
        if (team != 0 || referrals != 0 || consents != 0)
            fail_msg("%s: case_team %ld, referrals %ld, consents %ld rows; expected none",
                     context, team, referrals, consents);
    }
}

static void test_row_level_security(void **state)
{
    (void)state;
    assert_non_null(case_id);
    PGconn *app = idata_pg_connect("spona_app");
    char *testgrad = lookup(app, "SELECT id FROM municipalities WHERE code = $1", "testgrad");
    char *zzz = lookup(app, "SELECT id FROM institutions WHERE code = $1", "testgrad.zzz");
    char *ngo = lookup(app, "SELECT id FROM institutions WHERE code = $1", "testgrad.ngo");
    const char *user_sql = "SELECT u.id FROM users u JOIN institutions i"
                           "    ON i.id = u.institution_id"
                           " WHERE i.code || '/' || u.username = $1";
    char *zoran = lookup(app, user_sql, "testgrad.zzz/zoran");
    char *zana = lookup(app, user_sql, "testgrad.zzz/zana");
    char *nada = lookup(app, user_sql, "testgrad.ngo/nada");

    set_context(app, testgrad, zzz, zoran);
    expect_rows(app, 0, "spona_app in zoran's context (excluded user)");
    const char *p[] = {person_id};
    PGresult *res = idata_pg(app, PGRES_COMMAND_OK,
                             "UPDATE persons SET first_name = 'Provala' WHERE id = $1::uuid",
                             1, p);
    assert_string_equal(PQcmdTuples(res), "0");
    PQclear(res);
    set_context(app, testgrad, zzz, zana);
    expect_rows(app, 1, "spona_app in zana's context");
    char *name = idata_pg_value(
        app, "SELECT first_name FROM persons_for_caller WHERE id = $1::uuid", 1, p);
    assert_string_equal(name, "Isključena"); /* zoran's UPDATE touched nothing */
    free(name);
    set_context(app, testgrad, ngo, nada);
    expect_rows(app, 0, "spona_app in nada's context (excluded institution)");
    set_context(app, testgrad, ngo, "");
    expect_rows(app, 0, "spona_app in testgrad.ngo's context without a user");

    PQfinish(app);
    free(testgrad);
    free(zzz);
    free(ngo);
    free(zoran);
    free(zana);
    free(nada);
}

static void test_audit_trail(void **state)
{
    (void)state;
    assert_non_null(case_id);
    PGconn *superuser = idata_pg_connect("postgres");
    const char *p[] = {case_id};
    PGresult *res = idata_pg(superuser, PGRES_TUPLES_OK,
                             "SELECT u.username, a.outcome, a.detail, a.person_id::text"
                             "  FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
                             " WHERE a.case_id = $1::uuid AND a.action = 'case_exclude'"
                             " ORDER BY a.seq",
                             1, p);
    int ok = 0, denied = 0;
    for (int row = 0; row < PQntuples(res); row++) {
        const char *user = PQgetvalue(res, row, 0), *outcome = PQgetvalue(res, row, 1);
        assert_string_equal(PQgetvalue(res, row, 3), person_id);
        if (strcmp(outcome, "ok") == 0) {
            assert_string_equal(user, "vesna");
            ok++;
        } else if (strcmp(outcome, "denied") == 0) {
            assert_string_equal(user, "zana");
            denied++;
        }
    }
    if (ok != 2 || denied != 1)
        fail_msg("case_exclude on the audit trail: %d ok (expected 2: zoran, testgrad.ngo), "
                 "%d denied (expected 1: zana's attempt)", ok, denied);
    assert_string_equal(PQgetvalue(res, 0, 2), "user excluded");
    assert_string_equal(PQgetvalue(res, 1, 2), "institution excluded");
    PQclear(res);
    PQfinish(superuser);

    /* the trail is still intact */
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    spona_response *r = idata_audit_verify(lead);
    idata_expect(r, SPONA__V1__STATUS__OK);
    if (!r->audit_verify->intact)
        fail_msg("audit trail broken at %llu: %s",
                 (unsigned long long)r->audit_verify->first_bad_seq, r->audit_verify->problem);
    envelope_free_response(r);
    spona_client_close(lead);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exclude_a_user_then_an_institution),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_retry_after_exclusion),
        cmocka_unit_test(test_row_level_security),
        cmocka_unit_test(test_audit_trail),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
