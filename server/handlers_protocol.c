/*
 * Placeholder until this subject's handlers land (see handlers.h).
 */
#include <stdio.h>

#include "handlers.h"

spona_status handle_protocol_import(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "protocol_import is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_protocol_show(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "protocol_show is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}
