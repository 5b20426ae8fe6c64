/*
 * Placeholder until this subject's handlers land (see handlers.h).
 */
#include <stdio.h>

#include "handlers.h"
#include "statements.h"

const struct db_statement timeline_statements[] = {
    {NULL, NULL},
};

spona_status handle_timeline(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "timeline is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}
