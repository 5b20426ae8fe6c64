/*
 * The session gate: every row of the request table that needs a session has
 * it checked here before anything else runs (see request.h): not ended, not
 * idle past server.session_idle_seconds, not older than
 * server.session_max_seconds, user and institution still enabled; a live
 * session is touched. The statements are session_touch and session_end_reason
 * (handlers_session.c), which act as the session's user under the sessions'
 * row-level security (sql/034). A session that was ended (password changed, user or
 * institution disabled, an administrator, the session cap: sql/024) is refused
 * with the reason, so the user knows why to log in again.
 */
#include <stdio.h>
#include <string.h>

#include "request.h"

/* Refuses the job's session that is no longer alive, saying why; UNAUTHENTICATED or an error. */
static spona_status session_refuse(struct request_context *ctx)
{
    const struct job *job = ctx->job;
    const char *params[] = {job->installation.municipality_id, job->installation.institution_id,
                            job->session.user_id, job->session.session_id};
    spona_status status;
    PGresult *result = request_query(ctx, "session_end_reason", 4, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) == 1 && !PQgetisnull(result, 0, 0))
        snprintf(ctx->message, sizeof(ctx->message), "your session was ended: %.200s; log in again",
                 PQgetvalue(result, 0, 0));
    else
        snprintf(ctx->message, sizeof(ctx->message), "session expired or unknown: log in again");
    error_code_set(&ctx->error, "session_expired");
    PQclear(result);
    return SPONA__V1__STATUS__UNAUTHENTICATED;
}

spona_status session_check(struct request_context *ctx)
{
    struct job *job = ctx->job;
    char idle[16], max_age[16];
    snprintf(idle, sizeof(idle), "%d", ctx->config->session_idle_seconds);
    snprintf(max_age, sizeof(max_age), "%d", ctx->config->session_max_seconds);
    const char *params[] = {job->installation.municipality_id, job->installation.institution_id,
                            job->session.user_id, job->session.session_id, idle, max_age};
    spona_status status;
    PGresult *result = request_query(ctx, "session_touch", 6, params, &status);
    if (result == NULL)
        return status;
    int alive = PQntuples(result) == 1;
    PQclear(result);
    if (alive)
        return SPONA__V1__STATUS__OK;
    return session_refused(ctx);
}

spona_status session_refused(struct request_context *ctx)
{
    spona_status status = session_refuse(ctx);
    memset(&ctx->job->session, 0, sizeof(ctx->job->session));
    return status;
}
