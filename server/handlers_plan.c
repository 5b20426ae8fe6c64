/*
 * Placeholder until this subject's handlers land (see handlers.h).
 */
#include <stdio.h>

#include "handlers.h"
#include "statements.h"

const struct db_statement plan_statements[] = {
    {NULL, NULL},
};

spona_status handle_plan_change(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "plan_change is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_plan_get(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "plan_get is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}
