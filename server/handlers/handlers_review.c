/*
 * The coordinator's review of break-glass accesses: a list of every emergency
 * access in the municipality (case id, who, when, how long, the written
 * reason; no person data), and marking one reviewed. The list is open to the
 * coordinator and the lead agency; only the coordinator marks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "handlers.h"
#include "handlers_util.h"
#include "statements.h"
#include "views.h"
#include "transaction.h"

#define REVIEW_MAX_NOTE 1000

#define REVIEW_TIMESTAMP(column)                                                           \
    "COALESCE(to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"

const struct db_statement review_statements[] = {
    {"review_list",
     "SELECT e.id, e.case_id, i.code, u.username, e.reason, " REVIEW_TIMESTAMP("e.started_at")
     ", " REVIEW_TIMESTAMP("e.expires_at") ", " REVIEW_TIMESTAMP("e.reviewed_at")
     ", COALESCE(r.username, ''), COALESCE(e.review_note, '')"
     "  FROM emergency_accesses e JOIN institutions i ON i.id = e.institution_id"
     "  JOIN users u ON u.id = e.user_id LEFT JOIN users r ON r.id = e.reviewed_by"
     " WHERE NOT $1::boolean OR e.reviewed_at IS NULL"
     " ORDER BY e.started_at DESC LIMIT 500"},
    {"review_mark",
     "UPDATE emergency_accesses SET reviewed_at = now(), reviewed_by = $2, review_note = $3"
     " WHERE id = $1::uuid AND reviewed_at IS NULL RETURNING id"},
    {"review_exists", "SELECT reviewed_at IS NOT NULL FROM emergency_accesses WHERE id = $1::uuid"},
    {NULL, NULL},
};

/* Marks one access reviewed; OK, or a refusal status with ctx->message set. */
static spona_status review_mark(struct request_context *ctx,
                                const Spona__V1__EmergencyReviewRequest *review)
{
    spona_status status;
    const char *params[] = {review->mark_id, ctx->job->session.user_id, review->review_note};
    PGresult *result = request_query(ctx, "review_mark", 3, params, &status);
    if (result == NULL)
        return status;
    int marked = PQntuples(result) == 1;
    PQclear(result);
    if (marked)
        return SPONA__V1__STATUS__OK;
    result = request_query(ctx, "review_exists", 1, params, &status);
    if (result == NULL)
        return status;
    int exists = PQntuples(result) == 1;
    PQclear(result);
    snprintf(ctx->message, sizeof(ctx->message),
             exists ? "emergency access %s was already reviewed"
                    : "no emergency access %s in this municipality",
             review->mark_id);
    return exists ? SPONA__V1__STATUS__CONFLICT : SPONA__V1__STATUS__NOT_FOUND;
}

/* Builds the list from the review_list rows; OK or INTERNAL. */
static spona_status review_fill(const PGresult *result, Spona__V1__EmergencyReviewResponse *answer)
{
    for (int row = 0; row < PQntuples(result); row++) {
        Spona__V1__EmergencyAccessEntry *entry = malloc(sizeof(*entry));
        if (entry == NULL)
            return SPONA__V1__STATUS__INTERNAL;
        spona__v1__emergency_access_entry__init(entry);
        char **fields[] = {&entry->id,          &entry->case_id,    &entry->institution_code,
                           &entry->username,    &entry->reason,     &entry->started_at,
                           &entry->expires_at,  &entry->reviewed_at, &entry->reviewed_by,
                           &entry->review_note};
        int failed = 0;
        for (int column = 0; column < (int)(sizeof(fields) / sizeof(fields[0])); column++) {
            *fields[column] = views_strdup(PQgetvalue(result, row, column));
            failed |= *fields[column] == NULL;
        }
        if (failed || views_append((void ***)&answer->entries, &answer->n_entries, entry) != 0) {
            spona__v1__emergency_access_entry__free_unpacked(entry, NULL);
            return SPONA__V1__STATUS__INTERNAL;
        }
    }
    return SPONA__V1__STATUS__OK;
}

spona_status handle_emergency_review(struct request_context *ctx, const spona_request *request,
                                     spona_response *response)
{
    const Spona__V1__EmergencyReviewRequest *review = request->emergency_review;
    const char *role = ctx->job->installation.role;
    int coordinator = strcmp(role, "coordinator") == 0;
    if (!coordinator && strcmp(role, "lead_agency") != 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "only the coordinator and the lead agency may see the emergency accesses");
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    }
    int marking = review->mark_id[0] != '\0';
    if (marking && !coordinator) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "only the coordinator marks emergency accesses reviewed");
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    }
    if (marking && (!request_is_uuid(review->mark_id) ||
                    handlers_text_length(review->review_note) > REVIEW_MAX_NOTE)) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "mark_id must be a UUID and review_note at most %d characters", REVIEW_MAX_NOTE);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    spona_status status = request_begin(ctx);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    struct audit_record record = {.action = "emergency_review", .outcome = "ok",
                                  .detail = marking ? "marked reviewed" : "listed"};
    if (marking) {
        status = review_mark(ctx, review);
        if (status != SPONA__V1__STATUS__OK && status != SPONA__V1__STATUS__UNAVAILABLE &&
            status != SPONA__V1__STATUS__INTERNAL)
            return handlers_refuse(ctx, &record,
                                   status == SPONA__V1__STATUS__CONFLICT ? "conflict" : "not_found",
                                   status);
        if (status != SPONA__V1__STATUS__OK)
            goto failed;
    }
    const char *params[] = {review->unreviewed_only ? "true" : "false"};
    PGresult *result = request_query(ctx, "review_list", 1, params, &status);
    if (result == NULL)
        goto failed;
    Spona__V1__EmergencyReviewResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL) {
        PQclear(result);
        status = SPONA__V1__STATUS__INTERNAL;
        goto failed;
    }
    spona__v1__emergency_review_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_EMERGENCY_REVIEW;
    response->emergency_review = answer;
    status = review_fill(result, answer);
    PQclear(result);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    status = audit_append(ctx, &record);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    return request_commit(ctx);
failed:
    request_rollback(ctx);
    return status;
}
