/*
 * Placeholder until this subject's handlers land (see handlers.h).
 */
#include <stdio.h>

#include "handlers.h"

spona_status handle_consent_grant(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "consent_grant is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_consent_withdraw(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "consent_withdraw is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_consent_list(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "consent_list is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}
