/*
 * Integration test: the caseload (issue 13; docs/cases.md "Caseload", "Case numbers").
 * On testgrad v2: the lead (vesna, testgrad.csr) opens a case and refers it to the
 * Employment Bureau (zana accepts; it reads identity, clause 2) and the employers'
 * chamber (kemal accepts; no clause lets it read identity). Then:
 *  - case_list as the lead, as each partner (mine and team), as an excluded user of a
 *    partner (zoran: nothing of the case), the chamber's rows with the name hidden and
 *    the name's bytes nowhere in its answers (case_list, inbox);
 *  - every listed person audited with the lister (case_list, identity disclosed or not),
 *    so her disclosures show the list; inbox and overdue with the name where visible;
 *  - paging by cursor (every case once, newest first), the filters, bad filters refused
 *    without echoing them;
 *  - case numbers: SHORT-YYYY-NNNN at open, unique under concurrent opens, accepted
 *    by case_get, case_advance, note_add, timeline, explain, referral_create (any case),
 *    an unknown number NOT_FOUND without quoting it;
 *  - id_lookup and the CLI: a unique prefix and a number accepted by `case show`,
 *    `case advance`, `note`; an ambiguous prefix refused listing nothing;
 *    `case list` and `directory`.
 */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idata.h"

#define MUTABLE(text) ((char *)(uintptr_t)(text))
#define LAST_NAME "Kaseloadović"
#define FIRST_NAME "Milena"
#define MARKER "zzMARKERzz"
#define CONCURRENT 8

static struct itest_server server;
static char *person_id, *case_id, case_number[64];

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "caseload", NULL);
}

static int group_teardown(void **state)
{
    free(person_id);
    free(case_id);
    return itest_group_teardown(state);
}

static spona_response *send_request(struct spona_client *client, spona_request *request)
{
    request->protocol_version = SPONA_PROTOCOL_VERSION;
    return idata_call(client, request);
}

static spona_response *case_list(struct spona_client *client, const char *scope,
                                 const char *stage, const char *group, int overdue,
                                 const char *partner, uint32_t limit, const char *after)
{
    Spona__V1__CaseListRequest body = SPONA__V1__CASE_LIST_REQUEST__INIT;
    body.scope = MUTABLE(scope);
    body.stage = MUTABLE(stage != NULL ? stage : "");
    body.group = MUTABLE(group != NULL ? group : "");
    body.overdue_only = overdue != 0;
    body.partner = MUTABLE(partner != NULL ? partner : "");
    body.limit = limit;
    body.after = MUTABLE(after != NULL ? after : "");
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_LIST;
    request.case_list = &body;
    return send_request(client, &request);
}

static spona_response *id_lookup(struct spona_client *client, const char *kind,
                                 const char *prefix)
{
    Spona__V1__IdLookupRequest body = SPONA__V1__ID_LOOKUP_REQUEST__INIT;
    body.kind = MUTABLE(kind);
    body.prefix = MUTABLE(prefix);
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_ID_LOOKUP;
    request.id_lookup = &body;
    return send_request(client, &request);
}

/* The row of the case in a list answer, or NULL. */
static const Spona__V1__CaseListRow *find_row(const spona_response *r, const char *id)
{
    for (size_t i = 0; i < r->case_list->n_cases; i++)
        if (strcmp(r->case_list->cases[i]->case_id, id) == 0)
            return r->case_list->cases[i];
    return NULL;
}

/*
 * Pages through a whole list (limit 3) and returns the page whose rows include id
 * (caller frees), or NULL; asserts that no case comes twice and order is newest first.
 */
static spona_response *list_find(struct spona_client *client, const char *scope,
                                 const char *id, const char *stage, const char *group,
                                 int overdue, const char *partner)
{
    char after[128] = "", last_opened[32] = "9999";
    spona_response *found = NULL;
    for (int page = 0; page < 500; page++) {
        spona_response *r = case_list(client, scope, stage, group, overdue, partner, 3, after);
        idata_expect_what(r, SPONA__V1__STATUS__OK, "case_list");
        assert_true(r->case_list->n_cases <= 3);
        for (size_t i = 0; i < r->case_list->n_cases; i++) {
            const Spona__V1__CaseListRow *row = r->case_list->cases[i];
            assert_true(strcmp(row->opened_at, last_opened) <= 0);
            snprintf(last_opened, sizeof(last_opened), "%s", row->opened_at);
            if (stage != NULL && stage[0] != '\0')
                assert_string_equal(row->stage, stage);
        }
        int here = find_row(r, id) != NULL;
        assert_false(here && found != NULL); /* never twice */
        snprintf(after, sizeof(after), "%s", r->case_list->next_cursor);
        if (here)
            found = r;
        else
            envelope_free_response(r);
        if (after[0] == '\0')
            return found;
    }
    fail_msg("case_list never ended");
    return NULL;
}

static void assert_number_shape(const char *number)
{
    regex_t re;
    assert_int_equal(regcomp(&re, "^[A-Z]{1,6}-20[0-9]{2}-[0-9]{4,9}$", REG_EXTENDED), 0);
    if (regexec(&re, number, 0, NULL, 0) != 0)
        fail_msg("'%s' is not a case number", number);
    regfree(&re);
}

/* Whether the packed response holds text anywhere (names must never leak). */
static int response_holds(const spona_response *r, const char *text)
{
    size_t length = protobuf_c_message_get_packed_size(&r->base);
    uint8_t *bytes = malloc(length + 1);
    assert_non_null(bytes);
    protobuf_c_message_pack(&r->base, bytes);
    int found = memmem(bytes, length, text, strlen(text)) != NULL;
    free(bytes);
    return found;
}

static void test_open_refer_list(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zana = idata_login(&server, "zzz", "zana");
    struct spona_client *kemal = idata_login(&server, "komora", "kemal");
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", FIRST_NAME, "last_name", LAST_NAME, "jmbg", jmbg, NULL};
    person_id = idata_person_create_ok(lead, pairs);
    spona_response *opened = idata_case_open(lead, person_id, "caseload test");
    idata_expect_what(opened, SPONA__V1__STATUS__OK, "case_open");
    case_id = strdup(opened->case_open->case_id);
    snprintf(case_number, sizeof(case_number), "%s", opened->case_open->number);
    envelope_free_response(opened);
    assert_number_shape(case_number);

    idata_refer_and_accept(lead, zana, case_id, "testgrad.zzz");
    idata_refer_and_accept(lead, kemal, case_id, "testgrad.komora");

    /* the lead: mine (vesna opened it) and team, with the name */
    const char *scopes[] = {"mine", "team", ""};
    for (int s = 0; s < 3; s++) {
        spona_response *r = list_find(lead, scopes[s], case_id, NULL, NULL, 0, NULL);
        if (r == NULL)
            fail_msg("the lead's %s list lacks the case", scopes[s]);
        const Spona__V1__CaseListRow *row = find_row(r, case_id);
        assert_string_equal(row->number, case_number);
        assert_string_equal(row->first_name, FIRST_NAME);
        assert_string_equal(row->last_name, LAST_NAME);
        assert_false(row->name_hidden);
        assert_string_equal(row->stage, "intake");
        assert_string_equal(row->person_id, person_id);
        assert_string_equal(row->lead_institution_code, "testgrad.csr");
        envelope_free_response(r);
    }
    /* the Employment Bureau reads identity (clause 2): mine (zana accepted) and team */
    for (int s = 0; s < 2; s++) {
        spona_response *r = list_find(zana, scopes[s], case_id, NULL, NULL, 0, NULL);
        if (r == NULL)
            fail_msg("zana's %s list lacks the case", scopes[s]);
        assert_string_equal(find_row(r, case_id)->last_name, LAST_NAME);
        envelope_free_response(r);
    }
    /* the chamber may not read identity at all (testgrad v2): hidden, never leaked */
    spona_response *r = list_find(kemal, "team", case_id, NULL, NULL, 0, NULL);
    assert_non_null(r);
    const Spona__V1__CaseListRow *row = find_row(r, case_id);
    assert_true(row->name_hidden);
    assert_string_equal(row->first_name, "");
    assert_string_equal(row->last_name, "");
    assert_string_equal(row->number, case_number);
    assert_false(response_holds(r, LAST_NAME));
    assert_false(response_holds(r, FIRST_NAME));
    envelope_free_response(r);

    /* inbox: the Bureau sees whom its referral is about, the chamber does not */
    r = idata_inbox(zana, 0);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "inbox zana");
    int seen = 0;
    for (size_t i = 0; i < r->inbox->n_referrals; i++)
        if (strcmp(r->inbox->referrals[i]->case_id, case_id) == 0) {
            assert_string_equal(r->inbox->referrals[i]->person_last_name, LAST_NAME);
            assert_false(r->inbox->referrals[i]->person_name_hidden);
            assert_string_equal(r->inbox->referrals[i]->case_number, case_number);
            seen = 1;
        }
    assert_true(seen);
    envelope_free_response(r);
    r = idata_inbox(kemal, 0);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "inbox kemal");
    seen = 0;
    for (size_t i = 0; i < r->inbox->n_referrals; i++)
        if (strcmp(r->inbox->referrals[i]->case_id, case_id) == 0) {
            assert_true(r->inbox->referrals[i]->person_name_hidden);
            assert_string_equal(r->inbox->referrals[i]->case_number, case_number);
            seen = 1;
        }
    assert_true(seen);
    assert_false(response_holds(r, LAST_NAME));
    envelope_free_response(r);
    spona_client_close(lead);
    spona_client_close(zana);
    spona_client_close(kemal);
}

/* Audit rows of the person by action and institution, as the superuser reads them. */
static long audit_rows(const char *action, const char *institution, const char *with_identity)
{
    PGconn *pg = idata_pg_connect("postgres");
    const char *params[] = {person_id, action, institution, with_identity};
    char *value = idata_pg_value(
        pg,
        "SELECT count(*) FROM audit_log a JOIN institutions i ON i.id = a.institution_id"
        " WHERE a.person_id = $1::uuid AND a.action = $2 AND i.code = $3"
        "   AND ($4 = '' OR ($4 = 'yes') = ('identity' = ANY (a.disclosed)))",
        4, params);
    long count = strtol(value, NULL, 10);
    free(value);
    PQfinish(pg);
    return count;
}

static void test_lists_audited(void **state)
{
    (void)state;
    assert_true(audit_rows("case_list", "testgrad.csr", "yes") >= 3);
    assert_true(audit_rows("case_list", "testgrad.zzz", "yes") >= 2);
    assert_true(audit_rows("case_list", "testgrad.komora", "no") >= 1);
    assert_int_equal(audit_rows("case_list", "testgrad.komora", "yes"), 0);
    assert_true(audit_rows("inbox", "testgrad.zzz", "yes") >= 1);
    /* the person's disclosures (what the lead prints for her) list the lists */
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    spona_response *r = idata_disclosures(lead, person_id);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "disclosures");
    int listed = 0;
    for (size_t i = 0; i < r->disclosures->n_disclosures; i++) {
        const Spona__V1__Disclosure *d = r->disclosures->disclosures[i];
        if (strcmp(d->action, "case_list") == 0 && strcmp(d->institution_code, "testgrad.zzz") == 0)
            for (size_t c = 0; c < d->n_categories; c++)
                listed |= strcmp(d->categories[c], "identity") == 0;
    }
    assert_true(listed);
    envelope_free_response(r);
    spona_client_close(lead);
}

static spona_response *case_exclude(struct spona_client *client, const char *institution,
                                    const char *username)
{
    Spona__V1__CaseExcludeRequest body = SPONA__V1__CASE_EXCLUDE_REQUEST__INIT;
    body.case_id = MUTABLE(case_id);
    body.institution_code = MUTABLE(institution);
    body.username = MUTABLE(username);
    body.reason = MUTABLE("caseload test: srodnik");
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_EXCLUDE;
    request.case_exclude = &body;
    return send_request(client, &request);
}

static void test_excluded_user_sees_nothing(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    struct spona_client *zoran = idata_login(&server, "zzz", "zoran");
    spona_response *r = list_find(zoran, "team", case_id, NULL, NULL, 0, NULL);
    assert_non_null(r); /* on the team through his institution, before the exclusion */
    envelope_free_response(r);
    r = case_exclude(lead, "testgrad.zzz", "zoran");
    idata_expect_what(r, SPONA__V1__STATUS__OK, "case_exclude zoran");
    envelope_free_response(r);
    assert_null(list_find(zoran, "team", case_id, NULL, NULL, 0, NULL));
    r = case_list(zoran, "team", NULL, NULL, 0, NULL, 200, NULL);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "case_list zoran");
    assert_false(response_holds(r, LAST_NAME));
    assert_false(response_holds(r, case_number));
    envelope_free_response(r);
    /* nor by number or prefix */
    r = idata_case_get(zoran, case_number);
    idata_expect_what(r, SPONA__V1__STATUS__NOT_FOUND, "case_get by number, excluded");
    envelope_free_response(r);
    char prefix[9];
    snprintf(prefix, sizeof(prefix), "%.8s", case_id);
    r = id_lookup(zoran, "case", prefix);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "id_lookup, excluded");
    for (size_t i = 0; i < r->id_lookup->n_ids; i++)
        assert_string_not_equal(r->id_lookup->ids[i], case_id);
    envelope_free_response(r);
    /* zana, of the same institution, still lists it */
    struct spona_client *zana = idata_login(&server, "zzz", "zana");
    r = list_find(zana, "team", case_id, NULL, NULL, 0, NULL);
    assert_non_null(r);
    envelope_free_response(r);
    spona_client_close(zana);
    spona_client_close(zoran);
    spona_client_close(lead);
}

static void test_numbers_accepted(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    spona_response *r = idata_case_get(lead, case_number);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "case_get by number");
    assert_string_equal(r->case_get->case_id, case_id);
    assert_string_equal(r->case_get->number, case_number);
    uint64_t version = r->case_get->version;
    envelope_free_response(r);
    char lower[64];
    snprintf(lower, sizeof(lower), "%s", case_number);
    for (char *c = lower; *c != '\0'; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    r = idata_case_get(lead, lower);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "case_get by number in lower case");
    envelope_free_response(r);
    r = idata_case_advance(lead, case_number, version, "assessment");
    idata_expect_what(r, SPONA__V1__STATUS__OK, "case_advance by number");
    assert_string_equal(r->case_advance->stage, "assessment");
    envelope_free_response(r);
    r = idata_note_add(lead, case_number, "bilješka po broju predmeta");
    idata_expect_what(r, SPONA__V1__STATUS__OK, "note_add by number");
    assert_string_equal(r->note_add->case_id, case_id);
    envelope_free_response(r);
    r = idata_timeline(lead, case_number);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "timeline by number");
    envelope_free_response(r);
    r = idata_explain(lead, case_number, "testgrad.zzz");
    idata_expect_what(r, SPONA__V1__STATUS__OK, "explain by number");
    envelope_free_response(r);
    r = idata_referral_create_due(lead, case_number, "testgrad.ngo", "podrška", "2020-01-15");
    idata_expect_what(r, SPONA__V1__STATUS__OK, "referral_create by number, due long ago");
    envelope_free_response(r);
    /* unknown: NOT_FOUND, the number not quoted; a number-like marker neither */
    const char *unknown[] = {"ZZ-1999-99999", "TR-2026-0000"};
    for (int i = 0; i < 2; i++) {
        r = idata_case_get(lead, unknown[i]);
        idata_expect_what(r, SPONA__V1__STATUS__NOT_FOUND, "case_get by an unknown number");
        assert_null(strstr(r->message, unknown[i]));
        assert_null(strstr(r->message, "00000000"));
        envelope_free_response(r);
    }
    /* not the shape of a number: not a UUID either, named without its value */
    const char *shapes[] = {"TR-2026-004", "ABCDEFG-2026-0042", "TR-26-0042", "TR-2026-0042x",
                            "TR-2026-1234567890", "T1-2026-0042"};
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        r = idata_case_get(lead, shapes[i]);
        idata_expect_what(r, SPONA__V1__STATUS__INVALID_ARGUMENT, shapes[i]);
        assert_string_equal(r->message, "case_id: not a UUID");
        envelope_free_response(r);
    }
    /* the stage filter sees the advance; the overdue filter the referral due long ago */
    r = list_find(lead, "mine", case_id, "assessment", NULL, 0, NULL);
    assert_non_null(r);
    envelope_free_response(r);
    assert_null(list_find(lead, "mine", case_id, "intake", NULL, 0, NULL));
    r = list_find(lead, "team", case_id, NULL, NULL, 1, NULL);
    assert_non_null(r);
    const Spona__V1__CaseListRow *row = find_row(r, case_id);
    assert_true(row->overdue_referrals >= 1);
    assert_string_equal(row->next_due, "2020-01-15");
    assert_false(row->due_hidden);
    envelope_free_response(r);
    /* overdue: the lead's list names the person and the case number */
    r = idata_overdue(lead);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "overdue");
    int seen = 0;
    for (size_t i = 0; i < r->overdue->n_referrals; i++)
        if (strcmp(r->overdue->referrals[i]->case_id, case_id) == 0) {
            assert_string_equal(r->overdue->referrals[i]->person_last_name, LAST_NAME);
            assert_string_equal(r->overdue->referrals[i]->case_number, case_number);
            seen = 1;
        }
    assert_true(seen);
    envelope_free_response(r);
    assert_true(audit_rows("overdue", "testgrad.csr", "yes") >= 1);
    spona_client_close(lead);
}

static void test_filters_and_paging(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vlado");
    char *ids[5];
    for (int i = 0; i < 5; i++) {
        char jmbg[14], last[32];
        idata_fresh_jmbg(jmbg);
        snprintf(last, sizeof(last), "Stranić%d", i);
        const char *pairs[] = {"first_name", "Petar", "last_name", last, "jmbg", jmbg,
                               i == 2 ? "priority_groups" : NULL, "youth_leaving_care", NULL};
        char *person = idata_person_create_ok(lead, pairs);
        ids[i] = idata_case_open_ok(lead, person);
        free(person);
    }
    for (int i = 0; i < 5; i++) { /* each once over pages of 3, in order */
        spona_response *r = list_find(lead, "mine", ids[i], NULL, NULL, 0, NULL);
        if (r == NULL)
            fail_msg("case %d not in the pages", i);
        envelope_free_response(r);
    }
    spona_response *r = case_list(lead, "mine", NULL, NULL, 0, NULL, 2, NULL);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "page 1");
    assert_int_equal(r->case_list->n_cases, 2);
    assert_string_equal(r->case_list->cases[0]->case_id, ids[4]); /* newest first */
    assert_string_equal(r->case_list->cases[1]->case_id, ids[3]);
    spona_response *next = case_list(lead, "mine", NULL, NULL, 0, NULL, 2,
                                     r->case_list->next_cursor);
    idata_expect_what(next, SPONA__V1__STATUS__OK, "page 2");
    assert_string_equal(next->case_list->cases[0]->case_id, ids[2]);
    envelope_free_response(next);
    envelope_free_response(r);
    /* group: only the one in it; partner: none of these (no referral) */
    r = list_find(lead, "team", ids[2], NULL, "youth_leaving_care", 0, NULL);
    assert_non_null(r);
    envelope_free_response(r);
    assert_null(list_find(lead, "team", ids[1], NULL, "youth_leaving_care", 0, NULL));
    assert_null(list_find(lead, "team", ids[1], NULL, NULL, 0, "testgrad.komora"));
    r = list_find(lead, "team", case_id, NULL, NULL, 0, "testgrad.komora");
    assert_non_null(r);
    envelope_free_response(r);
    /* vlado's "mine" is not vesna's */
    assert_null(list_find(lead, "mine", case_id, NULL, NULL, 0, NULL));
    /* bad filters: refused, the value never repeated */
    const char *bad[][2] = {{"scope", MARKER}, {"stage", MARKER}, {"group", MARKER},
                            {"partner", MARKER}, {"after", MARKER "." MARKER},
                            {"after", "12.00000000-0000-0000-0000-00000000000g"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *v = bad[i][1];
        int f = (int)i;
        r = case_list(lead, f == 0 ? v : "team", f == 1 ? v : NULL, f == 2 ? v : NULL, 0,
                      f == 3 ? v : NULL, 0, f >= 4 ? v : NULL);
        idata_expect_what(r, SPONA__V1__STATUS__INVALID_ARGUMENT, bad[i][0]);
        assert_non_null(strstr(r->message, bad[i][0]));
        assert_null(strstr(r->message, MARKER));
        envelope_free_response(r);
    }
    r = case_list(lead, "team", NULL, NULL, 0, NULL, 201, NULL);
    idata_expect_what(r, SPONA__V1__STATUS__INVALID_ARGUMENT, "limit 201");
    envelope_free_response(r);
    for (int i = 0; i < 5; i++)
        free(ids[i]);
    spona_client_close(lead);
}

struct opener {
    const char *user; /* two users, so that no one passes the session cap */
    char person[40];
    char number[64];
    int ok;
};

static void *open_one(void *data)
{
    struct opener *opener = data;
    struct spona_client *client = idata_login(&server, "csr", opener->user);
    spona_response *r = idata_case_open(client, opener->person, "concurrent");
    opener->ok = r->status == SPONA__V1__STATUS__OK;
    if (opener->ok)
        snprintf(opener->number, sizeof(opener->number), "%s", r->case_open->number);
    envelope_free_response(r);
    spona_client_close(client);
    return NULL;
}

static void test_numbers_unique_under_concurrency(void **state)
{
    (void)state;
    struct spona_client *lead = idata_login(&server, "csr", "vlado");
    struct opener openers[CONCURRENT];
    pthread_t threads[CONCURRENT];
    for (int i = 0; i < CONCURRENT; i++) {
        char jmbg[14];
        idata_fresh_jmbg(jmbg);
        const char *pairs[] = {"first_name", "Istovremena", "last_name", "Osoba", "jmbg", jmbg,
                               NULL};
        char *person = idata_person_create_ok(lead, pairs);
        memset(&openers[i], 0, sizeof(openers[i]));
        snprintf(openers[i].person, sizeof(openers[i].person), "%s", person);
        openers[i].user = i % 2 == 0 ? "vesna" : "vlado";
        free(person);
    }
    for (int i = 0; i < CONCURRENT; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, open_one, &openers[i]), 0);
    for (int i = 0; i < CONCURRENT; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < CONCURRENT; i++) {
        assert_true(openers[i].ok);
        assert_number_shape(openers[i].number);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(openers[i].number, openers[j].number);
    }
    PGconn *pg = idata_pg_connect("postgres");
    char *dupes = idata_pg_value(pg, "SELECT count(*) - count(DISTINCT (municipality_id, number))"
                                     " FROM cases", 0, NULL);
    assert_string_equal(dupes, "0");
    free(dupes);
    PQfinish(pg);
    spona_client_close(lead);
}

/* Runs a bash script with the CLI set up as vesna; returns its exit code. */
static int run_cli(const char *body)
{
    char script[4096], password[128];
    itest_password("vesna", password, sizeof(password));
    const char *state = getenv("SPONA_TEST_STATE");
    snprintf(script, sizeof(script),
             "set -e; d='%s'; cli=\"$SPONA_CLI\"; out=$d/caseload-cli.out\n"
             "export SPONA_SERVER=127.0.0.1:%s SPONA_CA=$d/pki/ca.crt\n"
             "export SPONA_CERT=$d/pki/csr.crt SPONA_KEY=$d/pki/csr.key\n"
             "export SPONA_SESSION_FILE=$d/caseload-session SPONA_PASSWORD='%s'\n"
             "\"$cli\" login --user vesna >/dev/null\n%s",
             state, server.port, password, body);
    const char *argv[] = {"/bin/bash", "-c", script, NULL};
    return itest_run(argv);
}

/* The short codes derived (sql/040) and a contact set by the operator (directory). */
static void test_short_codes_and_contact(void **state)
{
    (void)state;
    PGconn *pg = idata_pg_connect("postgres");
    char *codes = idata_pg_value(pg, "SELECT spona_short_code_derive('prijedor') || ','"
                                     " || spona_short_code_derive('tuzla') || ','"
                                     " || spona_short_code_derive('testgrad')", 0, NULL);
    assert_string_equal(codes, "PD,TL,TR");
    free(codes);
    PQfinish(pg);
    assert_int_equal(itest_admin("set-institution-contact", "testgrad.zzz",
                                 "051 123 456, zzz@testgrad.ba", NULL), 0);
    assert_int_not_equal(itest_admin("set-municipality-short-code", "testgrad", "tr", NULL), 0);
    struct spona_client *zana = idata_login(&server, "zzz", "zana");
    Spona__V1__DirectoryRequest body = SPONA__V1__DIRECTORY_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_DIRECTORY;
    request.directory = &body;
    spona_response *r = send_request(zana, &request);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "directory");
    assert_string_equal(r->directory->municipality_code, "testgrad");
    assert_true(r->directory->protocol_version >= 2);
    int seen = 0;
    for (size_t i = 0; i < r->directory->n_institutions; i++) {
        const Spona__V1__DirectoryEntry *e = r->directory->institutions[i];
        if (strcmp(e->institution_code, "testgrad.zzz") == 0) {
            assert_string_equal(e->name, "Zavod za zapošljavanje, filijala Testgrad");
            assert_string_equal(e->role, "employment_service");
            assert_string_equal(e->contact, "051 123 456, zzz@testgrad.ba");
            assert_true(e->enabled);
            seen = 1;
        }
        assert_string_not_equal(e->institution_code, "testgrad.nesig"); /* signed nothing */
    }
    assert_true(seen);
    envelope_free_response(r);
    spona_client_close(zana);
}

static void test_cli_short_ids(void **state)
{
    (void)state;
    assert_non_null(getenv("SPONA_CLI"));
    char body[2048];
    /* a prefix of the case id, of the person id, and the number */
    snprintf(body, sizeof(body),
             "\"$cli\" case show %.8s > $out; grep -q '%s' $out; grep -q '%s' $out\n"
             "\"$cli\" case show %s | grep -q '%s'\n"
             "\"$cli\" person show %.6s | grep -q '" LAST_NAME "'\n"
             "\"$cli\" note %.8s 'kratki id' >/dev/null\n"
             "\"$cli\" case list --team --limit 200 | grep '%s' | grep -q '" LAST_NAME "'\n"
             "\"$cli\" case list --stage assessment --json | grep -q '\"number\"'\n"
             "\"$cli\" directory > $out; grep -q 'testgrad.zzz' $out; grep -q 'employment service' $out\n"
             "grep -q 'Zavod za zapošljavanje' $out; grep -q 'zzz@testgrad.ba' $out\n",
             case_id, case_id, case_number, case_number, case_id, person_id, case_id,
             case_number);
    assert_int_equal(run_cli(body), 0);
    /* a prefix of no case the caller may see */
    assert_int_equal(run_cli("if \"$cli\" case show 00000000ff 2>$out; then exit 1; fi\n"
                             "grep -q 'no case' $out\n"),
                     0);
}

/* Two persons whose ids share a prefix, registered by testgrad.csr (as the superuser). */
static void test_ambiguous_prefix(void **state)
{
    (void)state;
    char key[37], prefix[9], a[37], b[37];
    idata_fresh_key(key);
    snprintf(prefix, sizeof(prefix), "%.8s", key);
    snprintf(a, sizeof(a), "%s-0000-4000-8000-00000000000a", prefix);
    snprintf(b, sizeof(b), "%s-0000-4000-8000-00000000000b", prefix);
    PGconn *pg = idata_pg_connect("postgres");
    const char *ids[] = {a, b};
    for (int i = 0; i < 2; i++) {
        const char *params[] = {ids[i]};
        PQclear(idata_pg(pg, PGRES_COMMAND_OK,
                         "INSERT INTO persons (id, municipality_id, created_by_institution,"
                         "                     first_name, last_name)"
                         " SELECT $1::uuid, i.municipality_id, i.id, 'Dvojnik', 'Prefiksić'"
                         "   FROM institutions i WHERE i.code = 'testgrad.csr'",
                         1, params));
    }
    PQfinish(pg);
    struct spona_client *lead = idata_login(&server, "csr", "vesna");
    spona_response *r = id_lookup(lead, "person", prefix);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "id_lookup ambiguous");
    assert_int_equal(r->id_lookup->n_ids, 2);
    envelope_free_response(r);
    r = id_lookup(lead, "person", a); /* the whole id: that one */
    idata_expect_what(r, SPONA__V1__STATUS__OK, "id_lookup a whole id");
    assert_int_equal(r->id_lookup->n_ids, 1);
    envelope_free_response(r);
    r = id_lookup(lead, "person", "abc"); /* fewer than 4 digits */
    idata_expect_what(r, SPONA__V1__STATUS__INVALID_ARGUMENT, "id_lookup 3 digits");
    envelope_free_response(r);
    r = id_lookup(lead, "person", MARKER);
    idata_expect_what(r, SPONA__V1__STATUS__INVALID_ARGUMENT, "id_lookup marker");
    assert_null(strstr(r->message, MARKER));
    envelope_free_response(r);
    r = id_lookup(lead, "case", case_number);
    idata_expect_what(r, SPONA__V1__STATUS__OK, "id_lookup number");
    assert_int_equal(r->id_lookup->n_ids, 1);
    assert_string_equal(r->id_lookup->ids[0], case_id);
    envelope_free_response(r);
    spona_client_close(lead);
    /* the CLI: refused, naming neither id */
    char body[512];
    snprintf(body, sizeof(body),
             "if \"$cli\" person show %s 2>$out; then exit 1; fi\n"
             "grep -q 'more than one' $out\n"
             "if grep -q '%s-' $out; then exit 1; fi\n",
             prefix, prefix);
    assert_int_equal(run_cli(body), 0);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_refer_list),
        cmocka_unit_test(test_lists_audited),
        cmocka_unit_test(test_numbers_accepted),
        cmocka_unit_test(test_excluded_user_sees_nothing),
        cmocka_unit_test(test_filters_and_paging),
        cmocka_unit_test(test_numbers_unique_under_concurrency),
        cmocka_unit_test(test_short_codes_and_contact),
        cmocka_unit_test(test_cli_short_ids),
        cmocka_unit_test(test_ambiguous_prefix),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
