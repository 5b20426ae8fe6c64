/*
 * The request table: one row per request kind saying where it runs (inline on
 * the io thread, or on a database worker), whether it needs a session, and
 * which handler answers it. Session checks happen here, around the handler,
 * never inside it. Handlers build the response body; dispatch packs the frame.
 */
#ifndef SPONA_DISPATCH_H
#define SPONA_DISPATCH_H

#include "db.h"
#include "config.h"
#include "job.h"

enum dispatch_where { DISPATCH_INLINE, DISPATCH_WORKER };

/* What a handler may use. message is the error text sent when status != OK. */
struct request_context {
    const struct server_config *config;
    struct db *db; /* NULL for inline handlers */
    struct job *job;
    char message[4096]; /* long enough for a policy file's list of errors */
    /* A write with an idempotency key: access_commit leaves the handler's transaction
     * open (commit_pending) and dispatch stores the answer under the key in that same
     * transaction before it commits both (idempotency_finish), so no crash can come
     * between the write and the answer a retry will get. */
    int defer_commit;
    int commit_pending;
};

/*
 * Answers one request: fills response's body (heap-allocated fields only, set
 * only when returning OK) or returns an error status with ctx->message set.
 */
typedef spona_status (*dispatch_handler)(struct request_context *ctx,
                                         const spona_request *request,
                                         spona_response *response);

struct dispatch_entry {
    int body_case; /* SPONA__V1__REQUEST__BODY_* */
    const char *name;
    enum dispatch_where where;
    int needs_session;
    dispatch_handler handler;
    int write; /* DISPATCH_WRITE: changes data, so a retry with the same idempotency key is
                  answered from the stored response instead of being applied again */
};

#define DISPATCH_READ 0
#define DISPATCH_WRITE 1

/* The row for a request kind, or NULL when the kind is unknown. */
const struct dispatch_entry *dispatch_lookup(int body_case);

/* The pseudo-request that identifies a new connection's installation. */
extern const struct dispatch_entry dispatch_identify;

/*
 * Runs job->entry for job (session check, handler) and leaves the response
 * frame in job->frame (none when identification succeeds). db is NULL inline.
 */
void dispatch_run(struct job *job, const struct server_config *config, struct db *db);

/*
 * Runs a prepared statement for a handler. Returns the result (caller
 * PQclear()s), or NULL with *status (UNAVAILABLE or INTERNAL) and ctx->message
 * set when the database is unreachable or the statement failed.
 */
PGresult *request_query(struct request_context *ctx, const char *name, int count,
                        const char *const *params, spona_status *status);

/* 1 when text is a UUID in its canonical text form (check ids before using them in SQL). */
int request_is_uuid(const char *text);

/* Packs a response with only a status and message. Returns 0, or -1 when out of memory. */
int dispatch_error_frame(uint64_t request_id, spona_status status, const char *message,
                         uint8_t **frame, size_t *frame_length);

#endif
