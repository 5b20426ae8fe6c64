/*
 * Placeholder until this subject's handlers land (see handlers.h).
 */
#include <stdio.h>

#include "handlers.h"

spona_status handle_case_open(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "case_open is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_case_get(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "case_get is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_referral_create(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "referral_create is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_referral_accept(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "referral_accept is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_emergency_access(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "emergency_access is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}
