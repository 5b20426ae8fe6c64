/*
 * Running a prepared statement for a request, with the error turned into the
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
