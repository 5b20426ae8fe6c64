/*
 * Integration test: importing and showing protocol versions, in the municipality
 * novigrad, which no other test touches and which starts without a protocol
 * (tests/harness/pg.sh). Before any import every person-level request is denied; a
 * document with errors is refused with every error's line; a non-coordinator,
 * non-lead institution may not import; a version that is not the next one, or a
 * document of another municipality, is a CONFLICT; version 1 then the amendment
 * (novigrad-v2.yaml) are stored, and decisions made after the amendment (explain
 * reasons, disclosures) cite v2 while earlier disclosures keep citing v1;
 * protocol_show returns the printable document, the stored YAML and all versions.
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
static struct spona_client *coordinator, *lead, *partner;
static char *person_id, *case_id;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "protocol_import", NULL);
}

static int group_teardown(void **state)
{
    spona_client_close(coordinator);
    spona_client_close(lead);
    spona_client_close(partner);
    free(person_id);
    free(case_id);
    return itest_group_teardown(state);
}

static void expect_status(spona_response *r, spona_status status, const char *what)
{
    if (r->status != status)
        fail_msg("%s: expected %s; got %s, '%s'", what, envelope_status_name(status),
                 envelope_status_name(r->status), r->message);
}

static void test_nothing_before_the_first_import(void **state)
{
    (void)state;
    coordinator = idata_login(&server, "novigrad-grad", "nedim");
    lead = idata_login(&server, "novigrad-csr", "nina");
    partner = idata_login(&server, "novigrad-zzz", "nermin");
    spona_response *r = idata_protocol_show(partner, 0);
    if (r->status == SPONA__V1__STATUS__OK)
        fail_msg("protocol_show before any import answered OK with version %u "
                 "(this test needs a municipality without a protocol)",
                 r->protocol_show->version);
    expect_status(r, SPONA__V1__STATUS__NOT_FOUND, "protocol_show without a protocol");
    envelope_free_response(r);
    /* no protocol in force: every person-level request is denied */
    const char *pairs[] = {"first_name", "Prva", "last_name", "Osoba", NULL};
    r = idata_person_create(lead, pairs);
    expect_status(r, SPONA__V1__STATUS__PERMISSION_DENIED, "person_create without a protocol");
    envelope_free_response(r);
}

static void test_document_with_errors_is_refused_with_line_numbers(void **state)
{
    (void)state;
    char *source = idata_protocol_text("novigrad-bad.yaml");
    spona_response *r = idata_protocol_import(coordinator, source, "novigrad-bad.yaml");
    free(source);
    expect_status(r, SPONA__V1__STATUS__INVALID_ARGUMENT, "importing novigrad-bad.yaml");
    static const char *const want[] = {
        "protocol:8: ",  "2025-02-30",
        "protocol:14: ", "novigrad.nepostojeci",
        "protocol:20: ", "'health'",
        "protocol:24: ", "'job_centre'",
        "protocol:27: ", "'colour'",
    };
    /* in line order; the message may stop early with "(N more lines not shown)" */
    const char *previous = r->message;
    int truncated = strstr(r->message, "more line") != NULL;
    size_t shown = 0;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i += 2) {
        const char *at = strstr(r->message, want[i]);
        if (at == NULL && truncated && shown >= 2)
            break;
        if (at == NULL || strstr(at, want[i + 1]) == NULL)
            fail_msg("the refusal does not say '%s...%s': '%s'", want[i], want[i + 1],
                     r->message);
        if (at < previous)
            fail_msg("errors are not in line order: '%s'", r->message);
        previous = at;
        shown++;
    }
    /* the message starts with the first error */
    assert_int_equal(strncmp(r->message, "protocol:8: ", 12), 0);
    envelope_free_response(r);

    /* each kind of error alone, so none is cut off: the one line it names */
    static const struct {
        const char *from, *to;
        const char *want;
    } single[] = {
        {"effective: 2024-02-01", "effective: 2024-02-30", "protocol:8: "},
        {"roles: [employment_service]", "roles: [job_centre]", "protocol:30: "},
        {"categories: [identity]\n", "categories: [health]\n", "protocol:31: "},
        {"    - institution: novigrad.grad", "    - institution: novigrad.nepostojeci",
         "protocol:16: "},
        {"      on_team: false", "      colour: blue", "protocol:39: "},
    };
    char *v1 = idata_protocol_text("novigrad-v1.yaml");
    for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
        const char *at = strstr(v1, single[i].from);
        assert_non_null(at);
        size_t before = (size_t)(at - v1);
        char *bad = malloc(strlen(v1) + strlen(single[i].to) + 1);
        assert_non_null(bad);
        memcpy(bad, v1, before);
        strcpy(bad + before, single[i].to);
        strcat(bad, at + strlen(single[i].from));
        r = idata_protocol_import(coordinator, bad, "novigrad-one.yaml");
        free(bad);
        if (r->status != SPONA__V1__STATUS__INVALID_ARGUMENT ||
            strncmp(r->message, single[i].want, strlen(single[i].want)) != 0)
            fail_msg("'%s' instead of '%s': expected INVALID_ARGUMENT starting '%s'; got %s, "
                     "'%s'", single[i].to, single[i].from, single[i].want,
                     envelope_status_name(r->status), r->message);
        envelope_free_response(r);
    }
    free(v1);

    /* YAML that does not parse at all */
    r = idata_protocol_import(coordinator, "protocol:\n  title: [unclosed\n", "broken.yaml");
    expect_status(r, SPONA__V1__STATUS__INVALID_ARGUMENT, "importing broken YAML");
    assert_non_null(strstr(r->message, "protocol:"));
    assert_null(strstr(r->message, "broken.yaml")); /* the file name is not repeated */
    envelope_free_response(r);
    r = idata_protocol_import(coordinator, "", "empty.yaml");
    expect_status(r, SPONA__V1__STATUS__INVALID_ARGUMENT, "importing an empty document");
    envelope_free_response(r);

    /* nothing was stored */
    r = idata_protocol_show(coordinator, 0);
    expect_status(r, SPONA__V1__STATUS__NOT_FOUND, "protocol_show after refused imports");
    envelope_free_response(r);
}

static void test_only_coordinator_or_lead_may_import(void **state)
{
    (void)state;
    char *source = idata_protocol_text("novigrad-v1.yaml");
    spona_response *r = idata_protocol_import(partner, source, "novigrad-v1.yaml");
    expect_status(r, SPONA__V1__STATUS__PERMISSION_DENIED, "import by the employment service");
    envelope_free_response(r);
    free(source);
}

static void test_wrong_version_or_municipality_is_a_conflict(void **state)
{
    (void)state;
    char *source = idata_protocol_text("novigrad-v2.yaml");
    spona_response *r = idata_protocol_import(coordinator, source, "novigrad-v2.yaml");
    expect_status(r, SPONA__V1__STATUS__CONFLICT, "importing version 2 first");
    envelope_free_response(r);
    free(source);
    source = idata_protocol_text("testgrad-v1.yaml");
    r = idata_protocol_import(coordinator, source, "testgrad-v1.yaml");
    if (r->status != SPONA__V1__STATUS__CONFLICT &&
        r->status != SPONA__V1__STATUS__INVALID_ARGUMENT)
        fail_msg("importing testgrad's protocol into novigrad: expected CONFLICT; got %s, '%s'",
                 envelope_status_name(r->status), r->message);
    envelope_free_response(r);
    free(source);
}

static void test_first_import(void **state)
{
    (void)state;
    char *source = idata_protocol_text("novigrad-v1.yaml");
    spona_response *r = idata_protocol_import(coordinator, source, "novigrad-v1.yaml");
    expect_status(r, SPONA__V1__STATUS__OK, "importing novigrad-v1.yaml");
    assert_string_equal(r->protocol_import->municipality_code, "novigrad");
    assert_int_equal(r->protocol_import->version, 1);
    assert_string_equal(r->protocol_import->title, "Protokol o saradnji Grada Novigrada (testni)");
    assert_string_equal(r->protocol_import->effective_date, "2024-02-01");
    assert_int_equal(r->protocol_import->clause_count, 3);
    envelope_free_response(r);
    /* the same version again */
    r = idata_protocol_import(coordinator, source, "novigrad-v1.yaml");
    expect_status(r, SPONA__V1__STATUS__CONFLICT, "importing version 1 twice");
    envelope_free_response(r);
    free(source);
}

/* Asserts every person-level decision of an explain cites protocol novigrad v<version>. */
static void assert_explain_cites(const char *institution, int version)
{
    spona_response *r = idata_explain(lead, case_id, institution);
    expect_status(r, SPONA__V1__STATUS__OK, "explain");
    assert_int_equal(r->explain->protocol_version, version);
    char cite[64];
    snprintf(cite, sizeof(cite), "protocol novigrad v%d", version);
    size_t citing = 0;
    for (size_t i = 0; i < r->explain->n_decisions; i++) {
        const Spona__V1__CategoryDecision *d = r->explain->decisions[i];
        assert_int_equal(d->protocol_version, version);
        if (d->clause != 0 || strstr(d->reason, "no clause") != NULL) {
            if (strstr(d->reason, cite) == NULL)
                fail_msg("decision %s %s for %s: '%s' does not cite %s", d->action, d->category,
                         institution, d->reason, cite);
            citing++;
        }
    }
    assert_true(citing > 0);
    envelope_free_response(r);
}

static void test_decisions_under_version_1(void **state)
{
    (void)state;
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Nova", "last_name", "Osoba", "jmbg", jmbg,
                           "skills", "tesar", NULL};
    person_id = idata_person_create_ok(lead, pairs);
    case_id = idata_case_open_ok(lead, person_id);
    idata_refer_and_accept(lead, partner, case_id, "novigrad.zzz");
    const char *const education[] = {"education_work", NULL};
    spona_response *g = idata_consent_grant(lead, person_id, "novigrad.zzz", education, NULL,
                                            NULL);
    expect_status(g, SPONA__V1__STATUS__OK, "consent_grant");
    envelope_free_response(g);

    assert_explain_cites("novigrad.zzz", 1);
    assert_explain_cites("novigrad.csr", 1);
    spona_response *r = idata_explain(lead, case_id, "novigrad.zzz");
    const Spona__V1__CategoryDecision *d = idata_decision(
        r->explain->decisions, r->explain->n_decisions, "education_work", "read");
    assert_non_null(d);
    assert_false(d->allowed); /* v1 has no clause for it, consent or not */
    assert_non_null(strstr(d->reason, "no clause of protocol novigrad v1"));
    envelope_free_response(r);

    r = idata_person_get(partner, person_id);
    expect_status(r, SPONA__V1__STATUS__OK, "person_get by the partner under v1");
    assert_non_null(idata_field(r->person_get, "first_name"));
    assert_null(idata_field(r->person_get, "skills"));
    envelope_free_response(r);
}

static void test_amendment_makes_version_2_and_new_decisions_cite_it(void **state)
{
    (void)state;
    assert_non_null(case_id);
    char *source = idata_protocol_text("novigrad-v2.yaml");
    /* the lead agency may import too */
    spona_response *r = idata_protocol_import(lead, source, "novigrad-v2.yaml");
    expect_status(r, SPONA__V1__STATUS__OK, "importing the amendment");
    assert_int_equal(r->protocol_import->version, 2);
    assert_int_equal(r->protocol_import->clause_count, 4);
    envelope_free_response(r);
    free(source);
    /* it widens the employment service's access: in force once the lead agency and the
     * employment service approved it (docs/policy.md, "Amendments") */
    r = idata_protocol_approve(lead, 2);
    expect_status(r, SPONA__V1__STATUS__OK, "the lead agency approves the amendment");
    envelope_free_response(r);
    r = idata_protocol_approve(partner, 2);
    expect_status(r, SPONA__V1__STATUS__OK, "the employment service approves the amendment");
    assert_true(r->protocol_approve->activated);
    envelope_free_response(r);

    assert_explain_cites("novigrad.zzz", 2);
    assert_explain_cites("novigrad.csr", 2);
    r = idata_explain(lead, case_id, "novigrad.zzz");
    const Spona__V1__CategoryDecision *d = idata_decision(
        r->explain->decisions, r->explain->n_decisions, "education_work", "read");
    assert_non_null(d);
    assert_true(d->allowed);
    assert_int_equal(d->clause, 4);
    assert_string_equal(d->reason, "visible: clause 4 of protocol novigrad v2");
    envelope_free_response(r);

    r = idata_person_get(partner, person_id);
    expect_status(r, SPONA__V1__STATUS__OK, "person_get by the partner under v2");
    assert_string_equal(idata_field(r->person_get, "skills"), "tesar");
    d = idata_decision(r->person_get->decisions, r->person_get->n_decisions, "education_work",
                       "read");
    assert_non_null(d);
    assert_int_equal(d->protocol_version, 2);
    envelope_free_response(r);

    /* the partner's reads: those before the amendment cite v1, the last one v2 */
    r = idata_disclosures(lead, person_id);
    expect_status(r, SPONA__V1__STATUS__OK, "disclosures");
    const Spona__V1__Disclosure *first = NULL, *last = NULL;
    for (size_t i = 0; i < r->disclosures->n_disclosures; i++) {
        const Spona__V1__Disclosure *x = r->disclosures->disclosures[i];
        if (strcmp(x->institution_code, "novigrad.zzz") != 0 ||
            strcmp(x->action, "person_get") != 0)
            continue;
        if (first == NULL || x->seq < first->seq)
            first = x;
        if (last == NULL || x->seq > last->seq)
            last = x;
    }
    if (first == NULL || last == NULL || first == last)
        fail_msg("disclosures list %zu records, not the partner's two reads",
                 r->disclosures->n_disclosures);
    assert_int_equal(first->protocol_version, 1);
    assert_int_equal(last->protocol_version, 2);
    int education = 0;
    for (size_t i = 0; i < last->n_categories; i++)
        education |= strcmp(last->categories[i], "education_work") == 0;
    assert_true(education);
    int clause_4 = 0;
    for (size_t i = 0; i < last->n_clauses; i++)
        clause_4 |= last->clauses[i] == 4;
    assert_true(clause_4);
    assert_string_equal(last->username, "nermin");
    envelope_free_response(r);
}

static void test_show_prints_the_document_and_lists_versions(void **state)
{
    (void)state;
    char *v1 = idata_protocol_text("novigrad-v1.yaml");
    char *v2 = idata_protocol_text("novigrad-v2.yaml");
    spona_response *r = idata_protocol_show(partner, 0); /* any user */
    expect_status(r, SPONA__V1__STATUS__OK, "protocol_show");
    const Spona__V1__ProtocolShowResponse *show = r->protocol_show;
    assert_int_equal(show->version, 2);
    assert_string_equal(show->title, "Protokol o saradnji Grada Novigrada (testni)");
    assert_string_equal(show->effective_date, "2025-02-01");
    assert_string_equal(show->source, v2);
    assert_int_equal(show->n_versions, 2);
    assert_int_equal(show->versions[0], 1);
    assert_int_equal(show->versions[1], 2);
    assert_true(show->imported_at[0] != '\0');
    /* the printable document: title, signatories, every clause */
    static const char *const words[] = {"Protokol o saradnji Grada Novigrada (testni)",
                                        "Centar za socijalni rad Novigrad", "novigrad.zzz",
                                        "Grad Novigrad", "Clause 1", "Clause 4",
                                        "Aneks br. 1"};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strstr(show->document, words[i]) == NULL)
            fail_msg("the printed document lacks '%s':\n%s", words[i], show->document);
    assert_null(strstr(show->document, "protocol:")); /* text, not the YAML */
    envelope_free_response(r);

    r = idata_protocol_show(coordinator, 1);
    expect_status(r, SPONA__V1__STATUS__OK, "protocol_show version 1");
    assert_int_equal(r->protocol_show->version, 1);
    assert_string_equal(r->protocol_show->source, v1);
    assert_null(strstr(r->protocol_show->document, "Clause 4"));
    assert_int_equal(r->protocol_show->n_versions, 2);
    envelope_free_response(r);

    r = idata_protocol_show(coordinator, 3);
    expect_status(r, SPONA__V1__STATUS__NOT_FOUND, "protocol_show of a version not stored");
    envelope_free_response(r);
    free(v1);
    free(v2);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_before_the_first_import),
        cmocka_unit_test(test_document_with_errors_is_refused_with_line_numbers),
        cmocka_unit_test(test_only_coordinator_or_lead_may_import),
        cmocka_unit_test(test_wrong_version_or_municipality_is_a_conflict),
        cmocka_unit_test(test_first_import),
        cmocka_unit_test(test_decisions_under_version_1),
        cmocka_unit_test(test_amendment_makes_version_2_and_new_decisions_cite_it),
        cmocka_unit_test(test_show_prints_the_document_and_lists_versions),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
