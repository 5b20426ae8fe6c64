/*
 * Integration test: what an outside audit could do as the server's database role
 * (spona_app) with some institution's and user's identity, and what row-level security
 * now refuses on its own (sql/017, docs/access.md "What the database enforces").
 * Built through the API (testgrad, protocol v2), one class per test:
 *   - an excluded user (zoran, excluded from case C) and an institution excluded from
 *     ANOTHER case of the person (zzz from case E of Q, while on D's team) see nothing
 *     of the person: person row, cases, team, referrals, consents, notes, audit;
 *   - writes: a school inserts itself into a team, a consent, an exclusion, a referral;
 *     a partner writes what only the lead writes, or another's records; an excluded
 *     user writes a note: all refused;
 *   - the audit trail: only the lead of the person's case reads its records (others
 *     their own actions), the chain check answers the verdict, to the lead only;
 *   - SECURITY DEFINER helpers answer only about what the caller may see, and none is
 *     executable by PUBLIC;
 *   - password hashes are not readable; login gets the parameters and salt only;
 *   - a protocol amendment's approvals: an institution signs only its own row, and a
 *     version with an approval missing cannot be activated (sql/023);
 *   - columns by category (sql/025): spona_app may not select a personal column of
 *     persons or the text of notes, conferences, outcomes and follow-ups at all; the
 *     category-aware views give the rows row-level security gives, each value only
 *     when the caller may read its category (NULL otherwise), and search's view only
 *     the persons whose identity the caller may read.
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

/* protobuf-c string fields are char *; the request only reads them */
#define MUTABLE(text) ((char *)(uintptr_t)(text))

static struct itest_server server;
static char *person_p, *case_c, *person_q, *case_d, *case_e, *person_r, *case_f, *outcome_f;
static PGconn *app, *owner;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "rls_leaks", NULL);
}

static int group_teardown(void **state)
{
    if (app != NULL)
        PQfinish(app);
    if (owner != NULL)
        PQfinish(owner);
    char *strings[] = {person_p, case_c, person_q, case_d, case_e, person_r, case_f, outcome_f};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        free(strings[i]);
    return itest_group_teardown(state);
}

/* Acts as institution code (testgrad) and its user username ("": none), as the server does. */
static void act_as(const char *institution, const char *username)
{
    idata_pg_act_as(app, institution, username);
}

static long count(const char *sql, const char *id)
{
    const char *p[] = {id};
    char *value = idata_pg_value(app, sql, 1, p);
    long n = atol(value);
    free(value);
    return n;
}

/* Asserts the single value of sql with $1 = id. */
static void assert_value(const char *sql, const char *id, const char *expected)
{
    const char *p[] = {id};
    char *value = idata_pg_value(app, sql, 1, p);
    if (strcmp(value, expected) != 0)
        fail_msg("%s ($1 = %s): '%s', expected '%s'", sql, id, value, expected);
    free(value);
}

/* Every row of person's data and case's records visible now, by table (0 expected). */
static void assert_sees_nothing(const char *person, const char *case_id, const char *who)
{
    static const struct {
        const char *table, *sql;
        int by_person;
    } reads[] = {
        {"persons", "SELECT count(*) FROM persons WHERE id = $1::uuid", 1},
        {"consents", "SELECT count(*) FROM consents WHERE person_id = $1::uuid", 1},
        {"audit_log (person)", "SELECT count(*) FROM audit_log WHERE person_id = $1::uuid", 1},
        {"cases (person)", "SELECT count(*) FROM cases WHERE person_id = $1::uuid", 1},
        {"cases", "SELECT count(*) FROM cases WHERE id = $1::uuid", 0},
        {"case_team", "SELECT count(*) FROM case_team WHERE case_id = $1::uuid", 0},
        {"referrals", "SELECT count(*) FROM referrals WHERE case_id = $1::uuid", 0},
        {"case_notes", "SELECT count(*) FROM case_notes WHERE case_id = $1::uuid", 0},
        {"audit_log (case)", "SELECT count(*) FROM audit_log WHERE case_id = $1::uuid", 0},
    };
    for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
        long n = count(reads[i].sql, reads[i].by_person ? person : case_id);
        if (n != 0)
            fail_msg("%s sees %ld rows of %s", who, n, reads[i].table);
    }
}

/* The database's refusal of a category the protocol does not let the caller write. */
#define WRITE_REFUSED "permission denied: the protocol does not let you write"

/* Asserts that sql (params: the strings given) is refused by row-level security. */
static void assert_refused(const char *sql, int n, const char *const *params, const char *what)
{
    char *error = idata_pg_error(app, sql, n, params);
    if (strstr(error, "row-level security") == NULL && strstr(error, WRITE_REFUSED) == NULL)
        fail_msg("%s: expected a row-level security refusal; got '%s'", what, error);
    free(error);
}

/* Asserts that sql ($1 = id) is refused for the category it writes (sql/027). */
static void assert_category_refused(const char *sql, const char *id, const char *category,
                                    const char *what)
{
    const char *p[] = {id};
    char *error = idata_pg_error(app, sql, 1, p);
    if (strstr(error, WRITE_REFUSED) == NULL || strstr(error, category) == NULL)
        fail_msg("%s: expected the protocol's refusal to write %s; got '%s'", what, category,
                 error);
    free(error);
}

/* Asserts that the update sql ($1 = id) changes no row: refused, or finds none. */
static void assert_updates_nothing(const char *sql, const char *id, const char *what)
{
    const char *p[] = {id};
    PGresult *r = PQexecParams(app, sql, 1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_COMMAND_OK) {
        if (strcmp(PQcmdTuples(r), "0") != 0)
            fail_msg("%s changed %s rows", what, PQcmdTuples(r));
    } else if (strstr(PQresultErrorMessage(r), "row-level security") == NULL) {
        fail_msg("%s: %s", what, PQresultErrorMessage(r));
    }
    PQclear(r);
}

static spona_response *case_exclude(struct spona_client *client, const char *case_uuid,
                                    const char *institution_code, const char *username)
{
    Spona__V1__CaseExcludeRequest body;
    spona__v1__case_exclude_request__init(&body);
    body.case_id = MUTABLE(case_uuid);
    body.institution_code = MUTABLE(institution_code);
    body.username = MUTABLE(username != NULL ? username : "");
    body.reason = MUTABLE("a relative of the perpetrator works there");
    spona_request request;
    spona__v1__request__init(&request);
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_EXCLUDE;
    request.case_exclude = &body;
    return idata_call(client, &request);
}

/* Q: case D with zzz on its team; the control read, then case E of Q excluding zzz. */
static void build_q(struct spona_client *lead, struct spona_client *zzz)
{
    const char *q[] = {"first_name", "Curenje", "last_name", "Drugo", NULL};
    person_q = idata_person_create_ok(lead, q);
    case_d = idata_case_open_ok(lead, person_q);
    idata_refer_and_accept(lead, zzz, case_d, "testgrad.zzz");
    act_as("testgrad.zzz", "zana");
    assert_int_equal(count("SELECT count(*) FROM persons WHERE id = $1::uuid", person_q), 1);
    assert_int_equal(count("SELECT count(*) FROM cases WHERE id = $1::uuid", case_d), 1);
    /* an earlier, closed case of Q from which the lead excluded zzz */
    const char *p[] = {person_q};
    case_e = idata_pg_value(
        owner,
        "INSERT INTO cases (municipality_id, person_id, lead_institution_id, lead_user_id,"
        "                   stage, opened_at, closed_at, close_reason)"
        " SELECT c.municipality_id, c.person_id, c.lead_institution_id, c.lead_user_id,"
        "        'closed', now() - interval '2 years', now() - interval '1 year', 'test'"
        "   FROM cases c WHERE c.person_id = $1::uuid RETURNING id",
        1, p);
    const char *e[] = {case_e};
    PGresult *r = idata_pg(owner, PGRES_COMMAND_OK,
                           "INSERT INTO case_exclusions (case_id, municipality_id,"
                           "                             institution_id, reason, created_by)"
                           " SELECT c.id, c.municipality_id, i.id, 'test', c.lead_user_id"
                           "   FROM cases c, institutions i"
                           "  WHERE c.id = $1::uuid AND i.code = 'testgrad.zzz'",
                           1, e);
    PQclear(r);
}

static void test_build_through_the_api(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zzz = idata_login(&server, "zzz", "zana");
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *a[] = {"first_name", "Curenje", "last_name", "Prvo", "jmbg", jmbg,
                       "address", "Skrivena ulica 7", NULL};
    person_p = idata_person_create_ok(lead, a);
    case_c = idata_case_open_ok(lead, person_p);
    idata_refer_and_accept(lead, zzz, case_c, "testgrad.zzz");
    const char *const education[] = {"education_work", NULL};
    spona_response *r = idata_consent_grant(lead, person_p, "testgrad.zzz", education, NULL,
                                            NULL);
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    r = idata_note_add(lead, case_c, "first meeting held");
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    r = case_exclude(lead, case_c, "testgrad.zzz", "zoran");
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    r = case_exclude(lead, case_c, "testgrad.ngo", NULL);
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);

    app = idata_pg_connect("spona_app");
    owner = idata_pg_connect("spona_owner");
    build_q(lead, zzz);
    spona_client_close(zzz);
    spona_client_close(lead);
}

/* A value of sql ($1 = id) as text, "<null>" for NULL. */
static void assert_shown(const char *sql, const char *id, const char *expected)
{
    char wrapped[512];
    snprintf(wrapped, sizeof(wrapped), "SELECT COALESCE((%s)::text, '<null>')", sql);
    assert_value(wrapped, id, expected);
}

/* Asserts that sql ($1 = id) is refused for want of a privilege. */
static void assert_denied(const char *sql, const char *id)
{
    const char *p[] = {id};
    char *error = idata_pg_error(app, sql, 1, p);
    if (strstr(error, "permission denied") == NULL)
        fail_msg("%s: expected permission denied; got '%s'", sql, error);
    free(error);
}

/* R (at risk, with health, safety and education data), case F with zzz, the school and the
 * NGO on its team (no consents), a note, a conference, an outcome and its follow-up by the
 * lead. */
static void build_r(void)
{
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zzz = idata_login(&server, "zzz", "zana");
    struct spona_client *skola = idata_login(&server, "skola", "sanja");
    struct spona_client *ngo = idata_login(&server, "ngo", "nada");
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *r_fields[] = {"first_name", "Kolona", "last_name", "Kategorija", "jmbg", jmbg,
                              "address", "Tajna 3", "health_notes", "dijabetes",
                              "safety_notes", "zabrana prilaska", "safety_flag", "true",
                              "education_level", "srednja", NULL};
    person_r = idata_person_create_ok(lead, r_fields);
    case_f = idata_case_open_ok(lead, person_r);
    idata_refer_and_accept(lead, zzz, case_f, "testgrad.zzz");
    idata_refer_and_accept(lead, skola, case_f, "testgrad.skola");
    idata_refer_and_accept(lead, ngo, case_f, "testgrad.ngo");
    spona_response *r = idata_note_add(lead, case_f, "bilješka o nasilju");
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    const char *codes[] = {"testgrad.csr", NULL}, *users[] = {"vesna", NULL};
    r = idata_conference_record(lead, case_f, "2025-03-01", codes, users, "odluka o smještaju",
                                "sljedeći korak");
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    Spona__V1__OutcomeRecordRequest body;
    spona__v1__outcome_record_request__init(&body);
    body.case_id = MUTABLE(case_f);
    body.kind = MUTABLE("in_training");
    body.occurred_on = MUTABLE("2025-04-01");
    body.note = MUTABLE("obuka za zavarivača");
    r = idata_outcome_record(lead, &body);
    idata_expect(r, SPONA__V1__STATUS__OK);
    outcome_f = strdup(r->outcome_record->outcome_id);
    envelope_free_response(r);
    r = idata_follow_up_record(lead, outcome_f, 3, "2025-07-01", 1, "još radi");
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    spona_client_close(ngo);
    spona_client_close(skola);
    spona_client_close(zzz);
    spona_client_close(lead);
}

/* The rows of each view are the rows row-level security gives the caller on its table. */
static void assert_views_keep_the_rows(const char *who)
{
    static const char *const pairs[][2] = {
        {"persons", "persons_for_caller"},
        {"case_notes", "case_notes_for_caller"},
        {"case_conferences", "case_conferences_for_caller"},
        {"outcomes", "outcomes_for_caller"},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        char sql[512];
        snprintf(sql, sizeof(sql),
                 "SELECT (SELECT count(*) FROM %s)::text || '/' ||"
                 "       (SELECT count(*) FROM (SELECT id FROM %s EXCEPT SELECT id FROM %s"
                 "        UNION ALL SELECT id FROM %s EXCEPT SELECT id FROM %s) d)::text"
                 " WHERE $1::text = $1::text",
                 pairs[i][0], pairs[i][0], pairs[i][1], pairs[i][1], pairs[i][0]);
        const char *p[] = {""};
        char *value = idata_pg_value(app, sql, 1, p);
        if (strcmp(strchr(value, '/'), "/0") != 0)
            fail_msg("%s: %s and %s differ in rows (rows/differing: %s)", who, pairs[i][0],
                     pairs[i][1], value);
        free(value);
    }
    assert_int_equal(count("SELECT count(*) FROM outcome_follow_ups WHERE $1::text = ''", ""),
                     count("SELECT count(*) FROM outcome_follow_ups_for_caller"
                           " WHERE $1::text = ''", ""));
}

/* sql/025: no personal column of persons or of the written records is spona_app's to
 * select; the views give each one by category. */
static void test_columns_by_category(void **state)
{
    (void)state;
    assert_non_null(app);
    build_r();
    static const char *const personal[] = {
        "SELECT first_name FROM persons WHERE id = $1::uuid",
        "SELECT jmbg FROM persons WHERE id = $1::uuid",
        "SELECT address FROM persons WHERE id = $1::uuid",
        "SELECT health_notes FROM persons WHERE id = $1::uuid",
        "SELECT safety_notes FROM persons WHERE id = $1::uuid",
        "SELECT safety_flag FROM persons WHERE id = $1::uuid",
        "SELECT name_key FROM persons WHERE id = $1::uuid",
        "SELECT count(*) FROM persons WHERE id = $1::uuid AND jmbg IS NOT NULL",
        "SELECT * FROM persons WHERE id = $1::uuid",
    };
    static const char *const records[] = {
        "SELECT text FROM case_notes WHERE case_id = $1::uuid",
        "SELECT decisions FROM case_conferences WHERE case_id = $1::uuid",
        "SELECT note FROM outcomes WHERE case_id = $1::uuid",
        "SELECT f.note FROM outcome_follow_ups f JOIN outcomes o ON o.id = f.outcome_id"
        " WHERE o.case_id = $1::uuid",
    };
    static const char *const actors[][2] = {
        {"testgrad.csr", "vesna"}, {"testgrad.zzz", "zana"}, {"testgrad.skola", "sanja"},
        {"testgrad.ngo", "nada"}};
    for (size_t a = 0; a < sizeof(actors) / sizeof(actors[0]); a++) {
        act_as(actors[a][0], actors[a][1]);
        for (size_t i = 0; i < sizeof(personal) / sizeof(personal[0]); i++)
            assert_denied(personal[i], person_r);
        for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++)
            assert_denied(records[i], case_f);
        /* the rows themselves are still row-level security's */
        assert_int_equal(count("SELECT count(*) FROM persons WHERE id = $1::uuid", person_r), 1);
        assert_views_keep_the_rows(actors[a][0]);
    }

    static const char person[] = "SELECT %s FROM persons_for_caller WHERE id = $1::uuid";
    static const char *const columns[] = {"first_name", "length(jmbg)", "address",
                                          "health_notes", "safety_notes", "safety_flag",
                                          "education_level"};
    static const struct {
        const char *institution, *user, *expected[7];
    } people[] = {
        /* the lead: everything, the address of a person at risk included */
        {"testgrad.csr", "vesna",
         {"Kolona", "13", "Tajna 3", "dijabetes", "zabrana prilaska", "true", "srednja"}},
        /* the Bureau: identity (clause 2); the address withheld (she is at risk); no
         * health, safety, or education without her consent (clause 4) */
        {"testgrad.zzz", "zana",
         {"Kolona", "13", "<null>", "<null>", "<null>", "<null>", "<null>"}},
        /* the school: the identity of a pupil on its team (clause 14), no more */
        {"testgrad.skola", "sanja",
         {"Kolona", "13", "<null>", "<null>", "<null>", "<null>", "<null>"}},
        /* the NGO: nothing without her consent (clauses 9, 12), not even her name */
        {"testgrad.ngo", "nada",
         {"<null>", "<null>", "<null>", "<null>", "<null>", "<null>", "<null>"}},
    };
    for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
        act_as(people[i].institution, people[i].user);
        for (size_t c = 0; c < sizeof(columns) / sizeof(columns[0]); c++) {
            char sql[256];
            snprintf(sql, sizeof(sql), person, columns[c]);
            assert_shown(sql, person_r, people[i].expected[c]);
        }
    }
    /* search's view: only a person whose identity the caller may read */
    static const char identified[] = "SELECT count(*) FROM persons_identified WHERE id = $1::uuid";
    act_as("testgrad.csr", "vesna");
    assert_int_equal(count(identified, person_r), 1);
    act_as("testgrad.zzz", "zana");
    assert_int_equal(count(identified, person_r), 1);
    act_as("testgrad.ngo", "nada");
    assert_int_equal(count(identified, person_r), 0);
    assert_int_equal(count("SELECT count(*) FROM persons_identified"
                           " WHERE name_key LIKE 'kategorija%' AND $1::text = ''", ""), 0);
}

/* sql/025: the written records' text by category; the address rule as a decided fact. */
static void test_record_text_by_category(void **state)
{
    (void)state;
    assert_non_null(case_f);
    static const char *const texts[] = {
        "SELECT text FROM case_notes_for_caller WHERE case_id = $1::uuid",
        "SELECT decisions FROM case_conferences_for_caller WHERE case_id = $1::uuid",
        "SELECT note FROM outcomes_for_caller WHERE case_id = $1::uuid",
        "SELECT note FROM outcome_follow_ups_for_caller WHERE case_id = $1::uuid",
    };
    static const struct {
        const char *institution, *user, *expected[4];
    } readers[] = {
        {"testgrad.csr", "vesna",
         {"bilješka o nasilju", "odluka o smještaju", "obuka za zavarivača", "još radi"}},
        /* the Bureau reads outcomes (clause 3), not case notes */
        {"testgrad.zzz", "zana", {"<null>", "<null>", "obuka za zavarivača", "još radi"}},
        /* the school writes outcomes (clause 6) and reads none of them */
        {"testgrad.skola", "sanja", {"<null>", "<null>", "<null>", "<null>"}},
        /* the NGO writes notes (clause 10) and reads none of the lead's */
        {"testgrad.ngo", "nada", {"<null>", "<null>", "<null>", "<null>"}},
    };
    for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
        act_as(readers[i].institution, readers[i].user);
        for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++)
            assert_shown(texts[t], case_f, readers[i].expected[t]);
    }
    /* whether the address is withheld: about a case the caller sees, another
     * institution's only to the lead; nothing about a case it cannot see */
    static const char withheld[] =
        "SELECT spona_case_address_withheld($1::uuid, i.id) FROM institutions i"
        " WHERE i.code = '%s'";
    static const struct {
        const char *institution, *user, *about, *expected;
    } asks[] = {
        {"testgrad.zzz", "zana", "testgrad.zzz", "true"},
        {"testgrad.zzz", "zana", "testgrad.skola", "<null>"},
        {"testgrad.csr", "vesna", "testgrad.zzz", "true"},
        {"testgrad.csr", "vesna", "testgrad.csr", "false"},
        {"testgrad.ngo", "nada", "testgrad.ngo", "true"},
    };
    for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
        char sql[256];
        snprintf(sql, sizeof(sql), withheld, asks[i].about);
        act_as(asks[i].institution, asks[i].user);
        assert_shown(sql, case_f, asks[i].expected);
    }
    act_as("testgrad.ngo", "nada"); /* excluded from case C */
    assert_shown("SELECT spona_case_address_withheld($1::uuid, spona_current_institution())",
                 case_c, "<null>");
    act_as("testgrad.skola", "sanja"); /* not on case C's team */
    assert_shown("SELECT spona_case_address_withheld($1::uuid, spona_current_institution())",
                 case_c, "<null>");
}

/* Leak 6: an excluded user; an institution excluded from another case of the person. */
static void test_exclusions_hide_the_person(void **state)
{
    (void)state;
    assert_non_null(app);
    act_as("testgrad.zzz", "zoran");
    assert_sees_nothing(person_p, case_c, "zoran (excluded from case C)");
    assert_value("SELECT spona_case_visible($1::uuid)::text", case_c, "false");
    act_as("testgrad.zzz", "zana"); /* his colleague still sees P */
    assert_int_equal(count("SELECT count(*) FROM persons WHERE id = $1::uuid", person_p), 1);
    assert_int_equal(count("SELECT count(*) FROM case_notes WHERE case_id = $1::uuid", case_c),
                     1);
    /* zzz was excluded from case E of Q: nothing of Q, through case D either */
    assert_sees_nothing(person_q, case_d, "testgrad.zzz (excluded from Q's other case)");
    assert_sees_nothing(person_q, case_e, "testgrad.zzz (excluded from Q's case E)");
    act_as("testgrad.csr", "vesna");
    assert_int_equal(count("SELECT count(*) FROM persons WHERE id = $1::uuid", person_q), 1);
}

/* Leak 7: an institution not on the team writes itself in. */
static void test_outsider_cannot_write_itself_in(void **state)
{
    (void)state;
    assert_non_null(app);
    act_as("testgrad.skola", "sanja");
    const char *c[] = {case_c};
    static const char *const via[] = {
        "INSERT INTO case_team (case_id, municipality_id, institution_id, via)"
        " VALUES ($1::uuid, spona_current_municipality(), spona_current_institution(),"
        "         'referral')",
        "INSERT INTO case_team (case_id, municipality_id, institution_id, via)"
        " VALUES ($1::uuid, spona_current_municipality(), spona_current_institution(), 'lead')",
        "INSERT INTO case_team (case_id, municipality_id, institution_id, via, expires_at,"
        "                       emergency_user, emergency_reason)"
        " VALUES ($1::uuid, spona_current_municipality(), spona_current_institution(),"
        "         'emergency', now() + interval '1 hour', spona_current_user(), 'x')",
        "INSERT INTO referrals (municipality_id, case_id, institution_id, measure, created_by)"
        " VALUES (spona_current_municipality(), $1::uuid, spona_current_institution(), 'x',"
        "         spona_current_user())",
        "INSERT INTO case_exclusions (case_id, municipality_id, user_id, reason, created_by)"
        " SELECT $1::uuid, spona_current_municipality(), u.id, 'x', spona_current_user()"
        "   FROM users u WHERE u.username = 'vesna'",
        "INSERT INTO case_notes (case_id, municipality_id, author, institution_id, text)"
        " VALUES ($1::uuid, spona_current_municipality(), spona_current_user(),"
        "         spona_current_institution(), 'x')",
    };
    for (size_t i = 0; i < sizeof(via) / sizeof(via[0]); i++)
        assert_refused(via[i], 1, c, via[i]);
    const char *p[] = {person_p};
    assert_refused("INSERT INTO consents (municipality_id, person_id, institution_id, category,"
                   "                      given_on, form_reference, recorded_by)"
                   " VALUES (spona_current_municipality(), $1::uuid, spona_current_institution(),"
                   "         'identity', current_date, 'x', spona_current_user())",
                   1, p, "a school's consent for itself");
    assert_refused("INSERT INTO protocols (municipality_id, version, title, effective_date,"
                   "                       source, source_sha256, imported_by)"
                   " SELECT spona_current_municipality(), max(version) + 1, $1, current_date,"
                   "        '', '\\x00', spona_current_user() FROM protocols"
                   "  WHERE municipality_id = spona_current_municipality()",
                   1, (const char *[]){"a school's protocol"}, "a school's protocol version");
    assert_sees_nothing(person_p, case_c, "testgrad.skola after its attempts");
    assert_updates_nothing("UPDATE persons SET first_name = 'X' WHERE id = $1::uuid", person_p,
                           "the school's person update");
}

/* Leak 7: a partner on the team writes what only the lead writes, or another's records. */
static void test_partner_writes_only_its_own(void **state)
{
    (void)state;
    assert_non_null(app);
    act_as("testgrad.zzz", "zana");
    const char *c[] = {case_c};
    static const char *const lead_only[] = {
        "INSERT INTO referrals (municipality_id, case_id, institution_id, measure, created_by)"
        " VALUES (spona_current_municipality(), $1::uuid, spona_current_institution(), 'x',"
        "         spona_current_user())",
        "INSERT INTO case_exclusions (case_id, municipality_id, user_id, reason, created_by)"
        " SELECT $1::uuid, spona_current_municipality(), u.id, 'x', spona_current_user()"
        "   FROM users u WHERE u.username = 'vesna'",
        "INSERT INTO case_stage_changes (case_id, municipality_id, from_stage, to_stage,"
        "                                changed_by)"
        " VALUES ($1::uuid, spona_current_municipality(), 'intake', 'closed',"
        "         spona_current_user())",
        "INSERT INTO case_conferences (case_id, municipality_id, held_on, created_by)"
        " VALUES ($1::uuid, spona_current_municipality(), current_date, spona_current_user())",
        /* a note in the lead's name */
        "INSERT INTO case_notes (case_id, municipality_id, author, institution_id, text)"
        " SELECT $1::uuid, spona_current_municipality(), c.lead_user_id,"
        "        c.lead_institution_id, 'x' FROM cases c WHERE c.id = $1::uuid",
    };
    for (size_t i = 0; i < sizeof(lead_only) / sizeof(lead_only[0]); i++)
        assert_refused(lead_only[i], 1, c, lead_only[i]);
    const char *p[] = {person_p};
    assert_refused("INSERT INTO consents (municipality_id, person_id, institution_id, category,"
                   "                      given_on, form_reference, recorded_by)"
                   " VALUES (spona_current_municipality(), $1::uuid, spona_current_institution(),"
                   "         'health_disability', current_date, 'x', spona_current_user())",
                   1, p, "a partner's consent for itself");
    assert_updates_nothing("UPDATE cases SET stage = 'closed' WHERE id = $1::uuid", case_c,
                           "the partner's stage change");
    assert_updates_nothing("UPDATE case_team SET left_at = now() WHERE case_id = $1::uuid"
                           "   AND via = 'lead'", case_c, "the partner removing the lead");
    assert_updates_nothing("UPDATE consents SET withdrawn_at = now()"
                           " WHERE person_id = $1::uuid", person_p,
                           "the partner withdrawing consent");
    /* the excluded user writes nothing to the case */
    act_as("testgrad.zzz", "zoran");
    assert_refused("INSERT INTO case_notes (case_id, municipality_id, author, institution_id,"
                   "                        text)"
                   " VALUES ($1::uuid, spona_current_municipality(), spona_current_user(),"
                   "         spona_current_institution(), 'x')",
                   1, c, "an excluded user's note");
}

/*
 * A team member whose rows row-level security admits still writes only the categories
 * the protocol lets it write (sql/027): the Employment Bureau, on the case's team, may
 * write plan measures and outcomes but not a person's health or safety data, her name,
 * nor the case's notes and conferences.
 */
static void test_team_member_writes_only_its_categories(void **state)
{
    (void)state;
    assert_non_null(app);
    act_as("testgrad.zzz", "zana");
    static const struct {
        const char *sql, *category;
        int by_person;
    } refused[] = {
        {"UPDATE persons SET health_notes = 'x' WHERE id = $1::uuid", "health_disability", 1},
        /* (sets, not flips: reading safety_flag is refused outright since sql/025) */
        {"UPDATE persons SET safety_flag = true WHERE id = $1::uuid", "safety", 1},
        {"UPDATE persons SET first_name = 'Druga' WHERE id = $1::uuid", "identity", 1},
        {"INSERT INTO person_benefits (person_id, municipality_id, kind, since)"
         " VALUES ($1::uuid, spona_current_municipality(), 'other', current_date)",
         "benefits_household", 1},
        {"INSERT INTO case_notes (case_id, municipality_id, author, institution_id, text)"
         " VALUES ($1::uuid, spona_current_municipality(), spona_current_user(),"
         "         spona_current_institution(), 'x')", "case_notes", 0},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        assert_category_refused(refused[i].sql, refused[i].by_person ? person_p : case_c,
                                refused[i].category, refused[i].sql);
    /* what it may write, it writes: an outcome of its own (rolled back) */
    const char *c[] = {case_c};
    PQclear(PQexec(app, "BEGIN"));
    PGresult *r = PQexecParams(app,
                               "INSERT INTO outcomes (case_id, municipality_id, kind, occurred_on,"
                               "                      recorded_by, institution_id)"
                               " VALUES ($1::uuid, spona_current_municipality(), 'in_training',"
                               "         current_date, spona_current_user(),"
                               "         spona_current_institution())",
                               1, NULL, c, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("the Bureau's own outcome: %s", PQresultErrorMessage(r));
    PQclear(r);
    PQclear(PQexec(app, "ROLLBACK"));
}

/*
 * Consent records by category (sql/031): a consent to the NGO to share her health data
 * tells there is some, so the Employment Bureau on her team, which may not read health,
 * does not see it; the lead does; each sees its own.
 */
static void test_consents_by_category(void **state)
{
    (void)state;
    assert_non_null(app);
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    const char *const health[] = {"health_disability", NULL};
    spona_response *r = idata_consent_grant(lead, person_p, "testgrad.ngo", health, NULL, NULL);
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    spona_client_close(lead);
    static const char health_sql[] = "SELECT count(*) FROM consents WHERE person_id = $1::uuid"
                                     "   AND category = 'health_disability'";
    act_as("testgrad.csr", "vesna");
    assert_true(count(health_sql, person_p) >= 1);
    act_as("testgrad.zzz", "zana");
    assert_int_equal(count(health_sql, person_p), 0);
    assert_true(count("SELECT count(*) FROM consents WHERE person_id = $1::uuid"
                      "   AND institution_id = spona_current_institution()",
                      person_p) >= 1); /* its own: education_work (test_build_through_the_api) */
}

/* Leak 8: the audit trail, to the lead of the person's case and to each its own actions. */
static void test_audit_trail_to_the_lead_only(void **state)
{
    (void)state;
    assert_non_null(app);
    act_as("testgrad.skola", "sanja");
    assert_int_equal(count("SELECT count(*) FROM audit_log WHERE person_id = $1::uuid", person_p),
                     0);
    assert_int_equal(count("SELECT count(*) FROM audit_log WHERE $1::text = ''"
                           "   AND institution_id IS DISTINCT FROM spona_current_institution()",
                           ""),
                     0);
    char *error = idata_pg_error(app, "SELECT * FROM spona_audit_verify()", 0, NULL);
    if (strstr(error, "permission denied") == NULL)
        fail_msg("a school verified the chain: '%s'", error);
    free(error);
    act_as("testgrad.zzz", "zana");
    assert_int_equal(count("SELECT count(*) FROM audit_log WHERE person_id = $1::uuid"
                           "   AND institution_id <> spona_current_institution()", person_p),
                     0);
    act_as("testgrad.csr2", "emir"); /* a lead agency, not the lead of P's case */
    assert_int_equal(count("SELECT count(*) FROM audit_log WHERE person_id = $1::uuid", person_p),
                     0);
    act_as("testgrad.csr", "vesna");
    assert_true(count("SELECT count(*) FROM audit_log WHERE person_id = $1::uuid"
                      "   AND institution_id <> spona_current_institution()", person_p) > 0);
    char *verdict = idata_pg_value(app, "SELECT bad_seq || ' ' || (records > 0)::text"
                                        "  FROM spona_audit_verify()", 0, NULL);
    assert_string_equal(verdict, "0 true");
    free(verdict);
}

/* Leak 10: SECURITY DEFINER helpers answer only about what the caller may see. */
static void test_definer_functions_answer_only_the_visible(void **state)
{
    (void)state;
    assert_non_null(app);
    const char *p[] = {person_p};
    char *key = idata_pg_value(owner, "SELECT name_key_loose FROM persons WHERE id = $1::uuid",
                               1, p);
    const char *kp[] = {key, person_p};
    static const char loose[] = "SELECT count(*) FROM spona_person_loose_candidates($1, 100)"
                                " WHERE person_id = $2::uuid";
    act_as("testgrad.skola", "sanja");
    char *n = idata_pg_value(app, loose, 2, kp);
    assert_string_equal(n, "0");
    free(n);
    assert_value("SELECT spona_case_exists($1::uuid)::text", case_c, "false");
    assert_value("SELECT spona_case_excluded($1::uuid, i.id)::text FROM"
                                 " institutions i WHERE i.code = 'testgrad.ngo'", case_c, "false");
    assert_int_equal(count("SELECT count(*) FROM spona_overdue_counts() WHERE $1::text = ''", ""), 0);
    act_as("testgrad.zzz", "zana"); /* on the team, not a lead agency: no break-glass */
    assert_value("SELECT spona_case_exists($1::uuid)::text", case_c, "false");
    act_as("testgrad.csr", "vesna");
    n = idata_pg_value(app, loose, 2, kp);
    assert_string_equal(n, "1");
    free(n);
    assert_value("SELECT spona_case_excluded($1::uuid, i.id)::text FROM"
                                 " institutions i WHERE i.code = 'testgrad.ngo'", case_c, "true");
    act_as("testgrad.csr2", "emir"); /* break-glass may ask */
    assert_value("SELECT spona_case_exists($1::uuid)::text", case_c, "true");
    free(key);
    /* and no SECURITY DEFINER function is PUBLIC's to call */
    n = idata_pg_value(app,
                       "SELECT string_agg(p.proname, ', ') FROM pg_proc p"
                       " WHERE p.prosecdef AND p.pronamespace = 'public'::regnamespace"
                       "   AND p.prorettype <> 'trigger'::regtype"
                       "   AND has_function_privilege('public', p.oid, 'EXECUTE')",
                       0, NULL);
    if (n[0] != '\0')
        fail_msg("SECURITY DEFINER functions executable by PUBLIC: %s", n);
    free(n);
}

/* Password hashes are not spona_app's to read; login gets parameters and salt only. */
static void test_password_hashes_unreadable(void **state)
{
    (void)state;
    assert_non_null(app);
    act_as("testgrad.csr", "vesna");
    char *error = idata_pg_error(app, "SELECT password_hash FROM users LIMIT 1", 0, NULL);
    if (strstr(error, "permission denied") == NULL)
        fail_msg("spona_app read a password hash: '%s'", error);
    free(error);
    error = idata_pg_error(app, "SELECT * FROM users LIMIT 1", 0, NULL);
    free(error);
    char *ok = idata_pg_value(app,
                              "SELECT (hash_settings ~ '^\\$scrypt\\$ln=[0-9]+,r=[0-9]+,"
                              "p=[0-9]+\\$[A-Za-z0-9+/=]+\\$$')::text"
                              "  FROM spona_login_lookup(spona_current_institution(), 'vesna')",
                              0, NULL);
    assert_string_equal(ok, "true");
    free(ok);
    char *match = idata_pg_value(app,
                                 "SELECT spona_login_verify(user_id, hash_settings)::text"
                                 "  FROM spona_login_lookup(spona_current_institution(), $1)",
                                 1, (const char *[]){"vesna"});
    assert_string_equal(match, "false");
    free(match);
}

/* Amendments: nobody signs for another institution or activates a version still waiting. */
static void test_approvals_only_by_their_institution(void **state)
{
    (void)state;
    assert_non_null(app);
    /* a pending version 99 of testgrad, waiting for the employment service's approval */
    char *version_id = idata_pg_value(
        owner,
        "INSERT INTO protocols (municipality_id, version, title, effective_date, source,"
        "                       source_sha256, imported_by)"
        " SELECT m.id, 99, 'pending', current_date, '', '\\x00',"
        "        (SELECT id FROM users WHERE username = 'ana')"
        "   FROM municipalities m WHERE m.code = 'testgrad' RETURNING id",
        0, NULL);
    const char *v[] = {version_id};
    PQclear(idata_pg(owner, PGRES_COMMAND_OK,
                     "INSERT INTO protocol_approvals (protocol_id, institution_id, reason)"
                     " SELECT $1::uuid, id, 'gains read safety' FROM institutions"
                     "  WHERE code = 'testgrad.zzz'",
                     1, v));
    act_as("testgrad.skola", "sanja");
    assert_updates_nothing("UPDATE protocol_approvals SET signature = '\\x01',"
                           "       certificate = '\\x01', approved_by = spona_current_user(),"
                           "       approved_at = now() WHERE protocol_id = $1::uuid",
                           version_id, "the school signing for the employment service");
    act_as("testgrad.csr", "ana");
    assert_refused("UPDATE protocols SET activated_at = now() WHERE id = $1::uuid", 1, v,
                   "the lead activating a version still waiting for an approval");
    assert_value("SELECT count(*) FROM protocol_approvals WHERE protocol_id = $1::uuid"
                 "   AND signature IS NULL", version_id, "1");
    PQclear(idata_pg(owner, PGRES_COMMAND_OK,
                     "DELETE FROM protocol_approvals WHERE protocol_id = $1::uuid", 1, v));
    PQclear(idata_pg(owner, PGRES_COMMAND_OK, "DELETE FROM protocols WHERE id = $1::uuid", 1, v));
    free(version_id);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_through_the_api),
        cmocka_unit_test(test_exclusions_hide_the_person),
        cmocka_unit_test(test_outsider_cannot_write_itself_in),
        cmocka_unit_test(test_partner_writes_only_its_own),
        cmocka_unit_test(test_team_member_writes_only_its_categories),
        cmocka_unit_test(test_consents_by_category),
        cmocka_unit_test(test_audit_trail_to_the_lead_only),
        cmocka_unit_test(test_definer_functions_answer_only_the_visible),
        cmocka_unit_test(test_password_hashes_unreadable),
        cmocka_unit_test(test_columns_by_category),
        cmocka_unit_test(test_record_text_by_category),
        cmocka_unit_test(test_approvals_only_by_their_institution),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
