/*
 * Placeholder until this subject's handlers land (see handlers.h).
 */
#include <stdio.h>

#include "handlers.h"
#include "statements.h"

const struct db_statement records_statements[] = {
    {NULL, NULL},
};

spona_status handle_conference_record(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "conference_record is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_note_add(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "note_add is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_outcome_record(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "outcome_record is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_follow_up_record(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "follow_up_record is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}
