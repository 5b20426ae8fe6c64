/*
 * Placeholder until this subject's handlers land (see handlers.h).
 */
#include <stdio.h>

#include "handlers.h"
#include "statements.h"

const struct db_statement referral_statements[] = {
    {NULL, NULL},
};

spona_status handle_referral_decline(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "referral_decline is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_referral_complete(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "referral_complete is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_inbox(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "inbox is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_overdue(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "overdue is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}
