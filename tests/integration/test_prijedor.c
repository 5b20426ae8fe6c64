/*
 * Integration test: the scenarios of issue 3 on the REAL shipped protocol of Prijedor,
 * deploy/protocols/prijedor-v1.yaml and then its amendment prijedor-v2.yaml, with the
 * municipality, the seven signatories and their demo users exactly as the shipped
 * deploy/seed-prijedor.sh registers them (tests/harness/pg.sh runs it; every demo user's
 * password is "prijedor-lozinka-42") and a client certificate per signatory
 * (tests/harness/pki.sh: prijedor-grad, prijedor-csr, ...).
 *
 * Under v1 (imported with the admin command `spona-server import-protocol`): the
 * Employment Bureau on the team sees education and work history only with consent
 * (clause 4) and never health_disability or safety, with or without consent; the NGO
 * Hleb života, not on the team, gets NOT_FOUND for the person and the case; the
 * coordinator (Grad Prijedor) gets NOT_FOUND for a person even with the id; a
 * safety-flagged person's address, phone and email are hidden from everyone but the CSR
 * (the Employment Bureau, the school and the NGO on the team); withdrawing consent cuts
 * the Employment Bureau's education_work at the very next request. Then the amendment
 * v2 (imported through the API by the coordinator, in force once the lead agency and the
 * NGO approved it with signatures of their keys) adds clause 12: the NGO on the team
 * with consent now reads health_disability, explain and new disclosures cite
 * "protocol prijedor v2", and disclosures recorded before the amendment still cite v1.
 *
 * Expectations come from the documents: where a scenario of the issue and the document
 * differ, the document wins and a comment says so.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idata.h"

#ifndef SPONA_DEPLOY_PROTOCOLS
#error "SPONA_DEPLOY_PROTOCOLS must name deploy/protocols"
#endif

/* tests/harness/pg.sh: SPONA_DEMO_PASSWORD of deploy/seed-prijedor.sh */
#define PRIJEDOR_PASSWORD "prijedor-lozinka-42"

static struct itest_server server;

/* The signatories, as deploy/seed-prijedor.sh registers them and the documents name them. */
static struct signatory {
    const char *code, *role, *cert, *username;
    struct spona_client *client;
} signatories[] = {
    {"prijedor.grad", "coordinator", "prijedor-grad", "dragana.grad", NULL},
    {"prijedor.csr", "lead_agency", "prijedor-csr", "ana.csr", NULL},
    {"prijedor.zzz", "employment_service", "prijedor-zzz", "milan.zzz", NULL},
    {"prijedor.skola", "education_provider", "prijedor-skola", "jelena.skola", NULL},
    {"prijedor.komora", "employer_liaison", "prijedor-komora", "nedzad.komora", NULL},
    {"prijedor.preda", "employer_liaison", "prijedor-preda", "sanja.preda", NULL},
    {"prijedor.hleb", "service_provider", "prijedor-hleb", "marija.hleb", NULL},
};
#define SIGNATORY_COUNT (sizeof(signatories) / sizeof(signatories[0]))
enum { GRAD, CSR, ZZZ, SKOLA, KOMORA, PREDA, HLEB };
#define CLIENT(i) (signatories[i].client)

static const char *const education_fields[] = {"education_level", "work_history", "skills", NULL};
static const char *const health_fields[] = {"disability_status", "work_capability",
                                            "health_notes", NULL};
static const char *const safety_fields[] = {"safety_flag", "safety_notes", NULL};
static const char *const contact_fields[] = {"address", "phone", "email", NULL};
static const char *const identity_fields[] = {"first_name", "last_name", "jmbg", NULL};

static const char *const every_category[] = {
    "identity", "contact_address", "benefits_household", "education_work",
    "health_disability", "safety", "plan_measures", "case_notes", "outcomes", NULL};

struct person {
    char *person_id;
    char *case_id;
    char jmbg[14];
};

/* Kept for the amendment: the Employment Bureau's person (consent to everything) and the
 * NGO's person (on the team, consent to clause 9's categories and health_disability). */
static struct person bureau_person, ngo_person;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "prijedor", NULL);
}

static void free_person(struct person *p)
{
    free(p->person_id);
    free(p->case_id);
    p->person_id = p->case_id = NULL;
}

static int group_teardown(void **state)
{
    for (size_t i = 0; i < SIGNATORY_COUNT; i++) {
        spona_client_close(signatories[i].client);
        signatories[i].client = NULL;
    }
    free_person(&bureau_person);
    free_person(&ngo_person);
    return itest_group_teardown(state);
}

/* --- helpers -------------------------------------------------------------------------- */

/* The path of deploy/protocols/<name>, in out. */
static char *deploy_protocol_path(const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", SPONA_DEPLOY_PROTOCOLS, name);
    return out;
}

/* The text of deploy/protocols/<name> (caller frees); asserts. */
static char *deploy_protocol_text(const char *name)
{
    char path[1024];
    deploy_protocol_path(name, path, sizeof(path));
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    char *text = NULL;
    size_t length = 0, size = 0;
    for (;;) {
        if (length + 4096 + 1 > size) {
            size = size == 0 ? 8192 : size * 2;
            text = realloc(text, size);
            assert_non_null(text);
        }
        size_t got = fread(text + length, 1, 4096, file);
        length += got;
        if (got == 0)
            break;
    }
    fclose(file);
    text[length] = '\0';
    return text;
}

static void expect_status(const spona_response *r, spona_status status, const char *what)
{
    assert_non_null(r);
    if (r->status != status)
        fail_msg("%s: expected %s; got %s, '%s'", what, envelope_status_name(status),
                 envelope_status_name(r->status), r->message);
}

static void assert_not_found(spona_response *r, const char *what)
{
    expect_status(r, SPONA__V1__STATUS__NOT_FOUND, what);
    if (strstr(r->message, "may see") == NULL)
        fail_msg("%s: NOT_FOUND message '%s' does not say 'may see'", what, r->message);
    envelope_free_response(r);
}

static spona_response *get_ok(int who, const char *person_id)
{
    spona_response *r = idata_person_get(CLIENT(who), person_id);
    char what[128];
    snprintf(what, sizeof(what), "person_get by %s", signatories[who].code);
    expect_status(r, SPONA__V1__STATUS__OK, what);
    assert_int_equal(r->body_case, SPONA__V1__RESPONSE__BODY_PERSON_GET);
    return r;
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

/* Asserts the decision for category/action: allowed or not, the clause (0: any) and that
 * its reason is exactly `reason` (when it starts with "visible:"/"hidden:") or contains it. */
static void assert_decision(Spona__V1__CategoryDecision *const *decisions, size_t count,
                            const char *category, const char *action, int allowed,
                            unsigned clause, unsigned version, const char *reason,
                            const char *who)
{
    const Spona__V1__CategoryDecision *d = idata_decision(decisions, count, category, action);
    if (d == NULL)
        fail_msg("%s: no decision for %s %s", who, action, category);
    int exact = strncmp(reason, "visible: ", 9) == 0 || strncmp(reason, "hidden: ", 8) == 0;
    if ((d->allowed != 0) != (allowed != 0) || (clause != 0 && d->clause != clause) ||
        d->protocol_version != version ||
        (exact ? strcmp(d->reason, reason) != 0 : strstr(d->reason, reason) == NULL))
        fail_msg("%s: %s %s: expected %s, clause %u, v%u, reason %s'%s'; got %s, clause %u, "
                 "v%u, '%s'", who, action, category, allowed ? "allowed" : "denied", clause,
                 version, exact ? "" : "with ", reason, d->allowed ? "allowed" : "denied",
                 d->clause, d->protocol_version, d->reason);
}

#define ASSERT_READ(view, category, allowed, clause, version, reason, who)                     \
    assert_decision((view)->decisions, (view)->n_decisions, category, "read", allowed, clause, \
                    version, reason, who)

/* A person with every field filled (safety flag or not), and a case led by prijedor.csr. */
static void new_person(struct person *p, int safety)
{
    idata_fresh_jmbg(p->jmbg);
    const char *pairs[] = {
        "first_name", "Amra", "last_name", "Prijedorčanka", "jmbg", p->jmbg,
        "address", "Ulica Majora Milana Tepića 3", "phone", "052 211 311",
        "email", "amra@example.org", "benefit_status", "jednokratna pomoć",
        "household_size", "3", "rural", "true", "education_level", "SSS",
        "work_history", "šivačica 4 godine", "skills", "CNC osnove",
        "disability_status", "invalidnost 20%", "work_capability", "puna",
        "health_notes", "astma", "safety_flag", safety ? "true" : "false",
        "safety_notes", safety ? "mjera zabrane približavanja" : "", NULL};
    p->person_id = idata_person_create_ok(CLIENT(CSR), pairs);
    p->case_id = idata_case_open_ok(CLIENT(CSR), p->person_id);
}

static void refer(struct person *p, int who)
{
    idata_refer_and_accept(CLIENT(CSR), CLIENT(who), p->case_id, signatories[who].code);
}

static void consent(struct person *p, int who, const char *const *categories)
{
    spona_response *g = idata_consent_grant(CLIENT(CSR), p->person_id, signatories[who].code,
                                            categories, NULL, NULL);
    expect_status(g, SPONA__V1__STATUS__OK, "consent_grant");
    envelope_free_response(g);
}

static void assert_protocol_in_force(int who, uint32_t version, size_t versions)
{
    spona_response *r = idata_protocol_show(CLIENT(who), 0);
    expect_status(r, SPONA__V1__STATUS__OK, "protocol_show");
    assert_int_equal(r->protocol_show->version, version);
    assert_int_equal(r->protocol_show->n_versions, versions);
    char name[32];
    snprintf(name, sizeof(name), "prijedor-v%u.yaml", version);
    char *source = deploy_protocol_text(name);
    assert_string_equal(r->protocol_show->source, source);
    free(source);
    envelope_free_response(r);
}

/* --- setup: the seeded signatories, version 1 ------------------------------------------ */

static void test_seeded_signatories_log_in(void **state)
{
    (void)state;
    for (size_t i = 0; i < SIGNATORY_COUNT; i++) {
        struct signatory *s = &signatories[i];
        s->client = itest_connect_ok(&server, s->cert);
        spona_response *r = itest_login(s->client, s->username, PRIJEDOR_PASSWORD);
        char what[128];
        snprintf(what, sizeof(what), "login of %s (%s)", s->username, s->code);
        expect_status(r, SPONA__V1__STATUS__OK, what);
        envelope_free_response(r);
        r = itest_whoami(s->client);
        expect_status(r, SPONA__V1__STATUS__OK, "whoami");
        assert_string_equal(r->whoami->institution_code, s->code);
        assert_string_equal(r->whoami->institution_role, s->role);
        assert_string_equal(r->whoami->municipality_code, "prijedor");
        assert_string_equal(r->whoami->username, s->username);
        envelope_free_response(r);
    }
    /* this test needs a municipality without a protocol (the harness made it just now) */
    spona_response *r = idata_protocol_show(CLIENT(CSR), 0);
    if (r->status == SPONA__V1__STATUS__OK)
        fail_msg("prijedor already has protocol version %u: this test needs a fresh harness",
                 r->protocol_show->version);
    expect_status(r, SPONA__V1__STATUS__NOT_FOUND, "protocol_show before any import");
    envelope_free_response(r);
}

static void test_import_v1_with_the_admin_command(void **state)
{
    (void)state;
    char path[1024];
    deploy_protocol_path("prijedor-v1.yaml", path, sizeof(path));
    assert_int_equal(itest_admin("import-protocol", path, NULL), 0);
    /* the same text again is reported and left alone */
    assert_int_equal(itest_admin("import-protocol", path, NULL), 0);
    assert_protocol_in_force(ZZZ, 1, 1);
    spona_response *r = idata_protocol_show(CLIENT(GRAD), 1);
    expect_status(r, SPONA__V1__STATUS__OK, "protocol_show version 1");
    assert_string_equal(r->protocol_show->effective_date, "2022-03-15");
    assert_non_null(strstr(r->protocol_show->document, "Udruženje građana Hleb života"));
    assert_non_null(strstr(r->protocol_show->document, "Clause 11"));
    assert_null(strstr(r->protocol_show->document, "Clause 12"));
    envelope_free_response(r);
}

/* The lead's explain of every signatory names the role the document gives it. */
static void test_explain_names_the_documents_roles(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, 0);
    for (size_t i = 0; i < SIGNATORY_COUNT; i++) {
        spona_response *r = idata_explain(CLIENT(CSR), p.case_id, signatories[i].code);
        expect_status(r, SPONA__V1__STATUS__OK, "explain by the lead");
        assert_string_equal(r->explain->institution_code, signatories[i].code);
        assert_string_equal(r->explain->role, signatories[i].role);
        assert_int_equal(r->explain->protocol_version, 1);
        assert_int_equal(r->explain->on_team, i == CSR);
        envelope_free_response(r);
    }
    free_person(&p);
}

/* --- version 1 -------------------------------------------------------------------------- */

static void test_v1_employment_bureau_education_with_consent_never_health_or_safety(void **s)
{
    (void)s;
    struct person *p = &bureau_person;
    new_person(p, 0);
    refer(p, ZZZ);

    /* without consent: identity and contact (clause 2, a public task), not education */
    spona_response *r = get_ok(ZZZ, p->person_id);
    const Spona__V1__PersonView *v = r->person_get;
    assert_fields(v, identity_fields, 1, "zzz without consent");
    assert_fields(v, contact_fields, 1, "zzz without consent");
    assert_fields(v, education_fields, 0, "zzz without consent");
    assert_fields(v, health_fields, 0, "zzz without consent");
    assert_fields(v, safety_fields, 0, "zzz without consent");
    ASSERT_READ(v, "identity", 1, 2, 1, "visible: clause 2 of protocol prijedor v1", "zzz");
    ASSERT_READ(v, "education_work", 0, 4, 1,
                "hidden: clause 4 of protocol prijedor v1 requires the person's consent for "
                "education_work", "zzz without consent");
    ASSERT_READ(v, "health_disability", 0, 0, 1,
                "hidden: no clause of protocol prijedor v1 lets employment_service read "
                "health_disability", "zzz without consent");
    ASSERT_READ(v, "safety", 0, 0, 1,
                "hidden: no clause of protocol prijedor v1 lets employment_service read safety",
                "zzz without consent");
    envelope_free_response(r);

    /* the person consents to everything: education opens (clause 4); health and safety
     * never do, no clause of the document gives them to the employment service */
    consent(p, ZZZ, every_category);
    r = get_ok(ZZZ, p->person_id);
    v = r->person_get;
    assert_fields(v, education_fields, 1, "zzz with consent");
    assert_string_equal(idata_field(v, "work_history"), "šivačica 4 godine");
    assert_string_equal(idata_field(v, "education_level"), "SSS");
    assert_fields(v, health_fields, 0, "zzz with consent");
    assert_fields(v, safety_fields, 0, "zzz with consent");
    ASSERT_READ(v, "education_work", 1, 4, 1, "visible: clause 4 of protocol prijedor v1",
                "zzz with consent");
    ASSERT_READ(v, "health_disability", 0, 0, 1,
                "hidden: no clause of protocol prijedor v1 lets employment_service read "
                "health_disability", "zzz with consent");
    ASSERT_READ(v, "safety", 0, 0, 1,
                "hidden: no clause of protocol prijedor v1 lets employment_service read safety",
                "zzz with consent");
    /* benefits_household: no clause for the employment service either */
    assert_null(idata_field(v, "benefit_status"));
    envelope_free_response(r);

    /* case_get shows the same person view; the bureau is on the team by referral */
    r = idata_case_get(CLIENT(ZZZ), p->case_id);
    expect_status(r, SPONA__V1__STATUS__OK, "case_get by zzz");
    assert_string_equal(r->case_get->lead_institution_code, "prijedor.csr");
    assert_non_null(r->case_get->person);
    assert_fields(r->case_get->person, education_fields, 1, "zzz case_get");
    assert_fields(r->case_get->person, health_fields, 0, "zzz case_get");
    assert_fields(r->case_get->person, safety_fields, 0, "zzz case_get");
    envelope_free_response(r);

    /* nor may it write them */
    uint64_t version;
    r = get_ok(CSR, p->person_id);
    version = r->person_get->version;
    envelope_free_response(r);
    const char *health[] = {"health_notes", "izmišljeno", NULL};
    r = idata_person_update(CLIENT(ZZZ), p->person_id, version, health);
    expect_status(r, SPONA__V1__STATUS__PERMISSION_DENIED, "health write by zzz");
    assert_non_null(strstr(r->message, "no clause of protocol prijedor v1"));
    envelope_free_response(r);
}

static void test_v1_ngo_off_the_team_gets_not_found(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, 0);
    refer(&p, ZZZ); /* a team exists, Hleb života is not on it */
    /* consent alone does not put the NGO on the team: clause 9 is for the case team */
    consent(&p, HLEB, every_category);
    assert_not_found(idata_person_get(CLIENT(HLEB), p.person_id), "person_get by hleb");
    assert_not_found(idata_case_get(CLIENT(HLEB), p.case_id), "case_get by hleb");
    assert_not_found(idata_explain(CLIENT(HLEB), p.case_id, NULL), "explain by hleb");
    const char *update[] = {"phone", "1", NULL};
    assert_not_found(idata_person_update(CLIENT(HLEB), p.person_id, 1, update),
                     "person_update by hleb");
    /* the same answer as for an id that does not exist */
    assert_not_found(idata_person_get(CLIENT(HLEB), "6f1c1a52-9d3e-4c55-b1f4-0d2d3c4b5a69"),
                     "person_get of an unknown id by hleb");

    /* the lead's explain says why: clause 9 applies to the case team only */
    spona_response *r = idata_explain(CLIENT(CSR), p.case_id, "prijedor.hleb");
    expect_status(r, SPONA__V1__STATUS__OK, "explain of hleb by the lead");
    assert_false(r->explain->on_team);
    assert_string_equal(r->explain->role, "service_provider");
    assert_decision(r->explain->decisions, r->explain->n_decisions, "identity", "read", 0, 9, 1,
                    "hidden: not on the case team (clause 9 of protocol prijedor v1 applies to "
                    "the case team only)", "explain of hleb off the team");
    envelope_free_response(r);
    free_person(&p);
}

static void test_v1_coordinator_gets_not_found_even_with_the_id(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, 0);
    refer(&p, ZZZ);
    const char *const identity[] = {"identity", NULL};
    spona_response *g = idata_consent_grant(CLIENT(CSR), p.person_id, "prijedor.grad", identity,
                                            NULL, NULL);
    envelope_free_response(g); /* whatever the lead may record, the coordinator sees nothing */
    assert_not_found(idata_person_get(CLIENT(GRAD), p.person_id), "person_get by grad");
    assert_not_found(idata_case_get(CLIENT(GRAD), p.case_id), "case_get by grad");
    assert_not_found(idata_explain(CLIENT(GRAD), p.case_id, NULL), "explain by grad");
    const char *pairs[] = {"first_name", "Ko", "last_name", "Ordinator", NULL};
    spona_response *r = idata_person_create(CLIENT(GRAD), pairs);
    expect_status(r, SPONA__V1__STATUS__PERMISSION_DENIED, "person_create by grad");
    envelope_free_response(r);

    /* the lead's explain of the coordinator: every person-level category hidden because it
     * is the coordinator; aggregates (clause 11, on_team: false) it may read */
    r = idata_explain(CLIENT(CSR), p.case_id, "prijedor.grad");
    expect_status(r, SPONA__V1__STATUS__OK, "explain of grad by the lead");
    assert_string_equal(r->explain->role, "coordinator");
    size_t person_level = 0;
    for (size_t i = 0; i < r->explain->n_decisions; i++) {
        const Spona__V1__CategoryDecision *d = r->explain->decisions[i];
        if (strcmp(d->category, "aggregates") == 0) {
            if (strcmp(d->action, "read") == 0) {
                assert_true(d->allowed);
                assert_int_equal(d->clause, 11);
                assert_string_equal(d->reason, "visible: clause 11 of protocol prijedor v1");
            }
            continue;
        }
        person_level++;
        if (d->allowed || strstr(d->reason, "coordinator") == NULL)
            fail_msg("coordinator: %s %s is %s, '%s'", d->action, d->category,
                     d->allowed ? "allowed" : "denied", d->reason);
    }
    assert_true(person_level >= 9);
    envelope_free_response(r);
    free_person(&p);
}

static void test_v1_safety_flag_hides_contact_from_all_but_the_csr(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, 1);
    refer(&p, ZZZ);
    refer(&p, SKOLA);
    refer(&p, HLEB);
    /* consent to everything, so that only the safety rule can hide contact data (and
     * because the document gives the school even the person's name only with consent:
     * clause 5 covers identity and education_work "uz saglasnost") */
    consent(&p, ZZZ, every_category);
    consent(&p, SKOLA, every_category);
    consent(&p, HLEB, every_category);

    spona_response *r = get_ok(CSR, p.person_id);
    assert_fields(r->person_get, contact_fields, 1, "the CSR");
    assert_string_equal(idata_field(r->person_get, "address"), "Ulica Majora Milana Tepića 3");
    assert_string_equal(idata_field(r->person_get, "safety_flag"), "true");
    ASSERT_READ(r->person_get, "contact_address", 1, 1, 1,
                "visible: clause 1 of protocol prijedor v1", "the CSR");
    envelope_free_response(r);

    /* Employment Bureau (clause 2 would show contact), school (the document gives the
     * education provider no contact data at all: clause 5 is identity and education_work;
     * so the reason is that, as it would be without the flag: the reason never tells a
     * caller the person is at risk) and the NGO (clause 9 would show contact with
     * consent; it and the Bureau are told the address is the lead's only, not why) */
    static const int others[] = {ZZZ, SKOLA, HLEB};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        const char *who = signatories[others[i]].code;
        r = get_ok(others[i], p.person_id);
        assert_fields(r->person_get, contact_fields, 0, who);
        assert_string_equal(idata_field(r->person_get, "first_name"), "Amra"); /* 2, 5, 9 */
        ASSERT_READ(r->person_get, "contact_address", 0, 0, 1,
                    others[i] == SKOLA
                        ? "hidden: no clause of protocol prijedor v1 lets education_provider "
                          "read contact_address"
                        : "hidden: this person's contact and address data are shown only to "
                          "the lead agency",
                    who);
        assert_fields(r->person_get, safety_fields, 0, who);
        envelope_free_response(r);
    }
    /* the school sees education with consent (clause 5) */
    r = get_ok(SKOLA, p.person_id);
    assert_fields(r->person_get, education_fields, 1, "skola with consent");
    ASSERT_READ(r->person_get, "education_work", 1, 5, 1,
                "visible: clause 5 of protocol prijedor v1", "skola");
    envelope_free_response(r);

    /* lifting the flag shows contact to the bureau again (clause 2), not to the school */
    r = get_ok(CSR, p.person_id);
    uint64_t version = r->person_get->version;
    envelope_free_response(r);
    const char *lift[] = {"safety_flag", "false", NULL};
    r = idata_person_update(CLIENT(CSR), p.person_id, version, lift);
    expect_status(r, SPONA__V1__STATUS__OK, "lifting the safety flag");
    envelope_free_response(r);
    r = get_ok(ZZZ, p.person_id);
    assert_fields(r->person_get, contact_fields, 1, "zzz after the flag was lifted");
    envelope_free_response(r);
    r = get_ok(SKOLA, p.person_id);
    assert_fields(r->person_get, contact_fields, 0, "skola after the flag was lifted");
    ASSERT_READ(r->person_get, "contact_address", 0, 0, 1,
                "hidden: no clause of protocol prijedor v1 lets education_provider read "
                "contact_address", "skola after the flag was lifted");
    envelope_free_response(r);
    free_person(&p);
}

static void test_v1_consent_withdrawal_cuts_education_at_the_next_request(void **state)
{
    (void)state;
    struct person p;
    new_person(&p, 0);
    refer(&p, ZZZ);
    const char *const education[] = {"education_work", NULL};
    consent(&p, ZZZ, education);
    spona_response *r = get_ok(ZZZ, p.person_id);
    assert_fields(r->person_get, education_fields, 1, "zzz with consent");
    envelope_free_response(r);

    spona_response *w = idata_consent_withdraw(CLIENT(CSR), p.person_id, "prijedor.zzz",
                                               education);
    expect_status(w, SPONA__V1__STATUS__OK, "consent_withdraw");
    assert_int_equal(w->consent_withdraw->withdrawn, 1);
    envelope_free_response(w);

    /* the very next request, on the same connection and session */
    r = get_ok(ZZZ, p.person_id);
    assert_fields(r->person_get, education_fields, 0, "zzz right after the withdrawal");
    assert_fields(r->person_get, identity_fields, 1, "zzz right after the withdrawal");
    ASSERT_READ(r->person_get, "education_work", 0, 4, 1,
                "hidden: clause 4 of protocol prijedor v1 requires the person's consent for "
                "education_work", "zzz right after the withdrawal");
    envelope_free_response(r);
    r = idata_explain(CLIENT(ZZZ), p.case_id, NULL);
    expect_status(r, SPONA__V1__STATUS__OK, "explain by zzz");
    assert_decision(r->explain->decisions, r->explain->n_decisions, "education_work", "read",
                    0, 4, 1, "consent", "explain by zzz after the withdrawal");
    envelope_free_response(r);
    free_person(&p);
}

/* Under v1 the NGO on the team with consent reads what clause 9 gives, never health. */
static void test_v1_ngo_on_the_team_reads_no_health(void **state)
{
    (void)state;
    struct person *p = &ngo_person;
    new_person(p, 0);
    refer(p, HLEB);
    const char *const categories[] = {"identity", "contact_address", "plan_measures",
                                      "health_disability", NULL};
    consent(p, HLEB, categories);
    spona_response *r = get_ok(HLEB, p->person_id);
    const Spona__V1__PersonView *v = r->person_get;
    assert_fields(v, identity_fields, 1, "hleb under v1");
    assert_fields(v, contact_fields, 1, "hleb under v1");
    assert_fields(v, health_fields, 0, "hleb under v1");
    assert_fields(v, education_fields, 0, "hleb under v1");
    ASSERT_READ(v, "identity", 1, 9, 1, "visible: clause 9 of protocol prijedor v1", "hleb");
    ASSERT_READ(v, "health_disability", 0, 0, 1,
                "hidden: no clause of protocol prijedor v1 lets service_provider read "
                "health_disability", "hleb under v1");
    envelope_free_response(r);
}

/* --- the amendment: version 2 -------------------------------------------------------- */

/* Asserts every decision of an explain cites protocol prijedor v<version>. */
static void assert_explain_cites(int who, const char *institution, const char *case_id,
                                 unsigned version)
{
    spona_response *r = idata_explain(CLIENT(who), case_id, institution);
    expect_status(r, SPONA__V1__STATUS__OK, "explain");
    assert_int_equal(r->explain->protocol_version, version);
    char cite[64];
    snprintf(cite, sizeof(cite), "protocol prijedor v%u", version);
    size_t citing = 0;
    for (size_t i = 0; i < r->explain->n_decisions; i++) {
        const Spona__V1__CategoryDecision *d = r->explain->decisions[i];
        assert_int_equal(d->protocol_version, version);
        if (d->clause != 0 || strstr(d->reason, "no clause") != NULL) {
            if (strstr(d->reason, cite) == NULL)
                fail_msg("explain of %s: %s %s: '%s' does not cite %s",
                         institution != NULL ? institution : signatories[who].code, d->action,
                         d->category, d->reason, cite);
            citing++;
        }
    }
    assert_true(citing > 0);
    envelope_free_response(r);
}

static void test_import_v2_through_the_api_by_the_coordinator(void **state)
{
    (void)state;
    char *source = deploy_protocol_text("prijedor-v2.yaml");
    spona_response *r = idata_protocol_import(CLIENT(GRAD), source, "prijedor-v2.yaml");
    free(source);
    expect_status(r, SPONA__V1__STATUS__OK, "importing prijedor-v2.yaml");
    assert_string_equal(r->protocol_import->municipality_code, "prijedor");
    assert_int_equal(r->protocol_import->version, 2);
    assert_int_equal(r->protocol_import->clause_count, 12);
    assert_string_equal(r->protocol_import->effective_date, "2026-03-01");
    /* it widens the NGO's access (clause 12): it needs the approvals of the lead agency
     * and of the NGO, signed with their certificate keys (docs/policy.md, "Amendments") */
    assert_false(r->protocol_import->active);
    assert_int_equal(r->protocol_import->approvals_required, 2);
    envelope_free_response(r);
    assert_protocol_in_force(HLEB, 1, 2);
    r = idata_protocol_approve(CLIENT(CSR), 2);
    expect_status(r, SPONA__V1__STATUS__OK, "the lead agency approves version 2");
    assert_false(r->protocol_approve->activated);
    envelope_free_response(r);
    r = idata_protocol_approve(CLIENT(HLEB), 2);
    expect_status(r, SPONA__V1__STATUS__OK, "the NGO approves version 2");
    assert_true(r->protocol_approve->activated);
    envelope_free_response(r);
    /* in force once approved: its effective date (2026-03-01) has come */
    assert_protocol_in_force(HLEB, 2, 2);
    r = idata_protocol_show(CLIENT(GRAD), 2);
    expect_status(r, SPONA__V1__STATUS__OK, "protocol_show version 2");
    assert_non_null(strstr(r->protocol_show->document, "Clause 12"));
    envelope_free_response(r);
}

static void test_v2_ngo_on_the_team_with_consent_reads_health(void **state)
{
    (void)state;
    struct person *p = &ngo_person;
    assert_non_null(p->person_id);
    spona_response *r = get_ok(HLEB, p->person_id);
    const Spona__V1__PersonView *v = r->person_get;
    assert_fields(v, health_fields, 1, "hleb under v2");
    assert_string_equal(idata_field(v, "health_notes"), "astma");
    assert_string_equal(idata_field(v, "disability_status"), "invalidnost 20%");
    assert_fields(v, identity_fields, 1, "hleb under v2");
    assert_fields(v, education_fields, 0, "hleb under v2");
    assert_fields(v, safety_fields, 0, "hleb under v2");
    ASSERT_READ(v, "health_disability", 1, 12, 2, "visible: clause 12 of protocol prijedor v2",
                "hleb under v2");
    ASSERT_READ(v, "identity", 1, 9, 2, "visible: clause 9 of protocol prijedor v2",
                "hleb under v2");
    envelope_free_response(r);

    /* explain, by the NGO itself and by the lead, cites v2 */
    assert_explain_cites(HLEB, NULL, p->case_id, 2);
    assert_explain_cites(CSR, "prijedor.hleb", p->case_id, 2);
    assert_explain_cites(CSR, "prijedor.csr", p->case_id, 2);
    r = idata_explain(CLIENT(HLEB), p->case_id, NULL);
    expect_status(r, SPONA__V1__STATUS__OK, "explain by hleb");
    assert_decision(r->explain->decisions, r->explain->n_decisions, "health_disability", "read",
                    1, 12, 2, "visible: clause 12 of protocol prijedor v2", "explain by hleb");
    envelope_free_response(r);

    /* the amendment gives the employment service nothing more: health stays hidden */
    r = get_ok(ZZZ, bureau_person.person_id);
    assert_fields(r->person_get, health_fields, 0, "zzz under v2 with consent");
    ASSERT_READ(r->person_get, "health_disability", 0, 0, 2,
                "hidden: no clause of protocol prijedor v2 lets employment_service read "
                "health_disability", "zzz under v2 with consent");
    ASSERT_READ(r->person_get, "education_work", 1, 4, 2,
                "visible: clause 4 of protocol prijedor v2", "zzz under v2 with consent");
    envelope_free_response(r);
}

/* Of a person's disclosures to institution by action person_get: the first and the last. */
static void disclosure_range(const Spona__V1__DisclosuresResponse *list, const char *institution,
                             const Spona__V1__Disclosure **first,
                             const Spona__V1__Disclosure **last)
{
    *first = *last = NULL;
    for (size_t i = 0; i < list->n_disclosures; i++) {
        const Spona__V1__Disclosure *x = list->disclosures[i];
        if (strcmp(x->institution_code, institution) != 0 || strcmp(x->action, "person_get") != 0)
            continue;
        if (*first == NULL || x->seq < (*first)->seq)
            *first = x;
        if (*last == NULL || x->seq > (*last)->seq)
            *last = x;
    }
}

static int has_category(const Spona__V1__Disclosure *x, const char *category)
{
    for (size_t i = 0; i < x->n_categories; i++)
        if (strcmp(x->categories[i], category) == 0)
            return 1;
    return 0;
}

static int has_clause(const Spona__V1__Disclosure *x, uint32_t clause)
{
    for (size_t i = 0; i < x->n_clauses; i++)
        if (x->clauses[i] == clause)
            return 1;
    return 0;
}

static void test_disclosures_before_the_amendment_cite_v1_after_it_v2(void **state)
{
    (void)state;
    /* the NGO's reads of its person: under v1 (clause 9, no health), then under v2
     * (clause 12, health). A Disclosure cites the protocol by its version number. */
    spona_response *r = idata_disclosures(CLIENT(CSR), ngo_person.person_id);
    expect_status(r, SPONA__V1__STATUS__OK, "disclosures");
    const Spona__V1__Disclosure *first, *last;
    disclosure_range(r->disclosures, "prijedor.hleb", &first, &last);
    if (first == NULL || last == NULL || first == last)
        fail_msg("disclosures list %zu records, not hleb's two reads",
                 r->disclosures->n_disclosures);
    assert_int_equal(first->protocol_version, 1);
    assert_true(has_category(first, "identity"));
    assert_false(has_category(first, "health_disability"));
    assert_true(has_clause(first, 9));
    assert_false(has_clause(first, 12));
    assert_int_equal(last->protocol_version, 2);
    assert_true(has_category(last, "health_disability"));
    assert_true(has_clause(last, 12));
    assert_string_equal(last->username, "marija.hleb");
    for (size_t i = 0; i < r->disclosures->n_disclosures; i++) {
        const Spona__V1__Disclosure *x = r->disclosures->disclosures[i];
        assert_int_equal(x->protocol_version, x->seq <= first->seq ? 1 : 2);
    }
    envelope_free_response(r);

    /* the Employment Bureau's reads: all before the amendment cite v1, the last one v2,
     * and none of them disclosed health or safety */
    r = idata_disclosures(CLIENT(CSR), bureau_person.person_id);
    expect_status(r, SPONA__V1__STATUS__OK, "disclosures");
    disclosure_range(r->disclosures, "prijedor.zzz", &first, &last);
    if (first == NULL || last == NULL || first == last)
        fail_msg("disclosures list %zu records, not zzz's reads", r->disclosures->n_disclosures);
    size_t v1 = 0;
    for (size_t i = 0; i < r->disclosures->n_disclosures; i++) {
        const Spona__V1__Disclosure *x = r->disclosures->disclosures[i];
        if (strcmp(x->institution_code, "prijedor.zzz") != 0)
            continue;
        assert_false(has_category(x, "health_disability"));
        assert_false(has_category(x, "safety"));
        if (x->seq != last->seq) {
            assert_int_equal(x->protocol_version, 1);
            v1++;
        }
    }
    assert_true(v1 >= 2);
    assert_int_equal(last->protocol_version, 2);
    assert_true(has_clause(last, 4));
    envelope_free_response(r);

    /* and the trail of Prijedor is intact */
    r = idata_audit_verify(CLIENT(GRAD));
    expect_status(r, SPONA__V1__STATUS__OK, "audit_verify");
    if (!r->audit_verify->intact)
        fail_msg("audit chain broken at %llu: %s",
                 (unsigned long long)r->audit_verify->first_bad_seq, r->audit_verify->problem);
    envelope_free_response(r);
}

static void test_v2_health_needs_the_persons_consent(void **state)
{
    (void)state;
    const char *const health[] = {"health_disability", NULL};
    spona_response *w = idata_consent_withdraw(CLIENT(CSR), ngo_person.person_id,
                                               "prijedor.hleb", health);
    expect_status(w, SPONA__V1__STATUS__OK, "consent_withdraw");
    envelope_free_response(w);
    spona_response *r = get_ok(HLEB, ngo_person.person_id);
    assert_fields(r->person_get, health_fields, 0, "hleb under v2 without consent");
    assert_fields(r->person_get, identity_fields, 1, "hleb under v2 without consent");
    ASSERT_READ(r->person_get, "health_disability", 0, 12, 2,
                "hidden: clause 12 of protocol prijedor v2 requires the person's consent for "
                "health_disability", "hleb under v2 without consent");
    envelope_free_response(r);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seeded_signatories_log_in),
        cmocka_unit_test(test_import_v1_with_the_admin_command),
        cmocka_unit_test(test_explain_names_the_documents_roles),
        cmocka_unit_test(test_v1_employment_bureau_education_with_consent_never_health_or_safety),
        cmocka_unit_test(test_v1_ngo_off_the_team_gets_not_found),
        cmocka_unit_test(test_v1_coordinator_gets_not_found_even_with_the_id),
        cmocka_unit_test(test_v1_safety_flag_hides_contact_from_all_but_the_csr),
        cmocka_unit_test(test_v1_consent_withdrawal_cuts_education_at_the_next_request),
        cmocka_unit_test(test_v1_ngo_on_the_team_reads_no_health),
        cmocka_unit_test(test_import_v2_through_the_api_by_the_coordinator),
        cmocka_unit_test(test_v2_ngo_on_the_team_with_consent_reads_health),
        cmocka_unit_test(test_disclosures_before_the_amendment_cite_v1_after_it_v2),
        cmocka_unit_test(test_v2_health_needs_the_persons_consent),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
