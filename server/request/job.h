/*
 * A job: one unit of work handed from an io thread to a worker and back: the
 * decoded request (or the identification of a new connection), copies of what
 * the pipeline may read about the connection (installation, session), and room
 * for what it produces. Owned by its io thread except while a worker runs it.
 * This is the only thing the network and request layers share.
 */
#ifndef SPONA_JOB_H
#define SPONA_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"

struct audit_writer;
struct conn;
struct hash_pool;
struct io_thread;
struct job_deferred;
struct login_limit;
struct request_kind;

#define UUID_TEXT 37

/* Largest client certificate kept (DER); a larger one is not kept (length 0). */
#define INSTALLATION_CERTIFICATE_MAX 4096

/* The institution installation behind a client certificate, once looked up. */
struct installation {
    int identified;
    char cn[128];
    char institution_id[UUID_TEXT];
    char municipality_id[UUID_TEXT];
    char role[48];
    /* the certificate the connection presented (verified in the TLS handshake), DER:
     * what an approval's signature is checked against (handlers_protocol.c) */
    uint8_t certificate[INSTALLATION_CERTIFICATE_MAX];
    size_t certificate_length;
};

/* A logged-in user on a connection; sessions themselves live in the database. */
struct session {
    int active;
    char session_id[UUID_TEXT];
    char user_id[UUID_TEXT];
};

/*
 * One unit of work: a decoded request (or the identification of a new
 * connection), with copies of what the handler may read and room for what it
 * produces. Owned by its io thread except while a worker runs it.
 */
struct job {
    struct job *next;
    struct conn *conn; /* only the io thread dereferences this */
    struct io_thread *home;
    void (*complete)(struct job *job); /* hands the job home; thread-safe */
    spona_request *request; /* owned; NULL for identification */
    uint64_t request_id;
    size_t decoded_bytes; /* what the decoded request holds (decode_request's cost) */
    const struct request_kind *kind;
    struct session session;
    struct installation installation;
    char peer[64];
    /* lent by the worker pool for logins (request layer; NULL elsewhere: login hashes inline) */
    struct hash_pool *hash_pool;
    struct login_limit *login_limit;
    /* lent by the worker pool (NULL elsewhere): a read's records go to this batch writer */
    struct audit_writer *audit_writer;
    /* a read's audit records (JSON objects, audit_batch_json), set by the pipeline: the
     * answer in frame goes home only once the writer has committed them (audit_writer.h) */
    char *audit_batch;
    /* a step left for the hashing pool; the job goes back to a worker after it (hash_pool.h) */
    struct job_deferred *deferred;
    /* results */
    uint8_t *frame; /* response frame, malloc'd */
    size_t frame_length;
    int close_after;
};

#endif
