/*
 * Reading a protocol document (YAML, docs/policy.md) into a struct policy:
 * parsing, validation against the registered institutions, errors by line.
 * Defined in policy_parse.c; deciding with the result is policy.h's.
 */
#ifndef SPONA_POLICY_PARSE_H
#define SPONA_POLICY_PARSE_H

#include <stddef.h>

#include "policy.h"

/*
 * Which institution codes exist (they live in the database). Either a lookup
 * callback — returns 1 when the institution is registered in the municipality, 0
 * when not — or, when lookup is NULL, a list of count codes. The parser calls the
 * callback once per signatory, from the calling thread.
 */
struct policy_known_institutions {
    int (*lookup)(void *context, const char *municipality, const char *institution);
    void *context;
    const char *const *codes;
    size_t count;
};

/*
 * Parses and validates a policy document. known may be NULL only for a document
 * that was validated on import (e.g. a stored version re-read for printing):
 * institutions are then not checked. Returns 0 with *out filled (caller calls
 * policy_free), or -1 with *out empty and err holding up to POLICY_MAX_ERRORS
 * lines "NAME:LINE: message" in line order (truncated to err_size). name is the
 * file name used in messages.
 */
int policy_parse_string(const char *text, size_t length, const char *name,
                        const struct policy_known_institutions *known, struct policy *out,
                        char *err, size_t err_size);

/* Same, reading the file at path (at most POLICY_MAX_FILE_BYTES); messages name path. */
int policy_parse_file(const char *path, const struct policy_known_institutions *known,
                      struct policy *out, char *err, size_t err_size);

#endif
