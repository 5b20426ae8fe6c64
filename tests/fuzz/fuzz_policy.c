/*
 * Fuzzer: a protocol document (YAML, docs/policy.md) through the parser the
 * server runs on protocol_import (policy_parse_string, server/policy/
 * policy_parse.c). Every institution is taken as registered, so the parser
 * goes on past the signatories; a document that parses is also rendered as
 * the text to print and sign (policy_render_text). An error list must be a
 * terminated string within its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "policy_parse.h"

static int any_institution(void *context, const char *municipality, const char *institution)
{
    (void)context;
    FUZZ_ASSERT(municipality != NULL && institution != NULL);
    return 1;
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
        policy_free(&policy);
    } else {
        FUZZ_ASSERT(memchr(err, 0, sizeof(err)) != NULL);
    }
    free(text);
    return 0;
}
