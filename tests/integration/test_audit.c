/*
 * Integration test: the audit trail.
 *   - In testgrad (protocol v2): every person_create, person_get, person_update
 *     (allowed or refused), consent_grant and consent_withdraw appends one record
 *     with the right action, request id, categories disclosed and denied, clauses,
 *     protocol version and outcome (read from audit_log as the superuser, and
 *     through `disclosures`); `audit_verify` finds the chain intact.
 *   - In auditgrad, a municipality only this test uses (its lanes are its own), with
 *     records in three chain lanes (sql/035; another connection holds the lower lanes
 *     while the server appends): as the PostgreSQL superuser with
 *     session_replication_role = replica, change a record's detail or outcome, delete a
 *     middle record, a lane's first record, a lane's newest records and a whole lane,
 *     swap two records of a lane, move a record to another lane and to a lane that does
 *     not exist; each time audit_verify reports the bad record, and after the record
 *     is put back the trail verifies again.
 *   - The field map: every column of persons is a personal field of server/policy/fields.c
 *     or a system column, and every field is a column.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "idata.h"

static struct itest_server server;
static PGconn *superuser;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "audit", NULL);
}

static int group_teardown(void **state)
{
    if (superuser != NULL)
        PQfinish(superuser);
    return itest_group_teardown(state);
}

/* One audit_log row as text. */
struct row {
    char action[64], disclosed[512], denied[512], clauses[128], version[16], outcome[32];
    char username[64], institution[64], request_id[32], emergency[8];
};

/* The person's audit records in order (at most max). */
static size_t person_records(const char *person_id, struct row *rows, size_t max)
{
    const char *p[] = {person_id};
    PGresult *r = idata_pg(superuser, PGRES_TUPLES_OK,
                           "SELECT a.action, array_to_string(a.disclosed, ','),"
                           "       array_to_string(a.denied, ','),"
                           "       array_to_string(a.clauses, ','),"
                           "       coalesce(a.protocol_version::text, ''), a.outcome,"
                           "       coalesce(u.username, ''), coalesce(i.code, ''),"
                           "       a.request_id::text, a.emergency::text"
                           "  FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
                           "  LEFT JOIN institutions i ON i.id = a.institution_id"
                           " WHERE a.person_id = $1::uuid ORDER BY a.seq",
                           1, p);
    size_t n = (size_t)PQntuples(r);
    for (size_t i = 0; i < n && i < max; i++) {
        struct row *x = &rows[i];
        snprintf(x->action, sizeof(x->action), "%s", PQgetvalue(r, (int)i, 0));
        snprintf(x->disclosed, sizeof(x->disclosed), "%s", PQgetvalue(r, (int)i, 1));
        snprintf(x->denied, sizeof(x->denied), "%s", PQgetvalue(r, (int)i, 2));
        snprintf(x->clauses, sizeof(x->clauses), "%s", PQgetvalue(r, (int)i, 3));
        snprintf(x->version, sizeof(x->version), "%s", PQgetvalue(r, (int)i, 4));
        snprintf(x->outcome, sizeof(x->outcome), "%s", PQgetvalue(r, (int)i, 5));
        snprintf(x->username, sizeof(x->username), "%s", PQgetvalue(r, (int)i, 6));
        snprintf(x->institution, sizeof(x->institution), "%s", PQgetvalue(r, (int)i, 7));
        snprintf(x->request_id, sizeof(x->request_id), "%s", PQgetvalue(r, (int)i, 8));
        snprintf(x->emergency, sizeof(x->emergency), "%s", PQgetvalue(r, (int)i, 9));
    }
    PQclear(r);
    return n;
}

/* Whether a comma-separated list holds item. */
static int has(const char *list, const char *item)
{
    size_t length = strlen(item);
    for (const char *at = list; (at = strstr(at, item)) != NULL; at += length)
        if ((at == list || at[-1] == ',') && (at[length] == ',' || at[length] == '\0'))
            return 1;
    return 0;
}

static void assert_row(const struct row *x, const char *action, const char *outcome,
                       const char *username, uint64_t request_id)
{
    char id[32];
    snprintf(id, sizeof(id), "%llu", (unsigned long long)request_id);
    if (strcmp(x->action, action) != 0 || strcmp(x->outcome, outcome) != 0 ||
        strcmp(x->username, username) != 0 || strcmp(x->request_id, id) != 0)
        fail_msg("audit record: expected %s/%s by %s, request %s; got %s/%s by %s, request %s",
                 action, outcome, username, id, x->action, x->outcome, x->username,
                 x->request_id);
    assert_string_equal(x->version, "2");
    assert_string_equal(x->emergency, "false");
}

static void test_every_access_appends_a_record(void **state)
{
    (void)state;
    if (superuser == NULL)
        superuser = idata_pg_connect("postgres");
    struct spona_client *lead = idata_login(&server, "csr", "bojan");
    struct spona_client *zzz = idata_login(&server, "zzz", "zana");
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Revizija", "last_name", "Testna", "jmbg", jmbg,
                           "address", "Ulica 3", "skills", "zidar", "health_notes", "astma", NULL};
    spona_response *r = idata_person_create(lead, pairs);
    idata_expect(r, SPONA__V1__STATUS__OK);
    uint64_t create_id = r->request_id;
    char *person_id = strdup(r->person_create->person_id);
    envelope_free_response(r);
    char *case_id = idata_case_open_ok(lead, person_id);
    idata_refer_and_accept(lead, zzz, case_id, "testgrad.zzz");

    r = idata_person_get(zzz, person_id); /* identity, contact: clause 2 */
    idata_expect(r, SPONA__V1__STATUS__OK);
    uint64_t get_id = r->request_id;
    envelope_free_response(r);

    const char *const education[] = {"education_work", NULL};
    r = idata_consent_grant(lead, person_id, "testgrad.zzz", education, NULL, NULL);
    idata_expect(r, SPONA__V1__STATUS__OK);
    uint64_t grant_id = r->request_id;
    envelope_free_response(r);

    r = idata_person_get(zzz, person_id); /* now education too: clause 4 */
    idata_expect(r, SPONA__V1__STATUS__OK);
    uint64_t get2_id = r->request_id;
    uint64_t version = r->person_get->version;
    envelope_free_response(r);

    const char *health[] = {"health_notes", "zdrav", NULL};
    r = idata_person_update(zzz, person_id, version, health); /* no clause */
    assert_int_equal(r->status, SPONA__V1__STATUS__PERMISSION_DENIED);
    uint64_t denied_id = r->request_id;
    envelope_free_response(r);

    const char *skills[] = {"skills", "zidar, tesar", NULL};
    r = idata_person_update(lead, person_id, version, skills);
    idata_expect(r, SPONA__V1__STATUS__OK);
    uint64_t update_id = r->request_id;
    envelope_free_response(r);

    r = idata_consent_withdraw(lead, person_id, "testgrad.zzz", NULL);
    idata_expect(r, SPONA__V1__STATUS__OK);
    uint64_t withdraw_id = r->request_id;
    envelope_free_response(r);

    r = idata_person_get(lead, person_id); /* the lead sees all: clause 1 */
    idata_expect(r, SPONA__V1__STATUS__OK);
    uint64_t get3_id = r->request_id;
    envelope_free_response(r);

    struct row rows[32];
    size_t n = person_records(person_id, rows, 32);
    /* find each request's record by its id and action */
    struct {
        const char *action, *outcome, *username;
        uint64_t request_id;
        const char *disclosed[4], *denied[4], *clauses;
    } want[] = {
        {"person_create", "ok", "bojan", create_id,
         {"identity", "contact_address", "education_work", "health_disability"}, {NULL}, "1"},
        {"person_get", "ok", "zana", get_id, {"identity", "contact_address", NULL},
         {"education_work", "health_disability", "safety", NULL}, "2"},
        {"consent_grant", "ok", "bojan", grant_id, {NULL}, {NULL}, NULL},
        {"person_get", "ok", "zana", get2_id, {"identity", "contact_address", "education_work",
                                              NULL},
         {"health_disability", "safety", NULL}, NULL},
        {"person_update", "denied", "zana", denied_id, {NULL}, {"health_disability", NULL},
         NULL},
        {"person_update", "ok", "bojan", update_id, {"education_work", NULL}, {NULL}, "1"},
        {"consent_withdraw", "ok", "bojan", withdraw_id, {NULL}, {NULL}, NULL},
        {"person_get", "ok", "bojan", get3_id,
         {"identity", "contact_address", "education_work", "health_disability"}, {NULL}, "1"},
    };
    size_t next = 0; /* records must come in request order */
    for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
        char id[32];
        snprintf(id, sizeof(id), "%llu", (unsigned long long)want[w].request_id);
        size_t found = n;
        for (size_t i = next; i < n && found == n; i++)
            if (strcmp(rows[i].action, want[w].action) == 0 &&
                strcmp(rows[i].request_id, id) == 0 &&
                strcmp(rows[i].username, want[w].username) == 0)
                found = i;
        if (found == n)
            fail_msg("no audit record of %s (request %s by %s) after record %zu of %zu",
                     want[w].action, id, want[w].username, next, n);
        const struct row *x = &rows[found];
        assert_row(x, want[w].action, want[w].outcome, want[w].username, want[w].request_id);
        for (size_t k = 0; k < 4 && want[w].disclosed[k] != NULL; k++)
            if (!has(x->disclosed, want[w].disclosed[k]))
                fail_msg("%s record: disclosed '%s' lacks %s", x->action, x->disclosed,
                         want[w].disclosed[k]);
        for (size_t k = 0; k < 4 && want[w].denied[k] != NULL; k++)
            if (!has(x->denied, want[w].denied[k]))
                fail_msg("%s record: denied '%s' lacks %s", x->action, x->denied,
                         want[w].denied[k]);
        if (want[w].clauses != NULL && !has(x->clauses, want[w].clauses))
            fail_msg("%s record: clauses '%s' lack %s", x->action, x->clauses, want[w].clauses);
        next = found + 1;
    }
    /* the zzz read after consent cites clauses 2 and 4; nothing hidden was disclosed */
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].username, "zana") == 0 && strcmp(rows[i].outcome, "ok") == 0) {
            assert_false(has(rows[i].disclosed, "health_disability"));
            assert_false(has(rows[i].disclosed, "safety"));
        }

    /* disclosures: what zzz saw, under which clause */
    r = idata_disclosures(lead, person_id);
    idata_expect(r, SPONA__V1__STATUS__OK);
    assert_string_equal(r->disclosures->person_id, person_id);
    int saw_education = 0;
    uint64_t previous_seq = 0;
    for (size_t i = 0; i < r->disclosures->n_disclosures; i++) {
        const Spona__V1__Disclosure *d = r->disclosures->disclosures[i];
        assert_true(d->seq > previous_seq);
        previous_seq = d->seq;
        if (d->request_id == get2_id && strcmp(d->institution_code, "testgrad.zzz") == 0) {
            assert_string_equal(d->username, "zana");
            assert_string_equal(d->action, "person_get");
            assert_int_equal(d->protocol_version, 2);
            assert_false(d->emergency);
            for (size_t k = 0; k < d->n_categories; k++)
                saw_education |= strcmp(d->categories[k], "education_work") == 0;
            int clause_4 = 0;
            for (size_t k = 0; k < d->n_clauses; k++)
                clause_4 |= d->clauses[k] == 4;
            assert_true(clause_4);
            assert_true(d->at[0] != '\0');
        }
    }
    assert_true(saw_education);
    envelope_free_response(r);
    /* disclosures are the lead's report */
    r = idata_disclosures(zzz, person_id);
    assert_true(r->status == SPONA__V1__STATUS__PERMISSION_DENIED ||
                r->status == SPONA__V1__STATUS__NOT_FOUND);
    envelope_free_response(r);

    /* the chain of testgrad is intact, for the lead and for the coordinator */
    r = idata_audit_verify(lead);
    idata_expect(r, SPONA__V1__STATUS__OK);
    if (!r->audit_verify->intact)
        fail_msg("testgrad's chain is not intact: seq %llu, %s",
                 (unsigned long long)r->audit_verify->first_bad_seq, r->audit_verify->problem);
    assert_true(r->audit_verify->records >= n);
    assert_int_equal(r->audit_verify->first_bad_seq, 0);
    assert_int_equal(strlen(r->audit_verify->head_hash), 64);
    envelope_free_response(r);
    struct spona_client *grad = idata_login(&server, "grad", "goran");
    r = idata_audit_verify(grad);
    idata_expect(r, SPONA__V1__STATUS__OK);
    assert_true(r->audit_verify->intact);
    envelope_free_response(r);
    r = idata_audit_verify(zzz);
    assert_int_equal(r->status, SPONA__V1__STATUS__PERMISSION_DENIED);
    envelope_free_response(r);
    spona_client_close(grad);
    spona_client_close(zzz);
    spona_client_close(lead);
    free(person_id);
    free(case_id);
}

/* --- tampering, in auditgrad ------------------------------------------------------------ */

static struct spona_client *auditor;
static char *auditgrad_id;

static void sql(const char *text)
{
    PGresult *r = PQexec(superuser, text);
    ExecStatusType status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        char message[512];
        snprintf(message, sizeof(message), "%s", PQresultErrorMessage(r));
        PQclear(r);
        fail_msg("superuser SQL '%s': %s", text, message);
    }
    PQclear(r);
}

/* Runs a statement about auditgrad's chain: $1 is its municipality id. */
static void sql_m(const char *text)
{
    const char *p[] = {auditgrad_id};
    PGresult *r = idata_pg(superuser, PGRES_COMMAND_OK, text, 1, p);
    PQclear(r);
}

static Spona__V1__AuditVerifyResponse verify(void)
{
    spona_response *r = idata_audit_verify(auditor);
    idata_expect(r, SPONA__V1__STATUS__OK);
    Spona__V1__AuditVerifyResponse copy = *r->audit_verify;
    static char problem[512];
    snprintf(problem, sizeof(problem), "%s", r->audit_verify->problem);
    copy.problem = problem;
    copy.head_hash = NULL;
    envelope_free_response(r);
    return copy;
}

static void assert_intact(const char *when)
{
    Spona__V1__AuditVerifyResponse v = verify();
    if (!v.intact || v.first_bad_seq != 0)
        fail_msg("%s: auditgrad's chain should verify; got first bad %llu, '%s'", when,
                 (unsigned long long)v.first_bad_seq, v.problem);
}

static void assert_broken_at(uint64_t seq, uint64_t or_seq, const char *what)
{
    Spona__V1__AuditVerifyResponse v = verify();
    if (v.intact || (v.first_bad_seq != seq && v.first_bad_seq != or_seq))
        fail_msg("after %s: expected first bad record %llu%s; audit_verify said intact %d, "
                 "first bad %llu, '%s'", what, (unsigned long long)seq,
                 or_seq != seq ? " (or the next)" : "", v.intact,
                 (unsigned long long)v.first_bad_seq, v.problem);
    assert_true(v.problem[0] != '\0');
}

/* A few audited requests in auditgrad: each person_create and person_get appends. */
static void append_records(int persons)
{
    for (int i = 0; i < persons; i++) {
        char jmbg[14];
        idata_fresh_jmbg(jmbg);
        const char *pairs[] = {"first_name", "Lanac", "last_name", "Testni", "jmbg", jmbg, NULL};
        char *person_id = idata_person_create_ok(auditor, pairs);
        spona_response *r = idata_person_get(auditor, person_id);
        idata_expect(r, SPONA__V1__STATUS__OK);
        envelope_free_response(r);
        free(person_id);
    }
}

/* The seq of the nth (1-based; 0: the last) record of auditgrad's lane `lane`. */
static unsigned long long lane_record(int lane, int nth)
{
    char statement[256];
    if (nth > 0)
        snprintf(statement, sizeof(statement),
                 "SELECT seq FROM audit_log WHERE municipality_id = $1 AND lane = %d"
                 " ORDER BY seq OFFSET %d LIMIT 1", lane, nth - 1);
    else
        snprintf(statement, sizeof(statement),
                 "SELECT max(seq) FROM audit_log WHERE municipality_id = $1 AND lane = %d", lane);
    char *value = idata_pg_value(superuser, statement, 1, (const char *const[]){auditgrad_id});
    unsigned long long seq = strtoull(value, NULL, 10);
    free(value);
    if (seq == 0)
        fail_msg("auditgrad's lane %d has no record %d", lane, nth);
    return seq;
}

/* Runs a statement about auditgrad made from format ($1 is its municipality id). */
__attribute__((format(printf, 1, 2))) static void sql_f(const char *format, ...)
{
    char statement[512];
    va_list args;
    va_start(args, format);
    vsnprintf(statement, sizeof(statement), format, args);
    va_end(args);
    sql_m(statement);
}

/* Puts back record seq as it was saved (after it was deleted). */
static void put_back(unsigned long long seq)
{
    sql_f("INSERT INTO audit_log SELECT * FROM saved WHERE municipality_id = $1 AND seq = %llu",
          seq);
}

/*
 * Records in lanes 0, 1 and 2: while another connection holds lanes below L (as a
 * concurrent audited transaction would), the server's records go to lane L.
 */
static void fill_lanes(int lanes)
{
    PGconn *holder = idata_pg_connect("postgres");
    append_records(2);
    for (int lane = 1; lane < lanes; lane++) {
        PGresult *r = PQexec(holder, "BEGIN");
        PQclear(r);
        char statement[160];
        snprintf(statement, sizeof(statement),
                 "SELECT lane FROM audit_head WHERE municipality_id = $1 AND lane < %d"
                 " FOR UPDATE", lane);
        r = idata_pg(holder, PGRES_TUPLES_OK, statement, 1, (const char *const[]){auditgrad_id});
        assert_int_equal(PQntuples(r), lane);
        PQclear(r);
        append_records(2);
        r = PQexec(holder, "COMMIT");
        PQclear(r);
    }
    PQfinish(holder);
    for (int lane = 0; lane < lanes; lane++) {
        char statement[160];
        snprintf(statement, sizeof(statement),
                 "SELECT count(*) FROM audit_log WHERE municipality_id = $1 AND lane = %d", lane);
        char *count = idata_pg_value(superuser, statement, 1, (const char *const[]){auditgrad_id});
        if (atol(count) < 4)
            fail_msg("auditgrad's lane %d has %s records; expected at least 4", lane, count);
        free(count);
    }
}

/* Edits in lanes 1 and 2: found at the edited record; intact once put back. */
static void tamper_edit(void)
{
    unsigned long long s = lane_record(1, 2);
    sql_f("UPDATE audit_log SET detail = detail || ' (edited)'"
            " WHERE municipality_id = $1 AND seq = %llu", s);
    assert_broken_at(s, s, "changing lane 1's record 2's detail");
    sql_f("UPDATE audit_log a SET detail = s.detail FROM saved s"
            " WHERE a.municipality_id = $1 AND s.municipality_id = a.municipality_id"
            "   AND a.seq = %llu AND s.seq = a.seq", s);
    assert_intact("the detail restored");

    s = lane_record(2, 1);
    sql_f("UPDATE audit_log SET outcome = 'denied', disclosed = '{}'"
            " WHERE municipality_id = $1 AND seq = %llu", s);
    assert_broken_at(s, s, "rewriting lane 2's first record's outcome");
    sql_f("UPDATE audit_log a SET outcome = s.outcome, disclosed = s.disclosed FROM saved s"
            " WHERE a.municipality_id = $1 AND s.municipality_id = a.municipality_id"
            "   AND a.seq = %llu AND s.seq = a.seq", s);
    assert_intact("the outcome restored");
}

/* Deletions: a middle record, a lane's first record, a lane's newest records. */
static void tamper_delete(void)
{
    unsigned long long s2 = lane_record(1, 2), s3 = lane_record(1, 3);
    sql_f("DELETE FROM audit_log WHERE municipality_id = $1 AND seq = %llu", s2);
    assert_broken_at(s2, s3, "deleting lane 1's record 2");
    put_back(s2);
    assert_intact("lane 1's record 2 put back");

    unsigned long long first = lane_record(2, 1), second = lane_record(2, 2);
    sql_f("DELETE FROM audit_log WHERE municipality_id = $1 AND seq = %llu", first);
    assert_broken_at(first, second, "deleting lane 2's first record");
    put_back(first);
    first = lane_record(0, 1);
    second = lane_record(0, 2);
    sql_f("DELETE FROM audit_log WHERE municipality_id = $1 AND seq = %llu", first);
    assert_broken_at(first, second, "deleting lane 0's first record");
    put_back(first);
    assert_intact("the first records put back");

    /* truncation: lane 1's two newest records, then all of lane 2: only the heads say so */
    unsigned long long last = lane_record(1, 0);
    sql_f("DELETE FROM audit_log WHERE municipality_id = $1 AND lane = 1 AND seq >= %llu",
          lane_record(1, 3));
    assert_broken_at(last, last, "deleting lane 1's newest records");
    sql_m("INSERT INTO audit_log SELECT * FROM saved s WHERE s.municipality_id = $1"
          " AND s.lane = 1 AND NOT EXISTS (SELECT 1 FROM audit_log a"
          " WHERE a.municipality_id = s.municipality_id AND a.seq = s.seq)");
    assert_intact("lane 1 put back");
    last = lane_record(2, 0);
    sql_m("DELETE FROM audit_log WHERE municipality_id = $1 AND lane = 2");
    assert_broken_at(last, last, "emptying lane 2");
    sql_m("INSERT INTO audit_log SELECT * FROM saved WHERE municipality_id = $1 AND lane = 2");
    assert_intact("lane 2 put back");
}

/* Reordering within a lane and moving a record to another lane (or out of every lane). */
static void tamper_move(void)
{
    unsigned long long a = lane_record(2, 1), b = lane_record(2, 2);
    for (int round = 0; round < 2; round++) {
        sql_f("UPDATE audit_log SET seq = -2 WHERE municipality_id = $1 AND seq = %llu", a);
        sql_f("UPDATE audit_log SET seq = %llu WHERE municipality_id = $1 AND seq = %llu", a, b);
        sql_f("UPDATE audit_log SET seq = %llu WHERE municipality_id = $1 AND seq = -2", b);
        if (round == 0)
            assert_broken_at(a, b, "swapping lane 2's first two records");
    }
    assert_intact("lane 2's records swapped back");

    unsigned long long moved = lane_record(1, 2), next = lane_record(1, 3);
    sql_f("UPDATE audit_log SET lane = 2 WHERE municipality_id = $1 AND seq = %llu", moved);
    assert_broken_at(next, moved, "moving lane 1's record 2 to lane 2");
    sql_f("UPDATE audit_log SET lane = 7000 WHERE municipality_id = $1 AND seq = %llu", moved);
    assert_broken_at(moved, moved, "moving a record to a lane that does not exist");
    sql_f("UPDATE audit_log SET lane = 1 WHERE municipality_id = $1 AND seq = %llu", moved);
    assert_intact("the record back in lane 1");
}

static void test_tampering_is_found(void **state)
{
    (void)state;
    if (superuser == NULL)
        superuser = idata_pg_connect("postgres");
    auditor = idata_login(&server, "auditgrad-csr", "ajla");
    idata_protocol_ensure(&server, auditor, "auditgrad", 1);
    const char *p[] = {"auditgrad"};
    auditgrad_id = idata_pg_value(superuser, "SELECT id FROM municipalities WHERE code = $1",
                                  1, p);
    fill_lanes(3);
    assert_intact("before tampering");

    sql("SET session_replication_role = replica");
    sql("DROP TABLE IF EXISTS pg_temp.saved");
    sql_m("CREATE TEMP TABLE saved AS SELECT * FROM audit_log WHERE municipality_id = $1");
    tamper_edit();
    tamper_delete();
    tamper_move();
    sql("SET session_replication_role = origin");
    assert_intact("every record put back");

    /* new records chain on as before */
    append_records(1);
    assert_intact("after new records");
    spona_client_close(auditor);
    free(auditgrad_id);
}

/* --- the field map ------------------------------------------------------------------------ */

static void test_every_persons_column_is_mapped(void **state)
{
    (void)state;
    if (superuser == NULL)
        superuser = idata_pg_connect("postgres");
    PGresult *r = idata_pg(superuser, PGRES_TUPLES_OK,
                           "SELECT column_name FROM information_schema.columns"
                           " WHERE table_schema = 'public' AND table_name = 'persons'"
                           " ORDER BY ordinal_position",
                           0, NULL);
    int columns = PQntuples(r);
    assert_true(columns > 0);
    for (int i = 0; i < columns; i++) {
        const char *column = PQgetvalue(r, i, 0);
        int system = 0;
        for (const char *const *s = person_system_columns; *s != NULL; s++)
            system |= strcmp(*s, column) == 0;
        const struct field_def *field = fields_find(column);
        if (!system && field == NULL)
            fail_msg("column persons.%s has no data category (add it to server/policy/fields.c)",
                     column);
        if (system && field != NULL)
            fail_msg("column persons.%s is both a system column and a personal field", column);
    }
    /* and every field and system column is a column */
    for (size_t f = 0; f < person_field_count; f++) {
        int found = 0;
        for (int i = 0; i < columns; i++)
            found |= strcmp(PQgetvalue(r, i, 0), person_fields[f].name) == 0;
        if (!found)
            fail_msg("field %s of server/policy/fields.c is not a column of persons",
                     person_fields[f].name);
    }
    for (const char *const *s = person_system_columns; *s != NULL; s++) {
        int found = 0;
        for (int i = 0; i < columns; i++)
            found |= strcmp(PQgetvalue(r, i, 0), *s) == 0;
        if (!found)
            fail_msg("system column %s is not a column of persons", *s);
    }
    PQclear(r);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_access_appends_a_record),
        cmocka_unit_test(test_tampering_is_found),
        cmocka_unit_test(test_every_persons_column_is_mapped),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
