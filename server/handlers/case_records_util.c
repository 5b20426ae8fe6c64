/*
 * Checks and decisions of the case-record handlers (see case_records_util.h),
 * so each handler file holds only what its records need.
 */
#include "case_records_util.h"

#include <ctype.h>
#include <stdio.h>

#include "audit.h"
#include "handlers_util.h"
#include "views.h"

spona_status case_records_check_text(struct request_context *ctx, const char *name,
                                     const char *text, int required, size_t max)
{
    int blank = 1;
    for (const char *c = text; *c != '\0' && blank; c++)
        blank = isspace((unsigned char)*c) != 0;
    if ((required && blank) || handlers_text_length(text) > max) {
        snprintf(ctx->message, sizeof(ctx->message), "%s: %sat most %zu characters", name,
                 required ? "required, " : "", max);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    return SPONA__V1__STATUS__OK;
}

int case_records_row_texts(const PGresult *result, int row, char **const *texts, int count)
{
    int failed = 0;
    for (int i = 0; i < count; i++) {
        *texts[i] = views_strdup(PQgetvalue(result, row, i));
        failed |= *texts[i] == NULL;
    }
    return failed ? -1 : 0;
}

spona_status case_records_decide(struct request_context *ctx, enum policy_category category,
                                 enum policy_action action)
{
    struct policy_decision decision;
    access_decide(ctx->policy, &ctx->subject, category, action, &decision);
    if (decision.allowed) {
        ctx->record.disclosed |= POLICY_BIT(category);
        audit_add_clause(&ctx->record, decision.clause_number);
        return SPONA__V1__STATUS__OK;
    }
    ctx->record.denied |= POLICY_BIT(category);
    snprintf(ctx->message, sizeof(ctx->message), "%s", decision.reason);
    error_code_decision(&ctx->error, &decision, category, action);
    return case_records_refuse(ctx, SPONA__V1__STATUS__PERMISSION_DENIED);
}

void case_records_row_disclosed(struct request_context *ctx)
{
    if (ctx->kind->category != REQUEST_NO_CATEGORY)
        ctx->record.disclosed |= POLICY_BIT(ctx->kind->category);
}

spona_status case_records_refuse(struct request_context *ctx, spona_status status)
{
    ctx->record.disclosed = 0;
    ctx->record.clause_count = 0;
    return status;
}
