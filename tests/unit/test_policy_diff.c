/*
 * Unit tests of the amendment comparison (server/policy/policy_diff.c): which
 * institutions a new protocol version gives more than the old one (a category and
 * action gained, a consent or team condition dropped), and which it does not
 * (narrowing, equal, a stricter duplicate). docs/policy.md, "Amendments".
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
#include "policy_diff.h"

static const char *const known_codes[] = {"xgrad.csr", "xgrad.zzz", "xgrad.hleb"};
static const struct policy_known_institutions known = {NULL, NULL, known_codes, 3};

/* A document of municipality xgrad: the lead, the bureau as bureau_role, the NGO, and clauses. */
static void parse_document(const char *bureau_role, const char *clauses, struct policy *out)
{
    char text[4096];
    snprintf(text, sizeof(text),
             "protocol:\n"
             "  municipality: xgrad\n  title: T\n  version: 1\n  effective: 2024-01-01\n"
             "  signatories:\n"
             "    - {institution: xgrad.csr, role: lead_agency}\n"
             "    - {institution: xgrad.zzz, role: %s}\n"
             "    - {institution: xgrad.hleb, role: service_provider}\n"
             "  clauses:\n"
             "    - {number: 1, title: L, roles: [lead_agency], categories: [identity],"
             " actions: [read, write]}\n"
             "%s",
             bureau_role, clauses);
    char err[2048];
    if (policy_parse_string(text, strlen(text), "doc", &known, out, err, sizeof(err)) != 0)
        fail_msg("parse: %s", err);
}

#define BUREAU_EDUCATION                                                                  \
    "    - {number: 2, title: B, roles: [employment_service], categories: [education_work]," \
    " actions: [read], consent: true}\n"

static void diff_of(const char *old_clauses, const char *new_clauses, struct policy *old,
                    struct policy *next, struct policy_diff *diff)
{
    parse_document("employment_service", old_clauses, old);
    parse_document("employment_service", new_clauses, next);
    assert_int_equal(policy_diff(old, next, diff), 0);
}

static void release(struct policy *old, struct policy *next, struct policy_diff *diff)
{
    policy_diff_free(diff);
    policy_free(old);
    policy_free(next);
}

static void test_a_new_category_is_a_gain_of_that_institution_only(void **state)
{
    (void)state;
    struct policy old, next;
    struct policy_diff diff;
    diff_of(BUREAU_EDUCATION,
            BUREAU_EDUCATION
            "    - {number: 3, title: S, roles: [employment_service],"
            " categories: [safety, health_disability], actions: [read]}\n",
            &old, &next, &diff);
    assert_int_equal(diff.gain_count, 2);
    assert_string_equal(diff.gains[0].institution, "xgrad.zzz");
    assert_int_equal(diff.gains[0].category, POLICY_CATEGORY_HEALTH_DISABILITY);
    assert_int_equal(diff.gains[0].action, POLICY_ACTION_READ);
    assert_int_equal(diff.gains[0].kind, POLICY_GAIN_GRANT);
    assert_int_equal(diff.gains[1].category, POLICY_CATEGORY_SAFETY);
    assert_true(policy_diff_widens_for(&diff, "xgrad.zzz"));
    assert_false(policy_diff_widens_for(&diff, "xgrad.csr"));
    assert_false(policy_diff_widens_for(&diff, "xgrad.hleb"));
    char reason[256];
    policy_diff_reason(&diff, &next, "xgrad.zzz", reason, sizeof(reason));
    assert_string_equal(reason, "gains read health_disability; gains read safety");
    policy_diff_reason(&diff, &next, "xgrad.csr", reason, sizeof(reason));
    assert_string_equal(reason, "lead agency");
    policy_diff_reason(&diff, &next, "xgrad.hleb", reason, sizeof(reason));
    assert_string_equal(reason, "");
    release(&old, &next, &diff);
}

static void test_a_new_action_is_a_gain(void **state)
{
    (void)state;
    struct policy old, next;
    struct policy_diff diff;
    diff_of(BUREAU_EDUCATION,
            "    - {number: 2, title: B, roles: [employment_service],"
            " categories: [education_work], actions: [read, write], consent: true}\n",
            &old, &next, &diff);
    assert_int_equal(diff.gain_count, 1);
    assert_int_equal(diff.gains[0].action, POLICY_ACTION_WRITE);
    release(&old, &next, &diff);
}

static void test_a_dropped_consent_is_a_gain(void **state)
{
    (void)state;
    struct policy old, next;
    struct policy_diff diff;
    diff_of(BUREAU_EDUCATION,
            "    - {number: 2, title: B, roles: [employment_service],"
            " categories: [education_work], actions: [read]}\n",
            &old, &next, &diff);
    assert_int_equal(diff.gain_count, 1);
    assert_int_equal(diff.gains[0].kind, POLICY_GAIN_CONSENT_DROPPED);
    char reason[256];
    policy_diff_reason(&diff, &next, "xgrad.zzz", reason, sizeof(reason));
    assert_string_equal(reason, "no longer needs consent for read education_work");
    release(&old, &next, &diff);
}

static void test_a_dropped_team_condition_is_a_gain(void **state)
{
    (void)state;
    struct policy old, next;
    struct policy_diff diff;
    diff_of(BUREAU_EDUCATION,
            "    - {number: 2, title: B, roles: [employment_service],"
            " categories: [education_work], actions: [read], consent: true, on_team: false}\n",
            &old, &next, &diff);
    assert_int_equal(diff.gain_count, 1);
    assert_int_equal(diff.gains[0].kind, POLICY_GAIN_TEAM_DROPPED);
    release(&old, &next, &diff);
}

static void test_narrowing_equal_and_stricter_are_no_gain(void **state)
{
    (void)state;
    struct policy old, next;
    struct policy_diff diff;
    /* narrowing: the bureau's clause goes */
    diff_of(BUREAU_EDUCATION, "", &old, &next, &diff);
    assert_int_equal(diff.gain_count, 0);
    release(&old, &next, &diff);
    /* equal */
    diff_of(BUREAU_EDUCATION, BUREAU_EDUCATION, &old, &next, &diff);
    assert_int_equal(diff.gain_count, 0);
    release(&old, &next, &diff);
    /* consent added where there was none; a stricter duplicate of an open clause */
    diff_of("    - {number: 2, title: B, roles: [employment_service],"
            " categories: [education_work], actions: [read], on_team: false}\n",
            "    - {number: 2, title: B, roles: [employment_service],"
            " categories: [education_work], actions: [read], consent: true}\n"
            "    - {number: 5, title: C, roles: [employment_service],"
            " categories: [education_work], actions: [read], on_team: false, consent: true}\n",
            &old, &next, &diff);
    assert_int_equal(diff.gain_count, 0);
    release(&old, &next, &diff);
}

static void test_a_new_role_is_compared_with_the_old_one(void **state)
{
    (void)state;
    struct policy old, next;
    struct policy_diff diff;
    parse_document("employment_service",
                   BUREAU_EDUCATION
                   "    - {number: 4, title: E, roles: [service_provider],"
                   " categories: [outcomes], actions: [read]}\n",
                   &old);
    /* the bureau becomes a service provider: it gains outcomes (and loses education) */
    parse_document("service_provider",
                   "    - {number: 4, title: E, roles: [service_provider],"
                   " categories: [outcomes], actions: [read]}\n",
                   &next);
    assert_int_equal(policy_diff(&old, &next, &diff), 0);
    assert_int_equal(diff.gain_count, 1);
    assert_string_equal(diff.gains[0].institution, "xgrad.zzz");
    assert_int_equal(diff.gains[0].category, POLICY_CATEGORY_OUTCOMES);
    release(&old, &next, &diff);
}

static void test_without_an_old_version_every_grant_is_a_gain(void **state)
{
    (void)state;
    struct policy next;
    struct policy_diff diff;
    parse_document("employment_service", BUREAU_EDUCATION, &next);
    assert_int_equal(policy_diff(NULL, &next, &diff), 0);
    assert_int_equal(diff.gain_count, 3); /* csr: read, write identity; zzz: read education */
    assert_true(policy_diff_widens_for(&diff, "xgrad.csr"));
    assert_true(policy_diff_widens_for(&diff, "xgrad.zzz"));
    policy_diff_free(&diff);
    policy_free(&next);
}

static void test_prijedor_amendment_widens_the_ngo_only(void **state)
{
    (void)state;
    static const char *const prijedor[] = {"prijedor.grad", "prijedor.csr", "prijedor.zzz",
                                           "prijedor.skola", "prijedor.komora",
                                           "prijedor.preda", "prijedor.hleb"};
    struct policy_known_institutions codes = {NULL, NULL, prijedor, 7};
    struct policy v1, v2;
    struct policy_diff diff;
    char err[2048];
    if (policy_parse_file(SPONA_PROTOCOLS_DIR "/prijedor-v1.yaml", &codes, &v1, err,
                          sizeof(err)) != 0 ||
        policy_parse_file(SPONA_PROTOCOLS_DIR "/prijedor-v2.yaml", &codes, &v2, err,
                          sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_int_equal(policy_diff(&v1, &v2, &diff), 0);
    assert_int_equal(diff.gain_count, 1);
    assert_string_equal(diff.gains[0].institution, "prijedor.hleb");
    assert_int_equal(diff.gains[0].category, POLICY_CATEGORY_HEALTH_DISABILITY);
    policy_diff_free(&diff);
    assert_int_equal(policy_diff(&v2, &v1, &diff), 0); /* going back narrows */
    assert_int_equal(diff.gain_count, 0);
    policy_diff_free(&diff);
    policy_free(&v1);
    policy_free(&v2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_new_category_is_a_gain_of_that_institution_only),
        cmocka_unit_test(test_a_new_action_is_a_gain),
        cmocka_unit_test(test_a_dropped_consent_is_a_gain),
        cmocka_unit_test(test_a_dropped_team_condition_is_a_gain),
        cmocka_unit_test(test_narrowing_equal_and_stricter_are_no_gain),
        cmocka_unit_test(test_a_new_role_is_compared_with_the_old_one),
        cmocka_unit_test(test_without_an_old_version_every_grant_is_a_gain),
        cmocka_unit_test(test_prijedor_amendment_widens_the_ngo_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
