/*
 * The sync engine at the region (see region_sync.h). A pushed batch is checked
 * in this order: a known up stream, the caller's own municipality, the signer a
 * valid sync certificate of that municipality, the signature over the bytes as
 * received, then (stream, municipality, seq): the same hash again is
 * acknowledged without applying, another hash is a conflict, a gap is refused;
 * otherwise it is stored, applied and the watermark moved, in the request's one
 * transaction. A bad signature and a conflict raise an alarm, which stays
 * (sync rows keep their writes on refusal: the engine writes nothing else first).
 */
#include "region_sync.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "log.h"
#include "region_ledger.h"
#include "region_pipeline.h"
#include "region_status.h"
#include "statements.h"
#include "sync_sign.h"

const struct db_statement region_sync_statements[] = {
    {"region_sync_identify",
     "SELECT m.id, m.code FROM region_certificates c"
     "  JOIN region_municipalities m ON m.id = c.municipality_id"
     " WHERE c.fingerprint = decode($1, 'hex') AND c.purpose = 'sync'"
     "   AND c.revoked_at IS NULL AND c.not_after > now() AND m.status = 'active'"},
    {"region_sync_begin", "SELECT code FROM region_municipalities WHERE id = NULLIF($1, '')::uuid"},
    {"region_sync_signer",
     "SELECT pem FROM region_certificates WHERE serial = $1 AND municipality_id = $2::uuid"
     "   AND purpose = 'sync' AND revoked_at IS NULL"},
    {"region_sync_stored",
     "SELECT payload_sha256 = $4 FROM sync_batches"
     " WHERE municipality_id = $1::uuid AND stream = $2 AND seq = $3::bigint"},
    {"region_sync_watermark",
     "WITH made AS (INSERT INTO sync_watermarks (municipality_id, stream)"
     "              VALUES ($1::uuid, $2) ON CONFLICT DO NOTHING)"
     "SELECT seq FROM sync_watermarks WHERE municipality_id = $1::uuid AND stream = $2"
     " FOR UPDATE"},
    {"region_sync_store",
     "INSERT INTO sync_batches (stream, municipality_id, seq, direction, payload,"
     "   payload_sha256, signer_serial, signature, applied_at)"
     " VALUES ($2, $1::uuid, $3::bigint, 'up', $4, $5, $6, $7, now())"},
    {"region_sync_advance",
     "UPDATE sync_watermarks SET seq = $3::bigint, updated_at = now()"
     " WHERE municipality_id = $1::uuid AND stream = $2"},
    {"region_sync_watermarks",
     "SELECT s, 'up', coalesce((SELECT seq FROM sync_watermarks"
     "   WHERE municipality_id = $1::uuid AND stream = s), 0)"
     "  FROM unnest(ARRAY['audit_heads', 'sync_status']) s"
     " UNION ALL SELECT 'crl', 'down', coalesce((SELECT max(number) FROM region_crls), 0)"},
    {"region_sync_crls",
     "SELECT number, pem FROM region_crls WHERE number > $1::bigint ORDER BY number LIMIT 100"},
    {NULL, NULL},
};

/* The up streams the region takes: a name and its applier (in the push's transaction). */
struct region_up_stream {
    const char *name;
    spona_status (*apply)(struct request_context *ctx, const char *municipality_id,
                          const char *seq, const uint8_t *payload, size_t length);
};

static spona_status sync_apply_audit_heads(struct request_context *ctx,
                                           const char *municipality_id, const char *seq,
                                           const uint8_t *payload, size_t length)
{
    (void)seq;
    return region_ledger_apply(ctx, municipality_id, payload, length);
}

static const struct region_up_stream region_up_streams[] = {
    {"audit_heads", sync_apply_audit_heads},
    {"sync_status", region_status_apply},
    {NULL, NULL},
};

static const struct region_up_stream *sync_up_stream(const char *name)
{
    for (const struct region_up_stream *stream = region_up_streams; stream->name; stream++)
        if (strcmp(stream->name, name) == 0)
            return stream;
    return NULL;
}

spona_status region_sync_identify(struct request_context *ctx)
{
    struct installation *installation = &ctx->job->installation;
    uint8_t digest[32];
    char fingerprint[65];
    SHA256(installation->certificate, installation->certificate_length, digest);
    for (int i = 0; i < 32; i++)
        snprintf(fingerprint + 2 * i, 3, "%02x", digest[i]);
    const char *params[] = {fingerprint};
    spona_status status;
    PGresult *result = installation->certificate_length > 0
                           ? request_query(ctx, "region_sync_identify", 1, params, &status)
                           : NULL;
    if (installation->certificate_length == 0 || result == NULL)
        return installation->certificate_length == 0 ? SPONA__V1__STATUS__UNAUTHENTICATED
                                                     : status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        log_warn("refused %s: installation '%s' is neither an institution nor a valid sync "
                 "certificate of the registry", ctx->job->peer, installation->cn);
        snprintf(ctx->message, sizeof(ctx->message),
                 "installation '%s' is not registered at the region", installation->cn);
        return SPONA__V1__STATUS__UNAUTHENTICATED;
    }
    db_copy(result, 0, 0, installation->municipality_id, sizeof(installation->municipality_id));
    snprintf(installation->role, sizeof(installation->role), "%s", REGION_SYNC_ROLE);
    installation->institution_id[0] = '\0';
    installation->identified = 1;
    log_info("%s identified as the sync identity of %s", ctx->job->peer, PQgetvalue(result, 0, 1));
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

/* The caller's municipality code into out. */
static spona_status sync_municipality(struct request_context *ctx, char *out, size_t out_size)
{
    const char *params[] = {ctx->job->installation.municipality_id};
    spona_status status;
    PGresult *result = request_query(ctx, "region_sync_begin", 1, params, &status);
    if (result == NULL)
        return status;
    int found = PQntuples(result) == 1;
    if (found)
        db_copy(result, 0, 0, out, out_size);
    PQclear(result);
    if (found)
        return SPONA__V1__STATUS__OK;
    snprintf(ctx->message, sizeof(ctx->message), "the municipality is no longer registered");
    return SPONA__V1__STATUS__PERMISSION_DENIED;
}

spona_status handle_sync_hello(struct request_context *ctx, const spona_request *request,
                               spona_response *response)
{
    (void)request;
    char code[128];
    spona_status status = sync_municipality(ctx, code, sizeof(code));
    if (status != SPONA__V1__STATUS__OK)
        return status;
    region_set_object(ctx, code);
    const char *params[] = {ctx->job->installation.municipality_id};
    PGresult *result = request_query(ctx, "region_sync_watermarks", 1, params, &status);
    if (result == NULL)
        return status;
    int rows = PQntuples(result);
    Spona__V1__SyncHelloResponse *hello = malloc(sizeof(*hello));
    response->body_case = SPONA__V1__RESPONSE__BODY_SYNC_HELLO;
    response->sync_hello = hello;
    if (hello != NULL) {
        spona__v1__sync_hello_response__init(hello);
        hello->municipality = strdup(code);
        hello->watermarks = calloc((size_t)rows + 1, sizeof(*hello->watermarks));
    }
    status = hello != NULL && hello->municipality != NULL && hello->watermarks != NULL
                 ? SPONA__V1__STATUS__OK
                 : SPONA__V1__STATUS__INTERNAL;
    for (int i = 0; status == SPONA__V1__STATUS__OK && i < rows; i++) {
        Spona__V1__SyncWatermark *mark = malloc(sizeof(*mark));
        if (mark == NULL) {
            status = SPONA__V1__STATUS__INTERNAL;
            break;
        }
        spona__v1__sync_watermark__init(mark);
        hello->watermarks[hello->n_watermarks++] = mark;
        mark->stream = strdup(PQgetvalue(result, i, 0));
        mark->direction = strdup(PQgetvalue(result, i, 1));
        mark->seq = strtoull(PQgetvalue(result, i, 2), NULL, 10);
        if (mark->stream == NULL || mark->direction == NULL)
            status = SPONA__V1__STATUS__INTERNAL;
    }
    PQclear(result);
    return status;
}

static spona_status sync_refuse(struct request_context *ctx, spona_status status,
                                const char *message)
{
    snprintf(ctx->message, sizeof(ctx->message), "%s", message);
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%s", message);
    return status;
}

/* The signer's certificate must be a valid sync certificate of the municipality and the
 * signature verify; a failure raises bad_signature. */
static spona_status sync_check_signature(struct request_context *ctx, const char *code,
                                         const Spona__V1__SyncBatch *batch)
{
    const char *params[] = {batch->signer_serial, ctx->job->installation.municipality_id};
    spona_status status;
    PGresult *result = request_query(ctx, "region_sync_signer", 2, params, &status);
    if (result == NULL)
        return status;
    int good = PQntuples(result) == 1 &&
               sync_verify(PQgetvalue(result, 0, 0), batch->stream, code, batch->seq,
                           batch->payload.data, batch->payload.len, batch->payload_sha256.data,
                           batch->payload_sha256.len, batch->signature.data,
                           batch->signature.len);
    PQclear(result);
    if (good)
        return SPONA__V1__STATUS__OK;
    char detail[160];
    snprintf(detail, sizeof(detail), "stream %s, batch %llu: the signature does not verify "
             "with a valid sync certificate of the municipality", batch->stream,
             (unsigned long long)batch->seq);
    status = region_alarm(ctx, ctx->job->installation.municipality_id, "bad_signature", detail);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    return sync_refuse(ctx, SPONA__V1__STATUS__PERMISSION_DENIED,
                       "the batch's signature does not verify with a valid sync certificate "
                       "of your municipality");
}

/* "\x<hex>": bytea as a text parameter. Caller frees; NULL out of memory. */
static char *sync_bytea(const ProtobufCBinaryData *data)
{
    char *text = malloc(2 * data->len + 3);
    if (text == NULL)
        return NULL;
    memcpy(text, "\\x", 2);
    for (size_t i = 0; i < data->len; i++)
        snprintf(text + 2 + 2 * i, 3, "%02x", data->data[i]);
    text[2 + 2 * data->len] = '\0';
    return text;
}

/* Stores the batch, applies it, moves the watermark (all in the request's transaction). */
static spona_status sync_apply(struct request_context *ctx, const Spona__V1__SyncBatch *batch,
                               const char *seq)
{
    const char *municipality_id = ctx->job->installation.municipality_id;
    spona_status status = sync_up_stream(batch->stream)->apply(ctx, municipality_id, seq,
                                                               batch->payload.data,
                                                               batch->payload.len);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    char *payload = sync_bytea(&batch->payload);
    char *sha = sync_bytea(&batch->payload_sha256);
    char *signature = sync_bytea(&batch->signature);
    PGresult *result = NULL;
    if (payload != NULL && sha != NULL && signature != NULL) {
        const char *params[] = {municipality_id, batch->stream, seq, payload, sha,
                                batch->signer_serial, signature};
        result = request_query(ctx, "region_sync_store", 7, params, &status);
    } else {
        status = sync_refuse(ctx, SPONA__V1__STATUS__INTERNAL, "out of memory");
    }
    free(payload);
    free(sha);
    free(signature);
    if (result == NULL)
        return status;
    PQclear(result);
    const char *advance[] = {municipality_id, batch->stream, seq};
    result = request_query(ctx, "region_sync_advance", 3, advance, &status);
    if (result == NULL)
        return status;
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

/* Whether (stream, municipality, seq) was stored: *again = 1 with the same hash; another
 * hash raises seq_conflict and is refused. */
static spona_status sync_seen(struct request_context *ctx, const Spona__V1__SyncBatch *batch,
                              const char *seq, int *again)
{
    *again = 0;
    char *sha = sync_bytea(&batch->payload_sha256);
    if (sha == NULL)
        return sync_refuse(ctx, SPONA__V1__STATUS__INTERNAL, "out of memory");
    const char *params[] = {ctx->job->installation.municipality_id, batch->stream, seq, sha};
    spona_status status;
    PGresult *result = request_query(ctx, "region_sync_stored", 4, params, &status);
    free(sha);
    if (result == NULL)
        return status;
    int stored = PQntuples(result) == 1;
    *again = stored && strcmp(PQgetvalue(result, 0, 0), "t") == 0;
    PQclear(result);
    if (!stored || *again)
        return SPONA__V1__STATUS__OK;
    char detail[160];
    snprintf(detail, sizeof(detail), "stream %s, batch %s: sent again with other content",
             batch->stream, seq);
    status = region_alarm(ctx, ctx->job->installation.municipality_id, "seq_conflict", detail);
    return status != SPONA__V1__STATUS__OK
               ? status
               : sync_refuse(ctx, SPONA__V1__STATUS__CONFLICT,
                             "a batch with that sequence was applied with other content");
}

/* The batch must be the next after the watermark. */
static spona_status sync_next(struct request_context *ctx, const Spona__V1__SyncBatch *batch)
{
    const char *params[] = {ctx->job->installation.municipality_id, batch->stream};
    spona_status status;
    PGresult *result = request_query(ctx, "region_sync_watermark", 2, params, &status);
    if (result == NULL)
        return status;
    unsigned long long mark = PQntuples(result) == 1 ? strtoull(PQgetvalue(result, 0, 0), NULL, 10)
                                                    : 0;
    PQclear(result);
    if (batch->seq == mark + 1)
        return SPONA__V1__STATUS__OK;
    char message[160];
    snprintf(message, sizeof(message),
             "batch %llu does not follow the region's watermark %llu: send from %llu",
             (unsigned long long)batch->seq, mark, mark + 1);
    return sync_refuse(ctx, SPONA__V1__STATUS__FAILED_PRECONDITION, message);
}

/* The batch's shape and stream, and that it is the caller's municipality's. */
static spona_status sync_check_batch(struct request_context *ctx,
                                     const Spona__V1__SyncBatch *batch, char *code,
                                     size_t code_size)
{
    if (batch == NULL || batch->seq == 0)
        return sync_refuse(ctx, SPONA__V1__STATUS__INVALID_ARGUMENT,
                           "a push needs a batch with a sequence from 1");
    if (sync_up_stream(batch->stream) == NULL)
        return sync_refuse(ctx, SPONA__V1__STATUS__INVALID_ARGUMENT,
                           "not an up stream the region takes (audit_heads, sync_status)");
    spona_status status = sync_municipality(ctx, code, code_size);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    if (strcmp(batch->municipality, code) != 0)
        return sync_refuse(ctx, SPONA__V1__STATUS__PERMISSION_DENIED,
                           "the batch is another municipality's");
    return SPONA__V1__STATUS__OK;
}

spona_status handle_sync_push(struct request_context *ctx, const spona_request *request,
                              spona_response *response)
{
    const Spona__V1__SyncBatch *batch = request->sync_push->batch;
    char code[128], seq[24];
    spona_status status = sync_check_batch(ctx, batch, code, sizeof(code));
    if (status != SPONA__V1__STATUS__OK)
        return status;
    snprintf(seq, sizeof(seq), "%llu", (unsigned long long)batch->seq);
    snprintf(ctx->region_object, sizeof(ctx->region_object), "%.63s %.40s %.20s", code, batch->stream,
             seq);
    int again = 0;
    status = sync_check_signature(ctx, code, batch);
    if (status == SPONA__V1__STATUS__OK)
        status = sync_seen(ctx, batch, seq, &again);
    if (status == SPONA__V1__STATUS__OK && !again)
        status = sync_next(ctx, batch);
    if (status == SPONA__V1__STATUS__OK && !again)
        status = sync_apply(ctx, batch, seq);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    if (again)
        snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "already applied");
    Spona__V1__SyncPushResponse *push = malloc(sizeof(*push));
    response->body_case = SPONA__V1__RESPONSE__BODY_SYNC_PUSH;
    response->sync_push = push;
    if (push == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__sync_push_response__init(push);
    push->stream = strdup(batch->stream);
    push->seq = batch->seq;
    push->already_applied = again;
    return push->stream != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;
}

/* The regional server's own key and its certificate's serial (hex): what signs down
 * batches; a municipality verifies them with the certificate its connection saw. */
static EVP_PKEY *sync_server_key(const struct server_config *config, char *serial,
                                 size_t serial_size)
{
    FILE *file = fopen(config->certificate, "r");
    X509 *cert = file != NULL ? PEM_read_X509(file, NULL, NULL, NULL) : NULL;
    if (file != NULL)
        fclose(file);
    file = fopen(config->private_key, "r");
    EVP_PKEY *key = file != NULL ? PEM_read_PrivateKey(file, NULL, NULL, NULL) : NULL;
    if (file != NULL)
        fclose(file);
    BIGNUM *number = cert != NULL ? ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL) : NULL;
    char *hex = number != NULL ? BN_bn2hex(number) : NULL;
    snprintf(serial, serial_size, "%s", hex != NULL ? hex : "");
    OPENSSL_free(hex);
    BN_free(number);
    X509_free(cert);
    if (hex == NULL) {
        EVP_PKEY_free(key);
        return NULL;
    }
    return key;
}

/* One crl batch: SyncCrl{number, pem} signed by key. NULL out of memory. */
static Spona__V1__SyncBatch *sync_crl_batch(EVP_PKEY *key, const char *serial, const char *code,
                                            uint64_t number, const char *pem)
{
    Spona__V1__SyncCrl crl = SPONA__V1__SYNC_CRL__INIT;
    crl.number = number;
    crl.pem = (char *)(uintptr_t)pem;
    Spona__V1__SyncBatch *batch = malloc(sizeof(*batch));
    if (batch == NULL)
        return NULL;
    spona__v1__sync_batch__init(batch);
    batch->seq = number;
    batch->stream = strdup("crl");
    batch->municipality = strdup(code);
    batch->signer_serial = strdup(serial);
    batch->payload.len = spona__v1__sync_crl__get_packed_size(&crl);
    batch->payload.data = malloc(batch->payload.len + 1);
    batch->payload_sha256.data = malloc(32);
    batch->payload_sha256.len = 32;
    int ok = batch->stream != NULL && batch->municipality != NULL &&
             batch->signer_serial != NULL && batch->payload.data != NULL &&
             batch->payload_sha256.data != NULL;
    if (ok) {
        spona__v1__sync_crl__pack(&crl, batch->payload.data);
        SHA256(batch->payload.data, batch->payload.len, batch->payload_sha256.data);
        ok = sync_sign(key, "crl", code, number, batch->payload_sha256.data,
                       &batch->signature.data, &batch->signature.len) == 0;
    }
    if (!ok) {
        spona__v1__sync_batch__free_unpacked(batch, NULL);
        return NULL;
    }
    return batch;
}

/* The CRLs after after_seq as signed batches into pull. */
static spona_status sync_pull_crls(struct request_context *ctx, const char *code,
                                   uint64_t after_seq, Spona__V1__SyncPullResponse *pull)
{
    char after[24], serial[80];
    snprintf(after, sizeof(after), "%llu", (unsigned long long)after_seq);
    const char *params[] = {after};
    spona_status status;
    PGresult *result = request_query(ctx, "region_sync_crls", 1, params, &status);
    if (result == NULL)
        return status;
    int rows = PQntuples(result);
    EVP_PKEY *key = sync_server_key(ctx->config, serial, sizeof(serial));
    pull->batches = calloc((size_t)rows + 1, sizeof(*pull->batches));
    status = key != NULL && pull->batches != NULL ? SPONA__V1__STATUS__OK
                                                  : SPONA__V1__STATUS__INTERNAL;
    for (int i = 0; status == SPONA__V1__STATUS__OK && i < rows; i++) {
        Spona__V1__SyncBatch *batch =
            sync_crl_batch(key, serial, code, strtoull(PQgetvalue(result, i, 0), NULL, 10),
                           PQgetvalue(result, i, 1));
        if (batch == NULL)
            status = SPONA__V1__STATUS__INTERNAL;
        else
            pull->batches[pull->n_batches++] = batch;
    }
    EVP_PKEY_free(key);
    PQclear(result);
    return status;
}

spona_status handle_sync_pull(struct request_context *ctx, const spona_request *request,
                              spona_response *response)
{
    const Spona__V1__SyncPullRequest *ask = request->sync_pull;
    if (strcmp(ask->stream, "crl") != 0)
        return sync_refuse(ctx, SPONA__V1__STATUS__INVALID_ARGUMENT,
                           "not a down stream the region sends (crl)");
    char code[128];
    spona_status status = sync_municipality(ctx, code, sizeof(code));
    if (status != SPONA__V1__STATUS__OK)
        return status;
    snprintf(ctx->region_object, sizeof(ctx->region_object), "%.63s crl after %llu", code,
             (unsigned long long)ask->after_seq);
    Spona__V1__SyncPullResponse *pull = malloc(sizeof(*pull));
    response->body_case = SPONA__V1__RESPONSE__BODY_SYNC_PULL;
    response->sync_pull = pull;
    if (pull == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__sync_pull_response__init(pull);
    return sync_pull_crls(ctx, code, ask->after_seq, pull);
}
