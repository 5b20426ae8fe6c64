/*
 * The regional pipeline (see region_pipeline.h): role gate, transaction with
 * the session check, handler, the region's audit record, commit.
 */
#include "region_pipeline.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

const struct db_statement region_pipeline_statements[] = {
    /* BEGIN's companion: the session alive (the gate of session_gate.c) and touched, by
     * spona_session_touch acting as the session's user (sessions are under row-level
     * security, sql/region/008) */
    {"region_session_touch",
     "SELECT 1 WHERE spona_session_touch($1, $2, $3, NULLIF($4, ''), $5::int, $6::int)"},
    /* the chain (seq, at, prev_hash, hash) is the trigger's (sql/region/001) */
    {"region_audit_append",
     "INSERT INTO region_audit (user_id, institution_id, installation, session_id,"
     "                          request_id, action, object, outcome, detail)"
     " VALUES (NULLIF($1, '')::uuid, NULLIF($2, '')::uuid, $3, NULLIF($4, '')::uuid,"
     "         $5::bigint, $6, $7, $8, $9)"},
    {NULL, NULL},
};

void region_set_object(struct request_context *ctx, const char *object)
{
    snprintf(ctx->region_object, sizeof(ctx->region_object), "%s", object ? object : "");
}

/* The audit outcome of status, or NULL when it is no refusal (an error: nothing kept). */
static const char *region_outcome(spona_status status)
{
    switch (status) {
    case SPONA__V1__STATUS__OK:
        return "ok";
    case SPONA__V1__STATUS__PERMISSION_DENIED:
        return "denied";
    case SPONA__V1__STATUS__NOT_FOUND:
        return "not_found";
    case SPONA__V1__STATUS__CONFLICT:
        return "conflict";
    case SPONA__V1__STATUS__INVALID_ARGUMENT:
    case SPONA__V1__STATUS__FAILED_PRECONDITION:
        return "invalid";
    default:
        return NULL;
    }
}

/* Appends the request's record with outcome and commits. OK, or UNAVAILABLE (rolled back). */
static spona_status region_audit_commit(struct request_context *ctx, const char *outcome)
{
    const struct job *job = ctx->job;
    char request_id[24];
    snprintf(request_id, sizeof(request_id), "%llu", (unsigned long long)job->request_id);
    const char *params[] = {job->session.user_id, job->installation.institution_id,
                            job->installation.cn, job->session.session_id, request_id,
                            ctx->kind->name, ctx->region_object, outcome,
                            ctx->audit_detail};
    int committed = 0;
    PGresult *result = db_exec_commit(ctx->db, "region_audit_append", 9, params, &committed);
    int ok = result != NULL && db_ok(result, "region_audit_append") && committed;
    PQclear(result);
    if (ok)
        return SPONA__V1__STATUS__OK;
    db_rollback(ctx->db);
    snprintf(ctx->message, sizeof(ctx->message), "the database is unavailable; try again");
    return SPONA__V1__STATUS__UNAVAILABLE;
}

/* BEGIN with the session gate (a sync row: with its municipality, no session). OK
 * (transaction open), UNAUTHENTICATED or UNAVAILABLE. */
static spona_status region_begin(struct request_context *ctx)
{
    int sync = (ctx->kind->flags & REQUEST_SYNC) != 0;
    char idle[16], max_age[16];
    snprintf(idle, sizeof(idle), "%d", ctx->config->session_idle_seconds);
    snprintf(max_age, sizeof(max_age), "%d", ctx->config->session_max_seconds);
    const struct job *job = ctx->job;
    const char *params[] = {job->installation.municipality_id, job->installation.institution_id,
                            job->session.user_id, job->session.session_id, idle, max_age};
    const char *municipality[] = {ctx->job->installation.municipality_id};
    const char *name = sync ? "region_sync_begin" : "region_session_touch";
    PGresult *result = db_begin_exec(ctx->db, name, sync ? 1 : 6, sync ? municipality : params);
    if (result == NULL || !db_ok(result, name)) {
        PQclear(result);
        if (ctx->db->in_transaction)
            db_rollback(ctx->db);
        snprintf(ctx->message, sizeof(ctx->message), "the database is unavailable; try again");
        return SPONA__V1__STATUS__UNAVAILABLE;
    }
    int alive = sync || PQntuples(result) == 1;
    PQclear(result);
    if (alive)
        return SPONA__V1__STATUS__OK;
    db_rollback(ctx->db);
    return session_refused(ctx);
}

spona_status region_answer(struct request_context *ctx, spona_response *response)
{
    spona_status status = region_begin(ctx);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    int write = (ctx->kind->flags & REQUEST_WRITE) != 0;
    if (write && db_command(ctx->db, "SAVEPOINT region_handler") != 0) {
        db_rollback(ctx->db);
        snprintf(ctx->message, sizeof(ctx->message), "the database is unavailable; try again");
        return SPONA__V1__STATUS__UNAVAILABLE;
    }
    int sync = (ctx->kind->flags & REQUEST_SYNC) != 0;
    if (strcmp(ctx->job->installation.role, sync ? REGION_SYNC_ROLE : REGION_ADMIN_ROLE) != 0) {
        snprintf(ctx->message, sizeof(ctx->message), "%s",
                 sync ? "only a municipality's sync certificate may make sync requests"
                      : "only a regional administrator may make regional requests");
        snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%s",
                 sync ? "not a sync identity" : "not a regional administrator");
        status = SPONA__V1__STATUS__PERMISSION_DENIED;
    } else {
        status = ctx->kind->handler(ctx, ctx->job->request, response);
    }
    const char *outcome = region_outcome(status);
    if (outcome == NULL) { /* an error: nothing of it kept */
        db_rollback(ctx->db);
        return status;
    }
    char message[sizeof(ctx->message)];
    snprintf(message, sizeof(message), "%s", ctx->message);
    if (status != SPONA__V1__STATUS__OK && write && !sync &&
        db_command(ctx->db, "ROLLBACK TO SAVEPOINT region_handler") != 0) {
        db_rollback(ctx->db);
        snprintf(ctx->message, sizeof(ctx->message), "the database is unavailable; try again");
        return SPONA__V1__STATUS__UNAVAILABLE;
    }
    spona_status saved = region_audit_commit(ctx, outcome);
    if (saved != SPONA__V1__STATUS__OK)
        return saved;
    if (status != SPONA__V1__STATUS__OK)
        snprintf(ctx->message, sizeof(ctx->message), "%s", message);
    else
        log_info("%s by %s: %s", ctx->kind->name, ctx->job->peer, ctx->region_object);
    return status;
}
