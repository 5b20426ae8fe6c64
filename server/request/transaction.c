/*
 * Transaction control for a request (see transaction.h): begin with the acting
 * identity set for row-level security, commit, roll back. The pipeline calls
 * these around every handler; handlers never do.
 */
#include "transaction.h"

#include <stdio.h>
#include <stdlib.h>

#include "statements.h"

const struct db_statement transaction_statements[] = {
    {"request_identity",
     "SELECT set_config('spona.municipality_id', $1, true),"
     "       set_config('spona.institution_id', $2, true),"
     "       set_config('spona.user_id', $3, true),"
     /* the protocol version in force (access_policy), in the same round trip: the
        latest activated one whose date has come (docs/policy.md "Amendments") */
     "       (SELECT version FROM protocols WHERE municipality_id = $1::uuid"
     "           AND effective_date <= current_date AND activated_at IS NOT NULL"
     "         ORDER BY version DESC LIMIT 1)"},
    {NULL, NULL},
};

spona_status request_begin(struct request_context *ctx)
{
    const struct job *job = ctx->job;
    if (db_begin(ctx->db) != 0) {
        snprintf(ctx->message, sizeof(ctx->message), "the database is unavailable; try again");
        return SPONA__V1__STATUS__UNAVAILABLE;
    }
    const char *params[] = {job->installation.municipality_id, job->installation.institution_id,
                            job->session.user_id};
    spona_status status;
    PGresult *result = request_query(ctx, "request_identity", 3, params, &status);
    if (result == NULL) {
        db_rollback(ctx->db);
        return status;
    }
    ctx->version_known = PQntuples(result) == 1;
    ctx->version_in_force = ctx->version_known && !PQgetisnull(result, 0, 3)
                                ? atoi(PQgetvalue(result, 0, 3))
                                : 0;
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
