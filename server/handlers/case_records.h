/*
 * What the handlers of a case's own records share (handlers_lifecycle.c,
 * handlers_assessment.c, handlers_plan.c, ...): the lead-only rule and the
 * lock that serialises writers of one case (the pipeline opens the request on
 * the case before any of them runs). Defined in case_records.c. Nothing here decides a category:
 * decisions come from access_decide.
 */
#ifndef SPONA_CASE_RECORDS_H
#define SPONA_CASE_RECORDS_H

#include <stdint.h>

#include "access.h"
#include "audit.h"

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

/*
 * The stage suggestion for a record just written on case_id (case_stage_suggest),
 * to the case's lead only: *out NULL when nothing is suggested or the caller does
 * not lead (caller frees). record: "assessment" or an outcome kind.
 */
spona_status case_records_stage_suggestion(struct request_context *ctx, const char *case_id,
                                           const char *record,
                                           Spona__V1__StageSuggestion **out);

#endif
