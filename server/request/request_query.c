/*
 * Running a prepared statement (or several in one round trip) for a request, with the error turned into the
 * request's status and message, and the UUID check every id gets before it is
 * used as a parameter (see request.h).
 */
#include <stdio.h>
#include <string.h>

#include "request.h"

PGresult *request_query(struct request_context *ctx, const char *name, int count,
                        const char *const *params, spona_status *status)
{
    PGresult *result = db_exec(ctx->db, name, count, params);
    if (result == NULL) {
        snprintf(ctx->message, sizeof(ctx->message), "the database is unavailable; try again");
        *status = SPONA__V1__STATUS__UNAVAILABLE;
        return NULL;
    }
    if (!db_ok(result, name)) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        *status = SPONA__V1__STATUS__INTERNAL;
        return NULL;
    }
    *status = SPONA__V1__STATUS__OK;
    return result;
}

spona_status request_query_pair(struct request_context *ctx, const char *first,
                                const char *second, int count, const char *const *params,
                                PGresult *out[2])
{
    if (db_exec_pair(ctx->db, first, second, count, params, out) != 0) {
        snprintf(ctx->message, sizeof(ctx->message), "the database is unavailable; try again");
        return SPONA__V1__STATUS__UNAVAILABLE;
    }
    if (!db_ok(out[0], first) || !db_ok(out[1], second)) {
        PQclear(out[0]);
        PQclear(out[1]);
        out[0] = out[1] = NULL;
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }
    return SPONA__V1__STATUS__OK;
}

spona_status request_query_pipeline(struct request_context *ctx, int n,
                                    const char *const names[], const char *const sqls[],
                                    int count, const char *const *params, PGresult *out[])
{
    int sent = db_exec_pipeline(ctx->db, n, names, sqls, count, params, out);
    if (sent < 0) {
        snprintf(ctx->message, sizeof(ctx->message), "the database is unavailable; try again");
        return SPONA__V1__STATUS__UNAVAILABLE;
    }
    int ok = sent == 0;
    for (int i = 0; i < n && ok; i++)
        ok = db_ok(out[i], names[i]);
    if (!ok) {
        for (int i = 0; i < n; i++) {
            PQclear(out[i]);
            out[i] = NULL;
        }
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }
    return SPONA__V1__STATUS__OK;
}

int request_is_uuid(const char *text)
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if (strlen(text) != sizeof(shape) - 1)
        return 0;
    for (size_t i = 0; shape[i] != '\0'; i++) {
        char c = text[i];
        int hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (shape[i] == '-' ? c != '-' : !hex)
            return 0;
    }
    return 1;
}
