/*
 * Placeholder until this subject's handlers land (see handlers.h).
 */
#include <stdio.h>

#include "handlers.h"

spona_status handle_explain(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "explain is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_audit_verify(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "audit_verify is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_disclosures(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "disclosures is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}
