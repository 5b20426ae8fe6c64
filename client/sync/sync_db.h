/*
 * spona-sync's side of the municipal database (sql/066_sync.sql): statements with
 * text parameters, bytea in and out, the watermarks per stream, and the outbox of
 * up batches (signed here, as they are put in).
 */
#ifndef SPONA_SYNC_DB_H
#define SPONA_SYNC_DB_H

#include <stddef.h>
#include <stdint.h>

#include "sync_engine.h"

/* Runs sql with text parameters: the result when it succeeded (caller clears), else NULL
 * with the database's reason in run->error. */
PGresult *sync_db_exec(struct sync_run *run, const char *sql, int count,
                       const char *const *params);

/* The same, the result dropped: 0, or -1. */
int sync_db_do(struct sync_run *run, const char *sql, int count, const char *const *params);

/* "\x<hex>": bytes as a bytea text parameter (caller frees); NULL out of memory. */
char *sync_db_bytea(const uint8_t *data, size_t length);

/* A bytea column's text back to bytes (caller frees with PQfreemem); NULL on failure. */
uint8_t *sync_db_unbytea(const char *text, size_t *length);

/* The stream's watermark here (0 when none yet) into *seq: 0, or -1. FOR UPDATE when
 * lock is 1 (inside the transaction that moves it). */
int sync_db_watermark(struct sync_run *run, const char *stream, const char *direction,
                      int lock, uint64_t *seq);

/* Moves the stream's watermark to seq (in the caller's transaction): 0, or -1. */
int sync_db_set_watermark(struct sync_run *run, const char *stream, const char *direction,
                          uint64_t seq);

/*
 * Puts the up batch (stream, seq, payload) into the outbox, signed with the sync key
 * over the canonical bytes, and moves the stream's watermark to seq; in the caller's
 * transaction. 0, or -1.
 */
int sync_db_outbox_put(struct sync_run *run, const char *stream, uint64_t seq,
                       const uint8_t *payload, size_t length);

#endif
