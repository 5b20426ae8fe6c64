/*
 * Break-glass ("emergency") access and its review. A lead-agency user not on a
 * case's team joins it for a limited time with a written reason, so that in an
 * emergency she can read the person (access.c: every person-level category but
 * a protected address; no writes); every such access is kept for the
 * coordinator, who lists them (case id, who, when, how long, the written
 * reason; no person data) and marks each reviewed. The list is open to the
 * coordinator and the lead agency; only the coordinator marks.
 *
 * The caller is by definition not on the team, so the request table gives
 * emergency_access the caller as subject (INTAKE) and this file finds the case
 * with functions that see past row-level security but answer only whether it
 * exists and whether the caller is excluded from any case of its person: both
 * answer the same NOT_FOUND.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "handlers.h"
#include "handlers_util.h"
#include "statements.h"
#include "views.h"

#define EMERGENCY_MIN_REASON 20
#define EMERGENCY_MAX_REASON 1000
#define EMERGENCY_DEFAULT_MINUTES 60
#define EMERGENCY_MAX_MINUTES 480
#define EMERGENCY_TIMESTAMP(column)                                                        \
    "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

#define REVIEW_MAX_NOTE 1000

#define REVIEW_TIMESTAMP(column)                                                           \
    "COALESCE(to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"

const struct db_statement emergency_statements[] = {
    /* the caller is by definition possibly not on the team, so RLS hides the case */
    {"emergency_case",
     "SELECT spona_case_exists($1::uuid), spona_case_person_excluded($1::uuid)"},
    /* joins for a limited time; never turns a lead or referral membership into one */
    {"emergency_join",
     "INSERT INTO case_team (case_id, municipality_id, institution_id, via, expires_at,"
     "                       emergency_user, emergency_reason)"
     " VALUES ($1::uuid, $2, $3, 'emergency', now() + make_interval(mins => $4::int), $5, $6)"
     " ON CONFLICT (case_id, institution_id) DO UPDATE SET"
     "   via = 'emergency', joined_at = now(), left_at = NULL,"
     "   expires_at = EXCLUDED.expires_at, emergency_user = EXCLUDED.emergency_user,"
     "   emergency_reason = EXCLUDED.emergency_reason"
     " WHERE case_team.via = 'emergency' OR case_team.left_at IS NOT NULL"
     " RETURNING " EMERGENCY_TIMESTAMP("expires_at")},
    /* the history the coordinator reviews */
    {"emergency_record",
     "INSERT INTO emergency_accesses (municipality_id, case_id, institution_id, user_id, reason,"
     "                                expires_at)"
     " SELECT municipality_id, case_id, institution_id, emergency_user, emergency_reason,"
     "        expires_at FROM case_team WHERE case_id = $1::uuid AND institution_id = $2"},
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

/* Characters of text without its leading and trailing white space. */
static size_t emergency_trimmed_length(const char *text)
{
    const char *start = text, *end = text + strlen(text);
    while (start < end && isspace((unsigned char)*start))
        start++;
    while (end > start && isspace((unsigned char)end[-1]))
        end--;
    size_t count = 0;
    for (const char *c = start; c < end; c++)
        if (((unsigned char)*c & 0xC0) != 0x80)
            count++;
    return count;
}

/* Checks the reason and the duration; OK with *minutes set, or INVALID_ARGUMENT. */
static spona_status emergency_check_request(struct request_context *ctx,
                                            const Spona__V1__EmergencyAccessRequest *emergency,
                                            unsigned *minutes)
{
    size_t reason_length = emergency_trimmed_length(emergency->reason);
    if (reason_length < EMERGENCY_MIN_REASON || reason_length > EMERGENCY_MAX_REASON) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "reason: break-glass access needs a written reason of %d to %d characters",
                 EMERGENCY_MIN_REASON, EMERGENCY_MAX_REASON);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    *minutes = emergency->duration_minutes != 0 ? emergency->duration_minutes
                                                : EMERGENCY_DEFAULT_MINUTES;
    if (*minutes > EMERGENCY_MAX_MINUTES) {
        snprintf(ctx->message, sizeof(ctx->message), "duration_minutes: at most %d",
                 EMERGENCY_MAX_MINUTES);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    return SPONA__V1__STATUS__OK;
}

/*
 * NOT_FOUND when the case does not exist in the municipality or the caller is
 * excluded from a case of its person (break-glass cannot override an exclusion,
 * and may not tell the one from the other); OK otherwise.
 */
static spona_status emergency_find_case(struct request_context *ctx, const char *case_id)
{
    const char *params[] = {case_id};
    spona_status status;
    PGresult *result = request_query(ctx, "emergency_case", 1, params, &status);
    if (result == NULL)
        return status;
    int exists = strcmp(PQgetvalue(result, 0, 0), "t") == 0;
    int excluded = strcmp(PQgetvalue(result, 0, 1), "t") == 0;
    PQclear(result);
    if (exists && !excluded)
        return SPONA__V1__STATUS__OK;
    if (excluded) /* audited as the exclusion gate does; answered as an unknown case */
        ctx->record.detail = "excluded from a case of the person";
    snprintf(ctx->message, sizeof(ctx->message), "no case %s that you may see", case_id);
    error_code_set(&ctx->error, "not_visible");
    error_code_param(&ctx->error, "record", "case");
    return SPONA__V1__STATUS__NOT_FOUND;
}

/* Joins the team for minutes and keeps the access for review; fills expires_at. */
static spona_status emergency_join(struct request_context *ctx,
                                   const Spona__V1__EmergencyAccessRequest *emergency,
                                   unsigned minutes, char expires_at[40])
{
    const struct job *job = ctx->job;
    char minutes_text[16];
    snprintf(minutes_text, sizeof(minutes_text), "%u", minutes);
    const char *join[] = {emergency->case_id, job->installation.municipality_id,
                          job->installation.institution_id, minutes_text, job->session.user_id,
                          emergency->reason};
    spona_status status;
    PGresult *result = request_query(ctx, "emergency_join", 6, join, &status);
    if (result == NULL)
        return status;
    int joined = PQntuples(result) == 1;
    if (joined)
        db_copy(result, 0, 0, expires_at, 40);
    PQclear(result);
    if (!joined) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "institution %s is already on the team of case %s: break-glass is not needed",
                 ctx->subject.institution_code, emergency->case_id);
        return SPONA__V1__STATUS__FAILED_PRECONDITION;
    }
    const char *history[] = {emergency->case_id, job->installation.institution_id};
    result = request_query(ctx, "emergency_record", 2, history, &status);
    PQclear(result);
    return status;
}

spona_status handle_emergency_access(struct request_context *ctx, const spona_request *request,
                                     spona_response *response)
{
    const Spona__V1__EmergencyAccessRequest *emergency = request->emergency_access;
    request_set_ids(ctx, NULL, emergency->case_id);
    /* who asks, about what, before what is asked (a refused caller learns nothing more) */
    spona_status status = handlers_require_lead_agency(ctx, ctx->policy, &ctx->subject,
                                                       "use break-glass access");
    if (status == SPONA__V1__STATUS__OK)
        status = emergency_find_case(ctx, emergency->case_id);
    unsigned minutes = 0;
    if (status == SPONA__V1__STATUS__OK)
        status = emergency_check_request(ctx, emergency, &minutes);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "break-glass for %u minutes",
             minutes);
    ctx->record.detail = ctx->audit_detail;
    char expires_at[40] = "";
    status = emergency_join(ctx, emergency, minutes, expires_at);
    struct access_case access;
    if (status == SPONA__V1__STATUS__OK)
        status = access_case_subject(ctx, emergency->case_id, NULL, &access);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    request_set_ids(ctx, access.person_id, emergency->case_id);
    ctx->record.emergency = 1;

    Spona__V1__EmergencyAccessResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__emergency_access_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_EMERGENCY_ACCESS;
    response->emergency_access = answer;
    answer->expires_at = views_strdup(expires_at);
    return answer->expires_at != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;
}

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
    int marking = review->mark_id[0] != '\0';
    ctx->record.detail = marking ? "marked reviewed" : "listed";
    if (!coordinator && strcmp(role, "lead_agency") != 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "only the coordinator and the lead agency may see the emergency accesses");
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    }
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
    spona_status status = marking ? review_mark(ctx, review) : SPONA__V1__STATUS__OK;
    if (status != SPONA__V1__STATUS__OK)
        return status;
    const char *params[] = {review->unreviewed_only ? "true" : "false"};
    PGresult *result = request_query(ctx, "review_list", 1, params, &status);
    if (result == NULL)
        return status;
    Spona__V1__EmergencyReviewResponse *answer = malloc(sizeof(*answer));
    if (answer != NULL) {
        spona__v1__emergency_review_response__init(answer);
        response->body_case = SPONA__V1__RESPONSE__BODY_EMERGENCY_REVIEW;
        response->emergency_review = answer;
        status = review_fill(result, answer);
    }
    PQclear(result);
    return answer != NULL ? status : SPONA__V1__STATUS__INTERNAL;
}
