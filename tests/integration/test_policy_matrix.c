/*
 * Integration test: the whole decision matrix, generated from the imported policy.
 * The test parses the protocol in force (tests/integration/protocols/testgrad-v2.yaml,
 * imported by the protocol_setup fixture) with the server's own parser, then computes
 * every expected answer itself from the clause list and the rules of docs/policy.md
 * ("Decisions"; it does not call policy_decide). Situations are built through the API:
 * for each combination of on the team / not (referral accepted / only sent), consent to
 * every category / none, and safety flag / none, the lead registers a person and opens a
 * case. Then for every institution of testgrad (every role, a second lead agency that
 * does not lead the case, and one institution that signed nothing) × every person-level
 * category × read/write:
 *   - the lead's `explain` for that institution matches (allowed, clause, reason kind,
 *     protocol version 2), and so does the institution's own `explain` when on the team;
 *   - person_get by that institution contains exactly the fields of the visible
 *     categories (NOT_FOUND off the team; the coordinator sees no field at all);
 *   - person_update of one field per category is OK exactly where write is allowed,
 *     else PERMISSION_DENIED naming the reason (NOT_FOUND off the team).
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
#include "policy_parse.h"
#include "idata.h"
#include "policy.h"

#define POLICY_FILE SPONA_TEST_PROTOCOLS "/testgrad-v2.yaml"
#define LEAD_CODE "testgrad.csr"

struct institution {
    const char *code;
    const char *cert;
    const char *username;
    int role;                      /* from the parsed policy; -1: not a signatory */
    struct spona_client *client;
};

static struct institution institutions[] = {
    {"testgrad.csr", "csr", "vesna", -1, NULL},
    {"testgrad.csr2", "csr2", "emir", -1, NULL},
    {"testgrad.zzz", "zzz", "zana", -1, NULL},
    {"testgrad.skola", "skola", "sanja", -1, NULL},
    {"testgrad.komora", "komora", "kemal", -1, NULL},
    {"testgrad.ngo", "ngo", "nada", -1, NULL},
    {"testgrad.grad", "grad", "goran", -1, NULL},
    {"testgrad.nesig", "nesig", "nikola", -1, NULL},
};
#define INSTITUTION_COUNT (sizeof(institutions) / sizeof(institutions[0]))

/* One person + case as the API built it, with what actually holds per institution. */
struct situation {
    int want_team, want_consent, safety;
    char *person_id, *case_id;
    char jmbg[14];
    int on_team[INSTITUTION_COUNT];
    policy_mask consented[INSTITUTION_COUNT];
};

#define SITUATION_COUNT 8
static struct situation situations[SITUATION_COUNT];
static struct policy policy;
static struct itest_server server;

/* The field each write check changes (to its current value), per category. */
static const char *const write_field[POLICY_CATEGORY_COUNT] = {
    [POLICY_CATEGORY_IDENTITY] = "last_name",
    [POLICY_CATEGORY_CONTACT_ADDRESS] = "phone",
    [POLICY_CATEGORY_BENEFITS_HOUSEHOLD] = "benefit_status",
    [POLICY_CATEGORY_EDUCATION_WORK] = "skills",
    [POLICY_CATEGORY_HEALTH_DISABILITY] = "work_capability",
    [POLICY_CATEGORY_SAFETY] = "safety_notes",
};

/* --- the expected answer, computed from the clause list ----------------------------- */

enum kind { K_CLAUSE, K_NOT_SIGNATORY, K_COORDINATOR, K_PROTECTED, K_NO_CLAUSE,
            K_NOT_ON_TEAM, K_NO_CONSENT };

struct expected {
    int allowed;
    int clause;
    enum kind kind;
};

static struct expected expect_decision(int role, int is_lead, int on_team, policy_mask consented,
                                       int safety, int category, int action)
{
    struct expected e = {0, 0, K_NO_CLAUSE};
    if (role < 0) {
        e.kind = K_NOT_SIGNATORY;
        return e;
    }
    if (role == POLICY_ROLE_COORDINATOR && category != POLICY_CATEGORY_AGGREGATES) {
        e.kind = K_COORDINATOR;
        return e;
    }
    int team = on_team || is_lead;
    int consent = (consented >> category) & 1u;
    int lowest_ok = 0, lowest_consent = 0, lowest_team = 0;
    for (size_t i = 0; i < policy.clause_count; i++) {
        const struct policy_clause *c = &policy.clauses[i];
        if (!((c->roles >> role) & 1u) || !((c->categories >> category) & 1u) ||
            !((c->actions >> action) & 1u))
            continue;
        int team_ok = !c->on_team || team || category == POLICY_CATEGORY_AGGREGATES;
        int consent_ok = !c->consent || consent || category == POLICY_CATEGORY_AGGREGATES;
        if (team_ok && consent_ok) {
            if (lowest_ok == 0 || c->number < lowest_ok)
                lowest_ok = c->number;
        } else if (!team_ok) {
            if (lowest_team == 0 || c->number < lowest_team)
                lowest_team = c->number;
        } else if (lowest_consent == 0 || c->number < lowest_consent) {
            lowest_consent = c->number;
        }
    }
    if (lowest_ok != 0 && safety && category == POLICY_CATEGORY_CONTACT_ADDRESS && !is_lead) {
        e.kind = K_PROTECTED; /* a clause would allow it: the risk overrules, unnamed */
    } else if (lowest_ok != 0) {
        e.allowed = 1;
        e.clause = lowest_ok;
        e.kind = K_CLAUSE;
    } else if (lowest_consent != 0) {
        e.clause = lowest_consent;
        e.kind = K_NO_CONSENT;
    } else if (lowest_team != 0) {
        e.clause = lowest_team;
        e.kind = K_NOT_ON_TEAM;
    }
    return e;
}

static const char *kind_words(enum kind kind)
{
    switch (kind) {
    case K_CLAUSE: return "of protocol testgrad v2";
    case K_NOT_SIGNATORY: return "signatory";
    case K_COORDINATOR: return "coordinator";
    case K_PROTECTED: return "shown only to the lead agency";
    case K_NO_CLAUSE: return "no clause of protocol testgrad v2";
    case K_NOT_ON_TEAM: return "team";
    case K_NO_CONSENT: return "consent";
    }
    return "?";
}

static struct expected expect_for(const struct situation *s, size_t i, int category, int action)
{
    return expect_decision(institutions[i].role, strcmp(institutions[i].code, LEAD_CODE) == 0,
                           s->on_team[i], s->consented[i], s->safety, category, action);
}

static void describe(const struct situation *s, size_t i, char *out, size_t size)
{
    snprintf(out, size, "%s (%s) on case %s [%s, %s, %s]", institutions[i].code,
             institutions[i].role >= 0 ? policy_role_name(institutions[i].role) : "no role",
             s->case_id, s->on_team[i] ? "on the team" : "off the team",
             s->consented[i] ? "consent" : "no consent", s->safety ? "safety flag" : "no flag");
}

/* Asserts that one server decision is the expected one. */
static void check_decision(const struct situation *s, size_t i, int category, int action,
                           const Spona__V1__CategoryDecision *d, const char *where)
{
    char who[256];
    describe(s, i, who, sizeof(who));
    const char *category_name = policy_category_name(category);
    const char *action_name = policy_action_name(action);
    if (d == NULL)
        fail_msg("%s: no decision for %s %s for %s", where, action_name, category_name, who);
    struct expected e = expect_for(s, i, category, action);
    const char *prefix = action == POLICY_ACTION_READ ? (e.allowed ? "visible" : "hidden")
                                                      : (e.allowed ? "allowed" : "denied");
    char want_clause[64] = "";
    if (e.clause != 0)
        snprintf(want_clause, sizeof(want_clause), "clause %d", e.clause);
    if (!!d->allowed != e.allowed || (int)d->clause != e.clause ||
        strncmp(d->reason, prefix, strlen(prefix)) != 0 ||
        strstr(d->reason, kind_words(e.kind)) == NULL ||
        (e.clause != 0 && strstr(d->reason, want_clause) == NULL) ||
        d->protocol_version != 2)
        fail_msg("%s: %s %s for %s: expected %s, clause %d, a reason starting '%s' saying "
                 "'%s'%s%s, protocol v2; the server said %s, clause %u, '%s', v%u",
                 where, action_name, category_name, who, e.allowed ? "allowed" : "denied",
                 e.clause, prefix, kind_words(e.kind), e.clause ? " and " : "", want_clause,
                 d->allowed ? "allowed" : "denied", d->clause, d->reason, d->protocol_version);
}

static void check_explain(const struct situation *s, size_t i, spona_response *response,
                          const char *where)
{
    char who[256];
    describe(s, i, who, sizeof(who));
    if (response->status != SPONA__V1__STATUS__OK)
        fail_msg("%s for %s: %s, '%s'", where, who, envelope_status_name(response->status),
                 response->message);
    const Spona__V1__ExplainResponse *x = response->explain;
    assert_string_equal(x->case_id, s->case_id);
    assert_string_equal(x->institution_code, institutions[i].code);
    assert_int_equal(x->protocol_version, 2);
    int team = s->on_team[i] || strcmp(institutions[i].code, LEAD_CODE) == 0;
    if (!!x->on_team != team)
        fail_msg("%s for %s: on_team %d", where, who, x->on_team);
    if (institutions[i].role >= 0)
        assert_string_equal(x->role, policy_role_name(institutions[i].role));
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++) {
        if (!policy_category_is_person_level(category))
            continue;
        for (int action = 0; action < POLICY_ACTION_COUNT; action++)
            check_decision(s, i, category, action,
                           idata_decision(x->decisions, x->n_decisions,
                                          policy_category_name(category),
                                          policy_action_name(action)),
                           where);
    }
}

/* --- building the situations --------------------------------------------------------- */

static int group_setup(void **state)
{
    *state = &server;
    char err[4096];
    if (policy_parse_file(POLICY_FILE, NULL, &policy, err, sizeof(err)) != 0) {
        fprintf(stderr, "cannot parse %s: %s\n", POLICY_FILE, err);
        return -1;
    }
    for (size_t i = 0; i < INSTITUTION_COUNT; i++)
        for (size_t k = 0; k < policy.signatory_count; k++)
            if (strcmp(policy.signatories[k].institution, institutions[i].code) == 0)
                institutions[i].role = (int)policy.signatories[k].role;
    return itest_server_start(&server, "policy_matrix", NULL);
}

static int group_teardown(void **state)
{
    for (size_t i = 0; i < INSTITUTION_COUNT; i++) {
        spona_client_close(institutions[i].client);
        institutions[i].client = NULL;
    }
    for (size_t k = 0; k < SITUATION_COUNT; k++) {
        free(situations[k].person_id);
        free(situations[k].case_id);
    }
    policy_free(&policy);
    return itest_group_teardown(state);
}

static void test_protocol_in_force_is_v2(void **state)
{
    (void)state;
    for (size_t i = 0; i < INSTITUTION_COUNT; i++)
        institutions[i].client = idata_login(&server, institutions[i].cert,
                                             institutions[i].username);
    assert_int_equal(policy.version, 2);
    assert_string_equal(policy.municipality, "testgrad");
    assert_int_equal(institutions[0].role, POLICY_ROLE_LEAD_AGENCY);
    assert_int_equal(institutions[INSTITUTION_COUNT - 1].role, -1); /* nesig */
    spona_response *show = idata_protocol_show(institutions[2].client, 0);
    idata_expect(show, SPONA__V1__STATUS__OK);
    assert_int_equal(show->protocol_show->version, 2);
    envelope_free_response(show);
}

static void person_pairs(const struct situation *s, char birth[32], const char *pairs[48])
{
    /* birth date and sex as the JMBG says */
    int yyy = (s->jmbg[4] - '0') * 100 + (s->jmbg[5] - '0') * 10 + (s->jmbg[6] - '0');
    int year = yyy >= 800 ? 1000 + yyy : 2000 + yyy;
    int month = (s->jmbg[2] - '0') * 10 + (s->jmbg[3] - '0');
    int day = (s->jmbg[0] - '0') * 10 + (s->jmbg[1] - '0');
    snprintf(birth, 32, "%04d-%02d-%02d", year % 10000, month % 100, day % 100);
    int serial = atoi(s->jmbg + 9) / 10;
    const char *values[] = {
        "first_name", "Matrica", "last_name", "Testna", "jmbg", s->jmbg, "birth_date", birth,
        "sex", serial < 500 ? "M" : "F", "address", "Ulica matrice 1", "phone", "065 000 111",
        "email", "matrica@example.org", "language", "bs", "benefit_status", "socijalna pomoć",
        "household_size", "3", "rural", "true", "education_level", "SSS",
        "work_history", "3 godine u proizvodnji", "skills", "zavarivanje",
        "disability_status", "nema", "work_capability", "puna", "health_notes", "bez napomena",
        "safety_flag", s->safety ? "true" : "false", "safety_notes", "bez mjera",
        "work_capable", "true", "priority_groups", "women_domestic_violence", NULL};
    memcpy(pairs, values, sizeof(values));
}

static void test_build_situations(void **state)
{
    (void)state;
    struct spona_client *lead = institutions[0].client;
    static const char *const all_categories[] = {
        "identity", "contact_address", "benefits_household", "education_work",
        "health_disability", "safety", "plan_measures", "case_notes", "outcomes", NULL};
    for (int k = 0; k < SITUATION_COUNT; k++) {
        struct situation *s = &situations[k];
        s->want_team = (k & 1) != 0;
        s->want_consent = (k & 2) != 0;
        s->safety = (k & 4) != 0;
        idata_fresh_jmbg(s->jmbg);
        char birth[32];
        const char *pairs[48];
        person_pairs(s, birth, pairs);
        s->person_id = idata_person_create_ok(lead, pairs);
        s->case_id = idata_case_open_ok(lead, s->person_id);
        for (size_t i = 1; i < INSTITUTION_COUNT; i++) {
            spona_response *referral = idata_referral_create(lead, s->case_id,
                                                             institutions[i].code, "mjera");
            /* every partner can be referred to; the coordinator (which never takes part in
               a case) and one that signed nothing may be refused */
            int may_refuse = institutions[i].role < 0 ||
                             institutions[i].role == POLICY_ROLE_COORDINATOR;
            if (!may_refuse || referral->status == SPONA__V1__STATUS__OK) {
                if (referral->status != SPONA__V1__STATUS__OK)
                    fail_msg("referral to %s: %s, '%s'", institutions[i].code,
                             envelope_status_name(referral->status), referral->message);
                if (s->want_team) {
                    spona_response *accepted = idata_referral_accept(
                        institutions[i].client, referral->referral_create->referral_id);
                    /* the coordinator and a non-signatory may be kept off the team */
                    if (accepted->status == SPONA__V1__STATUS__OK)
                        s->on_team[i] = 1;
                    else if (institutions[i].role >= 0 &&
                             institutions[i].role != POLICY_ROLE_COORDINATOR)
                        fail_msg("referral_accept by %s: %s, '%s'", institutions[i].code,
                                 envelope_status_name(accepted->status), accepted->message);
                    envelope_free_response(accepted);
                }
            }
            envelope_free_response(referral);
            if (s->want_consent) {
                spona_response *granted = idata_consent_grant(
                    lead, s->person_id, institutions[i].code, all_categories, NULL, NULL);
                if (granted->status == SPONA__V1__STATUS__OK) {
                    assert_int_equal(granted->consent_grant->n_consent_ids, 9);
                    s->consented[i] = POLICY_PERSON_CATEGORIES;
                } else if (institutions[i].role >= 0 &&
                           institutions[i].role != POLICY_ROLE_COORDINATOR) {
                    fail_msg("consent_grant to %s: %s, '%s'", institutions[i].code,
                             envelope_status_name(granted->status), granted->message);
                }
                envelope_free_response(granted);
            }
        }
    }
}

/* --- the checks ------------------------------------------------------------------------ */

/* The checks need every situation built. */
static void require_situations(void)
{
    for (int k = 0; k < SITUATION_COUNT; k++)
        if (situations[k].case_id == NULL)
            fail_msg("the situations were not built (see the test above)");
}

static void test_explain_by_the_lead_for_every_institution(void **state)
{
    (void)state;
    require_situations();
    for (int k = 0; k < SITUATION_COUNT; k++)
        for (size_t i = 0; i < INSTITUTION_COUNT; i++) {
            spona_response *r = idata_explain(institutions[0].client, situations[k].case_id,
                                              institutions[i].code);
            check_explain(&situations[k], i, r, "explain by the lead");
            envelope_free_response(r);
        }
}

static void test_explain_by_the_institution_itself(void **state)
{
    (void)state;
    require_situations();
    for (int k = 0; k < SITUATION_COUNT; k++)
        for (size_t i = 0; i < INSTITUTION_COUNT; i++) {
            const struct situation *s = &situations[k];
            spona_response *r = idata_explain(institutions[i].client, s->case_id, NULL);
            int team = s->on_team[i] || i == 0;
            if (team && institutions[i].role != POLICY_ROLE_COORDINATOR) {
                check_explain(s, i, r, "explain by itself");
            } else if (!team && r->status != SPONA__V1__STATUS__NOT_FOUND) {
                char who[256];
                describe(s, i, who, sizeof(who));
                fail_msg("explain by %s: expected NOT_FOUND off the team; got %s, '%s'", who,
                         envelope_status_name(r->status), r->message);
            } else if (team && r->status == SPONA__V1__STATUS__OK) {
                check_explain(s, i, r, "explain by the coordinator itself");
            }
            envelope_free_response(r);
        }
}

static void test_person_get_shows_exactly_the_visible_categories(void **state)
{
    (void)state;
    require_situations();
    for (int k = 0; k < SITUATION_COUNT; k++) {
        const struct situation *s = &situations[k];
        char birth[32];
        const char *pairs[48];
        person_pairs(s, birth, pairs);
        for (size_t i = 0; i < INSTITUTION_COUNT; i++) {
            char who[256];
            describe(s, i, who, sizeof(who));
            spona_response *r = idata_person_get(institutions[i].client, s->person_id);
            int team = s->on_team[i] || i == 0;
            if (!team) {
                if (r->status != SPONA__V1__STATUS__NOT_FOUND)
                    fail_msg("person_get by %s: expected NOT_FOUND; got %s, '%s'", who,
                             envelope_status_name(r->status), r->message);
                envelope_free_response(r);
                continue;
            }
            if (institutions[i].role == POLICY_ROLE_COORDINATOR &&
                r->status == SPONA__V1__STATUS__NOT_FOUND) {
                envelope_free_response(r);
                continue;
            }
            if (r->status != SPONA__V1__STATUS__OK)
                fail_msg("person_get by %s: %s, '%s'", who, envelope_status_name(r->status),
                         r->message);
            const Spona__V1__PersonView *view = r->person_get;
            assert_string_equal(view->person_id, s->person_id);
            for (size_t f = 0; f < person_field_count; f++) {
                const struct field_def *field = &person_fields[f];
                struct expected e = expect_for(s, i, (int)field->category, POLICY_ACTION_READ);
                const char *value = idata_field(view, field->name);
                if (e.allowed && value == NULL)
                    fail_msg("person_get by %s: field %s (%s) missing; it is visible", who,
                             field->name, policy_category_name(field->category));
                if (!e.allowed && value != NULL)
                    fail_msg("person_get by %s: field %s (%s) = '%s' shown; it is hidden",
                             who, field->name, policy_category_name(field->category), value);
                if (value != NULL) {
                    const char *want = NULL;
                    for (int p = 0; pairs[p] != NULL; p += 2)
                        if (strcmp(pairs[p], field->name) == 0)
                            want = pairs[p + 1];
                    assert_non_null(want);
                    if (strcmp(value, want) != 0)
                        fail_msg("person_get by %s: %s = '%s', stored '%s'", who, field->name,
                                 value, want);
                }
            }
            for (size_t f = 0; f < view->n_fields; f++) {
                const struct field_def *field = fields_find(view->fields[f]->name);
                if (field == NULL)
                    fail_msg("person_get by %s: unknown field %s", who, view->fields[f]->name);
                assert_string_equal(view->fields[f]->category,
                                    policy_category_name(field->category));
            }
            for (size_t d = 0; d < view->n_decisions; d++) {
                int category = policy_category_from_name(view->decisions[d]->category);
                int action = policy_action_from_name(view->decisions[d]->action);
                assert_true(category >= 0 && action >= 0);
                if (policy_category_is_person_level(category))
                    check_decision(s, i, category, action, view->decisions[d],
                                   "person_get decisions");
            }
            envelope_free_response(r);
        }
    }
}

/* The person's current version, as the lead sees it. */
static uint64_t current_version(const struct situation *s)
{
    spona_response *r = idata_person_get(institutions[0].client, s->person_id);
    idata_expect(r, SPONA__V1__STATUS__OK);
    uint64_t version = r->person_get->version;
    envelope_free_response(r);
    return version;
}

static void test_person_update_is_allowed_exactly_where_write_is(void **state)
{
    (void)state;
    require_situations();
    for (int k = 0; k < SITUATION_COUNT; k++) {
        const struct situation *s = &situations[k];
        char birth[32];
        const char *pairs[48];
        person_pairs(s, birth, pairs);
        for (size_t i = 0; i < INSTITUTION_COUNT; i++) {
            for (int category = 0; category < POLICY_CATEGORY_COUNT; category++) {
                const char *name = write_field[category];
                if (name == NULL)
                    continue;
                const char *value = NULL;
                for (int p = 0; pairs[p] != NULL; p += 2)
                    if (strcmp(pairs[p], name) == 0)
                        value = pairs[p + 1];
                const char *update[] = {name, value, NULL};
                uint64_t version = current_version(s);
                spona_response *r = idata_person_update(institutions[i].client, s->person_id,
                                                        version, update);
                char who[256];
                describe(s, i, who, sizeof(who));
                int team = s->on_team[i] || i == 0;
                struct expected e = expect_for(s, i, category, POLICY_ACTION_WRITE);
                if (!team) {
                    if (r->status != SPONA__V1__STATUS__NOT_FOUND)
                        fail_msg("person_update of %s by %s: expected NOT_FOUND; got %s, '%s'",
                                 name, who, envelope_status_name(r->status), r->message);
                } else if (e.allowed) {
                    if (r->status != SPONA__V1__STATUS__OK)
                        fail_msg("person_update of %s by %s: expected OK (clause %d); got %s, "
                                 "'%s'", name, who, e.clause, envelope_status_name(r->status),
                                 r->message);
                    assert_true(r->person_update->version > version);
                } else if (institutions[i].role == POLICY_ROLE_COORDINATOR &&
                           r->status == SPONA__V1__STATUS__NOT_FOUND) {
                    /* the coordinator may not even learn the person exists */
                } else {
                    char want_clause[32] = "";
                    if (e.clause != 0)
                        snprintf(want_clause, sizeof(want_clause), "clause %d", e.clause);
                    if (r->status != SPONA__V1__STATUS__PERMISSION_DENIED ||
                        strstr(r->message, kind_words(e.kind)) == NULL ||
                        strstr(r->message, want_clause) == NULL)
                        fail_msg("person_update of %s by %s: expected PERMISSION_DENIED "
                                 "saying '%s' %s; got %s, '%s'", name, who, kind_words(e.kind),
                                 want_clause, envelope_status_name(r->status), r->message);
                }
                envelope_free_response(r);
            }
        }
    }
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protocol_in_force_is_v2),
        cmocka_unit_test(test_build_situations),
        cmocka_unit_test(test_explain_by_the_lead_for_every_institution),
        cmocka_unit_test(test_explain_by_the_institution_itself),
        cmocka_unit_test(test_person_get_shows_exactly_the_visible_categories),
        cmocka_unit_test(test_person_update_is_allowed_exactly_where_write_is),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
