/*
 * The sync engine of spona-sync (see sync_engine.h).
 */
#include "sync_engine.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "log.h"
#include "sync_db.h"
#include "sync_sign.h"

size_t sync_stream_count(void)
{
    size_t count = 0;
    while (sync_streams[count].name != NULL)
        count++;
    return count;
}

spona_response *sync_engine_call(struct sync_run *run, spona_request *request)
{
    char err[256] = "";
    spona_response *response = spona_client_call(run->region, request, err, sizeof(err));
    if (response == NULL) {
        snprintf(run->error, sizeof(run->error), "region: %s", err);
        return NULL;
    }
    if (response->request_id == 0) { /* a connection-level error: the connection is gone */
        snprintf(run->error, sizeof(run->error), "region closed the connection: %s",
                 response->message);
        envelope_free_response(response);
        return NULL;
    }
    return response;
}

/* The test hook (docs/region.md, "Tests"): with SPONA_SYNC_TEST_PAUSE set to a path
 * that does not exist yet, the first down batch's transaction creates it and waits
 * before its commit, so that a test can kill -9 the agent mid-apply. */
static void engine_test_pause(void)
{
    const char *path = getenv("SPONA_SYNC_TEST_PAUSE");
    struct stat info;
    if (path == NULL || path[0] == '\0' || stat(path, &info) == 0)
        return;
    FILE *file = fopen(path, "w");
    if (file != NULL)
        fclose(file);
    sleep(60);
}

/* Whether the received batch is the region's, for us and this stream, and verifies. */
static int engine_down_verify(struct sync_run *run, const struct sync_stream *stream,
                              const Spona__V1__SyncBatch *batch, char *why, size_t why_size)
{
    if (strcmp(batch->stream, stream->name) != 0 ||
        strcmp(batch->municipality, run->municipality) != 0) {
        snprintf(why, why_size, "the batch is for another stream or municipality");
        return 0;
    }
    if (!sync_verify(run->region_cert, stream->name, run->municipality, batch->seq,
                     batch->payload.data, batch->payload.len, batch->payload_sha256.data,
                     batch->payload_sha256.len, batch->signature.data, batch->signature.len)) {
        snprintf(why, why_size, "the signature does not verify with the regional server's "
                 "certificate");
        return 0;
    }
    return 1;
}

/* Stores the batch as received, applies it and moves the watermark, in one transaction.
 * 1 applied, 0 rejected (why), -1 local failure. */
static int engine_down_apply(struct sync_run *run, const struct sync_stream *stream,
                             const Spona__V1__SyncBatch *batch, char *why, size_t why_size)
{
    char seq[24];
    snprintf(seq, sizeof(seq), "%" PRIu64, batch->seq);
    char *payload = sync_db_bytea(batch->payload.data, batch->payload.len);
    char *sha = sync_db_bytea(batch->payload_sha256.data, batch->payload_sha256.len);
    char *signature = sync_db_bytea(batch->signature.data, batch->signature.len);
    const char *params[] = {run->municipality, stream->name, seq, payload, sha,
                            batch->signer_serial, signature};
    int rc = payload != NULL && sha != NULL && signature != NULL &&
                     sync_db_do(run, "BEGIN", 0, NULL) == 0
                 ? 1
                 : -1;
    if (rc == 1 &&
        sync_db_do(run,
                   "INSERT INTO sync_received (municipality, stream, seq, payload,"
                   "   payload_sha256, signer_serial, signature)"
                   " VALUES ($1, $2, $3::bigint, $4, $5, $6, $7)",
                   7, params) != 0)
        rc = -1;
    if (rc == 1 && stream->apply(run, batch->seq, batch->payload.data, batch->payload.len,
                                 why, why_size) != 0)
        rc = 0;
    if (rc == 1 && sync_db_set_watermark(run, stream->name, "down", batch->seq) != 0)
        rc = -1;
    if (rc == 1)
        engine_test_pause();
    if (rc == 1 && sync_db_do(run, "COMMIT", 0, NULL) != 0)
        rc = -1;
    if (rc != 1)
        PQclear(PQexec(run->db, "ROLLBACK"));
    free(payload);
    free(sha);
    free(signature);
    return rc;
}

/* A batch at or below the watermark: the same bytes as stored is a replay (already),
 * other bytes a conflict. 1 already, 0 conflict, -1 local failure. */
static int engine_down_seen(struct sync_run *run, const struct sync_stream *stream,
                            const Spona__V1__SyncBatch *batch)
{
    char seq[24];
    snprintf(seq, sizeof(seq), "%" PRIu64, batch->seq);
    char *sha = sync_db_bytea(batch->payload_sha256.data, batch->payload_sha256.len);
    const char *params[] = {run->municipality, stream->name, seq, sha};
    PGresult *result = sha != NULL ? sync_db_exec(run,
                                                  "SELECT payload_sha256 = $4::bytea FROM sync_received"
                                                  " WHERE municipality = $1 AND stream = $2"
                                                  "   AND seq = $3::bigint",
                                                  4, params)
                                   : NULL;
    free(sha);
    if (result == NULL)
        return -1;
    int same = PQntuples(result) == 1 && strcmp(PQgetvalue(result, 0, 0), "t") == 0;
    PQclear(result);
    return same;
}

/* One batch of a down stream, counted. SYNC_OK or the reason to stop the stream. */
static enum sync_outcome engine_down_batch(struct sync_run *run, const struct sync_stream *stream,
                                           const Spona__V1__SyncBatch *batch, uint64_t *mark,
                                           struct sync_counts *counts)
{
    char why[256] = "";
    counts->received++;
    if (batch->seq <= *mark) {
        int seen = engine_down_seen(run, stream, batch);
        if (seen < 0)
            return SYNC_LOCAL;
        if (seen)
            counts->already++;
        else
            counts->rejected++;
        if (!seen)
            log_warn("stream %s: batch %" PRIu64 " sent again with other content: rejected",
                     stream->name, batch->seq);
        return seen ? SYNC_OK : SYNC_REJECTED;
    }
    int applied = -1;
    if (batch->seq != *mark + 1)
        snprintf(why, sizeof(why), "batch %" PRIu64 " does not follow the watermark %" PRIu64,
                 batch->seq, *mark);
    else if (engine_down_verify(run, stream, batch, why, sizeof(why)))
        applied = engine_down_apply(run, stream, batch, why, sizeof(why));
    if (applied < 0 && why[0] == '\0')
        return SYNC_LOCAL;
    if (applied != 1) {
        counts->rejected++;
        log_warn("stream %s: batch %" PRIu64 " rejected: %s", stream->name, batch->seq, why);
        return SYNC_REJECTED;
    }
    counts->applied++;
    *mark = batch->seq;
    return SYNC_OK;
}

/* A down stream: pull and apply until the region has nothing after our watermark. */
static enum sync_outcome engine_down(struct sync_run *run, const struct sync_stream *stream,
                                     struct sync_counts *counts)
{
    uint64_t mark;
    if (sync_db_watermark(run, stream->name, "down", 0, &mark) != 0)
        return SYNC_LOCAL;
    enum sync_outcome outcome = SYNC_OK;
    for (;;) {
        Spona__V1__SyncPullRequest pull = SPONA__V1__SYNC_PULL_REQUEST__INIT;
        pull.stream = (char *)(uintptr_t)stream->name;
        pull.after_seq = mark;
        spona_request request = SPONA__V1__REQUEST__INIT;
        request.body_case = SPONA__V1__REQUEST__BODY_SYNC_PULL;
        request.sync_pull = &pull;
        spona_response *response = sync_engine_call(run, &request);
        if (response == NULL)
            return SYNC_TRANSPORT;
        if (response->status != SPONA__V1__STATUS__OK || response->sync_pull == NULL) {
            snprintf(run->error, sizeof(run->error), "stream %s: pull refused: %s",
                     stream->name, response->message);
            envelope_free_response(response);
            return SYNC_REJECTED;
        }
        size_t n = response->sync_pull->n_batches;
        for (size_t i = 0; outcome == SYNC_OK && i < n; i++)
            outcome = engine_down_batch(run, stream, response->sync_pull->batches[i], &mark,
                                        counts);
        envelope_free_response(response);
        if (outcome != SYNC_OK || n == 0)
            break;
    }
    if (outcome != SYNC_LOCAL && stream->after != NULL && stream->after(run) != 0)
        return SYNC_LOCAL;
    return outcome;
}

/* An outbox row whose stored signature or hash no longer verifies (a damaged row) is
 * signed again from its payload before it is sent: the payload is what was produced. */
static int engine_up_check(struct sync_run *run, const char *stream, Spona__V1__SyncBatch *batch,
                           uint8_t sha[32], uint8_t **resigned)
{
    *resigned = NULL;
    if (sync_verify(run->sync_cert, stream, run->municipality, batch->seq, batch->payload.data,
                    batch->payload.len, batch->payload_sha256.data, batch->payload_sha256.len,
                    batch->signature.data, batch->signature.len))
        return 0;
    size_t length = 0;
    SHA256(batch->payload.data, batch->payload.len, sha);
    if (sync_sign(run->key, stream, run->municipality, batch->seq, sha, resigned, &length) != 0)
        return -1;
    log_warn("stream %s: outbox batch %" PRIu64 " did not verify with our certificate: "
             "signed again from its payload", stream, batch->seq);
    batch->payload_sha256 = (ProtobufCBinaryData){32, sha};
    batch->signature = (ProtobufCBinaryData){length, *resigned};
    batch->signer_serial = run->serial;
    return 0;
}

/* Marks the outbox batch acknowledged: 0, or -1. */
static int engine_up_ack(struct sync_run *run, const char *stream, uint64_t seq)
{
    char text[24];
    snprintf(text, sizeof(text), "%" PRIu64, seq);
    const char *params[] = {run->municipality, stream, text};
    return sync_db_do(run,
                      "UPDATE sync_outbox SET acked_at = now() WHERE municipality = $1"
                      " AND stream = $2 AND seq = $3::bigint AND acked_at IS NULL",
                      3, params);
}

/* Pushes row i of the unacknowledged outbox rows. */
static enum sync_outcome engine_up_push(struct sync_run *run, const struct sync_stream *stream,
                                        PGresult *rows, int i, struct sync_counts *counts)
{
    size_t payload_length, sha_length, signature_length;
    uint8_t *payload = sync_db_unbytea(PQgetvalue(rows, i, 1), &payload_length);
    uint8_t *sha = sync_db_unbytea(PQgetvalue(rows, i, 2), &sha_length);
    uint8_t *signature = sync_db_unbytea(PQgetvalue(rows, i, 4), &signature_length);
    uint8_t fresh_sha[32], *resigned = NULL;
    Spona__V1__SyncBatch batch = SPONA__V1__SYNC_BATCH__INIT;
    batch.stream = (char *)(uintptr_t)stream->name;
    batch.municipality = run->municipality;
    batch.seq = strtoull(PQgetvalue(rows, i, 0), NULL, 10);
    batch.payload = (ProtobufCBinaryData){payload_length, payload};
    batch.payload_sha256 = (ProtobufCBinaryData){sha_length, sha};
    batch.signer_serial = PQgetvalue(rows, i, 3);
    batch.signature = (ProtobufCBinaryData){signature_length, signature};
    enum sync_outcome outcome = SYNC_LOCAL;
    spona_response *response = NULL;
    if (payload != NULL && sha != NULL && signature != NULL &&
        engine_up_check(run, stream->name, &batch, fresh_sha, &resigned) == 0) {
        Spona__V1__SyncPushRequest push = SPONA__V1__SYNC_PUSH_REQUEST__INIT;
        push.batch = &batch;
        spona_request request = SPONA__V1__REQUEST__INIT;
        request.body_case = SPONA__V1__REQUEST__BODY_SYNC_PUSH;
        request.sync_push = &push;
        response = sync_engine_call(run, &request);
        outcome = response == NULL ? SYNC_TRANSPORT : SYNC_OK;
    }
    if (response != NULL) {
        counts->sent++;
        if (response->status == SPONA__V1__STATUS__OK && response->sync_push != NULL) {
            if (response->sync_push->already_applied)
                counts->already++;
            else
                counts->applied++;
            outcome = engine_up_ack(run, stream->name, batch.seq) == 0 ? SYNC_OK : SYNC_LOCAL;
        } else {
            counts->rejected++;
            log_warn("stream %s: batch %" PRIu64 " refused by the region: %s", stream->name,
                     batch.seq, response->message);
            outcome = SYNC_REJECTED;
        }
        envelope_free_response(response);
    }
    PQfreemem(payload);
    PQfreemem(sha);
    PQfreemem(signature);
    free(resigned);
    return outcome;
}

/* An up stream: produce what is new, then push what the region has not acknowledged. */
static enum sync_outcome engine_up(struct sync_run *run, const struct sync_stream *stream,
                                   struct sync_counts *counts)
{
    if (stream->produce(run) != 0)
        return SYNC_LOCAL;
    const char *params[] = {run->municipality, stream->name};
    PGresult *rows = sync_db_exec(run,
                                  "SELECT seq, payload, payload_sha256, signer_serial, signature"
                                  "  FROM sync_outbox WHERE municipality = $1 AND stream = $2"
                                  "   AND acked_at IS NULL ORDER BY seq",
                                  2, params);
    if (rows == NULL)
        return SYNC_LOCAL;
    enum sync_outcome outcome = SYNC_OK;
    for (int i = 0; outcome == SYNC_OK && i < PQntuples(rows); i++)
        outcome = engine_up_push(run, stream, rows, i, counts);
    PQclear(rows);
    return outcome;
}

/* SyncHello: our municipality's code at the region, and its id here. */
static enum sync_outcome engine_hello(struct sync_run *run)
{
    Spona__V1__SyncHelloRequest hello = SPONA__V1__SYNC_HELLO_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_SYNC_HELLO;
    request.sync_hello = &hello;
    spona_response *response = sync_engine_call(run, &request);
    if (response == NULL)
        return SYNC_TRANSPORT;
    int ok = response->status == SPONA__V1__STATUS__OK && response->sync_hello != NULL;
    if (ok)
        snprintf(run->municipality, sizeof(run->municipality), "%s",
                 response->sync_hello->municipality);
    else
        snprintf(run->error, sizeof(run->error), "the region refused the sync: %s",
                 response->message);
    envelope_free_response(response);
    if (!ok)
        return SYNC_REJECTED;
    const char *params[] = {run->municipality};
    PGresult *result = sync_db_exec(run, "SELECT id FROM municipalities WHERE code = $1", 1,
                                    params);
    if (result == NULL)
        return SYNC_LOCAL;
    snprintf(run->municipality_id, sizeof(run->municipality_id), "%s",
             PQntuples(result) == 1 ? PQgetvalue(result, 0, 0) : "");
    PQclear(result);
    return SYNC_OK;
}

enum sync_outcome sync_engine_pass(struct sync_run *run, struct sync_counts *counts)
{
    free(run->region_cert);
    run->region_cert = spona_client_peer_certificate(run->region);
    if (run->region_cert == NULL) {
        snprintf(run->error, sizeof(run->error), "the regional server showed no certificate");
        return SYNC_TRANSPORT;
    }
    enum sync_outcome worst = engine_hello(run);
    if (worst != SYNC_OK)
        return worst;
    for (size_t i = 0; worst != SYNC_TRANSPORT && worst != SYNC_LOCAL && sync_streams[i].name;
         i++) {
        const struct sync_stream *stream = &sync_streams[i];
        enum sync_outcome outcome = stream->direction == SYNC_DOWN
                                        ? engine_down(run, stream, &counts[i])
                                        : engine_up(run, stream, &counts[i]);
        const struct sync_counts *c = &counts[i];
        log_info("stream %s (%s): sent %lu, received %lu, applied %lu, already applied %lu, "
                 "rejected %lu%s%s", stream->name, stream->direction == SYNC_DOWN ? "down" : "up",
                 c->sent, c->received, c->applied, c->already, c->rejected,
                 outcome == SYNC_OK ? "" : ": ",
                 outcome == SYNC_OK ? "" : (outcome == SYNC_REJECTED ? "a batch refused"
                                                                     : run->error));
        if (outcome > worst)
            worst = outcome;
    }
    return worst;
}
