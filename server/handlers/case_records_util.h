/*
 * What the handlers of referral answers, conferences, notes, outcomes and the
 * timeline share on top of case_records.h (which opens a request on a case):
 * text checks, one decision on a record's data category turned into an audited
 * refusal or an audit entry, and the audited commit of a built answer. Decisions come from
 * access.h; nothing here decides by itself.
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
 * Decides action on category for access. Allowed: adds the category and the
 * clause to record and returns OK. Refused: audits the refusal (record's
 * denied gets the category) and returns PERMISSION_DENIED with the decision's
 * reason, the transaction ended.
 */
spona_status case_records_require(struct request_context *ctx, const struct policy *policy,
                                  const struct access_case *access,
                                  enum policy_category category, enum policy_action action,
                                  struct audit_record *record);

#endif
