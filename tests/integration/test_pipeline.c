/*
 * Integration test of the request pipeline's refusals, driven by the server's own
 * request table (server/request/request_table.c): every row whose subject is a
 * person, a case, a referral or an outcome is sent, built by reflection with only
 * its subject's id filled in, by three callers the protocol refuses:
 *
 *   sanja (testgrad.skola)  a signatory on no team of the person: a stranger;
 *   vlado (testgrad.csr)    a user of the lead agency itself, excluded by name from
 *                           the person's current case, asking through her earlier case;
 *   zana  (testgrad.zzz)    an institution excluded from her current case, still on the
 *                           team of her earlier case (it accepted a referral there).
 *
 * Each answer must be a refusal (NOT_FOUND or PERMISSION_DENIED), audited for that
 * caller and request, and nothing about the person may change (a fingerprint of every
 * row of hers, in every table, before and after). A new row of the table is covered
 * without anyone adding a test; a new table must be named below (as hers, by how its
 * rows lead to her, or as not personal) or the test fails.
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
#include "request.h"

static struct itest_server server;

/* The person and what the callers aim at: her earlier case, its referral and outcome. */
static struct {
    char *person_id;
    char *earlier_case_id;
    char *current_case_id;
    char *referral_id;
    char *outcome_id;
} her;

/*
 * Every table of the schema: how its rows lead to the person ($1), or NULL when it
 * holds nothing of a person (the fingerprint leaves those out).
 */
static const struct {
    const char *table;
    const char *rows_of_person;
} tables[] = {
    {"persons", "id = $1"},
    {"cases", "person_id = $1"},
    {"consents", "person_id = $1"},
    {"person_household", "person_id = $1"},
    {"person_benefits", "person_id = $1"},
    {"case_team", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"},
    {"referrals", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"},
    {"case_exclusions", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"},
    {"emergency_accesses", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"},
    {"case_stage_changes", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"},
    {"assessments", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"},
    {"assessment_domains", "assessment_id IN (SELECT a.id FROM assessments a JOIN cases c"
                           " ON c.id = a.case_id WHERE c.person_id = $1)"},
    {"plans", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"},
    {"plan_goals", "plan_id IN (SELECT p.id FROM plans p JOIN cases c ON c.id = p.case_id"
                   " WHERE c.person_id = $1)"},
    {"plan_measures", "plan_id IN (SELECT p.id FROM plans p JOIN cases c ON c.id = p.case_id"
                      " WHERE c.person_id = $1)"},
    {"case_conferences", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"},
    {"case_notes", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"},
    {"outcomes", "case_id IN (SELECT id FROM cases WHERE person_id = $1)"},
    {"outcome_follow_ups", "outcome_id IN (SELECT o.id FROM outcomes o JOIN cases c"
                           " ON c.id = o.case_id WHERE c.person_id = $1)"},
    /* nothing of a person, or the audit trail itself (checked separately) */
    {"municipalities", NULL},
    {"institutions", NULL},
    {"users", NULL},
    {"sessions", NULL},
    {"protocols", NULL},
    {"protocol_signatories", NULL},
    {"protocol_approvals", NULL},
    {"policy_decisions", NULL},          /* the protocol's clauses (sql/022) */
    {"person_field_categories", NULL},   /* the category of each column (sql/022) */
    {"assessment_domain_categories", NULL}, /* the category of each domain (sql/029) */
    {"audit_log", NULL},
    {"audit_head", NULL},
    {"request_results", NULL},
    {"report_releases", NULL},
    {"report_release_rows", NULL},
    {"spona_migrations", NULL},
    {"case_number_counters", NULL},      /* the last case number per year (sql/040) */
    {"spona_memo_key", NULL},            /* the key of the decision memo's MAC (sql/056) */
    /* spona-sync's tables (sql/066): CRLs, audit-chain link hashes, run reports */
    {"sync_watermarks", NULL},
    {"sync_received", NULL},
    {"sync_outbox", NULL},
    {"sync_crl", NULL},
    {"sync_audit_reported", NULL},
    {"sync_runs", NULL},
};

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "pipeline", NULL);
}

static int group_teardown(void **state)
{
    free(her.person_id);
    free(her.earlier_case_id);
    free(her.current_case_id);
    free(her.referral_id);
    free(her.outcome_id);
    return itest_group_teardown(state);
}

/* Fails when a table of the schema is not in tables[] (so its rows would go unchecked). */
static void assert_every_table_named(PGconn *db)
{
    PGresult *result = idata_pg(db, PGRES_TUPLES_OK,
                                "SELECT table_name FROM information_schema.tables"
                                " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
                                0, NULL);
    for (int row = 0; row < PQntuples(result); row++) {
        const char *name = PQgetvalue(result, row, 0);
        int known = 0;
        for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]) && !known; i++)
            known = strcmp(tables[i].table, name) == 0;
        if (!known)
            fail_msg("table %s is not in test_pipeline.c's tables[]: say how its rows lead to "
                     "a person, or that it holds nothing of one",
                     name);
    }
    PQclear(result);
}

/* An md5 over every row of the person in every table (the caller frees). */
static char *fingerprint(PGconn *db)
{
    char sql[8192];
    size_t used = (size_t)snprintf(sql, sizeof(sql), "SELECT md5(concat(''");
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        if (tables[i].rows_of_person == NULL)
            continue;
        used += (size_t)snprintf(sql + used, sizeof(sql) - used,
                                 ", (SELECT string_agg(md5(t::text), '' ORDER BY md5(t::text))"
                                 " FROM %s t WHERE %s)",
                                 tables[i].table, tables[i].rows_of_person);
        assert_true(used < sizeof(sql));
    }
    snprintf(sql + used, sizeof(sql) - used, "))");
    const char *params[] = {her.person_id};
    return idata_pg_value(db, sql, 1, params);
}

static spona_response *case_exclude(struct spona_client *lead, const char *case_id,
                                    const char *institution_code, const char *username)
{
    Spona__V1__CaseExcludeRequest body;
    spona__v1__case_exclude_request__init(&body);
    body.case_id = IDATA_MUTABLE(case_id);
    body.institution_code = IDATA_MUTABLE(institution_code);
    body.username = IDATA_MUTABLE(username != NULL ? username : "");
    body.reason = IDATA_MUTABLE("sukob interesa u postupku zaštite");
    spona_request request;
    spona__v1__request__init(&request);
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_EXCLUDE;
    request.case_exclude = &body;
    return idata_call(lead, &request);
}

/* The earlier case: referred to and accepted by testgrad.zzz, an outcome, then closed. */
static void make_earlier_case(struct spona_client *lead, struct spona_client *zana)
{
    her.earlier_case_id = idata_case_open_ok(lead, her.person_id);
    her.referral_id = idata_referral_create_ok(lead, her.earlier_case_id, "testgrad.zzz",
                                               "obuka za rad na računaru", NULL);
    spona_response *r = idata_referral_accept(zana, her.referral_id);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "referral_accept by testgrad.zzz");
    envelope_free_response(r);

    Spona__V1__OutcomeRecordRequest outcome;
    spona__v1__outcome_record_request__init(&outcome);
    outcome.case_id = her.earlier_case_id;
    outcome.kind = IDATA_MUTABLE("in_training");
    outcome.occurred_on = IDATA_MUTABLE("2024-05-02");
    r = idata_outcome_record(lead, &outcome);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "outcome_record on the earlier case");
    her.outcome_id = strdup(r->outcome_record->outcome_id);
    envelope_free_response(r);

    uint64_t version = idata_row_version("cases", her.earlier_case_id);
    r = idata_case_close(lead, her.earlier_case_id, version, "moved", "");
    idata_expect_what(r, SPONA__V1__STATUS__OK, "case_close of the earlier case");
    envelope_free_response(r);
}

/* The person at risk, her two cases, and the two exclusions from the current one. */
static void make_fixture(void)
{
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zana = idata_login(&server, "zzz", "zana");
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Zaštićena", "last_name", "Cjevovodić", "jmbg", jmbg,
                           "address", "Sigurna kuća 1", "safety_flag", "true", NULL};
    her.person_id = idata_person_create_ok(lead, pairs);
    make_earlier_case(lead, zana);
    her.current_case_id = idata_case_open_ok(lead, her.person_id);
    spona_response *r = case_exclude(lead, her.current_case_id, "testgrad.zzz", NULL);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "exclude testgrad.zzz");
    envelope_free_response(r);
    r = case_exclude(lead, her.current_case_id, "testgrad.csr", "vlado");
    idata_expect_what(r, SPONA__V1__STATUS__OK, "exclude vlado");
    envelope_free_response(r);
    spona_client_close(lead);
    spona_client_close(zana);
}

/* The id a row's subject field gets, or NULL when the row has no such subject. */
static const char *subject_id(const struct request_kind *kind)
{
    switch (kind->subject) {
    case REQUEST_SUBJECT_PERSON:
        return her.person_id;
    case REQUEST_SUBJECT_CASE:
        return her.earlier_case_id;
    case REQUEST_SUBJECT_REFERRAL:
        return her.referral_id;
    case REQUEST_SUBJECT_OUTCOME:
        return her.outcome_id;
    case REQUEST_SUBJECT_INTAKE: /* the caller as lead, on a case it names (break-glass) */
        return kind->subject_field != NULL ? her.earlier_case_id : NULL;
    default:
        return NULL;
    }
}

/* A request of kind with only its subject field set (caller frees with free_unpacked). */
static spona_request *build(const struct request_kind *kind, const char *id)
{
    const ProtobufCFieldDescriptor *body = protobuf_c_message_descriptor_get_field(
        &spona__v1__request__descriptor, (unsigned)kind->body_case);
    assert_non_null(body);
    const ProtobufCMessageDescriptor *type = body->descriptor;
    ProtobufCMessage *message = calloc(1, type->sizeof_message);
    assert_non_null(message);
    protobuf_c_message_init(type, message);
    const ProtobufCFieldDescriptor *field =
        protobuf_c_message_descriptor_get_field_by_name(type, kind->subject_field);
    if (field == NULL || field->type != PROTOBUF_C_TYPE_STRING)
        fail_msg("row %s names subject field %s, which %s does not have as a string",
                 kind->name, kind->subject_field, type->name);
    *(char **)(void *)((char *)message + field->offset) = strdup(id);
    spona_request *request = calloc(1, sizeof(*request));
    assert_non_null(request);
    spona__v1__request__init(request);
    request->protocol_version = SPONA_PROTOCOL_VERSION;
    request->body_case = (Spona__V1__Request__BodyCase)kind->body_case;
    *(ProtobufCMessage **)(void *)((char *)request + body->offset) = message;
    return request;
}

/* Asserts the refusal of request_id by username is on the audit trail. */
static void assert_refusal_audited(PGconn *db, const char *username, uint64_t request_id,
                                   const char *action)
{
    char id[24];
    snprintf(id, sizeof(id), "%llu", (unsigned long long)request_id);
    const char *params[] = {id, username, action};
    PGresult *result = idata_pg(
        db, PGRES_TUPLES_OK,
        "SELECT outcome FROM audit_log WHERE request_id = $1::bigint AND action = $3"
        "   AND user_id = (SELECT id FROM users WHERE username = $2)"
        "   AND at > now() - interval '10 minutes' ORDER BY seq DESC LIMIT 1",
        3, params);
    if (PQntuples(result) != 1)
        fail_msg("%s's refused %s (request %s) is not on the audit trail", username, action, id);
    const char *outcome = PQgetvalue(result, 0, 0);
    if (strcmp(outcome, "denied") != 0 && strcmp(outcome, "not_found") != 0)
        fail_msg("%s's refused %s is audited as '%s'", username, action, outcome);
    PQclear(result);
}

/* Sends every row with a person, case, referral or outcome subject as one refused caller. */
static void walk_table_as(const char *cert, const char *username)
{
    struct spona_client *client = idata_login(&server, cert, username);
    PGconn *db = idata_pg_connect("postgres");
    char *before = fingerprint(db);
    size_t count, sent = 0;
    const struct request_kind *rows = request_table(&count);
    for (size_t i = 0; i < count; i++) {
        const char *id = subject_id(&rows[i]);
        if (id == NULL)
            continue;
        spona_request *request = build(&rows[i], id);
        spona_response *r = idata_call(client, request);
        if (r->status != SPONA__V1__STATUS__NOT_FOUND &&
            r->status != SPONA__V1__STATUS__PERMISSION_DENIED)
            fail_msg("%s as %s: %s '%s' (expected a refusal)", rows[i].name, username,
                     envelope_status_name(r->status), r->message);
        assert_refusal_audited(db, username, r->request_id, rows[i].name);
        envelope_free_response(r);
        protobuf_c_message_free_unpacked(&request->base, NULL);
        sent++;
        char *after = fingerprint(db);
        if (strcmp(before, after) != 0)
            fail_msg("%s as %s changed the person's rows", rows[i].name, username);
        free(after);
    }
    assert_true(sent >= 20); /* the table has at least this many personal rows */
    free(before);
    PQfinish(db);
    spona_client_close(client);
}

static void test_every_table_is_named(void **state)
{
    (void)state;
    PGconn *db = idata_pg_connect("postgres");
    assert_every_table_named(db);
    PQfinish(db);
}

/*
 * Only the session rows run their own statements (no transaction, no audit by the
 * pipeline): every other row is on the pipeline, and no row of its own is a write.
 */
static void test_only_sessions_bypass_the_pipeline(void **state)
{
    (void)state;
    static const char *const sessions[] = {"ping", "login", "resume", "whoami", "logout"};
    size_t count;
    const struct request_kind *rows = request_table(&count);
    for (size_t i = 0; i < count; i++) {
        if (!(rows[i].flags & REQUEST_OWN_TX))
            continue;
        int session = 0;
        for (size_t s = 0; s < sizeof(sessions) / sizeof(sessions[0]); s++)
            session |= strcmp(rows[i].name, sessions[s]) == 0;
        if (!session)
            fail_msg("%s runs its own transaction: it must be on the pipeline", rows[i].name);
        if (rows[i].flags & REQUEST_WRITE)
            fail_msg("%s is a write outside the pipeline", rows[i].name);
    }
}

static void test_stranger_is_refused_everything(void **state)
{
    (void)state;
    make_fixture();
    walk_table_as("skola", "sanja");
}

static void test_excluded_user_is_refused_through_the_other_case(void **state)
{
    (void)state;
    walk_table_as("csr", "vlado");
}

static void test_excluded_institution_is_refused_through_the_other_case(void **state)
{
    (void)state;
    walk_table_as("zzz", "zana");
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_table_is_named),
        cmocka_unit_test(test_only_sessions_bypass_the_pipeline),
        cmocka_unit_test(test_stranger_is_refused_everything),
        cmocka_unit_test(test_excluded_user_is_refused_through_the_other_case),
        cmocka_unit_test(test_excluded_institution_is_refused_through_the_other_case),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
