/*
 * The session gate: every row of the request table that needs a session has
 * it checked here before anything else runs (see request.h): not ended, not
 * idle past server.session_idle_seconds, not older than
 * server.session_max_seconds, user and institution still enabled; a live
 * session is touched. The statement is session_touch (handlers_session.c).
 */
#include <stdio.h>
#include <string.h>

#include "request.h"

spona_status session_check(struct request_context *ctx)
{
    struct job *job = ctx->job;
    char idle[16], max_age[16];
    snprintf(idle, sizeof(idle), "%d", ctx->config->session_idle_seconds);
    snprintf(max_age, sizeof(max_age), "%d", ctx->config->session_max_seconds);
    const char *params[] = {job->session.session_id, idle, max_age};
    spona_status status;
    PGresult *result = request_query(ctx, "session_touch", 3, params, &status);
    if (result == NULL)
        return status;
    int alive = PQntuples(result) == 1;
    PQclear(result);
    if (!alive) {
        memset(&job->session, 0, sizeof(job->session));
        snprintf(ctx->message, sizeof(ctx->message), "session expired or unknown: log in again");
        return SPONA__V1__STATUS__UNAUTHENTICATED;
    }
    return SPONA__V1__STATUS__OK;
}
