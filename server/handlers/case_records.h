/*
 * What the handlers of a case's own records share (handlers_lifecycle.c,
 * handlers_assessment.c, handlers_plan.c): the opening of a request on one
 * case (transaction, protocol in force, the caller's subject, audited
 * NOT_FOUND), the lead-only rule, and the lock that serialises writers of one
 * case. Defined in case_records.c. Nothing here decides a category:
 * decisions come from access_decide.
 */
#ifndef SPONA_CASE_RECORDS_H
#define SPONA_CASE_RECORDS_H

#include <stdint.h>

#include "access.h"
#include "audit.h"

/* INVALID_ARGUMENT "NAME 'x' is not a UUID" unless id is one; OK otherwise. */
spona_status case_records_check_id(struct request_context *ctx, const char *name,
                                   const char *id);

/*
 * Starts the request on case_id: request_begin, the protocol in force (*policy,
 * NULL when none) and the caller's subject on the case (*access); fills
 * record's protocol_version and person_id. OK with the transaction open.
 * Otherwise the transaction is over and the status is the request's answer:
 * NOT_FOUND refused and audited, other errors rolled back.
 */
spona_status case_records_begin(struct request_context *ctx, const char *case_id,
                                struct audit_record *record, const struct policy **policy,
                                struct access_case *access);

/*
 * OK when the caller's institution leads the case (and the caller is not
 * excluded from it); else PERMISSION_DENIED with ctx->message "only the case's
 * lead institution may WHAT".
 */
spona_status case_records_require_lead(struct request_context *ctx,
                                       const struct access_case *access, const char *what);

/*
 * Locks the case's row until the transaction ends, so that writers of one case
 * take turns; fills stage (at least 32 bytes) and the case's version. NOT_FOUND
 * when the row is not visible.
 */
spona_status case_records_lock(struct request_context *ctx, const char *case_id, char *stage,
                               size_t stage_size, uint64_t *version);

/* The audit outcome of a refusal: "denied", "not_found", "conflict" or "invalid". */
const char *case_records_outcome(spona_status status);

#endif
