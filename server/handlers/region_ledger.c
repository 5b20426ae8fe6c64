/*
 * The audit-chain ledger at the region (see region_ledger.h).
 */
#include "region_ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statements.h"

const struct db_statement region_ledger_statements[] = {
    {"region_alarm_raise",
     "INSERT INTO region_alarms (municipality_id, kind, detail) VALUES ($1::uuid, $2, $3)"},
    {"region_head_get",
     "SELECT count, encode(head_hash, 'hex'), last_seq FROM region_audit_heads"
     " WHERE municipality_id = $1::uuid AND lane = $2 FOR UPDATE"},
    {"region_head_set",
     "INSERT INTO region_audit_heads (municipality_id, lane, count, head_hash, last_seq)"
     " VALUES ($1::uuid, $2, $3::bigint, decode($4, 'hex'), $5::bigint)"
     " ON CONFLICT (municipality_id, lane) DO UPDATE SET count = EXCLUDED.count,"
     "   head_hash = EXCLUDED.head_hash, last_seq = EXCLUDED.last_seq, reported_at = now()"},
    {NULL, NULL},
};

spona_status region_alarm(struct request_context *ctx, const char *municipality_id,
                          const char *kind, const char *detail)
{
    const char *params[] = {municipality_id, kind, detail};
    spona_status status;
    PGresult *result = request_query(ctx, "region_alarm_raise", 3, params, &status);
    if (result == NULL)
        return status;
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

static void ledger_hex(const ProtobufCBinaryData *data, char *out, size_t out_size)
{
    out[0] = '\0';
    for (size_t i = 0; i < data->len && 2 * i + 2 < out_size; i++)
        snprintf(out + 2 * i, 3, "%02x", data->data[i]);
}

/* What the region holds of a lane. */
struct ledger_head {
    uint64_t count;    /* records in the lane */
    uint64_t last_seq; /* the last record's seq (seqs increase within a lane, with gaps) */
    char hash[65];     /* its hash, hex; "" when the region holds nothing yet */
};

/*
 * Whether the lane's links extend the head held to the reported count and head: each
 * link's seq above the previous one, its prev_hash the previous link's hash (the first:
 * the head held; for a lane the region holds nothing of, taken as given: its genesis is
 * the municipality's), the count grown by the links, the last hash the reported head.
 * On success *head becomes the new head.
 */
static int ledger_extends(const Spona__V1__SyncAuditLane *lane, struct ledger_head *head,
                          char *why, size_t why_size)
{
    struct ledger_head next = *head;
    for (size_t i = 0; i < lane->n_links; i++) {
        const Spona__V1__SyncAuditLink *link = lane->links[i];
        char link_prev[65];
        ledger_hex(&link->prev_hash, link_prev, sizeof(link_prev));
        if (link->seq <= next.last_seq ||
            (next.hash[0] != '\0' && strcmp(link_prev, next.hash) != 0)) {
            snprintf(why, why_size, "lane %.64s: record %llu does not follow the head held "
                     "(record %llu)", lane->lane, (unsigned long long)link->seq,
                     (unsigned long long)next.last_seq);
            return 0;
        }
        ledger_hex(&link->hash, next.hash, sizeof(next.hash));
        next.last_seq = link->seq;
        next.count++;
    }
    char reported[65];
    ledger_hex(&lane->head_hash, reported, sizeof(reported));
    if (next.count != lane->count || (next.hash[0] != '\0' && strcmp(next.hash, reported) != 0)) {
        snprintf(why, why_size, "lane %.64s: the head reported (%llu records) is not where "
                 "the links end (%llu records)", lane->lane, (unsigned long long)lane->count,
                 (unsigned long long)next.count);
        return 0;
    }
    *head = next;
    return 1;
}

static spona_status ledger_lane(struct request_context *ctx, const char *municipality_id,
                                const Spona__V1__SyncAuditLane *lane)
{
    const char *params[] = {municipality_id, lane->lane};
    spona_status status;
    PGresult *result = request_query(ctx, "region_head_get", 2, params, &status);
    if (result == NULL)
        return status;
    struct ledger_head head = {0, 0, ""};
    int held = PQntuples(result) == 1;
    if (held) {
        head.count = strtoull(PQgetvalue(result, 0, 0), NULL, 10);
        snprintf(head.hash, sizeof(head.hash), "%s", PQgetvalue(result, 0, 1));
        head.last_seq = strtoull(PQgetvalue(result, 0, 2), NULL, 10);
    }
    PQclear(result);
    char why[256];
    if (!held && lane->n_links == 0) { /* a first report without links: taken as it comes */
        head.count = lane->count;
        ledger_hex(&lane->head_hash, head.hash, sizeof(head.hash));
    } else if (!held) { /* the first link's predecessor is the lane's genesis or older */
        head.count = lane->count - (lane->count >= lane->n_links ? lane->n_links : 0);
    }
    if ((held || lane->n_links > 0) && !ledger_extends(lane, &head, why, sizeof(why)))
        return region_alarm(ctx, municipality_id, "history_rewritten", why);
    char count[24], last_seq[24];
    snprintf(count, sizeof(count), "%llu", (unsigned long long)head.count);
    snprintf(last_seq, sizeof(last_seq), "%llu", (unsigned long long)head.last_seq);
    const char *set[] = {municipality_id, lane->lane, count, head.hash, last_seq};
    result = request_query(ctx, "region_head_set", 5, set, &status);
    if (result == NULL)
        return status;
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

spona_status region_ledger_apply(struct request_context *ctx, const char *municipality_id,
                                 const uint8_t *payload, size_t length)
{
    Spona__V1__SyncAuditHeads *heads = spona__v1__sync_audit_heads__unpack(NULL, length, payload);
    if (heads == NULL) {
        snprintf(ctx->message, sizeof(ctx->message), "the audit_heads payload does not decode");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    int malformed = 0;
    for (size_t i = 0; i < heads->n_lanes; i++) {
        const Spona__V1__SyncAuditLane *lane = heads->lanes[i];
        size_t name = strlen(lane->lane);
        malformed |= name == 0 || name > 64 || lane->head_hash.len != 32;
        for (size_t j = 0; j < lane->n_links; j++)
            malformed |= lane->links[j]->hash.len != 32 || lane->links[j]->prev_hash.len != 32;
    }
    spona_status status = SPONA__V1__STATUS__OK;
    if (malformed) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "the audit_heads payload has a lane without a name or a hash not of 32 bytes");
        status = SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    if (status == SPONA__V1__STATUS__OK && heads->local_verification_failed)
        status = region_alarm(ctx, municipality_id, "history_rewritten",
                              "the municipality's own audit verification failed");
    for (size_t i = 0; status == SPONA__V1__STATUS__OK && i < heads->n_lanes; i++)
        status = ledger_lane(ctx, municipality_id, heads->lanes[i]);
    spona__v1__sync_audit_heads__free_unpacked(heads, NULL);
    return status;
}
