/*
 * The `audit_heads` stream (see stream_audit_heads.h).
 */
#include "stream_audit_heads.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sync_db.h"

#define HEADS_MAX_LANES 64

/* One lane as this report tells it. */
struct heads_lane {
    int lane;
    uint64_t count;    /* records reported so far (with this batch's links) */
    uint64_t last_seq; /* the last record reported */
    uint8_t head[32];  /* its hash as the database holds it now */
    size_t first, n;   /* this batch's links: rows first.. of the links result */
};

/* The lanes of the municipality's chain with what was reported of them before. */
static int heads_lanes(struct sync_run *run, struct heads_lane *lanes, size_t *n_lanes)
{
    const char *params[] = {run->municipality_id, run->municipality};
    PGresult *result = sync_db_exec(run,
        "SELECT h.lane, coalesce(r.count, 0), coalesce(r.last_seq, 0),"
        "       encode(coalesce((SELECT a.hash FROM audit_log a WHERE a.municipality_id = $1::uuid"
        "          AND a.lane = h.lane AND a.seq = r.last_seq), '\\x'::bytea), 'hex')"
        "  FROM audit_head h LEFT JOIN sync_audit_reported r"
        "    ON r.municipality = $2 AND r.lane = h.lane"
        " WHERE h.municipality_id = $1::uuid ORDER BY h.lane", 2, params);
    if (result == NULL)
        return -1;
    *n_lanes = 0;
    for (int i = 0; i < PQntuples(result) && *n_lanes < HEADS_MAX_LANES; i++) {
        struct heads_lane *lane = &lanes[(*n_lanes)++];
        memset(lane, 0, sizeof(*lane));
        lane->lane = atoi(PQgetvalue(result, i, 0));
        lane->count = strtoull(PQgetvalue(result, i, 1), NULL, 10);
        lane->last_seq = strtoull(PQgetvalue(result, i, 2), NULL, 10);
        const char *hex = PQgetvalue(result, i, 3);
        for (int k = 0; k < 32 && strlen(hex) == 64; k++)
            sscanf(hex + 2 * k, "%2hhx", &lane->head[k]);
    }
    PQclear(result);
    return 0;
}

/* The links after what was reported, oldest first, at most max: (lane, seq, prev, hash). */
static PGresult *heads_links(struct sync_run *run)
{
    char max[24];
    snprintf(max, sizeof(max), "%d", run->config->max_links);
    const char *params[] = {run->municipality_id, run->municipality, max};
    return sync_db_exec(run,
        "SELECT a.lane, a.seq, a.prev_hash, a.hash FROM audit_log a"
        "  LEFT JOIN sync_audit_reported r ON r.municipality = $2 AND r.lane = a.lane"
        " WHERE a.municipality_id = $1::uuid AND a.seq > coalesce(r.last_seq, 0)"
        " ORDER BY a.seq LIMIT $3::int", 3, params);
}

/* Packs the report: every lane reported before or with links now. Caller frees. */
static uint8_t *heads_pack(PGresult *links, struct heads_lane *lanes, size_t n_lanes,
                           int failed, size_t *length)
{
    int rows = PQntuples(links);
    Spona__V1__SyncAuditLink *link = calloc((size_t)rows + 1, sizeof(*link));
    Spona__V1__SyncAuditLink **link_pointers = calloc((size_t)rows + 1, sizeof(*link_pointers));
    uint8_t *hashes = calloc((size_t)rows + 1, 64);
    Spona__V1__SyncAuditLane lane_messages[HEADS_MAX_LANES], *lane_pointers[HEADS_MAX_LANES];
    char names[HEADS_MAX_LANES][8];
    Spona__V1__SyncAuditHeads heads = SPONA__V1__SYNC_AUDIT_HEADS__INIT;
    heads.lanes = lane_pointers;
    heads.local_verification_failed = failed;
    uint8_t *packed = NULL;
    if (link == NULL || link_pointers == NULL || hashes == NULL)
        goto done;
    for (int i = 0; i < rows; i++) {
        spona__v1__sync_audit_link__init(&link[i]);
        link_pointers[i] = &link[i];
        link[i].seq = strtoull(PQgetvalue(links, i, 1), NULL, 10);
        size_t a, b;
        uint8_t *prev = sync_db_unbytea(PQgetvalue(links, i, 2), &a);
        uint8_t *hash = sync_db_unbytea(PQgetvalue(links, i, 3), &b);
        if (prev != NULL && hash != NULL && a == 32 && b == 32) {
            memcpy(hashes + 64 * i, prev, 32);
            memcpy(hashes + 64 * i + 32, hash, 32);
        }
        PQfreemem(prev);
        PQfreemem(hash);
        link[i].prev_hash = (ProtobufCBinaryData){32, hashes + 64 * i};
        link[i].hash = (ProtobufCBinaryData){32, hashes + 64 * i + 32};
    }
    size_t k = 0;
    for (size_t l = 0; l < n_lanes; l++) {
        struct heads_lane *lane = &lanes[l];
        lane->first = k;
        for (int i = 0; i < rows; i++)
            if (atoi(PQgetvalue(links, i, 0)) == lane->lane)
                link_pointers[k++] = &link[i];
        if (lane->count == 0 && lane->n == 0)
            continue;
        Spona__V1__SyncAuditLane *message = &lane_messages[heads.n_lanes];
        spona__v1__sync_audit_lane__init(message);
        snprintf(names[heads.n_lanes], sizeof(names[0]), "%d", lane->lane);
        message->lane = names[heads.n_lanes];
        message->count = lane->count;
        message->head_hash = lane->n > 0 ? link_pointers[lane->first + lane->n - 1]->hash
                                         : (ProtobufCBinaryData){32, lane->head};
        message->n_links = lane->n;
        message->links = link_pointers + lane->first;
        lane_pointers[heads.n_lanes++] = message;
    }
    *length = spona__v1__sync_audit_heads__get_packed_size(&heads);
    packed = malloc(*length + 1);
    if (packed != NULL)
        spona__v1__sync_audit_heads__pack(&heads, packed);
done:
    free(link);
    free(link_pointers);
    free(hashes);
    return packed;
}

/* Counts this batch's links into their lanes: n, the new count and last seq. A link of a
 * lane the chain has no head for is a local failure (-1). */
static int heads_assign(PGresult *links, struct heads_lane *lanes, size_t n_lanes)
{
    for (int i = 0; i < PQntuples(links); i++) {
        int lane = atoi(PQgetvalue(links, i, 0));
        size_t l = 0;
        while (l < n_lanes && lanes[l].lane != lane)
            l++;
        if (l == n_lanes)
            return -1;
        lanes[l].n++;
        lanes[l].count++;
        lanes[l].last_seq = strtoull(PQgetvalue(links, i, 1), NULL, 10);
    }
    return 0;
}

/* Records what this batch reports of each lane with links (in the batch's transaction). */
static int heads_remember(struct sync_run *run, const struct heads_lane *lanes, size_t n_lanes)
{
    for (size_t l = 0; l < n_lanes; l++) {
        if (lanes[l].n == 0)
            continue;
        char lane[16], count[24], last[24];
        snprintf(lane, sizeof(lane), "%d", lanes[l].lane);
        snprintf(count, sizeof(count), "%" PRIu64, lanes[l].count);
        snprintf(last, sizeof(last), "%" PRIu64, lanes[l].last_seq);
        const char *params[] = {run->municipality, lane, count, last};
        if (sync_db_do(run,
                       "INSERT INTO sync_audit_reported (municipality, lane, count, last_seq)"
                       " VALUES ($1, $2::smallint, $3::bigint, $4::bigint)"
                       " ON CONFLICT (municipality, lane) DO UPDATE"
                       " SET count = EXCLUDED.count, last_seq = EXCLUDED.last_seq",
                       4, params) != 0)
            return -1;
    }
    return 0;
}

/* Whether a report waits unacknowledged in the outbox: 1, 0, or -1. */
static int heads_waiting(struct sync_run *run)
{
    const char *params[] = {run->municipality};
    PGresult *result = sync_db_exec(run,
        "SELECT 1 FROM sync_outbox WHERE municipality = $1 AND stream = 'audit_heads'"
        "   AND acked_at IS NULL LIMIT 1", 1, params);
    if (result == NULL)
        return -1;
    int waiting = PQntuples(result) > 0;
    PQclear(result);
    return waiting;
}

/* One batch in its own transaction: *links_taken the links it holds; -1 on failure. */
static int heads_batch(struct sync_run *run, int failed, int heads_only_too, int *links_taken)
{
    struct heads_lane lanes[HEADS_MAX_LANES];
    size_t n_lanes = 0, length = 0;
    uint64_t seq = 0;
    *links_taken = 0;
    if (sync_db_do(run, "BEGIN", 0, NULL) != 0)
        return -1;
    PGresult *links = NULL;
    uint8_t *payload = NULL;
    int rc = sync_db_watermark(run, "audit_heads", "up", 1, &seq) == 0 &&
                     heads_lanes(run, lanes, &n_lanes) == 0 && (links = heads_links(run)) != NULL
                 ? 0
                 : -1;
    if (rc == 0 && heads_assign(links, lanes, n_lanes) != 0) {
        snprintf(run->error, sizeof(run->error), "an audit record in a lane without a head");
        rc = -1;
    }
    if (rc == 0)
        *links_taken = PQntuples(links);
    if (rc == 0 && (*links_taken > 0 || heads_only_too)) {
        payload = heads_pack(links, lanes, n_lanes, failed, &length);
        rc = payload != NULL && sync_db_outbox_put(run, "audit_heads", seq + 1, payload, length) == 0 &&
                     heads_remember(run, lanes, n_lanes) == 0
                 ? 0
                 : -1;
    }
    PQclear(links);
    free(payload);
    if (rc == 0 && sync_db_do(run, "COMMIT", 0, NULL) == 0)
        return 0;
    PQclear(PQexec(run->db, "ROLLBACK"));
    return -1;
}

int stream_audit_heads_produce(struct sync_run *run)
{
    if (run->municipality_id[0] == '\0') {
        log_warn("stream audit_heads: municipality %s is not in this database: nothing to report",
                 run->municipality);
        return 0;
    }
    const char *params[] = {run->municipality_id};
    PGresult *check = sync_db_exec(run, "SELECT spona_sync_audit_check($1::uuid)", 1, params);
    if (check == NULL)
        return -1;
    int failed = strcmp(PQgetvalue(check, 0, 0), "0") != 0;
    if (failed)
        log_error("the municipality's own audit chain does not verify (record %s): reported "
                  "to the region", PQgetvalue(check, 0, 0));
    PQclear(check);
    int waiting = heads_waiting(run);
    if (waiting < 0)
        return -1;
    int heads_only_too = !waiting || failed, taken = 0;
    do {
        if (heads_batch(run, failed, heads_only_too, &taken) != 0)
            return -1;
        heads_only_too = 0;
    } while (taken >= run->config->max_links);
    return 0;
}
