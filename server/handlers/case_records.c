/*
 * The helpers of case_records.h that the handlers of a case's own records share
 * (assessments, plans, records, timeline, referrals, lifecycle): the lead-only
 * rule and the row lock that serialises writers of one case. Nothing here decides a category.
 */
#include "case_records.h"

#include <stdio.h>
#include <stdlib.h>

#include "request.h"

spona_status case_records_require_lead(struct request_context *ctx,
                                       const struct access_case *access, const char *what)
{
    if (access->subject.excluded)
        snprintf(ctx->message, sizeof(ctx->message),
                 "excluded from this case by the lead agency");
    else if (!access->subject.is_lead_institution)
        snprintf(ctx->message, sizeof(ctx->message),
                 "only the case's lead institution may %s", what);
    else
        return SPONA__V1__STATUS__OK;
    return SPONA__V1__STATUS__PERMISSION_DENIED;
}

spona_status case_records_lock(struct request_context *ctx, const char *case_id, char *stage,
                               size_t stage_size, uint64_t *version)
{
    const char *params[] = {case_id};
    spona_status status;
    PGresult *result = request_query(ctx, "lifecycle_lock", 1, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "no case %s that you may see", case_id);
        return SPONA__V1__STATUS__NOT_FOUND;
    }
    db_copy(result, 0, 0, stage, stage_size);
    *version = strtoull(PQgetvalue(result, 0, 1), NULL, 10);
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}
