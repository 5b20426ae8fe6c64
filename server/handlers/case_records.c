/*
 * The helpers of case_records.h that the handlers of a case's own records share
 * (assessments, plans, records, timeline, referrals, lifecycle): id checks, the
 * opening of a request on one case for handlers still running their own
 * transaction, the lead-only rule, the row lock that serialises writers of one
 * case, and the audit outcome of a refusal. Nothing here decides a category.
 */
#include "case_records.h"

#include <stdio.h>
#include <stdlib.h>

#include "handlers_util.h"
#include "request.h"
#include "transaction.h"

spona_status case_records_check_id(struct request_context *ctx, const char *name,
                                   const char *id)
{
    if (request_is_uuid(id))
        return SPONA__V1__STATUS__OK;
    snprintf(ctx->message, sizeof(ctx->message), "%s '%.40s' is not a UUID", name, id);
    return SPONA__V1__STATUS__INVALID_ARGUMENT;
}

spona_status case_records_begin(struct request_context *ctx, const char *case_id,
                                struct audit_record *record, const struct policy **policy,
                                struct access_case *access)
{
    spona_status status = request_begin(ctx);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    *policy = access_policy(ctx, &status);
    if (*policy == NULL && status != SPONA__V1__STATUS__OK)
        goto failed;
    record->protocol_version = *policy != NULL ? (*policy)->version : 0;
    status = access_case_subject(ctx, case_id, NULL, access);
    if (status == SPONA__V1__STATUS__NOT_FOUND)
        return handlers_refuse(ctx, record, "not_found", status);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    record->person_id = access->person_id;
    record->emergency = access->emergency;
    return SPONA__V1__STATUS__OK;

failed:
    request_rollback(ctx);
    return status;
}

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

const char *case_records_outcome(spona_status status)
{
    switch (status) {
    case SPONA__V1__STATUS__PERMISSION_DENIED:
        return "denied";
    case SPONA__V1__STATUS__NOT_FOUND:
        return "not_found";
    case SPONA__V1__STATUS__CONFLICT:
        return "conflict";
    default:
        return "invalid";
    }
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
