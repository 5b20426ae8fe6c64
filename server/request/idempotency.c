/*
 * Idempotent writes (see idempotency.h). The stored response is the packed
 * protobuf, kept in request_results (sql/007) under row-level security by user.
 * The response is stored right after the write's own transaction commits; a
 * crash between the two would let one retry apply again (documented).
 */
#include "idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "log.h"
#include "statements.h"
#include "transaction.h"

const struct db_statement idempotency_statements[] = {
    {"idempotency_lookup",
     "SELECT body_case, encode(response, 'hex') FROM request_results"
     " WHERE user_id = $1 AND idempotency_key = $2::uuid"},
    {"idempotency_store",
     "INSERT INTO request_results (user_id, idempotency_key, municipality_id, body_case, response)"
     " VALUES ($1, $2::uuid, $3, $4::int, decode($5, 'hex')) ON CONFLICT DO NOTHING"
     " RETURNING 1"},
    {NULL, NULL},
};

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decodes the stored response; NULL when it cannot be read. */
static spona_response *decode_stored(const char *hex)
{
    size_t length = strlen(hex) / 2;
    uint8_t *bytes = malloc(length + 1);
    if (bytes == NULL)
        return NULL;
    for (size_t i = 0; i < length; i++) {
        int high = hex_value(hex[2 * i]), low = hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0) {
            free(bytes);
            return NULL;
        }
        bytes[i] = (uint8_t)(high << 4 | low);
    }
    spona_response *response = envelope_unpack_response(bytes, length);
    free(bytes);
    return response;
}

spona_status idempotency_lookup(struct request_context *ctx, const spona_request *request,
                                spona_response **replayed)
{
    *replayed = NULL;
    if (!request_is_uuid(request->idempotency_key)) {
        snprintf(ctx->message, sizeof(ctx->message), "idempotency_key must be a UUID");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    const char *params[] = {ctx->job->session.user_id, request->idempotency_key};
    spona_status status;
    PGresult *result = request_query(ctx, "idempotency_lookup", 2, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) == 1) {
        int body_case = atoi(PQgetvalue(result, 0, 0));
        if (body_case != (int)request->body_case) {
            snprintf(ctx->message, sizeof(ctx->message),
                     "idempotency_key %s was already used for a %s request",
                     request->idempotency_key, envelope_body_name(body_case));
            status = SPONA__V1__STATUS__CONFLICT;
        } else {
            *replayed = decode_stored(PQgetvalue(result, 0, 1));
            if (*replayed == NULL) {
                snprintf(ctx->message, sizeof(ctx->message), "internal error");
                status = SPONA__V1__STATUS__INTERNAL;
            }
        }
    }
    PQclear(result);
    return status;
}

/* The lookup in a transaction of its own (read only, rolled back). */
static spona_status idempotency_replay(struct request_context *ctx,
                                       const spona_request *request, spona_response **replayed)
{
    *replayed = NULL;
    spona_status status = request_begin(ctx);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    status = idempotency_lookup(ctx, request, replayed);
    request_rollback(ctx);
    return status;
}

/*
 * Inserts the answer under the request's key in the open transaction: 1 stored, 0 the
 * key already holds an answer (stored by a concurrent request), -1 error.
 */
static int store_in_transaction(struct request_context *ctx, const spona_request *request,
                                const spona_response *response)
{
    size_t length = protobuf_c_message_get_packed_size(&response->base);
    uint8_t *bytes = malloc(length + 1);
    char *hex = malloc(2 * length + 1);
    int stored = -1;
    if (bytes == NULL || hex == NULL)
        goto done;
    protobuf_c_message_pack(&response->base, bytes);
    for (size_t i = 0; i < length; i++)
        snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
    hex[2 * length] = '\0';
    char body_case[16];
    snprintf(body_case, sizeof(body_case), "%d", (int)request->body_case);
    const char *params[] = {ctx->job->session.user_id, request->idempotency_key,
                            ctx->job->installation.municipality_id, body_case, hex};
    spona_status status;
    PGresult *result = request_query(ctx, "idempotency_store", 5, params, &status);
    if (result != NULL) {
        stored = PQntuples(result) == 1;
        PQclear(result);
    }
done:
    free(bytes);
    free(hex);
    return stored;
}

spona_status idempotency_finish(struct request_context *ctx, const spona_request *request,
                                spona_status status, spona_response **response)
{
    if (status == SPONA__V1__STATUS__OK) {
        (*response)->status = status;
        int stored = store_in_transaction(ctx, request, *response);
        if (stored <= 0) {
            request_rollback(ctx);
            if (stored < 0) {
                snprintf(ctx->message, sizeof(ctx->message),
                         "the change could not be saved; try again");
                return SPONA__V1__STATUS__UNAVAILABLE;
            }
            /* the same key won elsewhere a moment ago: its answer, not a second effect */
            spona_response *replayed = NULL;
            status = idempotency_replay(ctx, request, &replayed);
            if (replayed == NULL)
                return status != SPONA__V1__STATUS__OK ? status : SPONA__V1__STATUS__INTERNAL;
            spona__v1__response__free_unpacked(*response, NULL);
            *response = replayed;
            log_info("request %llu: a concurrent request with the same idempotency key was "
                     "applied first; answered with its result",
                     (unsigned long long)ctx->job->request_id);
            return SPONA__V1__STATUS__OK;
        }
    }
    spona_status committed = request_commit(ctx);
    if (committed != SPONA__V1__STATUS__OK) {
        request_rollback(ctx);
        return committed;
    }
    return status;
}
