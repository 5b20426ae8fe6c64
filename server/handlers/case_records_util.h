/*
 * What the handlers of a case's records share (assessments, plans, referral
 * answers, conferences, notes, outcomes, the timeline): text checks, row
 * copies, and one decision on a record's data category turned into a refusal
 * or an entry of the request's audit record (ctx->record). The pipeline
 * (request.h) has already begun the transaction and found the caller's subject
 * (ctx->subject); decisions come from access.h, nothing here decides by itself.
 */
#ifndef SPONA_CASE_RECORDS_UTIL_H
#define SPONA_CASE_RECORDS_UTIL_H

#include <stddef.h>

#include <libpq-fe.h>

#include "access.h"
#include "audit.h"
#include "request.h"

/* Longest free text of a record (reason, result, note, decisions), in characters. */
#define CASE_RECORDS_MAX_TEXT 4000

/* A timestamptz column as ISO 8601 UTC text in SQL. */
#define CASE_RECORDS_TIMESTAMP(column)                                                     \
    "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* A date column as YYYY-MM-DD, '' when NULL. */
#define CASE_RECORDS_DATE(column) "COALESCE(to_char(" column ", 'YYYY-MM-DD'), '')"

/*
 * OK when text has at most max characters and, when required, is not blank;
 * else INVALID_ARGUMENT with ctx->message naming name.
 */
spona_status case_records_check_text(struct request_context *ctx, const char *name,
                                     const char *text, int required, size_t max);

/*
 * Copies count text columns of one result row, from column 0 on, into the
 * string fields *texts[i] (heap copies for protobuf-c to free). Returns 0, or
 * -1 when out of memory (fields copied so far stay set, for the message's free).
 */
int case_records_row_texts(const PGresult *result, int row, char **const *texts, int count);

/*
 * Decides action on category for the caller (ctx->policy, ctx->subject).
 * Allowed: adds the category (disclosed or written) and the clause to
 * ctx->record and returns OK. Refused: ctx->record's denied gets the category,
 * nothing stays disclosed, and PERMISSION_DENIED returns with the decision's
 * reason (the pipeline audits the refusal).
 */
spona_status case_records_decide(struct request_context *ctx, enum policy_category category,
                                 enum policy_action action);

/* The row's declared category, which the pipeline allowed: adds it to ctx->record as
 * disclosed (read) or written. */
void case_records_row_disclosed(struct request_context *ctx);

/*
 * A refusal after the handler had already noted categories in ctx->record:
 * nothing was disclosed. Returns status, for `return case_records_refuse(...)`.
 */
spona_status case_records_refuse(struct request_context *ctx, spona_status status);

#endif
