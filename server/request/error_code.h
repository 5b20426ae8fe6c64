/*
 * Stable error codes of the server's answers (docs/protocol.md, "Error codes"): a
 * code per class of refusal and up to ERROR_CODE_MAX_PARAMS named parameters, sent
 * beside the English message so that every client can say it in its user's language.
 * Codes and parameter names are literals of the server; values are what the server
 * knows (a field name, a stage, a version), never text copied from the request.
 */
#ifndef SPONA_ERROR_CODE_H
#define SPONA_ERROR_CODE_H

#include <stddef.h>

#include "envelope.h"
#include "policy.h"

#define ERROR_CODE_MAX_PARAMS 8
#define ERROR_CODE_VALUE_MAX 256 /* a list of the protocol's codes fits */

struct error_code {
    const char *code; /* a literal, e.g. "case_closed"; NULL: the status's default code */
    size_t n_params;
    struct {
        const char *name;  /* a literal, e.g. "field" */
        char value[ERROR_CODE_VALUE_MAX];
    } params[ERROR_CODE_MAX_PARAMS];
};

/* Sets the code and forgets earlier parameters. */
void error_code_set(struct error_code *error, const char *code);

/* Adds a parameter (ignored beyond ERROR_CODE_MAX_PARAMS; value cut to fit). */
void error_code_param(struct error_code *error, const char *name, const char *value);

/*
 * The code of a policy refusal on category: "consent_required" (param category, clause),
 * "not_on_team" (category, clause), "no_clause" (category, action), "excluded",
 * "protected_address", "no_protocol", "coordinator_only" (category).
 */
void error_code_decision(struct error_code *error, const struct policy_decision *decision,
                         enum policy_category category, enum policy_action action);

/*
 * For an answer whose handler set no code: the code of the message's class, when the
 * message is one of the server's own forms: "<record> was changed meanwhile: current
 * version N" (version_conflict: record, version), "no <record> ... that you may see"
 * (not_visible: record), "<field>: required..." (field_required: field), "<field>: ..."
 * (field_invalid: field), "only a lead agency may ..." (lead_agency_only), "... already has
 * an open case" (open_case_exists). Parameter values are taken from the server's lists of
 * records and fields (or digits), never copied from the message. Nothing otherwise.
 */
void error_code_classify(struct error_code *error, spona_status status, const char *message);

/* The code of a status without a more precise one: "invalid_argument", "not_found", ... */
const char *error_code_default(spona_status status);

/*
 * Puts the code (error's, or the status's default when error is NULL or has none)
 * and the parameters into a response that is not OK. 0, or -1 when out of memory
 * (the response keeps what it had; free it with spona__v1__response__free_unpacked).
 */
int error_code_fill(const struct error_code *error, spona_status status,
                    spona_response *response);

#endif
