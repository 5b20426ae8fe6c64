/*
 * Integration test: reads' audit records in batches (server/request/audit_writer.c,
 * sql/057_audit_batch.sql).
 *   - An answer never arrives before its record is committed: while another connection
 *     holds every chain lane of auditgrad, a person_get is read and its record waits in
 *     the writer's batch (its backend waiting on the lane's lock, seen in
 *     pg_stat_activity); the answer has not arrived and the record is not in audit_log.
 *     Once the lanes are free, the answer (with the person's data) and the record arrive.
 *   - A batch that fails gives its requests an error and no data: with EXECUTE on
 *     spona_audit_append_batch taken from spona_app, person_get answers UNAVAILABLE with
 *     no body and leaves no record; with it given back, the same read is answered.
 *   - Concurrent reads of many users in two municipalities (testgrad's four users of the
 *     Centre, auditgrad's lead), each thread on its own connection: every read answered
 *     has exactly one record naming its user, and both chains verify.
 *   - spona_app cannot append a chained row itself: naming hash or prev_hash in an INSERT
 *     is refused (column privileges), and the batch function refuses a record whose
 *     session is not its user's.
 */
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

static struct itest_server server;
static PGconn *superuser;
static char *auditgrad_id;

static int group_setup(void **state)
{
    *state = &server;
    if (itest_server_start(&server, "audit_batch", NULL) != 0)
        return -1;
    superuser = idata_pg_connect("postgres");
    const char *p[] = {"auditgrad"};
    auditgrad_id =
        idata_pg_value(superuser, "SELECT id FROM municipalities WHERE code = $1", 1, p);
    return 0;
}

static int group_teardown(void **state)
{
    if (superuser != NULL)
        PQfinish(superuser);
    free(auditgrad_id);
    return itest_group_teardown(state);
}

/* A fresh person created by client; its id (caller frees). */
static char *fresh_person(struct spona_client *client)
{
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Serija", "last_name", "Testna", "jmbg", jmbg, NULL};
    return idata_person_create_ok(client, pairs);
}

/* How many person_get records the person has with outcome (as the superuser). */
static long reads_recorded(const char *person_id, const char *outcome)
{
    const char *p[] = {person_id, outcome};
    char *value = idata_pg_value(superuser,
                                 "SELECT count(*) FROM audit_log WHERE person_id = $1::uuid"
                                 "   AND action = 'person_get' AND outcome = $2",
                                 2, p);
    long n = strtol(value, NULL, 10);
    free(value);
    return n;
}

/* --- an answer waits for its record ------------------------------------------------------ */

struct pending_read {
    struct spona_client *client;
    const char *person_id;
    spona_response *response;
    int answered; /* read and written under lock */
    pthread_mutex_t lock;
};

static void *read_in_background(void *arg)
{
    struct pending_read *read = arg;
    spona_response *response = idata_person_get(read->client, read->person_id);
    pthread_mutex_lock(&read->lock);
    read->response = response;
    read->answered = 1;
    pthread_mutex_unlock(&read->lock);
    return NULL;
}

static int is_answered(struct pending_read *read)
{
    pthread_mutex_lock(&read->lock);
    int answered = read->answered;
    pthread_mutex_unlock(&read->lock);
    return answered;
}

/* Waits (up to 60 s) until a backend waits on a lock in spona_audit_append_batch. */
static void wait_for_blocked_writer(void)
{
    for (int i = 0; i < 600; i++) {
        char *value = idata_pg_value(
            superuser,
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            "   AND query LIKE '%spona_audit_append_batch%'",
            0, NULL);
        long n = strtol(value, NULL, 10);
        free(value);
        if (n > 0)
            return;
        itest_sleep_ms(100);
    }
    fail_msg("the audit writer never waited for auditgrad's lanes");
}

static void test_answer_waits_for_its_record(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "auditgrad-csr", "ajla");
    idata_protocol_ensure(&server, lead, "auditgrad", 1);
    char *person_id = fresh_person(lead);

    PGconn *holder = idata_pg_connect("postgres");
    const char *p[] = {auditgrad_id};
    PQclear(idata_pg(holder, PGRES_COMMAND_OK, "BEGIN", 0, NULL));
    PQclear(idata_pg(holder, PGRES_TUPLES_OK,
                     "SELECT lane FROM audit_head WHERE municipality_id = $1::uuid FOR UPDATE",
                     1, p));

    struct pending_read read = {.client = lead, .person_id = person_id};
    pthread_mutex_init(&read.lock, NULL);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, read_in_background, &read), 0);
    wait_for_blocked_writer();
    itest_sleep_ms(500); /* time for an answer that does not wait to arrive */
    if (is_answered(&read))
        fail_msg("person_get was answered before its audit record was committed");
    assert_int_equal(reads_recorded(person_id, "ok"), 0);

    PQclear(idata_pg(holder, PGRES_COMMAND_OK, "COMMIT", 0, NULL));
    PQfinish(holder);
    pthread_join(thread, NULL);
    pthread_mutex_destroy(&read.lock);
    idata_expect(read.response, SPONA__V1__STATUS__OK);
    assert_non_null(read.response->person_get);
    assert_string_equal(idata_field(read.response->person_get, "first_name"), "Serija");
    envelope_free_response(read.response);
    assert_int_equal(reads_recorded(person_id, "ok"), 1);
    free(person_id);
    spona_client_close(lead);
}

/* --- a failed batch: an error, never the data --------------------------------------------- */

static void test_failed_batch_gives_an_error(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "auditgrad-csr", "ajla");
    idata_protocol_ensure(&server, lead, "auditgrad", 1);
    char *person_id = fresh_person(lead);

    PQclear(idata_pg(superuser, PGRES_COMMAND_OK,
                     "REVOKE EXECUTE ON FUNCTION spona_audit_append_batch(json) FROM spona_app",
                     0, NULL));
    spona_response *r = idata_person_get(lead, person_id);
    PQclear(idata_pg(superuser, PGRES_COMMAND_OK,
                     "GRANT EXECUTE ON FUNCTION spona_audit_append_batch(json) TO spona_app",
                     0, NULL));
    idata_expect(r, SPONA__V1__STATUS__UNAVAILABLE);
    assert_null(r->person_get);
    assert_int_equal(r->body_case, 0);
    envelope_free_response(r);
    assert_int_equal(reads_recorded(person_id, "ok"), 0);

    r = idata_person_get(lead, person_id); /* the writer serves on */
    idata_expect(r, SPONA__V1__STATUS__OK);
    assert_non_null(r->person_get);
    envelope_free_response(r);
    assert_int_equal(reads_recorded(person_id, "ok"), 1);
    free(person_id);
    spona_client_close(lead);
}

/* --- many users at once ---------------------------------------------------------------- */

#define READERS 5
#define READS_EACH 40

struct reader {
    const char *cert, *username, *person_id;
    int ok;
};

static void *reader_main(void *arg)
{
    struct reader *reader = arg;
    struct spona_client *client = idata_login(&server, reader->cert, reader->username);
    for (int i = 0; i < READS_EACH; i++) {
        spona_response *r = idata_person_get(client, reader->person_id);
        if (r->status == SPONA__V1__STATUS__OK && r->person_get != NULL)
            reader->ok++;
        envelope_free_response(r);
    }
    spona_client_close(client);
    return NULL;
}

/* person_get records of the person by username (as the superuser). */
static long reads_by(const char *person_id, const char *username)
{
    const char *p[] = {person_id, username};
    char *value = idata_pg_value(superuser,
                                 "SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.user_id"
                                 " WHERE a.person_id = $1::uuid AND a.action = 'person_get'"
                                 "   AND a.outcome = 'ok' AND u.username = $2",
                                 2, p);
    long n = strtol(value, NULL, 10);
    free(value);
    return n;
}

static void assert_verifies(struct spona_client *client, const char *which)
{
    spona_response *r = idata_audit_verify(client);
    idata_expect(r, SPONA__V1__STATUS__OK);
    if (!r->audit_verify->intact || r->audit_verify->first_bad_seq != 0)
        fail_msg("%s's chain should verify: first bad %llu, '%s'", which,
                 (unsigned long long)r->audit_verify->first_bad_seq, r->audit_verify->problem);
    envelope_free_response(r);
}

static void test_concurrent_reads_chain_exactly(void **state)
{
    (void)state;
    struct spona_client *bojan = idata_login(&server, "csr", "bojan");
    struct spona_client *ajla = idata_login(&server, "auditgrad-csr", "ajla");
    idata_protocol_ensure(&server, ajla, "auditgrad", 1);
    char *testgrad_person = fresh_person(bojan);
    char *auditgrad_person = fresh_person(ajla);
    struct reader readers[READERS] = {
        {"csr", "ana", testgrad_person, 0},   {"csr", "bojan", testgrad_person, 0},
        {"csr", "vesna", testgrad_person, 0}, {"csr", "vlado", testgrad_person, 0},
        {"auditgrad-csr", "ajla", auditgrad_person, 0},
    };
    pthread_t threads[READERS];
    for (int i = 0; i < READERS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, reader_main, &readers[i]), 0);
    for (int i = 0; i < READERS; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < READERS; i++) {
        if (readers[i].ok != READS_EACH)
            fail_msg("%s: %d of %d reads answered", readers[i].username, readers[i].ok,
                     READS_EACH);
        if (reads_by(readers[i].person_id, readers[i].username) != READS_EACH)
            fail_msg("%s: %ld records for %d reads", readers[i].username,
                     reads_by(readers[i].person_id, readers[i].username), READS_EACH);
    }
    assert_verifies(bojan, "testgrad");
    assert_verifies(ajla, "auditgrad");
    free(testgrad_person);
    free(auditgrad_person);
    spona_client_close(bojan);
    spona_client_close(ajla);
}

/* --- spona_app cannot append chained rows ------------------------------------------------ */

static void test_app_cannot_forge_chained_rows(void **state)
{
    (void)state;
    PGconn *app = idata_pg_connect("spona_app");
    const char *p[] = {auditgrad_id};
    PGresult *r = PQexecParams(app,
                               "INSERT INTO audit_log (municipality_id, action, outcome,"
                               "                       prev_hash, hash)"
                               " VALUES ($1::uuid, 'forged', 'ok', '\\x00', '\\x01')",
                               1, NULL, p, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
    assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "42501");
    PQclear(r);

    /* a record naming a user whose session it is not: the whole batch refused */
    char *session = idata_pg_value(superuser,
                                   "SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id"
                                   " WHERE u.username = 'ajla' LIMIT 1",
                                   0, NULL);
    char *other = idata_pg_value(superuser, "SELECT id FROM users WHERE username = 'bojan'", 0,
                                 NULL);
    char *institution = idata_pg_value(
        superuser, "SELECT id FROM institutions WHERE code = 'auditgrad.csr'", 0, NULL);
    char json[1024];
    snprintf(json, sizeof(json),
             "[{\"municipality_id\":\"%s\",\"user_id\":\"%s\",\"institution_id\":\"%s\","
             "\"session_id\":\"%s\",\"action\":\"forged\",\"outcome\":\"ok\"}]",
             auditgrad_id, other, institution, session);
    const char *q[] = {json};
    r = PQexecParams(app, "SELECT spona_audit_append_batch($1::json)", 1, NULL, q, NULL, NULL,
                     0);
    assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
    assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "42501");
    PQclear(r);
    char *forged = idata_pg_value(superuser,
                                  "SELECT count(*) FROM audit_log WHERE action = 'forged'", 0,
                                  NULL);
    assert_string_equal(forged, "0");
    free(forged);
    free(session);
    free(other);
    free(institution);
    PQfinish(app);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer_waits_for_its_record),
        cmocka_unit_test(test_failed_batch_gives_an_error),
        cmocka_unit_test(test_concurrent_reads_chain_exactly),
        cmocka_unit_test(test_app_cannot_forge_chained_rows),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
