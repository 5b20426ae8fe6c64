/*
 * Placeholder until this subject's handlers land (see handlers.h).
 */
#include <stdio.h>

#include "handlers.h"
#include "statements.h"

const struct db_statement search_statements[] = {
    {NULL, NULL},
};

spona_status handle_person_search(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "person_search is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_household_set(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "household_set is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

spona_status handle_benefit_add(struct request_context *ctx, const spona_request *request,
                        spona_response *response)
{
    snprintf(ctx->message, sizeof(ctx->message), "benefit_add is not available yet");
    return SPONA__V1__STATUS__UNAVAILABLE;
}
