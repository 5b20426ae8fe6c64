/*
 * spona-sync's side of the municipal database (see sync_db.h).
 */
#include "sync_db.h"

#include <inttypes.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_sign.h"

PGresult *sync_db_exec(struct sync_run *run, const char *sql, int count,
                       const char *const *params)
{
    PGresult *result = PQexecParams(run->db, sql, count, NULL, params, NULL, NULL, 0);
    ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
        return result;
    snprintf(run->error, sizeof(run->error), "municipal database: %s",
             result != NULL ? PQresultErrorMessage(result) : PQerrorMessage(run->db));
    run->error[strcspn(run->error, "\n")] = '\0';
    PQclear(result);
    return NULL;
}

int sync_db_do(struct sync_run *run, const char *sql, int count, const char *const *params)
{
    PGresult *result = sync_db_exec(run, sql, count, params);
    PQclear(result);
    return result != NULL ? 0 : -1;
}

char *sync_db_bytea(const uint8_t *data, size_t length)
{
    static const char digits[] = "0123456789abcdef";
    char *text = malloc(2 * length + 3);
    if (text == NULL)
        return NULL;
    text[0] = '\\';
    text[1] = 'x';
    for (size_t i = 0; i < length; i++) {
        text[2 + 2 * i] = digits[data[i] >> 4];
        text[3 + 2 * i] = digits[data[i] & 0x0f];
    }
    text[2 + 2 * length] = '\0';
    return text;
}

uint8_t *sync_db_unbytea(const char *text, size_t *length)
{
    return PQunescapeBytea((const unsigned char *)text, length);
}

int sync_db_watermark(struct sync_run *run, const char *stream, const char *direction,
                      int lock, uint64_t *seq)
{
    const char *params[] = {run->municipality, stream, direction};
    if (sync_db_do(run,
                   "INSERT INTO sync_watermarks (municipality, stream, direction)"
                   " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", 3, params) != 0)
        return -1;
    PGresult *result = sync_db_exec(run,
                                    lock ? "SELECT seq FROM sync_watermarks WHERE municipality = $1"
                                           " AND stream = $2 FOR UPDATE"
                                         : "SELECT seq FROM sync_watermarks WHERE municipality = $1"
                                           " AND stream = $2",
                                    2, params);
    if (result == NULL)
        return -1;
    *seq = PQntuples(result) == 1 ? strtoull(PQgetvalue(result, 0, 0), NULL, 10) : 0;
    PQclear(result);
    return 0;
}

int sync_db_set_watermark(struct sync_run *run, const char *stream, const char *direction,
                          uint64_t seq)
{
    char text[24];
    snprintf(text, sizeof(text), "%" PRIu64, seq);
    const char *params[] = {run->municipality, stream, direction, text};
    return sync_db_do(run,
                      "INSERT INTO sync_watermarks (municipality, stream, direction, seq)"
                      " VALUES ($1, $2, $3, $4::bigint) ON CONFLICT (municipality, stream)"
                      " DO UPDATE SET seq = EXCLUDED.seq, updated_at = now()",
                      4, params);
}

int sync_db_outbox_put(struct sync_run *run, const char *stream, uint64_t seq,
                       const uint8_t *payload, size_t length)
{
    uint8_t sha[32], *signature = NULL;
    size_t signature_length = 0;
    SHA256(payload, length, sha);
    if (sync_sign(run->key, stream, run->municipality, seq, sha, &signature,
                  &signature_length) != 0) {
        snprintf(run->error, sizeof(run->error), "signing %s batch %" PRIu64 " failed", stream,
                 seq);
        return -1;
    }
    char seq_text[24];
    snprintf(seq_text, sizeof(seq_text), "%" PRIu64, seq);
    char *payload_text = sync_db_bytea(payload, length);
    char *sha_text = sync_db_bytea(sha, sizeof(sha));
    char *signature_text = sync_db_bytea(signature, signature_length);
    free(signature);
    int rc = -1;
    if (payload_text != NULL && sha_text != NULL && signature_text != NULL) {
        const char *params[] = {run->municipality, stream, seq_text, payload_text, sha_text,
                                run->serial, signature_text};
        rc = sync_db_do(run,
                        "INSERT INTO sync_outbox (municipality, stream, seq, payload,"
                        "   payload_sha256, signer_serial, signature)"
                        " VALUES ($1, $2, $3::bigint, $4, $5, $6, $7)",
                        7, params);
    } else {
        snprintf(run->error, sizeof(run->error), "out of memory");
    }
    free(payload_text);
    free(sha_text);
    free(signature_text);
    return rc == 0 ? sync_db_set_watermark(run, stream, "up", seq) : -1;
}
