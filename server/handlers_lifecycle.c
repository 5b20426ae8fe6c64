/*
 * Placeholder until this subject's handlers land (see handlers.h).
 */
#include <stdio.h>

#include "handlers.h"
#include "statements.h"

const struct db_statement lifecycle_statements[] = {
    {NULL, NULL},
};

spona_status handle_case_advance(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "case_advance is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_case_close(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "case_close is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_case_reopen(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "case_reopen is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}
