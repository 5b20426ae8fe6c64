/*
 * The sync engine of spona-sync (docs/region.md, "Streams", "Batches"): one pass over
 * the table of streams (sync_streams.c). The engine knows a stream only by its
 * descriptor: a name, a direction and its functions. Down: pull the batches after
 * the local watermark, verify each (the region's signature over the bytes as
 * received), store it, apply it and move the watermark in one transaction; then the
 * stream's after-step (a file derived from the database). Up: the stream produces new
 * batches into the outbox, then every batch not yet acknowledged is pushed in order
 * and marked acknowledged when the region says so (applied or already applied).
 * A new stream is a row of the table, not a change here.
 */
#ifndef SPONA_SYNC_ENGINE_H
#define SPONA_SYNC_ENGINE_H

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "spona_client.h"
#include "sync_config.h"

enum sync_direction { SYNC_DOWN, SYNC_UP };

/* What one stream exchanged in a run (the reconciliation report). */
struct sync_counts {
    unsigned long sent;     /* up: batches pushed */
    unsigned long received; /* down: batches pulled */
    unsigned long applied;  /* applied by the receiver (here for down, the region for up) */
    unsigned long already;  /* the receiver had applied it before: acknowledged, not applied */
    unsigned long rejected; /* refused (a bad signature, a conflict, a gap): not retried */
};

/* A pass's outcome, worst first wins. */
enum sync_outcome {
    SYNC_OK = 0,
    SYNC_REJECTED = 1,  /* a batch was refused; the others went on */
    SYNC_TRANSPORT = 2, /* the region unreachable or the connection lost: retry */
    SYNC_LOCAL = 3,     /* the municipal database or a local file failed */
};

struct sync_run {
    const struct sync_config *config;
    PGconn *db;
    struct spona_client *region;
    char *region_cert;        /* the certificate the regional server showed (PEM) */
    EVP_PKEY *key;            /* the sync certificate's key: signs up batches */
    char *sync_cert;          /* the sync certificate (PEM): checks our own outbox */
    char serial[80];          /* its serial, hex as the region stores it */
    char municipality[128];   /* the region's code for us (SyncHello) */
    char municipality_id[64]; /* its id in the municipal database ("" if absent) */
    char error[512];          /* the last failure, for the log */
};

struct sync_stream {
    const char *name;
    enum sync_direction direction;
    /* down: applies one verified payload in the open transaction: 0, or -1 with why
     * (the batch is rejected, the transaction rolled back) */
    int (*apply)(struct sync_run *run, uint64_t seq, const uint8_t *payload, size_t length,
                 char *why, size_t why_size);
    /* down, may be NULL: after the stream's batches, every run: what is derived from the
     * database (a file); 0, or -1 (a local failure) */
    int (*after)(struct sync_run *run);
    /* up: puts what is new into the outbox (sync_db_outbox_put, each batch in its own
     * transaction with the stream's source state); 0, or -1 (a local failure) */
    int (*produce)(struct sync_run *run);
};

/* The streams, ended by a row with name NULL (sync_streams.c). */
extern const struct sync_stream sync_streams[];

/* How many rows sync_streams has. */
size_t sync_stream_count(void);

/*
 * One pass: SyncHello, then every stream in table order, counting into counts
 * (sync_stream_count() of them, added to). run->region must be connected. The worst
 * outcome of the streams; a transport failure stops the pass.
 */
enum sync_outcome sync_engine_pass(struct sync_run *run, struct sync_counts *counts);

/* One request to the region; NULL on a transport failure (run->error set). */
spona_response *sync_engine_call(struct sync_run *run, spona_request *request);

#endif
