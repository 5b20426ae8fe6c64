/*
 * Integration test: what a search, a consent list, an explanation, a disclosures
 * report and a refused registration must not give away (testgrad protocol v2).
 *
 * The lead (vesna, testgrad.csr) registers a person, opens her case and refers it
 * to testgrad.zzz, testgrad.komora and testgrad.ngo, who accept. Then:
 *  - search is no oracle: a caller that may not read her identity (the school, not
 *    on her team; the chamber, on it without an identity clause; the NGO without
 *    consent, with it, and after its withdrawal; a user, then a whole institution,
 *    excluded from her case) gets for her name
 *    in Latin and Cyrillic, her JMBG and a part of her name exactly the answer
 *    it gets for a name and a JMBG that match nobody;
 *  - a search hit that shows her identity is on her disclosures report;
 *  - an excluded user or institution gets NOT_FOUND from explain and disclosures;
 *  - registering her JMBG again names her only to a caller who may read her;
 *  - consent_list shows a caller only the consents of categories it may read;
 *  - explain words a refusal the same whether the person has a safety flag or not.
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

static struct itest_server server;
static struct spona_client *lead, *zana, *sanja, *kemal, *nada, *vlado;

/* The person: her names (Latin and Cyrillic, unique to this run), JMBG, ids. */
static struct {
    char first_latin[64], last_latin[64], first_cyrillic[128], last_cyrillic[128];
    char jmbg[14];
    char *person_id, *case_id;
} her;

/* A name and a JMBG no one has: the answer every hidden search must equal. */
static char nobody_name[64], nobody_jmbg[14];

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "search_leaks", NULL);
}

static int group_teardown(void **state)
{
    spona_client_close(lead);
    spona_client_close(zana);
    spona_client_close(sanja);
    spona_client_close(kemal);
    spona_client_close(nada);
    spona_client_close(vlado);
    free(her.person_id);
    free(her.case_id);
    return itest_group_teardown(state);
}

/* Spells digits as letters with one-letter counterparts in both scripts (a b v g d e z i k l). */
static void spell(const char *prefix_latin, const char *prefix_cyrillic, const char *digits,
                  char *latin, size_t latin_size, char *cyrillic, size_t cyrillic_size)
{
    static const char *const lat[] = {"a", "b", "v", "g", "d", "e", "z", "i", "k", "l"};
    static const char *const cyr[] = {"а", "б", "в", "г", "д", "е", "з", "и", "к", "л"};
    snprintf(latin, latin_size, "%s", prefix_latin);
    snprintf(cyrillic, cyrillic_size, "%s", prefix_cyrillic);
    for (const char *d = digits; *d != '\0'; d++) {
        strncat(latin, lat[*d - '0'], latin_size - strlen(latin) - 1);
        strncat(cyrillic, cyr[*d - '0'], cyrillic_size - strlen(cyrillic) - 1);
    }
}

static spona_response *case_exclude(const char *institution_code, const char *username)
{
    Spona__V1__CaseExcludeRequest body;
    spona__v1__case_exclude_request__init(&body);
    body.case_id = her.case_id;
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

static void expect_ok_free(spona_response *r, const char *what)
{
    idata_expect_what(r, OK, what);
    envelope_free_response(r);
}

static void test_register_and_refer(void **state)
{
    (void)state;
    lead = idata_login(&server, "csr", "vesna");
    zana = idata_login(&server, "zzz", "zana");
    sanja = idata_login(&server, "skola", "sanja");
    kemal = idata_login(&server, "komora", "kemal");
    nada = idata_login(&server, "ngo", "nada");
    vlado = idata_login(&server, "csr", "vlado");
    idata_fresh_jmbg(her.jmbg);
    idata_fresh_jmbg(nobody_jmbg);
    spell("Vida", "Вида", her.jmbg + 7, her.first_latin, sizeof(her.first_latin),
          her.first_cyrillic, sizeof(her.first_cyrillic));
    spell("Lekic", "Лекић", her.jmbg + 4, her.last_latin, sizeof(her.last_latin),
          her.last_cyrillic, sizeof(her.last_cyrillic));
    char unused[128];
    spell("Nikogovic", "Никоговић", nobody_jmbg + 4, nobody_name, sizeof(nobody_name), unused,
          sizeof(unused));
    const char *pairs[] = {"first_name", her.first_cyrillic, "last_name", her.last_cyrillic,
                           "jmbg", her.jmbg, NULL};
    her.person_id = idata_person_create_ok(lead, pairs);
    her.case_id = idata_case_open_ok(lead, her.person_id);
    idata_refer_and_accept(lead, zana, her.case_id, "testgrad.zzz");
    idata_refer_and_accept(lead, kemal, her.case_id, "testgrad.komora");
    idata_refer_and_accept(lead, nada, her.case_id, "testgrad.ngo");
}

/* The queries that find her: Latin, Cyrillic, first name first, JMBG, a part of her name. */
static void her_queries(char queries[5][320])
{
    snprintf(queries[0], 320, "%s %s", her.last_latin, her.first_latin);
    snprintf(queries[1], 320, "%s %s", her.first_cyrillic, her.last_cyrillic);
    snprintf(queries[2], 320, "%s", her.last_cyrillic);
    snprintf(queries[3], 320, "%s", her.jmbg);
    snprintf(queries[4], 320, "%.*s", (int)strlen(her.last_latin) - 1, her.last_latin);
}

static int finds_her(const spona_response *r)
{
    for (size_t i = 0; i < r->person_search->n_hits; i++)
        if (strcmp(r->person_search->hits[i]->person_id, her.person_id) == 0)
            return 1;
    return 0;
}

/* Asserts client finds her by every query, with her identity. */
static void expect_finds(struct spona_client *client, const char *who)
{
    char queries[5][320];
    her_queries(queries);
    for (int i = 0; i < 5; i++) {
        spona_response *r = idata_person_search(client, queries[i], 0, 0);
        char what[2048];
        snprintf(what, sizeof(what), "person_search '%s' by %s", queries[i], who);
        idata_expect_what(r, OK, what);
        if (!finds_her(r))
            fail_msg("%s: does not find her (%zu hits)", what, r->person_search->n_hits);
        envelope_free_response(r);
    }
}

/* Asserts two answers are the same: status, message, and no hit in either. */
static void expect_same_answer(const spona_response *r, const spona_response *nobody,
                               const char *what)
{
    if (r->status != nobody->status || strcmp(r->message, nobody->message) != 0 ||
        r->body_case != nobody->body_case ||
        (r->status == OK && (r->person_search->n_hits != 0 ||
                             nobody->person_search->n_hits != 0)))
        fail_msg("%s: answered %s '%s' (%zu hits), for nobody %s '%s'", what,
                 envelope_status_name(r->status), r->message,
                 r->status == OK ? r->person_search->n_hits : 0,
                 envelope_status_name(nobody->status), nobody->message);
}

/* Asserts client gets for her every query what it gets for a name or JMBG of nobody. */
static void expect_as_nobody(struct spona_client *client, const char *who)
{
    char queries[5][320];
    her_queries(queries);
    spona_response *by_name = idata_person_search(client, nobody_name, 0, 0);
    spona_response *by_jmbg = idata_person_search(client, nobody_jmbg, 0, 0);
    for (int i = 0; i < 5; i++)
        for (int loose = 0; loose <= 1; loose++) {
            spona_response *r = idata_person_search(client, queries[i], loose, 0);
            char what[2048];
            snprintf(what, sizeof(what), "person_search '%s'%s by %s", queries[i],
                     loose ? " (loose)" : "", who);
            expect_same_answer(r, i == 3 ? by_jmbg : by_name, what);
            envelope_free_response(r);
        }
    envelope_free_response(by_name);
    envelope_free_response(by_jmbg);
}

static void test_search_hides_who_may_not_read_identity(void **state)
{
    (void)state;
    expect_finds(lead, "the lead");
    expect_finds(zana, "testgrad.zzz (clause 2)");
    /* the school reads identity on the team only (clause 14): it is not on hers */
    expect_as_nobody(sanja, "the school, not on her team");
    /* the chamber is on her team, but no clause lets it read identity */
    expect_as_nobody(kemal, "the chamber, on her team");
    /* the NGO reads identity with consent only (clause 9): none given */
    expect_as_nobody(nada, "the NGO without consent");

    const char *const identity[] = {"identity", NULL};
    expect_ok_free(idata_consent_grant(lead, her.person_id, "testgrad.ngo", identity, NULL, NULL),
                   "consent_grant identity to testgrad.ngo");
    expect_finds(nada, "the NGO with consent");
    expect_ok_free(idata_consent_withdraw(lead, her.person_id, "testgrad.ngo", identity),
                   "consent_withdraw identity from testgrad.ngo");
    expect_as_nobody(nada, "the NGO after the withdrawal");
}

/*
 * A person hidden from the caller takes no hit's place: the NGO, on the teams of two
 * persons whose names share a prefix, reads the identity of the second only (consent);
 * asked for one hit by the prefix, it gets the second, as if the first did not exist.
 */
static void test_hidden_person_takes_no_place(void **state)
{
    (void)state;
    char digits[14], prefix[64], unused[128];
    idata_fresh_jmbg(digits);
    spell("Ograda", "Ограда", digits + 5, prefix, sizeof(prefix), unused, sizeof(unused));
    char *ids[2], *cases[2];
    for (int i = 0; i < 2; i++) {
        char last_name[80], jmbg[14];
        snprintf(last_name, sizeof(last_name), "%s%s", prefix, i == 0 ? "a" : "b");
        idata_fresh_jmbg(jmbg);
        const char *pairs[] = {"first_name", "Vida", "last_name", last_name, "jmbg", jmbg, NULL};
        ids[i] = idata_person_create_ok(lead, pairs);
        cases[i] = idata_case_open_ok(lead, ids[i]);
        idata_refer_and_accept(lead, nada, cases[i], "testgrad.ngo");
    }
    const char *const identity[] = {"identity", NULL};
    expect_ok_free(idata_consent_grant(lead, ids[1], "testgrad.ngo", identity, NULL, NULL),
                   "consent_grant identity to testgrad.ngo");
    for (int loose = 0; loose <= 1; loose++) {
        spona_response *r = idata_person_search(nada, prefix, loose, 1);
        idata_expect_what(r, OK, "person_search of the prefix, limit 1, by the NGO");
        if (r->person_search->n_hits != 1 ||
            strcmp(r->person_search->hits[0]->person_id, ids[1]) != 0)
            fail_msg("person_search '%s'%s, limit 1, by the NGO: %zu hits, not the one it may "
                     "read", prefix, loose ? " (loose)" : "", r->person_search->n_hits);
        envelope_free_response(r);
    }
    for (int i = 0; i < 2; i++) {
        free(ids[i]);
        free(cases[i]);
    }
}

/* The lead's disclosures report of her lists a search hit by institution. */
static void test_search_hit_is_disclosed(void **state)
{
    (void)state;
    spona_response *r = idata_disclosures(lead, her.person_id);
    idata_expect_what(r, OK, "disclosures by the lead");
    int zzz_search = 0, ngo_search = 0;
    for (size_t i = 0; i < r->disclosures->n_disclosures; i++) {
        const Spona__V1__Disclosure *d = r->disclosures->disclosures[i];
        if (strcmp(d->action, "person_search") != 0)
            continue;
        int identity = 0;
        for (size_t c = 0; c < d->n_categories; c++)
            identity |= strcmp(d->categories[c], "identity") == 0;
        if (!identity)
            fail_msg("disclosures: a person_search by %s without identity", d->institution_code);
        zzz_search |= strcmp(d->institution_code, "testgrad.zzz") == 0;
        ngo_search |= strcmp(d->institution_code, "testgrad.ngo") == 0;
        if (strcmp(d->institution_code, "testgrad.skola") == 0 ||
            strcmp(d->institution_code, "testgrad.komora") == 0)
            fail_msg("disclosures: a person_search by %s, which saw nothing",
                     d->institution_code);
    }
    if (!zzz_search || !ngo_search)
        fail_msg("disclosures: the searches that showed her (testgrad.zzz: %s, testgrad.ngo "
                 "with consent: %s) are not listed", zzz_search ? "listed" : "missing",
                 ngo_search ? "listed" : "missing");
    envelope_free_response(r);
}

/* Registering her JMBG again: its message, asserting CONFLICT. Caller frees. */
static char *duplicate_message(struct spona_client *client)
{
    const char *pairs[] = {"first_name", "Druga", "last_name", "Osoba", "jmbg", her.jmbg, NULL};
    spona_response *r = idata_person_create(client, pairs);
    idata_expect_what(r, SPONA__V1__STATUS__CONFLICT, "person_create with her JMBG");
    char *message = strdup(r->message);
    envelope_free_response(r);
    return message;
}

static void expect_refused(spona_response *r, const char *what)
{
    idata_expect_what(r, NOT_FOUND, what);
    envelope_free_response(r);
}

static void test_excluded_user(void **state)
{
    (void)state;
    expect_finds(vlado, "vlado before his exclusion");
    char *lead_says = duplicate_message(lead);
    if (strstr(lead_says, her.person_id) == NULL)
        fail_msg("person_create by the lead with her JMBG: '%s' does not name her", lead_says);
    free(lead_says);

    expect_ok_free(case_exclude("testgrad.csr", "vlado"), "case_exclude of vlado");
    expect_as_nobody(vlado, "vlado excluded");
    expect_refused(idata_explain(vlado, her.case_id, ""), "explain by vlado excluded");
    expect_refused(idata_disclosures(vlado, her.person_id), "disclosures by vlado excluded");
    expect_refused(idata_consent_list(vlado, her.person_id), "consent_list by vlado excluded");
    /* her JMBG again: the answer a lead agency that cannot see her at all gets */
    struct spona_client *emir = idata_login(&server, "csr2", "emir");
    char *stranger_says = duplicate_message(emir);
    char *vlado_says = duplicate_message(vlado);
    if (strcmp(vlado_says, stranger_says) != 0 || strstr(vlado_says, her.person_id) != NULL)
        fail_msg("person_create with her JMBG: vlado excluded is told '%s', a stranger '%s'",
                 vlado_says, stranger_says);
    free(stranger_says);
    free(vlado_says);
    spona_client_close(emir);
}

static void test_excluded_institution(void **state)
{
    (void)state;
    expect_ok_free(case_exclude("testgrad.zzz", NULL), "case_exclude of testgrad.zzz");
    expect_as_nobody(zana, "testgrad.zzz excluded");
    expect_refused(idata_explain(zana, her.case_id, ""), "explain by testgrad.zzz excluded");
    expect_refused(idata_disclosures(zana, her.person_id),
                   "disclosures by testgrad.zzz excluded");
    expect_refused(idata_consent_list(zana, her.person_id),
                   "consent_list by testgrad.zzz excluded");
}

/* A new person of the lead, her case referred to and accepted by the institutions given. */
static void new_case(const char *safety_flag, char **person_id, char **case_id)
{
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Sigurna", "last_name", "Provjerić", "jmbg", jmbg,
                           "address", "Ulica 9", "safety_flag", safety_flag, NULL};
    *person_id = idata_person_create_ok(lead, pairs);
    *case_id = idata_case_open_ok(lead, *person_id);
}

static int has_consent(const spona_response *r, const char *institution, const char *category)
{
    for (size_t i = 0; i < r->consent_list->n_consents; i++)
        if (strcmp(r->consent_list->consents[i]->institution_code, institution) == 0 &&
            strcmp(r->consent_list->consents[i]->category, category) == 0)
            return 1;
    return 0;
}

static void test_consent_list_shows_readable_categories(void **state)
{
    (void)state;
    struct spona_client *zoran = idata_login(&server, "zzz", "zoran");
    char *person_id, *case_id;
    new_case("false", &person_id, &case_id);
    idata_refer_and_accept(lead, zoran, case_id, "testgrad.zzz");
    /* the employment service reads education_work with consent (clause 4), never health */
    const char *const categories[] = {"education_work", "health_disability", NULL};
    expect_ok_free(idata_consent_grant(lead, person_id, "testgrad.zzz", categories, NULL, NULL),
                   "consent_grant to testgrad.zzz");
    spona_response *r = idata_consent_list(lead, person_id);
    idata_expect_what(r, OK, "consent_list by the lead");
    assert_true(has_consent(r, "testgrad.zzz", "education_work"));
    assert_true(has_consent(r, "testgrad.zzz", "health_disability"));
    envelope_free_response(r);
    r = idata_consent_list(zoran, person_id);
    idata_expect_what(r, OK, "consent_list by testgrad.zzz");
    if (!has_consent(r, "testgrad.zzz", "education_work"))
        fail_msg("consent_list by testgrad.zzz: its education_work consent is missing");
    if (has_consent(r, "testgrad.zzz", "health_disability"))
        fail_msg("consent_list by testgrad.zzz shows a health_disability consent");
    envelope_free_response(r);
    free(person_id);
    free(case_id);
    spona_client_close(zoran);
}

/* Asserts that no decision of explain r mentions risk, and returns it. */
static spona_response *explain_ok(struct spona_client *client, const char *case_id,
                                  const char *what)
{
    spona_response *r = idata_explain(client, case_id, "");
    idata_expect_what(r, OK, what);
    for (size_t i = 0; i < r->explain->n_decisions; i++)
        if (strstr(r->explain->decisions[i]->reason, "risk") != NULL)
            fail_msg("%s: %s/%s says '%s'", what, r->explain->decisions[i]->category,
                     r->explain->decisions[i]->action, r->explain->decisions[i]->reason);
    return r;
}

static void test_explain_does_not_tell_the_safety_flag(void **state)
{
    (void)state;
    char *flagged_person, *flagged_case, *plain_person, *plain_case;
    new_case("true", &flagged_person, &flagged_case);
    new_case("false", &plain_person, &plain_case);
    /* the school and the chamber: no clause gives them contact data, flag or not */
    struct spona_client *callers[] = {sanja, kemal};
    const char *codes[] = {"testgrad.skola", "testgrad.komora"};
    for (size_t c = 0; c < 2; c++) {
        idata_refer_and_accept(lead, callers[c], flagged_case, codes[c]);
        idata_refer_and_accept(lead, callers[c], plain_case, codes[c]);
        spona_response *flagged = explain_ok(callers[c], flagged_case, codes[c]);
        spona_response *plain = explain_ok(callers[c], plain_case, codes[c]);
        assert_int_equal(flagged->explain->n_decisions, plain->explain->n_decisions);
        for (size_t i = 0; i < flagged->explain->n_decisions; i++) {
            const Spona__V1__CategoryDecision *f = flagged->explain->decisions[i];
            const Spona__V1__CategoryDecision *p = plain->explain->decisions[i];
            if (f->allowed != p->allowed || f->clause != p->clause ||
                strcmp(f->reason, p->reason) != 0)
                fail_msg("explain by %s: %s/%s is '%s' for a person at risk, '%s' otherwise",
                         codes[c], f->category, f->action, f->reason, p->reason);
        }
        envelope_free_response(flagged);
        envelope_free_response(plain);
    }
    /* the employment service would read contact data (clause 2): hidden, the risk unnamed */
    idata_refer_and_accept(lead, zana, flagged_case, "testgrad.zzz");
    spona_response *r = explain_ok(zana, flagged_case, "explain by testgrad.zzz");
    const Spona__V1__CategoryDecision *d = idata_decision(
        r->explain->decisions, r->explain->n_decisions, "contact_address", "read");
    assert_non_null(d);
    assert_false(d->allowed);
    envelope_free_response(r);
    free(flagged_person);
    free(flagged_case);
    free(plain_person);
    free(plain_case);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_and_refer),
        cmocka_unit_test(test_search_hides_who_may_not_read_identity),
        cmocka_unit_test(test_hidden_person_takes_no_place),
        cmocka_unit_test(test_search_hit_is_disclosed),
        cmocka_unit_test(test_excluded_user),
        cmocka_unit_test(test_excluded_institution),
        cmocka_unit_test(test_consent_list_shows_readable_categories),
        cmocka_unit_test(test_explain_does_not_tell_the_safety_flag),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
