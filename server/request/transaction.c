/*
 * Transaction control for a request (see transaction.h): begin with the acting
 * identity set for row-level security, commit, roll back. The pipeline calls
 * these around every handler; handlers never do.
 */
#include "transaction.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statements.h"

/*
 * One round trip with BEGIN (db_begin_exec): the identity settings, the protocol
 * version in force (access_policy) and the session gate's touch (session_gate.c): the
 * session $4 is alive (not ended, not idle past $5 seconds, not older than $6, user and
 * institution enabled) and is marked as seen, by spona_session_touch, which acts as the
 * session's user itself: sessions are under row-level security (sql/034). A read whose
 * records go to the audit writer ($7 'off') commits without waiting for its WAL: it
 * changed nothing but the session's last_seen_at, and its answer waits for the writer's
 * commit of its records (audit_writer.h), which keeps the database's setting.
 */
const struct db_statement transaction_statements[] = {
    {"request_identity",
     "SELECT set_config('spona.municipality_id', $1, true),"
     "       set_config('spona.institution_id', $2, true),"
     "       set_config('spona.user_id', $3, true),"
     "       (SELECT version FROM protocols WHERE municipality_id = $1::uuid"
     "           AND effective_date <= current_date AND activated_at IS NOT NULL"
     "         ORDER BY version DESC LIMIT 1),"
     "       spona_session_touch($1, $2, $3, NULLIF($4, ''), $5::int, $6::int),"
     "       CASE WHEN $7 = 'off' THEN set_config('synchronous_commit', 'off', true) END"},
    {NULL, NULL},
};

spona_status request_begin(struct request_context *ctx)
{
    const struct job *job = ctx->job;
    char idle[16], max_age[16];
    snprintf(idle, sizeof(idle), "%d", ctx->config->session_idle_seconds);
    snprintf(max_age, sizeof(max_age), "%d", ctx->config->session_max_seconds);
    /* the same test as pipeline_batched: a read of a session on a worker with a writer */
    int batched = job->audit_writer != NULL &&
                  !(ctx->kind->flags & (REQUEST_WRITE | REQUEST_NO_AUDIT | REQUEST_OWN_TX)) &&
                  job->session.active && job->session.session_id[0] != '\0';
    const char *params[] = {job->installation.municipality_id,
                            job->installation.institution_id,
                            job->session.user_id,
                            job->session.session_id,
                            idle,
                            max_age,
                            batched ? "off" : ""};
    PGresult *result = db_begin_exec(ctx->db, "request_identity", 7, params);
    if (result == NULL || !db_ok(result, "request_identity") || PQntuples(result) != 1) {
        PQclear(result);
        if (ctx->db->in_transaction)
            db_rollback(ctx->db);
        snprintf(ctx->message, sizeof(ctx->message), "the database is unavailable; try again");
        return SPONA__V1__STATUS__UNAVAILABLE;
    }
    ctx->version_known = 1;
    ctx->version_in_force = PQgetisnull(result, 0, 3) ? 0 : atoi(PQgetvalue(result, 0, 3));
    ctx->session_alive = strcmp(PQgetvalue(result, 0, 4), "t") == 0;
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

spona_status request_commit(struct request_context *ctx)
{
    if (db_commit(ctx->db) != 0) {
        snprintf(ctx->message, sizeof(ctx->message), "the change could not be saved; try again");
        return SPONA__V1__STATUS__UNAVAILABLE;
    }
    return SPONA__V1__STATUS__OK;
}

void request_rollback(struct request_context *ctx)
{
    db_rollback(ctx->db);
}
