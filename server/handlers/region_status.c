/*
 * The sync status at the region (see region_status.h).
 */
#include "region_status.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statements.h"

const struct db_statement region_status_statements[] = {
    {"region_status_store",
     "INSERT INTO region_sync_runs (municipality_id, seq, started_at, finished_at, exit_code,"
     "   attempts, sent, received, applied, already_applied, rejected, streams)"
     " VALUES ($1::uuid, $2::bigint, to_timestamp($3::bigint), to_timestamp($4::bigint),"
     "   $5::int, $6::int, $7::bigint, $8::bigint, $9::bigint, $10::bigint, $11::bigint, $12)"},
    {NULL, NULL},
};

/* "stream direction sent/received/applied/already/rejected; ..." into out. */
static void status_streams(const Spona__V1__SyncStatus *status, uint64_t totals[5], char *out,
                           size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < status->n_streams; i++) {
        const Spona__V1__SyncStreamCounts *c = status->streams[i];
        totals[0] += c->sent;
        totals[1] += c->received;
        totals[2] += c->applied;
        totals[3] += c->already_applied;
        totals[4] += c->rejected;
        int n = snprintf(out + used, out_size - used,
                         "%s%.40s %.4s %" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64,
                         i > 0 ? "; " : "", c->stream, c->direction, c->sent, c->received,
                         c->applied, c->already_applied, c->rejected);
        if (n < 0 || (size_t)n >= out_size - used)
            break;
        used += (size_t)n;
    }
}

spona_status region_status_apply(struct request_context *ctx, const char *municipality_id,
                                 const char *seq, const uint8_t *payload, size_t length)
{
    Spona__V1__SyncStatus *status = spona__v1__sync_status__unpack(NULL, length, payload);
    if (status == NULL || status->n_streams > 64) {
        spona__v1__sync_status__free_unpacked(status, NULL);
        snprintf(ctx->message, sizeof(ctx->message), "the sync_status payload does not decode");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    uint64_t totals[5] = {0, 0, 0, 0, 0};
    char streams[4096], numbers[8][24];
    status_streams(status, totals, streams, sizeof(streams));
    snprintf(numbers[0], sizeof(numbers[0]), "%" PRId64, status->started_at);
    snprintf(numbers[1], sizeof(numbers[1]), "%" PRId64, status->finished_at);
    snprintf(numbers[2], sizeof(numbers[2]), "%" PRIu32, status->exit_code);
    for (int i = 0; i < 5; i++)
        snprintf(numbers[3 + i], sizeof(numbers[0]), "%" PRIu64, totals[i]);
    char attempts[16];
    snprintf(attempts, sizeof(attempts), "%" PRIu32, status->attempts);
    spona__v1__sync_status__free_unpacked(status, NULL);
    const char *params[] = {municipality_id, seq, numbers[0], numbers[1], numbers[2], attempts,
                            numbers[3], numbers[4], numbers[5], numbers[6], numbers[7], streams};
    spona_status outcome;
    PGresult *result = request_query(ctx, "region_status_store", 12, params, &outcome);
    if (result == NULL)
        return outcome;
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}
