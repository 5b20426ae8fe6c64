/*
 * Integration test: the scenarios of issue 3 on the test protocol (testgrad v2,
 * tests/integration/protocols): the employment service sees education and work
 * history with consent but never health or safety; an NGO not on the team gets
 * NOT_FOUND; the coordinator sees no person; a safety-flagged person's contact and
 * address are hidden from all but the lead; consent withdrawal cuts access at the
 * very next request; writes outside the rules are PERMISSION_DENIED naming the clause
 * or the consent; and the error answers: stale version (CONFLICT with the current
 * version), unknown ids (NOT_FOUND), bad UUID text, bad fields and bad JMBGs
 * (INVALID_ARGUMENT saying which part), duplicate JMBG (CONFLICT).
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

static struct itest_server server;
static struct spona_client *lead, *zzz, *ngo, *grad, *skola;

static const char *const education_fields[] = {"education_level", "work_history", "skills", NULL};
static const char *const health_fields[] = {"disability_status", "work_capability",
                                            "health_notes", NULL};
static const char *const safety_fields[] = {"safety_flag", "safety_notes", NULL};
static const char *const contact_fields[] = {"address", "phone", "email", NULL};

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "scenarios", NULL);
}

static int group_teardown(void **state)
{
    spona_client_close(lead);
    spona_client_close(zzz);
    spona_client_close(ngo);
    spona_client_close(grad);
    spona_client_close(skola);
    return itest_group_teardown(state);
}

static void test_log_in(void **state)
{
    (void)state;
    lead = idata_login(&server, "csr", "vlado");
    zzz = idata_login(&server, "zzz", "zoran");
    ngo = idata_login(&server, "ngo", "nada");
    grad = idata_login(&server, "grad", "goran");
    skola = idata_login(&server, "skola", "sanja");
}

struct person {
    char *person_id;
    char *case_id;
    char jmbg[14];
};

/* A person with every field filled, and a case led by testgrad.csr. */
static void new_person(struct person *p, int safety)
{
    assert_non_null(lead);
    idata_fresh_jmbg(p->jmbg);
    const char *pairs[] = {
        "first_name", "Scena", "last_name", "Testna", "jmbg", p->jmbg,
        "address", "Skrivena ulica 7", "phone", "065 222 333", "email", "scena@example.org",
        "benefit_status", "dječiji dodatak", "household_size", "4", "rural", "false",
        "education_level", "KV", "work_history", "pekar 2 godine", "skills", "pečenje",
        "disability_status", "invalidnost 30%", "work_capability", "djelimična",
        "health_notes", "dijabetes", "safety_flag", safety ? "true" : "false",
        "safety_notes", safety ? "zabrana približavanja" : "", NULL};
    p->person_id = idata_person_create_ok(lead, pairs);
    p->case_id = idata_case_open_ok(lead, p->person_id);
    /* one open case per person: a second is refused, naming the first */
    spona_response *again = idata_case_open(lead, p->person_id, "again");
    idata_expect(again, SPONA__V1__STATUS__CONFLICT);
    assert_non_null(strstr(again->message, p->case_id));
    envelope_free_response(again);
}

static void free_person(struct person *p)
{
    free(p->person_id);
    free(p->case_id);
}

static void assert_fields(const Spona__V1__PersonView *view, const char *const *names,
                          int present, const char *who)
{
    for (size_t i = 0; names[i] != NULL; i++) {
        const char *value = idata_field(view, names[i]);
        if (present && value == NULL)
            fail_msg("%s: field %s is missing", who, names[i]);
        if (!present && value != NULL)
            fail_msg("%s: field %s = '%s' is shown; it must be hidden", who, names[i], value);
    }
}

static spona_response *get_ok(struct spona_client *client, const char *person_id)
{
    spona_response *r = idata_person_get(client, person_id);
    idata_expect(r, SPONA__V1__STATUS__OK);
    assert_int_equal(r->body_case, SPONA__V1__RESPONSE__BODY_PERSON_GET);
    return r;
}

static uint64_t version_of(const char *person_id)
{
    spona_response *r = get_ok(lead, person_id);
    uint64_t version = r->person_get->version;
    envelope_free_response(r);
    return version;
}

static const char *const every_category[] = {
    "identity", "contact_address", "benefits_household", "education_work",
    "health_disability", "safety", "plan_measures", "case_notes", "outcomes", NULL};

static void test_employment_service_sees_education_never_health_or_safety(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, 0);
    idata_refer_and_accept(lead, zzz, p.case_id, "testgrad.zzz");

    /* without consent: identity and contact (clause 2), not education (clause 4 needs it) */
    spona_response *r = get_ok(zzz, p.person_id);
    assert_fields(r->person_get, education_fields, 0, "zzz without consent");
    assert_string_equal(idata_field(r->person_get, "first_name"), "Scena");
    const Spona__V1__CategoryDecision *d = idata_decision(
        r->person_get->decisions, r->person_get->n_decisions, "education_work", "read");
    assert_non_null(d);
    assert_false(d->allowed);
    assert_int_equal(d->clause, 4);
    assert_non_null(strstr(d->reason, "consent"));
    envelope_free_response(r);

    /* the person consents to everything: education opens, health and safety never do */
    spona_response *g = idata_consent_grant(lead, p.person_id, "testgrad.zzz", every_category,
                                            NULL, NULL);
    idata_expect(g, SPONA__V1__STATUS__OK);
    envelope_free_response(g);
    r = get_ok(zzz, p.person_id);
    assert_fields(r->person_get, education_fields, 1, "zzz with consent");
    assert_string_equal(idata_field(r->person_get, "skills"), "pečenje");
    assert_fields(r->person_get, health_fields, 0, "zzz with consent");
    assert_fields(r->person_get, safety_fields, 0, "zzz with consent");
    d = idata_decision(r->person_get->decisions, r->person_get->n_decisions, "education_work",
                       "read");
    assert_non_null(d);
    assert_true(d->allowed);
    assert_int_equal(d->clause, 4);
    assert_string_equal(d->reason, "visible: clause 4 of protocol testgrad v2");
    d = idata_decision(r->person_get->decisions, r->person_get->n_decisions,
                       "health_disability", "read");
    assert_non_null(d);
    assert_false(d->allowed);
    assert_non_null(strstr(d->reason, "no clause"));
    envelope_free_response(r);

    /* case_get shows the same person view */
    spona_response *c = idata_case_get(zzz, p.case_id);
    idata_expect(c, SPONA__V1__STATUS__OK);
    assert_string_equal(c->case_get->case_id, p.case_id);
    assert_string_equal(c->case_get->lead_institution_code, "testgrad.csr");
    assert_non_null(c->case_get->person);
    assert_fields(c->case_get->person, education_fields, 1, "zzz case_get");
    assert_fields(c->case_get->person, health_fields, 0, "zzz case_get");
    assert_fields(c->case_get->person, safety_fields, 0, "zzz case_get");
    int zzz_on_team = 0;
    for (size_t i = 0; i < c->case_get->n_team; i++)
        if (strcmp(c->case_get->team[i]->institution_code, "testgrad.zzz") == 0) {
            zzz_on_team = 1;
            assert_string_equal(c->case_get->team[i]->via, "referral");
        }
    assert_true(zzz_on_team);
    envelope_free_response(c);
    free_person(&p);
}

static void assert_not_found(spona_response *r, const char *what)
{
    if (r->status != SPONA__V1__STATUS__NOT_FOUND)
        fail_msg("%s: expected NOT_FOUND; got %s, '%s'", what,
                 envelope_status_name(r->status), r->message);
    assert_non_null(strstr(r->message, "may see"));
    envelope_free_response(r);
}

static void test_ngo_not_on_the_team_sees_nothing(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, 0);
    /* consent alone does not put the NGO on the team */
    spona_response *g = idata_consent_grant(lead, p.person_id, "testgrad.ngo", every_category,
                                            NULL, NULL);
    idata_expect(g, SPONA__V1__STATUS__OK);
    envelope_free_response(g);
    assert_not_found(idata_person_get(ngo, p.person_id), "person_get by an NGO off the team");
    assert_not_found(idata_case_get(ngo, p.case_id), "case_get by an NGO off the team");
    assert_not_found(idata_explain(ngo, p.case_id, NULL), "explain by an NGO off the team");
    spona_response *list = idata_consent_list(ngo, p.person_id);
    if (list->status == SPONA__V1__STATUS__OK) /* its own consent records at most */
        for (size_t i = 0; i < list->consent_list->n_consents; i++)
            assert_string_equal(list->consent_list->consents[i]->institution_code,
                                "testgrad.ngo");
    else
        assert_int_equal(list->status, SPONA__V1__STATUS__NOT_FOUND);
    envelope_free_response(list);
    /* the same answer as for an id that does not exist */
    const char *nobody = "6f1c1a52-9d3e-4c55-b1f4-0d2d3c4b5a69";
    spona_response *missing = idata_person_get(ngo, nobody);
    assert_int_equal(missing->status, SPONA__V1__STATUS__NOT_FOUND);
    envelope_free_response(missing);
    const char *update[] = {"skills", "x", NULL};
    assert_not_found(idata_person_update(ngo, p.person_id, 1, update),
                     "person_update by an NGO off the team");
    free_person(&p);
}

static void test_coordinator_sees_no_person(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, 0);
    const char *const coordinator_categories[] = {"identity", NULL};
    spona_response *g = idata_consent_grant(lead, p.person_id, "testgrad.grad",
                                            coordinator_categories, NULL, NULL);
    envelope_free_response(g); /* whatever the lead may record, the coordinator sees nothing */
    spona_response *r = idata_person_get(grad, p.person_id);
    if (r->status == SPONA__V1__STATUS__OK)
        assert_int_equal(r->person_get->n_fields, 0);
    else
        assert_int_equal(r->status, SPONA__V1__STATUS__NOT_FOUND);
    envelope_free_response(r);
    r = idata_case_get(grad, p.case_id);
    if (r->status == SPONA__V1__STATUS__OK)
        assert_true(r->case_get->person == NULL || r->case_get->person->n_fields == 0);
    else
        assert_int_equal(r->status, SPONA__V1__STATUS__NOT_FOUND);
    envelope_free_response(r);

    /* what the lead's explain says about the coordinator: hidden, because it is one */
    r = idata_explain(lead, p.case_id, "testgrad.grad");
    idata_expect(r, SPONA__V1__STATUS__OK);
    for (size_t i = 0; i < r->explain->n_decisions; i++) {
        const Spona__V1__CategoryDecision *d = r->explain->decisions[i];
        if (strcmp(d->category, "aggregates") == 0)
            continue;
        assert_false(d->allowed);
        assert_non_null(strstr(d->reason, "coordinator"));
    }
    envelope_free_response(r);
    /* and it may not register persons either */
    const char *pairs[] = {"first_name", "Ko", "last_name", "Ordinator", NULL};
    r = idata_person_create(grad, pairs);
    assert_int_equal(r->status, SPONA__V1__STATUS__PERMISSION_DENIED);
    envelope_free_response(r);
    free_person(&p);
}

static void test_safety_flag_hides_contact_from_all_but_the_lead(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, 1);
    idata_refer_and_accept(lead, zzz, p.case_id, "testgrad.zzz");
    idata_refer_and_accept(lead, ngo, p.case_id, "testgrad.ngo");
    spona_response *g = idata_consent_grant(lead, p.person_id, "testgrad.ngo", every_category,
                                            NULL, NULL);
    idata_expect(g, SPONA__V1__STATUS__OK);
    envelope_free_response(g);

    spona_response *r = get_ok(lead, p.person_id);
    assert_fields(r->person_get, contact_fields, 1, "the lead");
    assert_string_equal(idata_field(r->person_get, "address"), "Skrivena ulica 7");
    assert_string_equal(idata_field(r->person_get, "safety_flag"), "true");
    envelope_free_response(r);

    struct spona_client *others[] = {zzz, ngo};
    for (size_t i = 0; i < 2; i++) {
        r = get_ok(others[i], p.person_id);
        assert_fields(r->person_get, contact_fields, 0, i == 0 ? "zzz" : "ngo");
        assert_string_equal(idata_field(r->person_get, "first_name"), "Scena");
        const Spona__V1__CategoryDecision *d = idata_decision(
            r->person_get->decisions, r->person_get->n_decisions, "contact_address", "read");
        assert_non_null(d);
        assert_false(d->allowed);
        /* the reason names no risk (the safety flag is not theirs to read) */
        assert_null(strstr(d->reason, "risk"));
        assert_non_null(strstr(d->reason, "shown only to the lead agency"));
        envelope_free_response(r);
    }

    /* lifting the flag shows the address again to zzz (clause 2); setting it hides it */
    const char *lift[] = {"safety_flag", "false", NULL};
    r = idata_person_update(lead, p.person_id, version_of(p.person_id), lift);
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    r = get_ok(zzz, p.person_id);
    assert_fields(r->person_get, contact_fields, 1, "zzz after the flag was lifted");
    envelope_free_response(r);
    const char *set[] = {"safety_flag", "true", NULL};
    r = idata_person_update(lead, p.person_id, version_of(p.person_id), set);
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    r = get_ok(zzz, p.person_id);
    assert_fields(r->person_get, contact_fields, 0, "zzz after the flag was set");
    envelope_free_response(r);

    /* nor may anyone but the lead write it */
    const char *move[] = {"address", "Nova 1", NULL};
    r = idata_person_update(ngo, p.person_id, version_of(p.person_id), move);
    assert_int_equal(r->status, SPONA__V1__STATUS__PERMISSION_DENIED);
    envelope_free_response(r);
    free_person(&p);
}

static void test_consent_withdrawal_cuts_access_at_the_next_request(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, 0);
    idata_refer_and_accept(lead, zzz, p.case_id, "testgrad.zzz");
    const char *const education[] = {"education_work", NULL};
    spona_response *g = idata_consent_grant(lead, p.person_id, "testgrad.zzz", education,
                                            "2024-05-05", NULL);
    idata_expect(g, SPONA__V1__STATUS__OK);
    assert_int_equal(g->consent_grant->n_consent_ids, 1);
    envelope_free_response(g);

    spona_response *r = get_ok(zzz, p.person_id);
    assert_fields(r->person_get, education_fields, 1, "zzz with consent");
    envelope_free_response(r);

    spona_response *list = idata_consent_list(lead, p.person_id);
    idata_expect(list, SPONA__V1__STATUS__OK);
    assert_int_equal(list->consent_list->n_consents, 1);
    assert_string_equal(list->consent_list->consents[0]->category, "education_work");
    assert_string_equal(list->consent_list->consents[0]->institution_code, "testgrad.zzz");
    assert_string_equal(list->consent_list->consents[0]->given_on, "2024-05-05");
    assert_true(list->consent_list->consents[0]->in_force);
    envelope_free_response(list);

    spona_response *w = idata_consent_withdraw(lead, p.person_id, "testgrad.zzz", education);
    idata_expect(w, SPONA__V1__STATUS__OK);
    assert_int_equal(w->consent_withdraw->withdrawn, 1);
    envelope_free_response(w);

    /* the very next request, on the same connection and session */
    r = get_ok(zzz, p.person_id);
    assert_fields(r->person_get, education_fields, 0, "zzz right after the withdrawal");
    const Spona__V1__CategoryDecision *d = idata_decision(
        r->person_get->decisions, r->person_get->n_decisions, "education_work", "read");
    assert_non_null(d);
    assert_false(d->allowed);
    assert_non_null(strstr(d->reason, "consent"));
    envelope_free_response(r);

    list = idata_consent_list(lead, p.person_id);
    idata_expect(list, SPONA__V1__STATUS__OK);
    assert_int_equal(list->consent_list->n_consents, 1);
    assert_false(list->consent_list->consents[0]->in_force);
    assert_true(list->consent_list->consents[0]->withdrawn_at[0] != '\0');
    envelope_free_response(list);

    /* a consent that expired, or is dated in the future, does not count */
    g = idata_consent_grant(lead, p.person_id, "testgrad.zzz", education, "2020-01-01",
                            "2020-12-31");
    idata_expect(g, SPONA__V1__STATUS__OK);
    envelope_free_response(g);
    g = idata_consent_grant(lead, p.person_id, "testgrad.zzz", education, "2999-01-01", NULL);
    if (g->status == SPONA__V1__STATUS__OK) {
        r = get_ok(zzz, p.person_id);
        assert_fields(r->person_get, education_fields, 0, "zzz with a future consent");
        envelope_free_response(r);
    } else {
        assert_int_equal(g->status, SPONA__V1__STATUS__INVALID_ARGUMENT);
    }
    envelope_free_response(g);
    r = get_ok(zzz, p.person_id);
    assert_fields(r->person_get, education_fields, 0, "zzz with an expired consent");
    envelope_free_response(r);
    free_person(&p);
}

static void test_writes_outside_the_rules_name_clause_or_consent(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, 0);
    idata_refer_and_accept(lead, zzz, p.case_id, "testgrad.zzz");
    idata_refer_and_accept(lead, skola, p.case_id, "testgrad.skola");
    uint64_t version = version_of(p.person_id);

    /* no clause lets the employment service write health data */
    const char *health[] = {"health_notes", "izmišljeno", NULL};
    spona_response *r = idata_person_update(zzz, p.person_id, version, health);
    assert_int_equal(r->status, SPONA__V1__STATUS__PERMISSION_DENIED);
    assert_non_null(strstr(r->message, "no clause of protocol testgrad v2"));
    assert_non_null(strstr(r->message, "health_disability"));
    envelope_free_response(r);

    /* the school may write skills only with consent: clause 13 */
    const char *skills[] = {"skills", "CNC", NULL};
    r = idata_person_update(skola, p.person_id, version, skills);
    assert_int_equal(r->status, SPONA__V1__STATUS__PERMISSION_DENIED);
    assert_non_null(strstr(r->message, "clause 13"));
    assert_non_null(strstr(r->message, "consent"));
    envelope_free_response(r);

    /* a write touching an allowed and a refused category is refused whole */
    const char *mixed[] = {"last_name", "Promijenjeno", "skills", "CNC", NULL};
    r = idata_person_update(lead, p.person_id, version, mixed);
    idata_expect(r, SPONA__V1__STATUS__OK); /* the lead may (clause 1) */
    version = r->person_update->version;
    envelope_free_response(r);
    const char *mixed_zzz[] = {"first_name", "Z", "skills", "CNC", NULL};
    r = idata_person_update(zzz, p.person_id, version, mixed_zzz);
    assert_int_equal(r->status, SPONA__V1__STATUS__PERMISSION_DENIED);
    envelope_free_response(r);
    r = get_ok(lead, p.person_id);
    assert_string_equal(idata_field(r->person_get, "first_name"), "Scena");
    assert_int_equal(r->person_get->version, version);
    envelope_free_response(r);

    /* with consent the school's write goes through */
    const char *const education[] = {"education_work", NULL};
    spona_response *g = idata_consent_grant(lead, p.person_id, "testgrad.skola", education,
                                            NULL, NULL);
    idata_expect(g, SPONA__V1__STATUS__OK);
    envelope_free_response(g);
    r = idata_person_update(skola, p.person_id, version, skills);
    idata_expect(r, SPONA__V1__STATUS__OK);
    envelope_free_response(r);
    r = get_ok(lead, p.person_id);
    assert_string_equal(idata_field(r->person_get, "skills"), "CNC");
    envelope_free_response(r);

    /* only the lead agency registers persons */
    const char *pairs[] = {"first_name", "Z", "last_name", "Z", NULL};
    r = idata_person_create(zzz, pairs);
    assert_int_equal(r->status, SPONA__V1__STATUS__PERMISSION_DENIED);
    envelope_free_response(r);
    free_person(&p);
}

static void test_stale_version_is_a_conflict_naming_the_current_one(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, 0);
    uint64_t version = version_of(p.person_id);
    const char *first[] = {"phone", "065 1", NULL};
    spona_response *r = idata_person_update(lead, p.person_id, version, first);
    idata_expect(r, SPONA__V1__STATUS__OK);
    uint64_t current = r->person_update->version;
    assert_true(current > version);
    envelope_free_response(r);
    const char *second[] = {"phone", "065 2", NULL};
    r = idata_person_update(lead, p.person_id, version, second);
    if (r->status != SPONA__V1__STATUS__CONFLICT)
        fail_msg("stale update: expected CONFLICT; got %s, '%s'",
                 envelope_status_name(r->status), r->message);
    char want[64];
    snprintf(want, sizeof(want), "%llu", (unsigned long long)current);
    if (strstr(r->message, want) == NULL)
        fail_msg("CONFLICT message '%s' does not name the current version %s", r->message,
                 want);
    envelope_free_response(r);
    r = get_ok(lead, p.person_id);
    assert_string_equal(idata_field(r->person_get, "phone"), "065 1");
    envelope_free_response(r);
    free_person(&p);
}

static void test_unknown_ids_and_bad_uuid_text(void **state)
{
    (void)state;
    const char *nobody = "00000000-0000-4000-8000-000000000000";
    assert_not_found(idata_person_get(lead, nobody), "person_get of an unknown id");
    assert_not_found(idata_case_get(lead, nobody), "case_get of an unknown id");
    assert_not_found(idata_explain(lead, nobody, NULL), "explain of an unknown case");
    const char *update[] = {"phone", "1", NULL};
    assert_not_found(idata_person_update(lead, nobody, 1, update),
                     "person_update of an unknown id");
    spona_response *r = idata_case_open(lead, nobody, "x");
    assert_int_equal(r->status, SPONA__V1__STATUS__NOT_FOUND);
    envelope_free_response(r);

    static const char *const bad[] = {"not-a-uuid", "", "123",
                                      "00000000-0000-4000-8000-00000000000g",
                                      "00000000-0000-4000-8000-0000000000000",
                                      "'; DROP TABLE persons; --"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        spona_response *responses[] = {
            idata_person_get(lead, bad[i]), idata_case_get(lead, bad[i]),
            idata_explain(lead, bad[i], NULL), idata_consent_list(lead, bad[i]),
            idata_person_update(lead, bad[i], 1, update)};
        for (size_t k = 0; k < sizeof(responses) / sizeof(responses[0]); k++) {
            if (responses[k]->status != SPONA__V1__STATUS__INVALID_ARGUMENT)
                fail_msg("request %zu with id '%s': expected INVALID_ARGUMENT; got %s, '%s'",
                         k, bad[i], envelope_status_name(responses[k]->status),
                         responses[k]->message);
            envelope_free_response(responses[k]);
        }
    }
    /* unknown institution and category names */
    struct person p;
    new_person(&p, 0);
    const char *const wrong_category[] = {"health", NULL};
    r = idata_consent_grant(lead, p.person_id, "testgrad.zzz", wrong_category, NULL, NULL);
    assert_int_equal(r->status, SPONA__V1__STATUS__INVALID_ARGUMENT);
    assert_non_null(strstr(r->message, "categories[0]: not a category"));
    envelope_free_response(r);
    free_person(&p);
}

/* person_create with one bad field value: INVALID_ARGUMENT whose message has want. */
static void assert_create_invalid(const char *name, const char *value, const char *want)
{
    const char *pairs[] = {"first_name", "Neispravna", "last_name", "Osoba", name, value, NULL};
    spona_response *r = idata_person_create(lead, pairs);
    if (r->status != SPONA__V1__STATUS__INVALID_ARGUMENT || strstr(r->message, want) == NULL)
        fail_msg("person_create with %s = '%s': expected INVALID_ARGUMENT saying '%s'; got "
                 "%s, '%s'", name, value, want, envelope_status_name(r->status), r->message);
    envelope_free_response(r);
}

static void test_invalid_fields_and_jmbg_say_which_part(void **state)
{
    (void)state;
    assert_create_invalid("jmbg", "0101100710007", "control digit");
    assert_create_invalid("jmbg", "3104990151009", "date");
    assert_create_invalid("jmbg", "2902023151007", "date");
    assert_create_invalid("jmbg", "0101990651000", "region");
    assert_create_invalid("jmbg", "01011007100", "13 digits");
    assert_create_invalid("jmbg", "01011007100O6", "digits");
    assert_create_invalid("birth_date", "1985-02-30", "birth_date");
    assert_create_invalid("household_size", "0", "household_size");
    assert_create_invalid("sex", "X", "sex");
    assert_create_invalid("rural", "da", "rural");
    assert_create_invalid("favourite_colour", "plava", "fields[2]: not a field");
    const char *no_name[] = {"last_name", "Bezimena", NULL};
    spona_response *r = idata_person_create(lead, no_name);
    assert_int_equal(r->status, SPONA__V1__STATUS__INVALID_ARGUMENT);
    assert_non_null(strstr(r->message, "first_name"));
    envelope_free_response(r);
    /* an update with a bad value is refused the same way */
    struct person p;
    new_person(&p, 0);
    const char *bad[] = {"jmbg", "0101990601004", NULL};
    r = idata_person_update(lead, p.person_id, version_of(p.person_id), bad);
    assert_int_equal(r->status, SPONA__V1__STATUS__INVALID_ARGUMENT);
    assert_non_null(strstr(r->message, "region"));
    envelope_free_response(r);
    free_person(&p);
}

static void test_duplicate_jmbg_is_a_conflict(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, 0);
    const char *pairs[] = {"first_name", "Dupla", "last_name", "Osoba", "jmbg", p.jmbg, NULL};
    spona_response *r = idata_person_create(lead, pairs);
    if (r->status != SPONA__V1__STATUS__CONFLICT)
        fail_msg("duplicate JMBG: expected CONFLICT; got %s, '%s'",
                 envelope_status_name(r->status), r->message);
    assert_non_null(strstr(r->message, p.person_id)); /* names the existing person */
    envelope_free_response(r);
    /* an update to another person's JMBG too */
    struct person q;
    new_person(&q, 0);
    const char *steal[] = {"jmbg", p.jmbg, NULL};
    r = idata_person_update(lead, q.person_id, version_of(q.person_id), steal);
    assert_int_equal(r->status, SPONA__V1__STATUS__CONFLICT);
    envelope_free_response(r);
    free_person(&q);
    free_person(&p);
}

static void test_explain_of_another_institution_is_for_the_lead_only(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, 0);
    idata_refer_and_accept(lead, zzz, p.case_id, "testgrad.zzz");
    spona_response *r = idata_explain(zzz, p.case_id, "testgrad.skola");
    assert_int_equal(r->status, SPONA__V1__STATUS__PERMISSION_DENIED);
    envelope_free_response(r);
    r = idata_explain(zzz, p.case_id, NULL);
    idata_expect(r, SPONA__V1__STATUS__OK);
    assert_string_equal(r->explain->institution_code, "testgrad.zzz");
    assert_true(r->explain->on_team);
    envelope_free_response(r);
    r = idata_explain(lead, p.case_id, "testgrad.nepostojeca");
    assert_true(r->status == SPONA__V1__STATUS__NOT_FOUND ||
                r->status == SPONA__V1__STATUS__INVALID_ARGUMENT);
    envelope_free_response(r);
    free_person(&p);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_in),
        cmocka_unit_test(test_employment_service_sees_education_never_health_or_safety),
        cmocka_unit_test(test_ngo_not_on_the_team_sees_nothing),
        cmocka_unit_test(test_coordinator_sees_no_person),
        cmocka_unit_test(test_safety_flag_hides_contact_from_all_but_the_lead),
        cmocka_unit_test(test_consent_withdrawal_cuts_access_at_the_next_request),
        cmocka_unit_test(test_writes_outside_the_rules_name_clause_or_consent),
        cmocka_unit_test(test_stale_version_is_a_conflict_naming_the_current_one),
        cmocka_unit_test(test_unknown_ids_and_bad_uuid_text),
        cmocka_unit_test(test_invalid_fields_and_jmbg_say_which_part),
        cmocka_unit_test(test_duplicate_jmbg_is_a_conflict),
        cmocka_unit_test(test_explain_of_another_institution_is_for_the_lead_only),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
