/*
 * Placeholder until this subject's handlers land (see handlers.h).
 */
#include <stdio.h>

#include "handlers.h"

spona_status handle_person_create(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "person_create is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_person_get(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "person_get is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_person_update(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "person_update is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}
