/*
 * Conflicts told in words (see conflict_explain.h). Each record's last change comes
 * from where the server keeps it: a case's latest stage change, a plan's latest
 * version, a referral's latest answer, a person's updated_by/updated_categories
 * (sql/054). Only the caller's readable categories of a person are named.
 */
#include "conflict_explain.h"

#include <stdio.h>
#include <string.h>

#include "access.h"
#include "handlers_util.h"

#define CONFLICT_AT(column) "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Each answers: institution code, username, at, change, and two more (from/to, categories). */
const struct db_statement conflict_statements[] = {
    {"conflict_case",
     "SELECT i.code, u.username, " CONFLICT_AT("s.changed_at") ","
     "       CASE WHEN s.to_stage = 'closed' THEN 'case_closed'"
     "            WHEN s.from_stage = 'closed' THEN 'case_reopened' ELSE 'stage_changed' END,"
     "       s.from_stage, s.to_stage"
     "  FROM case_stage_changes s JOIN users u ON u.id = s.changed_by"
     "  JOIN institutions i ON i.id = u.institution_id"
     " WHERE s.case_id = $1::uuid ORDER BY s.changed_at DESC LIMIT 1"},
    {"conflict_plan",
     "SELECT i.code, u.username, " CONFLICT_AT("p.created_at") ", 'plan_changed', '', ''"
     "  FROM plans p JOIN users u ON u.id = p.created_by"
     "  JOIN institutions i ON i.id = u.institution_id"
     " WHERE p.case_id = $1::uuid ORDER BY p.version DESC LIMIT 1"},
    {"conflict_referral",
     "SELECT COALESCE(i.code, t.code), COALESCE(u.username, ''),"
     "       " CONFLICT_AT("COALESCE(r.responded_at, r.created_at)") ","
     "       'referral_' || r.status, '', ''"
     "  FROM referrals r JOIN institutions t ON t.id = r.institution_id"
     "  LEFT JOIN users u ON u.id = r.answered_by"
     "  LEFT JOIN institutions i ON i.id = u.institution_id"
     " WHERE r.id = $1::uuid AND r.status <> 'sent'"},
    {"conflict_person",
     "SELECT i.code, u.username, " CONFLICT_AT("p.updated_at") ", 'person_changed',"
     "       array_to_string(p.updated_categories, ','), ''"
     "  FROM persons p JOIN users u ON u.id = p.updated_by"
     "  JOIN institutions i ON i.id = u.institution_id WHERE p.id = $1::uuid"},
    {NULL, NULL},
};

static const char *const conflict_names[] = {"person", "case", "plan", "referral"};
static const char *const conflict_statement_names[] = {"conflict_person", "conflict_case",
                                                       "conflict_plan", "conflict_referral"};

/* The categories of list (comma-separated names) that the caller may read, into out. */
static void conflict_readable(struct request_context *ctx, const char *list, char *out,
                              size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++) {
        const char *name = policy_category_name((enum policy_category)category);
        size_t length = strlen(name);
        const char *at = strstr(list, name);
        int listed = 0;
        for (; at != NULL && !listed; at = strstr(at + 1, name))
            listed = (at == list || at[-1] == ',') && (at[length] == ',' || at[length] == '\0');
        if (!listed || !ctx->has_subject)
            continue;
        struct policy_decision decision;
        access_decide(ctx->policy, &ctx->subject, (enum policy_category)category,
                      POLICY_ACTION_READ, &decision);
        if (!decision.allowed || used + length + 2 >= size)
            continue;
        used += (size_t)snprintf(out + used, size - used, "%s%s", used > 0 ? "," : "", name);
    }
}

/* Adds who, when and what from the row of the record's statement. */
static void conflict_add_change(struct request_context *ctx, enum conflict_record record,
                                const PGresult *result)
{
    char categories[64] = "";
    const char *change = PQgetvalue(result, 0, 3);
    error_code_param(&ctx->error, "by_institution", PQgetvalue(result, 0, 0));
    error_code_param(&ctx->error, "by_user", PQgetvalue(result, 0, 1));
    error_code_param(&ctx->error, "at", PQgetvalue(result, 0, 2));
    error_code_param(&ctx->error, "change", change);
    if (record == CONFLICT_CASE && strcmp(change, "stage_changed") == 0) {
        error_code_param(&ctx->error, "from", PQgetvalue(result, 0, 4));
        error_code_param(&ctx->error, "to", PQgetvalue(result, 0, 5));
    } else if (record == CONFLICT_PERSON) {
        conflict_readable(ctx, PQgetvalue(result, 0, 4), categories, sizeof(categories));
        error_code_param(&ctx->error, "categories", categories);
    }
    size_t used = strlen(ctx->message);
    snprintf(ctx->message + used, sizeof(ctx->message) - used, " (by %s%s%s at %s: %s%s%s)",
             PQgetvalue(result, 0, 1), PQgetvalue(result, 0, 1)[0] != '\0' ? " of " : "",
             PQgetvalue(result, 0, 0), PQgetvalue(result, 0, 2), change,
             categories[0] != '\0' ? " " : "", categories);
}

spona_status conflict_explain(struct request_context *ctx, enum conflict_record record,
                              const char *id, const char *version)
{
    const char *name = conflict_names[record];
    const char *params[] = {id};
    spona_status status;
    PGresult *result = request_query(ctx, conflict_statement_names[record], 1, params, &status);
    if (record == CONFLICT_REFERRAL)
        snprintf(ctx->message, sizeof(ctx->message),
                 "referral %s was changed meanwhile: current version %s", id, version);
    else
        snprintf(ctx->message, sizeof(ctx->message),
                 "%s was changed meanwhile: current version %s", name, version);
    error_code_set(&ctx->error, "version_conflict");
    error_code_param(&ctx->error, "record", name);
    error_code_param(&ctx->error, "version", version);
    if (result != NULL && PQntuples(result) == 1)
        conflict_add_change(ctx, record, result);
    PQclear(result);
    return SPONA__V1__STATUS__CONFLICT;
}
