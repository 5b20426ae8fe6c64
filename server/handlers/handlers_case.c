/*
 * Cases: a lead agency opens a case for a person and leads it; case_get
 * answers with the case, the team members the caller may know of and the
 * person as person_get does. Who is on the team is what row-level security and
 * the policy subject (access.c) read; referrals (handlers_referral.c) and
 * break-glass access (handlers_emergency.c) change it. Runs on the request
 * pipeline: the subject, the exclusion gate and the audit are done around it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "audit.h"
#include "handlers.h"
#include "handlers_case.h"
#include "handlers_util.h"
#include "handlers_person.h"
#include "statements.h"
#include "views.h"

#define CASE_MAX_REASON 500

#define CASE_TIMESTAMP(column)                                                             \
    "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

const struct db_statement case_statements[] = {
    {"case_insert",
     "INSERT INTO cases (municipality_id, person_id, lead_institution_id, lead_user_id, reason,"
     "                   opened_at)"
     " VALUES ($1, $2::uuid, $3, $4, $5, COALESCE(NULLIF($6, '')::date::timestamptz, now()))"
     " RETURNING id, number, version"},
    {"case_open_existing",
     "SELECT id FROM cases WHERE person_id = $1::uuid AND closed_at IS NULL"
     " ORDER BY opened_at LIMIT 1"},
    {"case_team_lead",
     "INSERT INTO case_team (case_id, municipality_id, institution_id, via)"
     " VALUES ($1::uuid, $2, $3, 'lead')"},
    {"case_view",
     "SELECT c.id, c.person_id, c.stage, i.code, " CASE_TIMESTAMP("c.opened_at") ", c.version, c.number"
     "  FROM cases c JOIN institutions i ON i.id = c.lead_institution_id WHERE c.id = $1::uuid"},
    /* the current team, with each member's role in the protocol version $2 */
    {"case_team_list",
     "SELECT i.code,"
     "       COALESCE((SELECT s.role FROM protocol_signatories s"
     "                   JOIN protocols pr ON pr.id = s.protocol_id"
     "                  WHERE s.institution_id = t.institution_id"
     "                    AND pr.municipality_id = t.municipality_id"
     "                    AND pr.version = $2::int), ''),"
     "       t.via, " CASE_TIMESTAMP("t.joined_at")
     "  FROM case_team t JOIN institutions i ON i.id = t.institution_id"
     " WHERE t.case_id = $1::uuid AND t.left_at IS NULL"
     "   AND (t.expires_at IS NULL OR t.expires_at > now())"
     " ORDER BY t.joined_at, i.code"},
    {NULL, NULL},
};

/* INVALID_ARGUMENT unless opened_on is empty or a date not in the future. */
static spona_status case_check_opened_on(struct request_context *ctx, const char *opened_on)
{
    if (opened_on[0] == '\0')
        return SPONA__V1__STATUS__OK;
    char today[16];
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    strftime(today, sizeof(today), "%Y-%m-%d", &utc);
    if (handlers_check_date("opened_on", opened_on, ctx->message, sizeof(ctx->message)) != 0)
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    if (strcmp(opened_on, today) > 0) {
        snprintf(ctx->message, sizeof(ctx->message), "opened_on %s is in the future", opened_on);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    return SPONA__V1__STATUS__OK;
}

/* CONFLICT naming the person's open case when she has one; OK when not. */
static spona_status case_check_none_open(struct request_context *ctx, const char *person_id)
{
    const char *params[] = {person_id};
    spona_status status;
    PGresult *result = request_query(ctx, "case_open_existing", 1, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) == 1) {
        snprintf(ctx->message, sizeof(ctx->message), "person %s already has an open case: %s",
                 person_id, PQgetvalue(result, 0, 0));
        error_code_set(&ctx->error, "open_case_exists");
        status = SPONA__V1__STATUS__CONFLICT;
    }
    PQclear(result);
    return status;
}

/* Inserts the case with the caller's institution as its lead and first team member. */
static spona_status case_insert(struct request_context *ctx,
                                const Spona__V1__CaseOpenRequest *open, char case_id[UUID_TEXT],
                                char number[64], uint64_t *version)
{
    const struct job *job = ctx->job;
    const char *insert[] = {job->installation.municipality_id, open->person_id,
                            job->installation.institution_id, job->session.user_id,
                            open->reason, open->opened_on};
    spona_status status;
    PGresult *result = request_query(ctx, "case_insert", 6, insert, &status);
    if (result == NULL)
        return status;
    db_copy(result, 0, 0, case_id, UUID_TEXT);
    db_copy(result, 0, 1, number, 64);
    *version = strtoull(PQgetvalue(result, 0, 2), NULL, 10);
    PQclear(result);
    const char *team[] = {case_id, job->installation.municipality_id,
                          job->installation.institution_id};
    result = request_query(ctx, "case_team_lead", 3, team, &status);
    PQclear(result);
    return status;
}

spona_status handle_case_open(struct request_context *ctx, const spona_request *request,
                              spona_response *response)
{
    const Spona__V1__CaseOpenRequest *open = request->case_open;
    if (handlers_text_length(open->reason) > CASE_MAX_REASON) {
        snprintf(ctx->message, sizeof(ctx->message), "reason: at most %d characters",
                 CASE_MAX_REASON);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    spona_status status = case_check_opened_on(ctx, open->opened_on);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    status = handlers_require_lead_agency(ctx, ctx->policy, &ctx->subject, "open a case");
    if (status == SPONA__V1__STATUS__OK)
        status = case_check_none_open(ctx, open->person_id);
    char case_id[UUID_TEXT] = "", number[64] = "";
    uint64_t version = 0;
    if (status == SPONA__V1__STATUS__OK)
        status = case_insert(ctx, open, case_id, number, &version);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    request_set_ids(ctx, open->person_id, case_id);

    Spona__V1__CaseOpenResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__case_open_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_CASE_OPEN;
    response->case_open = answer;
    answer->case_id = views_strdup(case_id);
    answer->number = views_strdup(number);
    answer->version = version;
    return answer->case_id != NULL && answer->number != NULL ? SPONA__V1__STATUS__OK
                                                             : SPONA__V1__STATUS__INTERNAL;
}

/*
 * Whether the caller may know of a team member (docs/cases.md, "Who sees the
 * team"): the lead and the caller itself always; a member that joined by
 * referral tells which service the person gets (plan_measures), one that joined
 * by break-glass that she was in an emergency (safety). record gets the clause
 * or the denial of that category.
 */
static int case_team_member_visible(const struct policy *policy,
                                    const struct access_case *access, const char *code,
                                    const char *via, struct audit_record *record)
{
    if (strcmp(via, "lead") == 0 || strcmp(code, access->institution_code) == 0)
        return 1;
    enum policy_category category = strcmp(via, "emergency") == 0
                                         ? POLICY_CATEGORY_SAFETY
                                         : POLICY_CATEGORY_PLAN_MEASURES;
    struct policy_decision decision;
    access_decide(policy, access, category, POLICY_ACTION_READ, &decision);
    if (!decision.allowed) {
        record->denied |= POLICY_BIT(category);
        return 0;
    }
    record->disclosed |= POLICY_BIT(category);
    audit_add_clause(record, decision.clause_number);
    return 1;
}

/* Appends one case_team_list row to view; INTERNAL when out of memory. */
static spona_status case_team_append(const PGresult *result, int row, Spona__V1__CaseView *view)
{
    Spona__V1__TeamMember *member = malloc(sizeof(*member));
    if (member == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__team_member__init(member);
    member->institution_code = views_strdup(PQgetvalue(result, row, 0));
    member->role = views_strdup(PQgetvalue(result, row, 1));
    member->via = views_strdup(PQgetvalue(result, row, 2));
    member->since = views_strdup(PQgetvalue(result, row, 3));
    if (member->institution_code == NULL || member->role == NULL || member->via == NULL ||
        member->since == NULL || views_append((void ***)&view->team, &view->n_team, member) != 0) {
        spona__v1__team_member__free_unpacked(member, NULL);
        return SPONA__V1__STATUS__INTERNAL;
    }
    return SPONA__V1__STATUS__OK;
}

/* Adds the members of the case's current team that the caller may know of to view. */
static spona_status case_team_load(struct request_context *ctx, const struct policy *policy,
                                   const struct access_case *access, Spona__V1__CaseView *view,
                                   struct audit_record *record)
{
    char version[16];
    snprintf(version, sizeof(version), "%d", policy != NULL ? policy->version : 0);
    const char *params[] = {access->case_id, version};
    spona_status status;
    PGresult *result = request_query(ctx, "case_team_list", 2, params, &status);
    if (result == NULL)
        return status;
    for (int row = 0; row < PQntuples(result) && status == SPONA__V1__STATUS__OK; row++)
        if (case_team_member_visible(policy, access, PQgetvalue(result, row, 0),
                                     PQgetvalue(result, row, 2), record))
            status = case_team_append(result, row, view);
    PQclear(result);
    return status;
}

spona_status case_view_load(struct request_context *ctx, const struct policy *policy,
                            const struct access_case *access, Spona__V1__CaseView **out,
                            struct audit_record *record)
{
    *out = NULL;
    const char *params[] = {access->case_id};
    spona_status status;
    PGresult *result = request_query(ctx, "case_view", 1, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "no case %s that you may see",
                 access->case_id);
        error_code_set(&ctx->error, "not_visible");
        error_code_param(&ctx->error, "record", "case");
        return SPONA__V1__STATUS__NOT_FOUND;
    }
    Spona__V1__CaseView *view = malloc(sizeof(*view));
    if (view == NULL) {
        PQclear(result);
        return SPONA__V1__STATUS__INTERNAL;
    }
    spona__v1__case_view__init(view);
    char **texts[] = {&view->case_id, &view->person_id, &view->stage,
                      &view->lead_institution_code, &view->opened_at};
    int failed = 0;
    for (int column = 0; column < (int)(sizeof(texts) / sizeof(texts[0])); column++) {
        *texts[column] = views_strdup(PQgetvalue(result, 0, column));
        failed |= *texts[column] == NULL;
    }
    view->version = strtoull(PQgetvalue(result, 0, 5), NULL, 10);
    view->number = views_strdup(PQgetvalue(result, 0, 6));
    failed |= view->number == NULL;
    PQclear(result);
    status = failed ? SPONA__V1__STATUS__INTERNAL
                    : case_team_load(ctx, policy, access, view, record);
    if (status == SPONA__V1__STATUS__OK)
        status = person_view_load(ctx, policy, access, &view->person, record);
    if (status != SPONA__V1__STATUS__OK) {
        spona__v1__case_view__free_unpacked(view, NULL);
        return status;
    }
    *out = view;
    return SPONA__V1__STATUS__OK;
}

spona_status handle_case_get(struct request_context *ctx, const spona_request *request,
                             spona_response *response)
{
    (void)request;
    Spona__V1__CaseView *view = NULL;
    spona_status status = case_view_load(ctx, ctx->policy, &ctx->subject, &view, &ctx->record);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_CASE_GET;
    response->case_get = view;
    return SPONA__V1__STATUS__OK;
}
