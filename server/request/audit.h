/*
 * The audit trail: every request that reads or writes personal data appends
 * one record, inside the request's transaction (so a write and its record
 * commit together). The database chains the records (sql/004_audit.sql); this
 * module fills them in from the request context.
 */
#ifndef SPONA_AUDIT_H
#define SPONA_AUDIT_H

#include "envelope.h"
#include "policy.h"

struct request_context;

#define AUDIT_MAX_CLAUSES 16

struct audit_record {
    const char *action;          /* "person_get", "consent_grant", ... */
    const char *person_id;       /* NULL when none */
    const char *case_id;         /* NULL when none */
    policy_mask disclosed;       /* categories shown or written */
    policy_mask denied;          /* categories withheld or refused */
    int clauses[AUDIT_MAX_CLAUSES]; /* clauses that allowed the disclosure */
    int clause_count;
    int protocol_version;        /* 0 when none */
    const char *outcome;         /* "ok", "denied", "invalid", "not_found", "conflict" */
    const char *detail;          /* short, no personal data; NULL: empty */
    int emergency;               /* access through break-glass */
};

/* Adds a clause number once (ignored past AUDIT_MAX_CLAUSES). */
void audit_add_clause(struct audit_record *record, int clause);

/* What follows an audit insert: nothing, or the request's COMMIT in the same round trip. */
enum audit_then { AUDIT_THEN_STAY, AUDIT_THEN_COMMIT };

/*
 * Appends the record with the request's user, institution, installation,
 * session and request id; with AUDIT_THEN_COMMIT also commits the request's
 * transaction in the same round trip (the audit chain's head is then locked only for
 * the commit itself). Returns OK (committed, with AUDIT_THEN_COMMIT), or an error
 * status with ctx->message set (then roll back). Must run inside the request's
 * transaction.
 */
spona_status audit_append(struct request_context *ctx, const struct audit_record *record,
                          enum audit_then then);

/*
 * The further records of a request that discloses about several persons (search
 * hits, inbox rows), kept until the request succeeds and then appended with its
 * own record in one statement (audit_append_all). Each queued record keeps its
 * own copies of the ids and the detail; action and outcome must be literals.
 */
struct audit_queued {
    struct audit_record record;
    char person_id[37];
    char case_id[37];
    char detail[128];
};

struct audit_queue {
    struct audit_queued *items;
    size_t count;
    size_t capacity;
};

/* Copies record into the queue. 0, or -1 out of memory. */
int audit_queue_add(struct audit_queue *queue, const struct audit_record *record);

void audit_queue_free(struct audit_queue *queue);

/*
 * Appends record and every queued one (none: as audit_append) in one statement,
 * in that order, then as `then` says. OK, or an error status with ctx->message set.
 */
spona_status audit_append_all(struct request_context *ctx, const struct audit_record *record,
                              const struct audit_queue *queue, enum audit_then then);

/*
 * record and every queued one as JSON objects joined by commas (no brackets), each
 * with the request's actor (municipality, user, institution, installation, session,
 * request id): what the audit writer appends in a batch (audit_writer.h,
 * spona_audit_append_batch). malloc'd; NULL out of memory.
 */
char *audit_batch_json(const struct request_context *ctx, const struct audit_record *record,
                       const struct audit_queue *queue);

#endif
