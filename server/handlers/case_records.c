/*
 * The helpers of case_records.h that the handlers of a case's own records share
 * (assessments, plans, records, timeline, referrals, lifecycle): the lead-only
 * rule and the row lock that serialises writers of one case. Nothing here decides a category.
 */
#include "case_records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_stage.h"
#include "views.h"

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

/* "an employment outcome" etc.: why the stage is suggested. */
static const char *case_records_suggestion_reason(const char *record)
{
    if (strcmp(record, "assessment") == 0)
        return "the needs are assessed: a plan comes next";
    if (strcmp(record, "employed") == 0 || strcmp(record, "self_employed") == 0)
        return "the person works: the case's goal is reached";
    if (strcmp(record, "dropped_out") == 0)
        return "the person left the programme";
    if (strcmp(record, "in_training") == 0)
        return "a measure is under way";
    return "a measure has ended: time to review";
}

spona_status case_records_stage_suggestion(struct request_context *ctx, const char *case_id,
                                           const char *record,
                                           Spona__V1__StageSuggestion **out)
{
    *out = NULL;
    if (!ctx->subject.subject.is_lead_institution || ctx->subject.outcome_recorder)
        return SPONA__V1__STATUS__OK;
    char stage[32];
    uint64_t version;
    spona_status status = case_records_lock(ctx, case_id, stage, sizeof(stage), &version);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    int current = case_stage_from_name(stage);
    enum case_stage suggested;
    const char *close_reason;
    if (current < 0 || !case_stage_suggest((enum case_stage)current, record, &suggested,
                                           &close_reason))
        return SPONA__V1__STATUS__OK;
    Spona__V1__StageSuggestion *view = malloc(sizeof(*view));
    if (view == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__stage_suggestion__init(view);
    view->current_stage = views_strdup(stage);
    view->suggested_stage = views_strdup(case_stage_name(suggested));
    view->close_reason = views_strdup(close_reason != NULL ? close_reason : "");
    view->reason = views_strdup(case_records_suggestion_reason(record));
    view->implied_by = views_strdup(record);
    if (view->current_stage == NULL || view->suggested_stage == NULL ||
        view->close_reason == NULL || view->reason == NULL || view->implied_by == NULL) {
        spona__v1__stage_suggestion__free_unpacked(view, NULL);
        return SPONA__V1__STATUS__INTERNAL;
    }
    *out = view;
    return SPONA__V1__STATUS__OK;
}
