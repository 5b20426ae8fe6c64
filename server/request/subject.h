/*
 * The subject a request acts on, as its row of the request table declares it:
 * the id read from the request body by the row's field name (protobuf-c
 * reflection, so no row needs code of its own), checked, and resolved to the
 * caller's policy subject (access.h) inside the request's transaction.
 */
#ifndef SPONA_SUBJECT_H
#define SPONA_SUBJECT_H

#include "request.h"

/*
 * The text of the string field `field` of the request's body, or NULL when the
 * body has no such field. Borrowed from the request.
 */
const char *subject_field_text(const spona_request *request, const char *field);

/* 1 when text has the shape of a case number, SHORT-YYYY-NNNN (docs/cases.md). */
int subject_is_case_number(const char *text);

/*
 * Copies the row's subject id into ctx->subject_id and checks that it is a UUID:
 * INVALID_ARGUMENT "case_id: not a UUID" otherwise. OK for rows without one. A case
 * number in a case_id field is looked up in the open transaction and the body's field
 * rewritten to the id it stands for (the nil UUID when unknown: NOT_FOUND follows).
 */
spona_status subject_check_id(struct request_context *ctx, const spona_request *request);

/*
 * Finds the subject in the open transaction: fills ctx->subject and
 * ctx->has_subject, and the audit record's person and case. NOT_FOUND (with the
 * message subject_not_found writes) when the caller may not see it.
 */
spona_status subject_resolve(struct request_context *ctx);

/* Writes the "no X that you may see" message for the row's subject. */
void subject_not_found(struct request_context *ctx);

#endif
