/*
 * Fuzzer: a protocol document (YAML, docs/policy.md) through the parser the
 * server runs on protocol_import (policy_parse_string, server/policy/
 * policy_parse.c). Every institution is taken as registered, so the parser
 * goes on past the signatories; a document that parses is also rendered as
 * the text to print and sign (policy_render_text), asked every decision
 * (policy_decide: an excluded caller is never allowed, a reason is terminated
 * text) and compared with itself (policy_diff: a version widens nothing over
 * itself). An error list must be a terminated string within its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "policy_diff.h"
#include "policy_parse.h"

static int any_institution(void *context, const char *municipality, const char *institution)
{
    (void)context;
    FUZZ_ASSERT(municipality != NULL && institution != NULL);
    return 1;
}

/* Every role, category and action, for a subject shaped by flags. */
static void check_decisions(const struct policy *policy, unsigned flags)
{
    for (int role = 0; role < POLICY_ROLE_COUNT; role++) {
        struct policy_subject subject = {
            .role = (enum policy_role)role,
            .on_team = flags & 1,
            .is_lead_institution = (flags >> 1) & 1,
            .excluded = (flags >> 2) & 1,
            .consented_categories = (flags & 8) ? POLICY_ALL_CATEGORIES : 0,
            .person_has_safety_flag = (flags >> 4) & 1,
        };
        for (int category = 0; category < POLICY_CATEGORY_COUNT; category++)
            for (int action = 0; action < POLICY_ACTION_COUNT; action++) {
                struct policy_decision decision;
                policy_decide(policy, &subject, (enum policy_category)category,
                              (enum policy_action)action, (flags >> 5) & 1, &decision);
                FUZZ_ASSERT(decision.allowed == 0 || decision.allowed == 1);
                FUZZ_ASSERT(!(subject.excluded && decision.allowed));
                FUZZ_ASSERT(memchr(decision.reason, 0, sizeof(decision.reason)) != NULL);
                FUZZ_ASSERT(decode_valid_text((const uint8_t *)decision.reason,
                                              strlen(decision.reason)));
            }
    }
}

/* A version compared with itself gains nothing; compared with none, it may. */
static void check_diff(const struct policy *policy)
{
    struct policy_diff diff;
    FUZZ_ASSERT(policy_diff(policy, policy, &diff) == 0);
    FUZZ_ASSERT(diff.gain_count == 0);
    policy_diff_free(&diff);
    FUZZ_ASSERT(policy_diff(NULL, policy, &diff) == 0);
    char reason[512];
    for (size_t i = 0; i < policy->signatory_count; i++)
        policy_diff_reason(&diff, policy, policy->signatories[i].institution, reason,
                           sizeof(reason));
    policy_diff_free(&diff);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact copy, so a read past the end is caught (the parser takes a length) */
    char *text = malloc(size + 1);
    FUZZ_ASSERT(text != NULL);
    memcpy(text, data, size);
    struct policy_known_institutions known = {.lookup = any_institution};
    struct policy policy;
    char err[2048];
    memset(err, 'x', sizeof(err));
    if (policy_parse_string(text, size, "fuzz.yaml", &known, &policy, err, sizeof(err)) == 0) {
        char *rendered = NULL;
        FUZZ_ASSERT(policy_render_text(&policy, &rendered) == 0 && rendered != NULL);
        free(rendered);
        check_decisions(&policy, size > 0 ? data[size - 1] : 0);
        check_diff(&policy);
        policy_free(&policy);
    } else {
        FUZZ_ASSERT(memchr(err, 0, sizeof(err)) != NULL);
    }
    free(text);
    return 0;
}
