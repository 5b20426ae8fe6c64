/*
 * Unit tests of the policy engine (server/policy/policy.c, server/policy/policy_parse.c):
 * the Prijedor protocol in deploy/protocols parses; every bad document in
 * tests/unit/policy_fixtures is refused naming the right line; the decision
 * function agrees, over the whole role x category x action x team x consent
 * matrix, with an answer computed here independently from the parsed clause
 * list and the invariants of docs/policy.md; the Prijedor scenarios; the
 * printable text. No network, no database.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "policy_parse.h"
#include "policy_transfer.h"

#ifndef SPONA_PROTOCOLS_DIR
#error "SPONA_PROTOCOLS_DIR must name deploy/protocols"
#endif
#ifndef SPONA_POLICY_FIXTURES
#error "SPONA_POLICY_FIXTURES must name tests/unit/policy_fixtures"
#endif

static const char *const prijedor_codes[] = {
    "prijedor.grad", "prijedor.csr",   "prijedor.zzz",  "prijedor.skola",
    "prijedor.komora", "prijedor.preda", "prijedor.hleb",
};

static const struct policy_known_institutions prijedor_known = {
    .lookup = NULL,
    .context = NULL,
    .codes = prijedor_codes,
    .count = sizeof(prijedor_codes) / sizeof(prijedor_codes[0]),
};

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL)
        fail_msg("'%s' does not contain '%s'", haystack, needle);
}

static void assert_starts_with(const char *text, const char *prefix)
{
    if (strncmp(text, prefix, strlen(prefix)) != 0)
        fail_msg("'%s' does not start with '%s'", text, prefix);
}

static void load_protocol(const char *file, struct policy *policy)
{
    char path[1024];
    char err[4096];
    snprintf(path, sizeof(path), "%s/%s", SPONA_PROTOCOLS_DIR, file);
    if (policy_parse_file(path, &prijedor_known, policy, err, sizeof(err)) != 0)
        fail_msg("%s", err);
}

static const struct policy_clause *find_clause(const struct policy *policy, int number)
{
    for (size_t i = 0; i < policy->clause_count; i++)
        if (policy->clauses[i].number == number)
            return &policy->clauses[i];
    return NULL;
}

/* --- names ------------------------------------------------------------------------ */

static void test_names_round_trip(void **state)
{
    for (int role = 0; role < POLICY_ROLE_COUNT; role++)
        assert_int_equal(policy_role_from_name(policy_role_name((enum policy_role)role)), role);
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++)
        assert_int_equal(policy_category_from_name(
                             policy_category_name((enum policy_category)category)), category);
    for (int action = 0; action < POLICY_ACTION_COUNT; action++)
        assert_int_equal(policy_action_from_name(policy_action_name((enum policy_action)action)),
                         action);
    assert_int_equal(policy_role_from_name("admin"), -1);
    assert_int_equal(policy_role_from_name(NULL), -1);
    assert_int_equal(policy_category_from_name("health"), -1);
    assert_int_equal(policy_action_from_name("delete"), -1);
    assert_null(policy_role_name(POLICY_ROLE_COUNT));
    assert_null(policy_category_name(POLICY_CATEGORY_COUNT));
    assert_string_equal(policy_category_name(POLICY_CATEGORY_EDUCATION_WORK), "education_work");
    assert_int_equal(policy_category_is_person_level(POLICY_CATEGORY_OUTCOMES), 1);
    assert_int_equal(policy_category_is_person_level(POLICY_CATEGORY_AGGREGATES), 0);
}

/* --- parsing the shipped protocol ------------------------------------------------------ */

static void test_parse_prijedor_v1(void **state)
{
    struct policy policy;
    load_protocol("prijedor-v1.yaml", &policy);
    assert_string_equal(policy.municipality, "prijedor");
    assert_int_equal(policy.version, 1);
    assert_string_equal(policy.effective, "2022-03-15");
    assert_null(policy.supersedes);
    assert_int_equal(policy.signatory_count, 7);
    assert_string_equal(policy.signatories[0].institution, "prijedor.grad");
    assert_int_equal(policy.signatories[0].role, POLICY_ROLE_COORDINATOR);
    assert_string_equal(policy.signatories[1].institution, "prijedor.csr");
    assert_int_equal(policy.signatories[1].role, POLICY_ROLE_LEAD_AGENCY);
    assert_string_equal(policy.signatories[6].institution, "prijedor.hleb");
    assert_int_equal(policy.signatories[6].role, POLICY_ROLE_SERVICE_PROVIDER);
    assert_int_equal(policy.priority_group_count, 4);
    assert_string_equal(policy.priority_groups[0].code, "women_domestic_violence");
    assert_int_equal(policy.clause_count, 11);
    for (size_t i = 0; i < policy.clause_count; i++)
        assert_int_equal(policy.clauses[i].number, (int)i + 1);

    const struct policy_clause *clause = find_clause(&policy, 1);
    assert_int_equal(clause->roles, POLICY_BIT(POLICY_ROLE_LEAD_AGENCY));
    assert_int_equal(clause->categories, POLICY_PERSON_CATEGORIES);
    assert_int_equal(clause->on_team, 1);
    assert_int_equal(clause->consent, 0);

    clause = find_clause(&policy, 4);
    assert_int_equal(clause->roles, POLICY_BIT(POLICY_ROLE_EMPLOYMENT_SERVICE));
    assert_int_equal(clause->categories, POLICY_BIT(POLICY_CATEGORY_EDUCATION_WORK));
    assert_int_equal(clause->actions, POLICY_BIT(POLICY_ACTION_READ));
    assert_int_equal(clause->on_team, 1);
    assert_int_equal(clause->consent, 1);
    assert_null(clause->note);

    clause = find_clause(&policy, 11);
    assert_int_equal(clause->roles, POLICY_BIT(POLICY_ROLE_COORDINATOR) |
                                        POLICY_BIT(POLICY_ROLE_LEAD_AGENCY));
    assert_int_equal(clause->categories, POLICY_BIT(POLICY_CATEGORY_AGGREGATES));
    assert_int_equal(clause->on_team, 0);

    assert_non_null(policy.source);
    assert_contains(policy.source, "protocol:");
    policy_free(&policy);
    assert_null(policy.clauses);
    policy_free(&policy);   /* safe twice */
}

static void test_parse_prijedor_v2_amendment(void **state)
{
    struct policy v1, v2;
    load_protocol("prijedor-v1.yaml", &v1);
    load_protocol("prijedor-v2.yaml", &v2);
    assert_int_equal(v2.version, 2);
    assert_true(strcmp(v2.effective, v1.effective) > 0);
    assert_non_null(v2.supersedes);
    assert_int_equal(v2.clause_count, v1.clause_count + 1);
    const struct policy_clause *clause = find_clause(&v2, 12);
    assert_non_null(clause);
    assert_null(find_clause(&v1, 12));
    assert_int_equal(clause->roles, POLICY_BIT(POLICY_ROLE_SERVICE_PROVIDER));
    assert_int_equal(clause->categories, POLICY_BIT(POLICY_CATEGORY_HEALTH_DISABILITY));
    assert_int_equal(clause->consent, 1);
    /* Everything else of version 1 stands. */
    for (size_t i = 0; i < v1.clause_count; i++) {
        const struct policy_clause *old = &v1.clauses[i];
        const struct policy_clause *same = find_clause(&v2, old->number);
        assert_non_null(same);
        assert_int_equal(same->roles, old->roles);
        assert_int_equal(same->categories, old->categories);
        assert_int_equal(same->actions, old->actions);
        assert_int_equal(same->on_team, old->on_team);
        assert_int_equal(same->consent, old->consent);
    }
    policy_free(&v1);
    policy_free(&v2);
}

/* --- documents with errors ----------------------------------------------------------- */

struct bad_document {
    const char *file;
    int line;
    const char *message;
};

static const struct bad_document bad_documents[] = {
    {"unknown_role.yaml", 14, "unknown role 'case_worker' (expected one of: lead_agency,"},
    {"unknown_category.yaml", 15, "unknown category 'health' (expected one of: identity,"},
    {"coordinator_person_data.yaml", 20,
     "clause 2 gives the coordinator person-level data ('identity')"},
    {"duplicate_clause.yaml", 17, "duplicate clause number 1 (first at line 12)"},
    {"unknown_institution.yaml", 9,
     "unknown institution 'prijedor.xyz' (not registered in municipality 'prijedor')"},
    {"bad_date.yaml", 5, "bad date '2023-02-29' for 'effective'"},
    {"syntax_error.yaml", 16, "YAML syntax error: did not find expected ',' or ']'"},
    {"unknown_key.yaml", 22, "unknown key 'conset' in clause"},
    {"missing_key.yaml", 12, "missing required key 'actions' in clause"},
    {"unknown_action.yaml", 16, "unknown action 'delete' (expected one of: read, write)"},
    {"version_zero.yaml", 4, "version must be an integer of at least 1"},
    {"role_without_signatory.yaml", 14,
     "clause 1: no signatory holds the role 'employment_service'"},
};

static void test_bad_documents_name_the_line(void **state)
{
    for (size_t i = 0; i < sizeof(bad_documents) / sizeof(bad_documents[0]); i++) {
        const struct bad_document *bad = &bad_documents[i];
        char path[1024], expected[1200], err[4096] = "";
        snprintf(path, sizeof(path), "%s/%s", SPONA_POLICY_FIXTURES, bad->file);
        snprintf(expected, sizeof(expected), "%s:%d: %s", path, bad->line, bad->message);
        struct policy policy;
        memset(&policy, 0xA5, sizeof(policy));
        int result = policy_parse_file(path, &prijedor_known, &policy, err, sizeof(err));
        if (result != -1)
            fail_msg("%s was accepted", bad->file);
        /* The first error is the expected one; the policy is left empty. */
        if (strncmp(err, expected, strlen(expected)) != 0)
            fail_msg("%s:\n  got      '%s'\n  expected '%s...'", bad->file, err, expected);
        assert_null(policy.clauses);
        assert_null(policy.signatories);
        assert_null(policy.municipality);
        assert_int_equal(policy.clause_count, 0);
    }
}

static void test_errors_are_collected_in_line_order(void **state)
{
    char path[1024], err[4096] = "";
    snprintf(path, sizeof(path), "%s/many_errors.yaml", SPONA_POLICY_FIXTURES);
    struct policy policy;
    assert_int_equal(policy_parse_file(path, &prijedor_known, &policy, err, sizeof(err)), -1);
    static const int lines[] = {4, 5, 14, 15, 21};
    const char *cursor = err;
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        char prefix[1100];
        snprintf(prefix, sizeof(prefix), "%s:%d: ", path, lines[i]);
        assert_starts_with(cursor, prefix);
        const char *newline = strchr(cursor, '\n');
        if (i + 1 < sizeof(lines) / sizeof(lines[0])) {
            assert_non_null(newline);
            cursor = newline + 1;
        } else {
            assert_null(newline);
        }
    }
    assert_contains(err, "version must be an integer of at least 1");
    assert_contains(err, "bad date '31.01.2024'");
    assert_contains(err, "unknown role 'boss'");
    assert_contains(err, "unknown category 'everything'");
    assert_contains(err, "unknown action 'delete'");
}

static void test_error_buffer_is_truncated_safely(void **state)
{
    char path[1024], err[24];
    snprintf(path, sizeof(path), "%s/many_errors.yaml", SPONA_POLICY_FIXTURES);
    struct policy policy;
    assert_int_equal(policy_parse_file(path, &prijedor_known, &policy, err, sizeof(err)), -1);
    assert_int_equal(strlen(err), sizeof(err) - 1);
}

static void test_missing_file(void **state)
{
    char err[512];
    struct policy policy;
    assert_int_equal(policy_parse_file(SPONA_POLICY_FIXTURES "/no-such.yaml", &prijedor_known,
                                       &policy, err, sizeof(err)), -1);
    assert_contains(err, "no-such.yaml: cannot open");
}

static int lookup_calls;

static int lookup_prijedor(void *context, const char *municipality, const char *institution)
{
    const char *expected_municipality = context;
    lookup_calls++;
    assert_string_equal(municipality, expected_municipality);
    for (size_t i = 0; i < sizeof(prijedor_codes) / sizeof(prijedor_codes[0]); i++)
        if (strcmp(prijedor_codes[i], institution) == 0)
            return 1;
    return 0;
}

static void test_known_institutions_callback(void **state)
{
    char context[] = "prijedor";
    struct policy_known_institutions known = {
        .lookup = lookup_prijedor, .context = context, .codes = NULL, .count = 0,
    };
    char path[1024], err[4096] = "";
    struct policy policy;
    snprintf(path, sizeof(path), "%s/prijedor-v2.yaml", SPONA_PROTOCOLS_DIR);
    lookup_calls = 0;
    if (policy_parse_file(path, &known, &policy, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_int_equal(lookup_calls, 7);
    policy_free(&policy);

    snprintf(path, sizeof(path), "%s/unknown_institution.yaml", SPONA_POLICY_FIXTURES);
    assert_int_equal(policy_parse_file(path, &known, &policy, err, sizeof(err)), -1);
    assert_contains(err, ":9: unknown institution 'prijedor.xyz'");

    /* Without a list (a stored version re-read), institutions are not checked. */
    if (policy_parse_file(path, NULL, &policy, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    policy_free(&policy);
}

static int parse_text(const char *text, struct policy *policy, char *err, size_t err_size)
{
    return policy_parse_string(text, strlen(text), "inline.yaml", &prijedor_known, policy, err,
                               err_size);
}

static void test_document_shape_errors(void **state)
{
    struct policy policy;
    char err[4096];
    static const struct {
        const char *text;
        const char *message;
    } cases[] = {
        {"", "inline.yaml:1: empty document"},
        {"- 1\n- 2\n", "inline.yaml:1: the document must be a mapping of keys, not a list"},
        {"protocl: {}\n", "inline.yaml:1: unknown key 'protocl' in the document"},
        {"protocol: x\n", "inline.yaml:1: protocol must be a mapping of keys, not a single value"},
        {"protocol:\n  municipality: prijedor\n",
         "inline.yaml:2: missing required key 'title' in protocol"},
        {"protocol: {}\n---\nprotocol: {}\n", "second YAML document"},
        {"protocol:\n  title: a\n  title: b\n", "inline.yaml:3: duplicate key 'title' in "
                                                 "protocol (first at line 2)"},
        {"protocol:\n  municipality: Prijedor City\n", "inline.yaml:2: bad municipality code"},
        {"protocol:\n  title: \"\"\n", "inline.yaml:2: 'title' must not be empty"},
        {"protocol:\n  title:\n", "inline.yaml:2: 'title' in protocol must not be empty"},
        {"protocol:\n  version: 1.5\n", "inline.yaml:2: version must be an integer"},
        {"protocol:\n  effective: 2024-13-01\n", "inline.yaml:2: bad date '2024-13-01'"},
        {"protocol:\n  signatories: []\n", "inline.yaml:2: 'signatories' must name at least one"},
        {"protocol:\n  clauses: {}\n", "inline.yaml:2: 'clauses' must be a list, not a mapping"},
        {"protocol:\n  signatories:\n    - institution: prijedor.grad\n      role: coordinator\n",
         "inline.yaml:3: no signatory holds the role lead_agency"},
        {"protocol:\n  signatories:\n    - {institution: prijedor.csr, role: lead_agency}\n"
         "    - {institution: prijedor.csr, role: lead_agency}\n",
         "inline.yaml:4: institution 'prijedor.csr' is listed twice (first at line 3)"},
        {"protocol:\n  clauses:\n    - {number: 1, title: t, roles: [], categories: [identity], "
         "actions: [read]}\n", "inline.yaml:3: 'roles' must name at least one role"},
        {"protocol:\n  clauses:\n    - {number: 1, title: t, roles: [lead_agency], categories: "
         "[identity], actions: [read], on_team: yes}\n",
         "inline.yaml:3: 'on_team' must be true or false"},
        {"protocol:\n  clauses:\n    - number: 1\n      title: t\n      roles: [coordinator]\n"
         "      categories: [aggregates]\n      actions: [read, write]\n",
         "inline.yaml:7: clause 1: aggregates can only be read, not written"},
        {"protocol:\n  priority_groups:\n    - {code: Women, name: w}\n",
         "inline.yaml:3: bad priority group code 'Women'"},
        {"protocol:\n  title: [a, b]\n", "inline.yaml:2: 'title' must be text, not a list"},
        {"protocol:\n  \xff\xfe: x\n", "YAML syntax error"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        err[0] = '\0';
        if (parse_text(cases[i].text, &policy, err, sizeof(err)) != -1)
            fail_msg("accepted: %s", cases[i].text);
        if (strstr(err, cases[i].message) == NULL)
            fail_msg("for:\n%s\n  got '%s'\n  expected '%s'", cases[i].text, err,
                     cases[i].message);
    }
}

static void test_minimal_document_defaults(void **state)
{
    static const char text[] =
        "protocol:\n"
        "  clauses:\n"
        "    - number: 7\n"
        "      title: Only the lead\n"
        "      roles: lead_agency\n"
        "      categories: [identity]\n"
        "      actions: [read]\n"
        "      note:\n"
        "  municipality: test-town\n"
        "  title: Minimal\n"
        "  version: 3\n"
        "  effective: 2024-02-29\n"
        "  signed_by: ~\n"
        "  signatories:\n"
        "    - institution: prijedor.csr\n"
        "      role: lead_agency\n";
    struct policy policy;
    char err[4096] = "";
    if (parse_text(text, &policy, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_string_equal(policy.municipality, "test-town");
    assert_string_equal(policy.effective, "2024-02-29");
    assert_int_equal(policy.version, 3);
    assert_null(policy.signed_by);
    assert_int_equal(policy.priority_group_count, 0);
    assert_int_equal(policy.clause_count, 1);
    assert_int_equal(policy.clauses[0].number, 7);
    assert_int_equal(policy.clauses[0].roles, POLICY_BIT(POLICY_ROLE_LEAD_AGENCY));
    assert_int_equal(policy.clauses[0].on_team, 1);
    assert_int_equal(policy.clauses[0].consent, 0);
    assert_null(policy.clauses[0].note);
    assert_int_equal(policy.clauses[0].line, 3);
    assert_string_equal(policy.source, text);
    policy_free(&policy);
}

/* --- the decision matrix ------------------------------------------------------------------ */

/* The expected answer, computed from the clause list and docs/policy.md alone. */
static int expected_allowed(const struct policy *policy, int role, int category, int action,
                            int on_team, int is_lead, int consent, int safety_flag,
                            int protected_address, int excluded)
{
    if (excluded)
        return 0;
    if (role == POLICY_ROLE_COORDINATOR && category != POLICY_CATEGORY_AGGREGATES)
        return 0;
    int address = protected_address ||
                  (safety_flag && category == POLICY_CATEGORY_CONTACT_ADDRESS);
    if (address && !is_lead)
        return 0;
    for (size_t i = 0; i < policy->clause_count; i++) {
        const struct policy_clause *clause = &policy->clauses[i];
        if (!((clause->roles >> role) & 1u) || !((clause->categories >> category) & 1u) ||
            !((clause->actions >> action) & 1u))
            continue;
        if (category == POLICY_CATEGORY_AGGREGATES)
            return 1;
        int team_ok = !clause->on_team || on_team || is_lead;
        int consent_ok = !clause->consent || consent;
        if (team_ok && consent_ok)
            return 1;
    }
    return 0;
}

/* Checks every combination against expected_allowed, and that every decision
 * explains itself. Returns the number of allowed combinations. */
static int check_matrix(const struct policy *policy)
{
    int allowed_count = 0;
    char protocol_name[64];
    snprintf(protocol_name, sizeof(protocol_name), "of protocol %s v%d", policy->municipality,
             policy->version);
    policy_mask used_clauses = 0;

    for (int role = 0; role < POLICY_ROLE_COUNT; role++)
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++)
    for (int action = 0; action < POLICY_ACTION_COUNT; action++)
    for (int on_team = 0; on_team <= 1; on_team++)
    for (int is_lead = 0; is_lead <= on_team; is_lead++)
    for (int consent = 0; consent <= 1; consent++)
    for (int safety = 0; safety <= 1; safety++)
    for (int protected_address = 0; protected_address <= 1; protected_address++)
    for (int excluded = 0; excluded <= 1; excluded++) {
        struct policy_subject subject = {
            .role = (enum policy_role)role,
            .on_team = on_team,
            .is_lead_institution = is_lead,
            .excluded = excluded,
            .consented_categories = consent ? POLICY_ALL_CATEGORIES : 0,
            .person_has_safety_flag = safety,
        };
        struct policy_decision decision;
        policy_decide(policy, &subject, (enum policy_category)category,
                      (enum policy_action)action, protected_address, &decision);
        int expected = expected_allowed(policy, role, category, action, on_team, is_lead,
                                        consent, safety, protected_address, excluded);
        if (decision.allowed != expected)
            fail_msg("role %s, category %s, action %s, on_team %d, lead %d, consent %d, "
                     "safety %d, protected %d, excluded %d: got %d (%s), expected %d",
                     policy_role_name((enum policy_role)role),
                     policy_category_name((enum policy_category)category),
                     policy_action_name((enum policy_action)action), on_team, is_lead, consent,
                     safety, protected_address, excluded, decision.allowed, decision.reason,
                     expected);
        if (decision.allowed) {
            allowed_count++;
            assert_int_equal(decision.reason_code, POLICY_REASON_CLAUSE);
            const struct policy_clause *clause = find_clause(policy, decision.clause_number);
            assert_non_null(clause);
            assert_true((clause->roles >> role) & 1u);
            assert_true((clause->categories >> category) & 1u);
            assert_true((clause->actions >> action) & 1u);
            char cited[96];
            snprintf(cited, sizeof(cited), "%s: clause %d %s",
                     action == POLICY_ACTION_READ ? "visible" : "allowed",
                     decision.clause_number, protocol_name);
            assert_string_equal(decision.reason, cited);
            used_clauses |= POLICY_BIT(decision.clause_number);
        } else {
            assert_int_not_equal(decision.reason_code, POLICY_REASON_CLAUSE);
            assert_starts_with(decision.reason,
                               action == POLICY_ACTION_READ ? "hidden: " : "denied: ");
            if (decision.reason_code == POLICY_REASON_NO_CONSENT ||
                decision.reason_code == POLICY_REASON_NOT_ON_TEAM) {
                char cited[96];
                snprintf(cited, sizeof(cited), "clause %d %s", decision.clause_number,
                         protocol_name);
                assert_contains(decision.reason, cited);
            } else if (decision.reason_code == POLICY_REASON_NO_CLAUSE) {
                assert_int_equal(decision.clause_number, 0);
                assert_contains(decision.reason, protocol_name + 3);
            } else {
                assert_int_equal(decision.clause_number, 0);
            }
        }
    }
    /* Every clause of the document decides something. */
    for (size_t i = 0; i < policy->clause_count; i++)
        if (!(used_clauses & POLICY_BIT(policy->clauses[i].number)))
            fail_msg("clause %d never allowed anything", policy->clauses[i].number);
    return allowed_count;
}

static void test_matrix_prijedor_v1(void **state)
{
    struct policy policy;
    load_protocol("prijedor-v1.yaml", &policy);
    assert_true(check_matrix(&policy) > 0);
    policy_free(&policy);
}

static void test_matrix_prijedor_v2(void **state)
{
    struct policy v1, v2;
    load_protocol("prijedor-v1.yaml", &v1);
    load_protocol("prijedor-v2.yaml", &v2);
    /* The amendment widens access: one more clause, more allowed combinations. */
    assert_true(check_matrix(&v2) > check_matrix(&v1));
    policy_free(&v1);
    policy_free(&v2);
}

/* --- scenarios on the Prijedor protocol ---------------------------------------------- */

static struct policy_decision ask(const struct policy *policy, enum policy_role role,
                                  int on_team, policy_mask consent, int safety_flag,
                                  enum policy_category category, enum policy_action action,
                                  int protected_address)
{
    struct policy_subject subject = {
        .role = role,
        .on_team = on_team,
        .is_lead_institution = role == POLICY_ROLE_LEAD_AGENCY && on_team,
        .excluded = 0,
        .consented_categories = consent,
        .person_has_safety_flag = safety_flag,
    };
    struct policy_decision decision;
    policy_decide(policy, &subject, category, action, protected_address, &decision);
    return decision;
}

static void test_employment_service_scenario(void **state)
{
    struct policy policy;
    load_protocol("prijedor-v2.yaml", &policy);
    struct policy_decision d;

    d = ask(&policy, POLICY_ROLE_EMPLOYMENT_SERVICE, 1,
            POLICY_BIT(POLICY_CATEGORY_EDUCATION_WORK), 0, POLICY_CATEGORY_EDUCATION_WORK,
            POLICY_ACTION_READ, 0);
    assert_true(d.allowed);
    assert_int_equal(d.clause_number, 4);
    assert_string_equal(d.reason, "visible: clause 4 of protocol prijedor v2");

    /* Consent withdrawn: the very next decision hides it. */
    d = ask(&policy, POLICY_ROLE_EMPLOYMENT_SERVICE, 1, 0, 0, POLICY_CATEGORY_EDUCATION_WORK,
            POLICY_ACTION_READ, 0);
    assert_false(d.allowed);
    assert_int_equal(d.reason_code, POLICY_REASON_NO_CONSENT);
    assert_string_equal(d.reason, "hidden: clause 4 of protocol prijedor v2 requires the "
                                  "person's consent for education_work");

    /* Never health or safety, whatever the consent. */
    static const enum policy_category never[] = {POLICY_CATEGORY_HEALTH_DISABILITY,
                                                 POLICY_CATEGORY_SAFETY};
    for (size_t i = 0; i < 2; i++)
        for (int action = 0; action < POLICY_ACTION_COUNT; action++) {
            d = ask(&policy, POLICY_ROLE_EMPLOYMENT_SERVICE, 1, POLICY_ALL_CATEGORIES, 0,
                    never[i], (enum policy_action)action, 0);
            assert_false(d.allowed);
            assert_int_equal(d.reason_code, POLICY_REASON_NO_CLAUSE);
        }
    d = ask(&policy, POLICY_ROLE_EMPLOYMENT_SERVICE, 1, POLICY_ALL_CATEGORIES, 0,
            POLICY_CATEGORY_HEALTH_DISABILITY, POLICY_ACTION_READ, 0);
    assert_string_equal(d.reason, "hidden: no clause of protocol prijedor v2 lets "
                                  "employment_service read health_disability");

    /* It writes outcomes on its team; not elsewhere. */
    d = ask(&policy, POLICY_ROLE_EMPLOYMENT_SERVICE, 1, 0, 0, POLICY_CATEGORY_OUTCOMES,
            POLICY_ACTION_WRITE, 0);
    assert_string_equal(d.reason, "allowed: clause 3 of protocol prijedor v2");
    d = ask(&policy, POLICY_ROLE_EMPLOYMENT_SERVICE, 0, 0, 0, POLICY_CATEGORY_OUTCOMES,
            POLICY_ACTION_WRITE, 0);
    assert_false(d.allowed);
    assert_int_equal(d.reason_code, POLICY_REASON_NOT_ON_TEAM);
    assert_starts_with(d.reason, "denied: not on the case team");
    policy_free(&policy);
}

static void test_ngo_off_team_sees_nothing(void **state)
{
    struct policy policy;
    load_protocol("prijedor-v2.yaml", &policy);
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++)
        for (int action = 0; action < POLICY_ACTION_COUNT; action++) {
            struct policy_decision d =
                ask(&policy, POLICY_ROLE_SERVICE_PROVIDER, 0, POLICY_ALL_CATEGORIES, 0,
                    (enum policy_category)category, (enum policy_action)action, 0);
            if (d.allowed)
                fail_msg("NGO off the team got %s: %s",
                         policy_category_name((enum policy_category)category), d.reason);
        }
    struct policy_decision d = ask(&policy, POLICY_ROLE_SERVICE_PROVIDER, 0,
                                   POLICY_ALL_CATEGORIES, 0, POLICY_CATEGORY_IDENTITY,
                                   POLICY_ACTION_READ, 0);
    assert_starts_with(d.reason, "hidden: not on the case team");
    assert_int_equal(d.clause_number, 9);

    /* On the team with consent it sees what clause 9 names, and no more. */
    d = ask(&policy, POLICY_ROLE_SERVICE_PROVIDER, 1, POLICY_ALL_CATEGORIES, 0,
            POLICY_CATEGORY_IDENTITY, POLICY_ACTION_READ, 0);
    assert_string_equal(d.reason, "visible: clause 9 of protocol prijedor v2");
    d = ask(&policy, POLICY_ROLE_SERVICE_PROVIDER, 1, POLICY_ALL_CATEGORIES, 0,
            POLICY_CATEGORY_SAFETY, POLICY_ACTION_READ, 0);
    assert_false(d.allowed);

    /* Excluded by the lead: nothing, even on the team with every consent. */
    struct policy_subject subject = {
        .role = POLICY_ROLE_SERVICE_PROVIDER, .on_team = 1, .is_lead_institution = 0,
        .excluded = 1, .consented_categories = POLICY_ALL_CATEGORIES,
        .person_has_safety_flag = 0,
    };
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++) {
        policy_decide(&policy, &subject, (enum policy_category)category, POLICY_ACTION_READ, 0,
                      &d);
        assert_false(d.allowed);
        assert_int_equal(d.reason_code, POLICY_REASON_EXCLUDED);
        assert_string_equal(d.reason, "hidden: excluded from this case by the lead agency");
    }
    policy_free(&policy);
}

static void test_coordinator_sees_no_person(void **state)
{
    struct policy policy;
    load_protocol("prijedor-v2.yaml", &policy);
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++)
        for (int on_team = 0; on_team <= 1; on_team++) {
            struct policy_decision d =
                ask(&policy, POLICY_ROLE_COORDINATOR, on_team, POLICY_ALL_CATEGORIES, 0,
                    (enum policy_category)category, POLICY_ACTION_READ, 0);
            if (category == POLICY_CATEGORY_AGGREGATES) {
                assert_true(d.allowed);
                assert_string_equal(d.reason, "visible: clause 11 of protocol prijedor v2");
            } else {
                assert_false(d.allowed);
                assert_int_equal(d.reason_code, POLICY_REASON_COORDINATOR);
                assert_string_equal(d.reason,
                                    "hidden: the coordinator never sees person-level data");
            }
        }

    /* Even a hand-built policy that grants it (import would refuse one) is overruled. */
    struct policy_clause clause = {
        .number = 1, .title = (char[]){"everything"}, .note = NULL,
        .roles = POLICY_BIT(POLICY_ROLE_COORDINATOR), .categories = POLICY_ALL_CATEGORIES,
        .actions = POLICY_BIT(POLICY_ACTION_READ), .on_team = 0, .consent = 0, .line = 1,
    };
    struct policy forged = {.municipality = (char[]){"forged"}, .version = 1,
                            .clauses = &clause, .clause_count = 1};
    struct policy_decision d = ask(&forged, POLICY_ROLE_COORDINATOR, 1, POLICY_ALL_CATEGORIES,
                                   0, POLICY_CATEGORY_IDENTITY, POLICY_ACTION_READ, 0);
    assert_false(d.allowed);
    assert_int_equal(d.reason_code, POLICY_REASON_COORDINATOR);
    d = ask(&forged, POLICY_ROLE_COORDINATOR, 0, 0, 0, POLICY_CATEGORY_AGGREGATES,
            POLICY_ACTION_READ, 0);
    assert_true(d.allowed);
    assert_string_equal(d.reason, "visible: clause 1 of protocol forged v1");
    policy_free(&policy);
}

static void test_protected_address_only_for_lead(void **state)
{
    struct policy policy;
    load_protocol("prijedor-v2.yaml", &policy);
    for (int role = 0; role < POLICY_ROLE_COUNT; role++)
        for (int flag_kind = 0; flag_kind < 2; flag_kind++) {
            /* flag_kind 0: the person has a safety flag; 1: the field is flagged. */
            struct policy_decision d =
                ask(&policy, (enum policy_role)role, 1, POLICY_ALL_CATEGORIES, flag_kind == 0,
                    POLICY_CATEGORY_CONTACT_ADDRESS, POLICY_ACTION_READ, flag_kind == 1);
            /* the same role and person without the flag, for the reason's wording */
            struct policy_decision unflagged =
                ask(&policy, (enum policy_role)role, 1, POLICY_ALL_CATEGORIES, 0,
                    POLICY_CATEGORY_CONTACT_ADDRESS, POLICY_ACTION_READ, 0);
            if (role == POLICY_ROLE_LEAD_AGENCY) {
                assert_true(d.allowed);
                assert_string_equal(d.reason, "visible: clause 1 of protocol prijedor v2");
            } else {
                assert_false(d.allowed);
                /* the reason never tells the flag: a role the clauses refuse anyway gets
                 * their reason, one they would let read a reason that names no risk */
                if (!unflagged.allowed)
                    assert_string_equal(d.reason, unflagged.reason);
                else
                    assert_string_equal(d.reason, "hidden: this person's contact and address "
                                                  "data are shown only to the lead agency");
            }
        }
    /* Without a safety flag, the employment service reads the address (clause 2). */
    struct policy_decision d = ask(&policy, POLICY_ROLE_EMPLOYMENT_SERVICE, 1, 0, 0,
                                   POLICY_CATEGORY_CONTACT_ADDRESS, POLICY_ACTION_READ, 0);
    assert_string_equal(d.reason, "visible: clause 2 of protocol prijedor v2");
    /* A lead_agency institution that is not this case's lead is no exception. */
    struct policy_subject other_csr = {
        .role = POLICY_ROLE_LEAD_AGENCY, .on_team = 1, .is_lead_institution = 0,
        .excluded = 0, .consented_categories = 0, .person_has_safety_flag = 1,
    };
    policy_decide(&policy, &other_csr, POLICY_CATEGORY_CONTACT_ADDRESS, POLICY_ACTION_READ, 0,
                  &d);
    assert_false(d.allowed);
    assert_int_equal(d.reason_code, POLICY_REASON_PROTECTED_ADDRESS);
    policy_free(&policy);
}

static void test_amendment_decisions_cite_v2(void **state)
{
    struct policy v1, v2;
    load_protocol("prijedor-v1.yaml", &v1);
    load_protocol("prijedor-v2.yaml", &v2);
    policy_mask consent = POLICY_BIT(POLICY_CATEGORY_HEALTH_DISABILITY);

    struct policy_decision d = ask(&v1, POLICY_ROLE_SERVICE_PROVIDER, 1, consent, 0,
                                   POLICY_CATEGORY_HEALTH_DISABILITY, POLICY_ACTION_READ, 0);
    assert_false(d.allowed);
    assert_string_equal(d.reason, "hidden: no clause of protocol prijedor v1 lets "
                                  "service_provider read health_disability");

    d = ask(&v2, POLICY_ROLE_SERVICE_PROVIDER, 1, consent, 0,
            POLICY_CATEGORY_HEALTH_DISABILITY, POLICY_ACTION_READ, 0);
    assert_true(d.allowed);
    assert_int_equal(d.clause_number, 12);
    assert_string_equal(d.reason, "visible: clause 12 of protocol prijedor v2");

    d = ask(&v2, POLICY_ROLE_SERVICE_PROVIDER, 1, 0, 0, POLICY_CATEGORY_HEALTH_DISABILITY,
            POLICY_ACTION_READ, 0);
    assert_false(d.allowed);
    assert_string_equal(d.reason, "hidden: clause 12 of protocol prijedor v2 requires the "
                                  "person's consent for health_disability");

    /* Unchanged rules now cite v2 too. */
    d = ask(&v2, POLICY_ROLE_LEAD_AGENCY, 1, 0, 0, POLICY_CATEGORY_SAFETY, POLICY_ACTION_WRITE,
            0);
    assert_string_equal(d.reason, "allowed: clause 1 of protocol prijedor v2");
    policy_free(&v1);
    policy_free(&v2);
}

static void test_no_implicit_lead_power(void **state)
{
    /* A protocol whose only clause is for the employment service: the lead gets nothing. */
    static const char text[] =
        "protocol:\n"
        "  municipality: prijedor\n"
        "  title: Lead without clauses\n"
        "  version: 1\n"
        "  effective: 2024-01-01\n"
        "  signatories:\n"
        "    - {institution: prijedor.csr, role: lead_agency}\n"
        "    - {institution: prijedor.zzz, role: employment_service}\n"
        "  clauses:\n"
        "    - {number: 1, title: t, roles: [employment_service], categories: [identity],\n"
        "       actions: [read]}\n";
    struct policy policy;
    char err[4096] = "";
    if (parse_text(text, &policy, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++) {
        struct policy_decision d = ask(&policy, POLICY_ROLE_LEAD_AGENCY, 1, POLICY_ALL_CATEGORIES,
                                       0, (enum policy_category)category, POLICY_ACTION_READ, 0);
        assert_false(d.allowed);
        assert_int_equal(d.reason_code, POLICY_REASON_NO_CLAUSE);
    }
    policy_free(&policy);

    struct policy_decision d;
    struct policy_subject subject = {.role = POLICY_ROLE_LEAD_AGENCY, .on_team = 1,
                                     .is_lead_institution = 1};
    policy_decide(NULL, &subject, POLICY_CATEGORY_IDENTITY, POLICY_ACTION_READ, 0, &d);
    assert_false(d.allowed);
    assert_int_equal(d.reason_code, POLICY_REASON_NO_POLICY);
}

/* --- the printable document ------------------------------------------------------------ */

/* Collapses runs of spaces and newlines, so wrapped sentences compare whole. */
static char *collapse_spaces(const char *text)
{
    char *copy = malloc(strlen(text) + 1);
    assert_non_null(copy);
    size_t used = 0;
    for (const char *p = text; *p != '\0'; p++) {
        char c = *p == '\n' ? ' ' : *p;
        if (c == ' ' && used > 0 && copy[used - 1] == ' ')
            continue;
        copy[used++] = c;
    }
    copy[used] = '\0';
    return copy;
}

static void test_render_text(void **state)
{
    struct policy policy;
    load_protocol("prijedor-v2.yaml", &policy);
    char *text = NULL;
    assert_int_equal(policy_render_text(&policy, &text), 0);
    assert_non_null(text);
    char *flat = collapse_spaces(text);
    assert_contains(flat, policy.title);
    assert_contains(flat, "Municipality: prijedor");
    assert_contains(flat, "Version: 2");
    assert_contains(flat, "Effective: 2026-03-01");
    assert_contains(flat, "Amendment: Aneks br. 1");
    assert_contains(flat, "principles of legality, transparency, partnership, equality and "
                          "gender equality, accountability, efficiency, economy and "
                          "professional expertise.");
    assert_contains(flat, "prijedor.zzz employment service Zavod za zapošljavanje RS");
    assert_contains(flat, "Žene žrtve nasilja u porodici (women_domestic_violence)");
    assert_contains(flat, "Clause 4. The employment service may read education, skills and "
                          "work history of persons on whose case team it is, with the "
                          "person's consent.");
    assert_contains(flat, "Clause 1. The lead agency may read and write, for persons on whose "
                          "case team it is: identity; contact details and address; social "
                          "benefits and household; education, skills and work history;");
    assert_contains(flat, "Clause 9. The service provider may read, for persons on whose case "
                          "team it is and with the person's consent: identity; contact details "
                          "and address; the plan and measures.");
    assert_contains(flat, "Title: Zavod za zapošljavanje: obrazovanje, vještine i radno");
    assert_contains(flat, "Note: Added by Amendment No. 1.");
    assert_contains(flat, "Clause 7. The employer liaison may read education, skills and work "
                          "history of persons on whose case team it is, with the person's "
                          "consent.");
    assert_contains(flat, "Clause 11. The lead agency and the protocol coordinator may read "
                          "aggregate indicators of the protocol (no person-level data).");
    assert_contains(flat, "Clause 12. The service provider may read health and disability");
    assert_contains(flat, "The protocol coordinator never sees data about a person");
    /* no `transfer` in the document: the default, in words */
    assert_contains(flat, "A case transferred to another municipality of the region carries, "
                          "of what the receiving protocol lets in: identity; the plan and "
                          "measures; outcomes.");
    /* One signature line per signatory. */
    int lines = 0;
    for (const char *p = text; (p = strstr(p, "Date: ______________")) != NULL; p++)
        lines++;
    assert_int_equal(lines, (int)policy.signatory_count);
    assert_contains(flat, "For Udruženje građana Hleb života (prijedor.hleb), service provider:");
    /* Lines fit a printed page. */
    for (const char *line = text; *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t length = end != NULL ? (size_t)(end - line) : strlen(line);
        size_t columns = 0;
        for (size_t i = 0; i < length; i++)
            if (((unsigned char)line[i] & 0xC0) != 0x80)
                columns++;
        if (columns > 78)
            fail_msg("line too long (%zu): %.*s", columns, (int)length, line);
        line += length + (end != NULL);
    }
    free(flat);
    free(text);
    policy_free(&policy);
}

static void test_render_mixed_clause(void **state)
{
    static const char text[] =
        "protocol:\n"
        "  municipality: test-town\n"
        "  title: Mixed\n"
        "  version: 1\n"
        "  effective: 2024-01-01\n"
        "  signatories:\n"
        "    - {institution: prijedor.csr, role: lead_agency}\n"
        "    - {institution: prijedor.zzz, role: employment_service}\n"
        "  clauses:\n"
        "    - number: 1\n"
        "      title: Both\n"
        "      roles: [lead_agency, employment_service]\n"
        "      categories: [outcomes, aggregates]\n"
        "      actions: [read]\n"
        "      on_team: false\n";
    struct policy policy;
    char err[4096] = "";
    if (parse_text(text, &policy, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    char *rendered = NULL;
    assert_int_equal(policy_render_text(&policy, &rendered), 0);
    char *flat = collapse_spaces(rendered);
    assert_contains(flat, "Clause 1. The lead agency and the employment service may read "
                          "outcomes of persons, whether or not they are on their case team. "
                          "They may also read aggregate indicators of the protocol "
                          "(no person-level data).");
    /* No signed_by, supersedes or priority groups: those lines are left out. */
    assert_null(strstr(flat, "Signed by:"));
    assert_null(strstr(flat, "Amendment:"));
    assert_null(strstr(flat, "Priority vulnerable groups"));
    free(flat);
    free(rendered);

    /* Off the team, outcomes are still visible under this clause. */
    struct policy_decision d = ask(&policy, POLICY_ROLE_EMPLOYMENT_SERVICE, 0, 0, 0,
                                   POLICY_CATEGORY_OUTCOMES, POLICY_ACTION_READ, 0);
    assert_string_equal(d.reason, "visible: clause 1 of protocol test-town v1");
    policy_free(&policy);
}

/* `names` per language (docs/policy.md): each language's name kept, others refused. */
static void test_names_per_language(void **state)
{
    (void)state;
    static const char head[] =
        "protocol:\n  municipality: prijedor\n  title: t\n  version: 1\n"
        "  effective: 2024-01-31\n  signatories:\n    - institution: prijedor.csr\n"
        "      role: lead_agency\n";
    static const char tail[] =
        "  clauses:\n    - number: 1\n      title: c\n      roles: [lead_agency]\n"
        "      categories: [identity]\n      actions: [read]\n";
    char text[2048], err[4096];
    struct policy policy;
    snprintf(text, sizeof(text), "%s      names: {sr-Cyrl: \"ЦСР\", en: \"CSW\"}\n"
             "  priority_groups:\n    - code: roma\n      name: Romi\n"
             "      names: {hr: Romi, en: Roma}\n%s", head, tail);
    if (parse_text(text, &policy, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_string_equal(policy.signatories[0].names[POLICY_LANG_SR_CYRL], "ЦСР");
    assert_string_equal(policy.signatories[0].names[POLICY_LANG_EN], "CSW");
    assert_null(policy.signatories[0].names[POLICY_LANG_BS]);
    assert_string_equal(policy.priority_groups[0].name, "Romi");
    assert_string_equal(policy.priority_groups[0].names[POLICY_LANG_EN], "Roma");
    assert_string_equal(policy.priority_groups[0].names[POLICY_LANG_HR], "Romi");
    assert_string_equal(policy_language_tag(POLICY_LANG_SR_LATN), "sr-Latn");
    policy_free(&policy);

    snprintf(text, sizeof(text), "%s  priority_groups:\n    - code: roma\n      name: Romi\n"
             "      names: {de: Roma}\n%s", head, tail);
    assert_int_equal(parse_text(text, &policy, err, sizeof(err)), -1);
    assert_contains(err, "inline.yaml:12: unknown key 'de' in names");
    snprintf(text, sizeof(text), "%s  priority_groups:\n    - code: roma\n      name: Romi\n"
             "      names: Roma\n%s", head, tail);
    assert_int_equal(parse_text(text, &policy, err, sizeof(err)), -1);
    assert_contains(err, "names must be a mapping of keys");
}

/* `transfer` (docs/policy.md, "Transfer between municipalities"): defaults, lists, an
 * empty list, refusals; the categories of a transfer are the intersection. */
static void test_transfer_categories(void **state)
{
    (void)state;
    static const char head[] =
        "protocol:\n  municipality: prijedor\n  title: t\n  version: 1\n"
        "  effective: 2024-01-31\n  signatories:\n    - institution: prijedor.csr\n"
        "      role: lead_agency\n  clauses:\n    - number: 1\n      title: c\n"
        "      roles: [lead_agency]\n      categories: [identity]\n      actions: [read]\n";
    char text[2048], err[4096];
    struct policy plain, sender, receiver;
    snprintf(text, sizeof(text), "%s", head);
    if (parse_text(text, &plain, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_int_equal(plain.transfer_send, POLICY_TRANSFER_DEFAULT);
    assert_int_equal(plain.transfer_receive, POLICY_TRANSFER_DEFAULT);

    snprintf(text, sizeof(text), "%s  transfer:\n    send: [identity, safety, contact_address,"
             " outcomes]\n", head);
    if (parse_text(text, &sender, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_int_equal(sender.transfer_receive, POLICY_TRANSFER_DEFAULT);
    snprintf(text, sizeof(text), "%s  transfer:\n    send: []\n    receive: [identity, "
             "safety, contact_address, case_notes]\n", head);
    if (parse_text(text, &receiver, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_int_equal(receiver.transfer_send, 0);

    policy_mask both = policy_transfer_categories(&sender, &receiver);
    assert_int_equal(both, POLICY_BIT(POLICY_CATEGORY_IDENTITY) |
                               POLICY_BIT(POLICY_CATEGORY_SAFETY) |
                               POLICY_BIT(POLICY_CATEGORY_CONTACT_ADDRESS));
    assert_true(policy_transfer_carries_withheld_address(both));
    /* the default carries no address and no safety note; the way back carries nothing */
    assert_false(policy_transfer_carries_withheld_address(
        policy_transfer_categories(&sender, &plain)));
    assert_int_equal(policy_transfer_categories(&sender, &plain),
                     POLICY_BIT(POLICY_CATEGORY_IDENTITY) | POLICY_BIT(POLICY_CATEGORY_OUTCOMES));
    assert_int_equal(policy_transfer_categories(&receiver, &sender), 0);
    assert_false(policy_transfer_carries_withheld_address(
        POLICY_BIT(POLICY_CATEGORY_CONTACT_ADDRESS)));
    assert_int_equal(policy_transfer_categories(NULL, &plain), 0);
    policy_free(&plain);
    policy_free(&sender);
    policy_free(&receiver);

    static const struct {
        const char *body;
        const char *message;
    } bad[] = {
        {"  transfer: [identity]\n", "transfer must be a mapping of keys"},
        {"  transfer:\n    send: [aggregates]\n", "aggregates concern no one person"},
        {"  transfer:\n    send: [identity, addresses]\n", "unknown category 'addresses'"},
        {"  transfer:\n    keep: [identity]\n", "unknown key 'keep' in transfer"},
        {"  transfer:\n    receive: {identity: true}\n", "'receive' must be a list"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "%s%s", head, bad[i].body);
        if (parse_text(text, &plain, err, sizeof(err)) != -1)
            fail_msg("accepted: %s", bad[i].body);
        assert_contains(err, bad[i].message);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_transfer_categories),
        cmocka_unit_test(test_parse_prijedor_v1),
        cmocka_unit_test(test_parse_prijedor_v2_amendment),
        cmocka_unit_test(test_bad_documents_name_the_line),
        cmocka_unit_test(test_errors_are_collected_in_line_order),
        cmocka_unit_test(test_error_buffer_is_truncated_safely),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_known_institutions_callback),
        cmocka_unit_test(test_document_shape_errors),
        cmocka_unit_test(test_names_per_language),
        cmocka_unit_test(test_minimal_document_defaults),
        cmocka_unit_test(test_matrix_prijedor_v1),
        cmocka_unit_test(test_matrix_prijedor_v2),
        cmocka_unit_test(test_employment_service_scenario),
        cmocka_unit_test(test_ngo_off_team_sees_nothing),
        cmocka_unit_test(test_coordinator_sees_no_person),
        cmocka_unit_test(test_protected_address_only_for_lead),
        cmocka_unit_test(test_amendment_decisions_cite_v2),
        cmocka_unit_test(test_no_implicit_lead_power),
        cmocka_unit_test(test_render_text),
        cmocka_unit_test(test_render_mixed_clause),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
