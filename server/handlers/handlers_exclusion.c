/*
 * Exclusions: the lead of a case shuts a named user, or a whole partner
 * institution, out of that case. Row-level security (spona_case_visible) and
 * the policy subject (access.c) both honour it from the next request on, and
 * the request pipeline's exclusion gate then answers the excluded caller
 * NOT_FOUND for anything about the person (this request included).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "handlers.h"
#include "statements.h"
#include "views.h"

#define MAX_REASON 500

const struct db_statement exclusion_statements[] = {
    {"exclusion_target",
     "SELECT i.id, u.id FROM institutions i"
     "  LEFT JOIN users u ON u.institution_id = i.id AND u.username = NULLIF($3, '')"
     " WHERE i.code = $1 AND i.municipality_id = $2"},
    {"exclusion_insert",
     "INSERT INTO case_exclusions (case_id, municipality_id, institution_id, user_id, reason,"
     "                             created_by)"
     " VALUES ($1, $2, CASE WHEN $4 = '' THEN $3::uuid END, NULLIF($4, '')::uuid, $5, $6)"
     " RETURNING id"},
    {NULL, NULL},
};

/* Checks the request and resolves the target; returns OK with ids filled. */
static spona_status exclusion_target(struct request_context *ctx,
                                     const Spona__V1__CaseExcludeRequest *exclude,
                                     char institution_id[UUID_TEXT], char user_id[UUID_TEXT])
{
    const char *params[] = {exclude->institution_code, ctx->job->installation.municipality_id,
                            exclude->username};
    spona_status status;
    PGresult *result = request_query(ctx, "exclusion_target", 3, params, &status);
    if (result == NULL)
        return status;
    int found = PQntuples(result) == 1;
    int user_found = found && !PQgetisnull(result, 0, 1);
    if (found) {
        db_copy(result, 0, 0, institution_id, UUID_TEXT);
        db_copy(result, 0, 1, user_id, UUID_TEXT);
    }
    PQclear(result);
    if (!found) {
        snprintf(ctx->message, sizeof(ctx->message), "institution_code: no such institution in this municipality");
        error_code_set(&ctx->error, "institution_unknown");
        return SPONA__V1__STATUS__NOT_FOUND;
    }
    if (exclude->username[0] != '\0' && !user_found) {
        snprintf(ctx->message, sizeof(ctx->message), "username: no such user of that institution");
        return SPONA__V1__STATUS__NOT_FOUND;
    }
    return SPONA__V1__STATUS__OK;
}

/* INVALID_ARGUMENT unless the request names an institution and gives a reason. */
static spona_status exclusion_check(struct request_context *ctx,
                                    const Spona__V1__CaseExcludeRequest *exclude)
{
    size_t reason_length = strlen(exclude->reason);
    if (reason_length > 0 && reason_length <= MAX_REASON && exclude->institution_code[0] != '\0')
        return SPONA__V1__STATUS__OK;
    snprintf(ctx->message, sizeof(ctx->message),
             "an exclusion needs an institution code and a reason of 1 to %d bytes", MAX_REASON);
    return SPONA__V1__STATUS__INVALID_ARGUMENT;
}

spona_status handle_case_exclude(struct request_context *ctx, const spona_request *request,
                                 spona_response *response)
{
    const Spona__V1__CaseExcludeRequest *exclude = request->case_exclude;
    spona_status status = exclusion_check(ctx, exclude);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    const struct access_case *access = &ctx->subject;
    if (!access->subject.is_lead_institution || access->subject.excluded) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "only the case's lead agency may exclude anyone from it");
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    }
    char institution_id[UUID_TEXT] = "", user_id[UUID_TEXT] = "", exclusion_id[UUID_TEXT] = "";
    status = exclusion_target(ctx, exclude, institution_id, user_id);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    if (strcmp(institution_id, access->lead_institution_id) == 0 && user_id[0] == '\0') {
        snprintf(ctx->message, sizeof(ctx->message),
                 "the lead agency cannot exclude itself; exclude a named user instead");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    const char *params[] = {exclude->case_id, ctx->job->installation.municipality_id,
                            institution_id,   user_id,
                            exclude->reason,  ctx->job->session.user_id};
    PGresult *result = request_query(ctx, "exclusion_insert", 6, params, &status);
    if (result == NULL)
        return status;
    db_copy(result, 0, 0, exclusion_id, sizeof(exclusion_id));
    PQclear(result);
    ctx->record.detail = user_id[0] != '\0' ? "user excluded" : "institution excluded";

    Spona__V1__CaseExcludeResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__case_exclude_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_CASE_EXCLUDE;
    response->case_exclude = answer;
    answer->exclusion_id = views_strdup(exclusion_id);
    return answer->exclusion_id != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;
}
