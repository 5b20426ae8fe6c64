/*
 * Integration test: person search across scripts (docs/cases.md, "Persons"): the
 * transliteration table of issue 4 against the real server and PostgreSQL. Names
 * registered by the lead in Cyrillic or Latin are found whatever the script, case
 * and diacritics of the query ("Савић" = "Savić" = "Savic" = "SAVIC"), by prefix,
 * with the Serbian digraphs (Љ lj, Њ nj, Џ dž, Ђ đ), first name first ("Marko
 * Sav", "Mar Sav", "Marko" alone), loosely ("Dordevic" for "Đorđević", typos such as "Savvić"), and by JMBG
 * (an invalid one is INVALID_ARGUMENT). Hits carry only identity fields; an
 * institution not on the case and the coordinator find nothing, loosely neither.
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

static struct itest_server server;
static struct spona_client *lead, *zzz, *grad;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "search", NULL);
}

static int group_teardown(void **state)
{
    spona_client_close(lead);
    spona_client_close(zzz);
    spona_client_close(grad);
    return itest_group_teardown(state);
}

/* The persons of the table, registered once. */
enum { SAVIC, DJORDJEVIC, NJEZIC, DZAFEROVIC, SAVO, MARKO, PERSON_COUNT };

static const char *const names[PERSON_COUNT][2] = {
    [SAVIC] = {"Милан", "Савић"},
    [DJORDJEVIC] = {"Đuro", "Đorđević"},
    [NJEZIC] = {"Љиљана", "Њежић"},
    [DZAFEROVIC] = {"Emina", "Džaferović"},
    [SAVO] = {"Petar", "Savković"}, /* shares the prefix "sav", not the name */
    [MARKO] = {"Marko", "Savić"},   /* Savić too, in Latin */
};

static char *person_ids[PERSON_COUNT];
static char jmbgs[PERSON_COUNT][14];
static char *savic_case;

static void test_register(void **state)
{
    (void)state;
    lead = idata_login(&server, "csr", "vesna");
    zzz = idata_login(&server, "zzz", "zana");
    grad = idata_login(&server, "grad", "goran");
    for (int i = 0; i < PERSON_COUNT; i++) {
        idata_fresh_jmbg(jmbgs[i]);
        const char *pairs[] = {"first_name", names[i][0], "last_name", names[i][1], "jmbg",
                               jmbgs[i], "address", "Ulica 1", "phone", "065 000 000",
                               "health_notes", "tajno", NULL};
        person_ids[i] = idata_person_create_ok(lead, pairs);
    }
    savic_case = idata_case_open_ok(lead, person_ids[SAVIC]);
}

/* The hit for person in a search answer, or NULL. */
static const Spona__V1__PersonSearchHit *hit_for(const spona_response *r, const char *person)
{
    for (size_t i = 0; i < r->person_search->n_hits; i++)
        if (strcmp(r->person_search->hits[i]->person_id, person) == 0)
            return r->person_search->hits[i];
    return NULL;
}

static spona_response *search_ok(struct spona_client *client, const char *query, int loose)
{
    spona_response *r = idata_person_search(client, query, loose, 100);
    char what[128];
    snprintf(what, sizeof(what), "person_search '%s'%s", query, loose ? " (loose)" : "");
    idata_expect_what(r, OK, what);
    assert_int_equal(r->body_case, SPONA__V1__RESPONSE__BODY_PERSON_SEARCH);
    return r;
}

/* Asserts the query finds the person (found) or does not (!found). */
static void expect_search(const char *query, int loose, int person, int found)
{
    spona_response *r = search_ok(lead, query, loose);
    int present = hit_for(r, person_ids[person]) != NULL;
    if (present != found)
        fail_msg("person_search '%s'%s: %s %s %s (%zu hits)", query, loose ? " (loose)" : "",
                 found ? "does not find" : "finds", names[person][0], names[person][1],
                 r->person_search->n_hits);
    envelope_free_response(r);
}

static void test_script_case_and_diacritics(void **state)
{
    (void)state;
    static const char *const savic[] = {"Савић", "Savić", "Savic", "SAVIC", "savić", "САВИЋ",
                                        "sav", "Сав", "Savić Milan", "Milan Savić",
                                        "Милан Савић", "savic m"};
    for (size_t i = 0; i < sizeof(savic) / sizeof(savic[0]); i++)
        expect_search(savic[i], 0, SAVIC, 1);
    /* the same answer whatever the script: Savić and nobody else named Savić */
    expect_search("Savić", 0, SAVO, 0);
    expect_search("sav", 0, SAVO, 1);
    expect_search("Savic Petar", 0, SAVIC, 0);

    static const char *const djordjevic[] = {"Djordjevic", "Ђорђевић", "Đorđević", "ĐORĐEVIĆ",
                                             "djordj", "Đuro Đorđević", "Djuro Djordjevic"};
    for (size_t i = 0; i < sizeof(djordjevic) / sizeof(djordjevic[0]); i++)
        expect_search(djordjevic[i], 0, DJORDJEVIC, 1);
    expect_search("Djordjevic", 0, SAVIC, 0);

    static const char *const njezic[] = {"Њежић", "Nježić", "Njezic", "NJEZIC", "nje",
                                         "Ljiljana Njezic", "Љиљана Њежић", "Njezic Ljiljana"};
    for (size_t i = 0; i < sizeof(njezic) / sizeof(njezic[0]); i++)
        expect_search(njezic[i], 0, NJEZIC, 1);

    static const char *const dzaferovic[] = {"Džaferović", "Џаферовић", "Dzaferovic",
                                             "DŽAFER", "Џафер", "dzafer", "Emina Džaferović"};
    for (size_t i = 0; i < sizeof(dzaferovic) / sizeof(dzaferovic[0]); i++)
        expect_search(dzaferovic[i], 0, DZAFEROVIC, 1);
}

/* First name first: the "first last" key, whole or cut anywhere in the last name. */
static void test_first_name_first(void **state)
{
    (void)state;
    static const char *const marko[] = {"Marko Savić", "Marko Sav", "marko savic", "MARKO SAV",
                                        "Марко Савић", "Марко Сав", "Marko S",
                                        "Mar Savić" /* the first name cut, the last whole */,
                                        "Mar Sav", "Мар Сав", "ma s", "m sav" /* both cut */,
                                        "Marko", "МАРКО" /* the first name alone */};
    for (size_t i = 0; i < sizeof(marko) / sizeof(marko[0]); i++)
        expect_search(marko[i], 0, MARKO, 1);
    expect_search("Marko Sav", 0, SAVIC, 0);  /* Milan Savić */
    expect_search("Marko Savk", 0, MARKO, 0); /* not a Savković */
    expect_search("Mar Savk", 0, MARKO, 0);
    expect_search("Mi Sav", 0, SAVIC, 1);
    expect_search("Mi Sav", 0, MARKO, 0);
    expect_search("Mil Sav", 0, SAVIC, 1);
    expect_search("Mil Sav", 0, MARKO, 0);
    expect_search("Mila Sav", 0, SAVIC, 1);
    expect_search("Milo Sav", 0, SAVIC, 0);
    expect_search("Milan", 0, SAVIC, 1);
    expect_search("Milan", 0, MARKO, 0);
    expect_search("Milan Sav", 0, SAVIC, 1);
    expect_search("Milan Sav", 0, MARKO, 0);
    expect_search("Petar Sav", 0, SAVO, 1);
    expect_search("Petar Sav", 0, SAVIC, 0);
    expect_search("Ljiljana Nje", 0, NJEZIC, 1);
    expect_search("Ђуро Ђорђ", 0, DJORDJEVIC, 1);
}

static void test_loose(void **state)
{
    (void)state;
    /* "d" for "đ" (keyboards without it): found loosely */
    expect_search("Dordevic", 1, DJORDJEVIC, 1);
    expect_search("Dordjevic", 1, DJORDJEVIC, 1);
    expect_search("Savich", 1, SAVIC, 1);
    expect_search("Dordevic", 1, NJEZIC, 0);
    /* typos: found loosely only (the trigram index, sql/005), in either script */
    static const struct {
        const char *query;
        int person;
    } typos[] = {{"Savvić", SAVIC},         {"Саввић", SAVIC},      {"Mlan Savić", SAVIC},
                 {"Marko Savvic", MARKO},   {"Dzaferovich", DZAFEROVIC},
                 {"Njezzic", NJEZIC},       {"Ђорђеввић", DJORDJEVIC}};
    for (size_t i = 0; i < sizeof(typos) / sizeof(typos[0]); i++) {
        expect_search(typos[i].query, 1, typos[i].person, 1);
        expect_search(typos[i].query, 0, typos[i].person, 0);
    }
    expect_search("Savvić", 1, SAVO, 0); /* Savković is not that close */
    /* the exact matches come first (a Savić, this run's or an earlier one's) */
    spona_response *r = search_ok(lead, "Savic", 1);
    assert_true(r->person_search->n_hits >= 1);
    const Spona__V1__PersonSearchHit *first = r->person_search->hits[0];
    const char *last_name = NULL;
    for (size_t i = 0; i < first->n_fields; i++)
        if (strcmp(first->fields[i]->name, "last_name") == 0)
            last_name = first->fields[i]->value;
    assert_non_null(last_name);
    if (strcmp(last_name, "Савић") != 0 && strcmp(last_name, "Savić") != 0)
        fail_msg("person_search 'Savic' (loose): the first hit is %s, not a Savić", last_name);
    envelope_free_response(r);
}

static void test_jmbg(void **state)
{
    (void)state;
    spona_response *r = search_ok(lead, jmbgs[NJEZIC], 0);
    assert_int_equal(r->person_search->n_hits, 1);
    assert_string_equal(r->person_search->hits[0]->person_id, person_ids[NJEZIC]);
    envelope_free_response(r);

    /* a wrong control digit, month 13, region 65: INVALID_ARGUMENT saying which part */
    char wrong[14];
    memcpy(wrong, jmbgs[NJEZIC], sizeof(wrong));
    wrong[12] = (char)(wrong[12] == '9' ? '0' : wrong[12] + 1);
    static const char *const parts[] = {"control digit", "date", "region"};
    const char *bad[] = {wrong, "3104990151009", "0101990651000"};
    for (size_t i = 0; i < 3; i++) {
        r = idata_person_search(lead, bad[i], 0, 0);
        char what[64];
        snprintf(what, sizeof(what), "person_search by JMBG %s", bad[i]);
        idata_expect_what(r, SPONA__V1__STATUS__INVALID_ARGUMENT, what);
        if (strstr(r->message, parts[i]) == NULL)
            fail_msg("%s: message '%s' does not say '%s'", what, r->message, parts[i]);
        envelope_free_response(r);
    }
    r = idata_person_search(lead, "", 0, 0);
    idata_expect_what(r, SPONA__V1__STATUS__INVALID_ARGUMENT, "person_search ''");
    envelope_free_response(r);
}

static const char *const identity_fields[] = {"first_name", "last_name", "jmbg", "birth_date",
                                              "sex", NULL};

static void test_hits_show_identity_only(void **state)
{
    (void)state;
    spona_response *r = search_ok(lead, "Савић", 0);
    const Spona__V1__PersonSearchHit *hit = hit_for(r, person_ids[SAVIC]);
    assert_non_null(hit);
    int first = 0, last = 0, jmbg = 0;
    for (size_t i = 0; i < hit->n_fields; i++) {
        const Spona__V1__PersonField *field = hit->fields[i];
        int identity = 0;
        for (size_t k = 0; identity_fields[k] != NULL; k++)
            identity |= strcmp(identity_fields[k], field->name) == 0;
        if (!identity)
            fail_msg("a search hit shows %s", field->name);
        if (field->category[0] != '\0')
            assert_string_equal(field->category, "identity");
        first |= strcmp(field->name, "first_name") == 0 &&
                 strcmp(field->value, "Милан") == 0;
        last |= strcmp(field->name, "last_name") == 0 && strcmp(field->value, "Савић") == 0;
        jmbg |= strcmp(field->name, "jmbg") == 0 && strcmp(field->value, jmbgs[SAVIC]) == 0;
    }
    assert_true(first && last && jmbg); /* as written: Cyrillic */
    assert_string_equal(hit->case_id, savic_case);
    assert_string_equal(hit->stage, "intake");
    envelope_free_response(r);
    /* a person without a case: no case */
    r = search_ok(lead, "Њежић", 0);
    hit = hit_for(r, person_ids[NJEZIC]);
    assert_non_null(hit);
    assert_string_equal(hit->case_id, "");
    envelope_free_response(r);
}

/* Asserts that the client finds none of the table's persons, or is refused. */
static void expect_finds_nothing(struct spona_client *client, const char *who)
{
    static const char *const queries[] = {"Савић", "Savic", "sav", "Djordjevic", "Njezic",
                                          "Dzaferovic"};
    for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
        spona_response *r = idata_person_search(client, queries[q], 1, 100);
        if (r->status == OK) {
            for (int i = 0; i < PERSON_COUNT; i++)
                if (hit_for(r, person_ids[i]) != NULL)
                    fail_msg("%s finds %s %s by '%s'", who, names[i][0], names[i][1],
                             queries[q]);
        } else if (r->status != SPONA__V1__STATUS__PERMISSION_DENIED) {
            fail_msg("person_search '%s' by %s: expected OK with no hits or "
                     "PERMISSION_DENIED; got %s, '%s'", queries[q], who,
                     envelope_status_name(r->status), r->message);
        }
        envelope_free_response(r);
    }
    spona_response *r = idata_person_search(client, jmbgs[SAVIC], 0, 0);
    if (r->status == OK)
        assert_int_equal(r->person_search->n_hits, 0);
    else
        assert_int_equal(r->status, SPONA__V1__STATUS__PERMISSION_DENIED);
    envelope_free_response(r);
}

static void test_others_find_nothing(void **state)
{
    (void)state;
    expect_finds_nothing(zzz, "zzz, not on any of their cases");
    expect_finds_nothing(grad, "the coordinator");

    /* once on Savić's case, zzz finds Savić (identity, clause 2), still nobody else */
    idata_refer_and_accept(lead, zzz, savic_case, "testgrad.zzz");
    spona_response *r = search_ok(zzz, "Savic", 1);
    const Spona__V1__PersonSearchHit *hit = hit_for(r, person_ids[SAVIC]);
    assert_non_null(hit);
    assert_string_equal(hit->case_id, savic_case);
    for (int i = 0; i < PERSON_COUNT; i++)
        if (i != SAVIC && hit_for(r, person_ids[i]) != NULL)
            fail_msg("zzz finds %s %s, not on its case", names[i][0], names[i][1]);
    envelope_free_response(r);
    expect_finds_nothing(grad, "the coordinator");
}

static void test_limit(void **state)
{
    (void)state;
    spona_response *r = idata_person_search(lead, "sav", 0, 1);
    idata_expect_what(r, OK, "person_search 'sav' limit 1");
    assert_int_equal(r->person_search->n_hits, 1);
    envelope_free_response(r);
    r = idata_person_search(lead, "sav", 0, 101);
    if (r->status == OK)
        assert_true(r->person_search->n_hits <= 100);
    else
        idata_expect_what(r, SPONA__V1__STATUS__INVALID_ARGUMENT, "person_search limit 101");
    envelope_free_response(r);
}

static int search_teardown(void **state)
{
    for (int i = 0; i < PERSON_COUNT; i++)
        free(person_ids[i]);
    free(savic_case);
    return group_teardown(state);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register),
        cmocka_unit_test(test_script_case_and_diacritics),
        cmocka_unit_test(test_first_name_first),
        cmocka_unit_test(test_loose),
        cmocka_unit_test(test_jmbg),
        cmocka_unit_test(test_hits_show_identity_only),
        cmocka_unit_test(test_others_find_nothing),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, search_teardown);
}
