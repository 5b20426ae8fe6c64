/*
 * The request layer's contract: the request table (one row per request kind,
 * request_table.c) and the context the pipeline (pipeline.c) prepares for a
 * handler. A row declares; the pipeline does: session gate, idempotency, the
 * transaction and its row-level-security identity, the protocol in force, the
 * subject the request acts on, the exclusion gate, the decision on the row's
 * declared category, the audit record (refusals included) and the commit. A
 * handler only does its own work: it never begins, commits or rolls back, and
 * cannot skip the audit. See docs/server.md ("A request's path").
 *
 * This layer knows jobs (job.h), never sockets: the network layer hands it a
 * job and gets the job back with a response frame.
 */
#ifndef SPONA_REQUEST_H
#define SPONA_REQUEST_H

#include <libpq-fe.h>

#include "access.h"
#include "audit.h"
#include "config.h"
#include "db.h"
#include "error_code.h"
#include "job.h"
#include "pipeline.h"

enum request_where { REQUEST_INLINE, REQUEST_WORKER };

/* A row's flags. */
#define REQUEST_SESSION 0x01u  /* needs a logged-in session */
#define REQUEST_WRITE 0x02u    /* changes data: an idempotency key replays the first answer */
#define REQUEST_NO_AUDIT 0x08u /* discloses nothing personal (the protocol text): not audited */
#define REQUEST_OWN_TX 0x04u   /* sessions only (login, resume, whoami, logout, identify,
                                  ping): the handler runs its own statements; the pipeline
                                  opens no transaction and audits nothing. Never a write. */
#define REQUEST_REGIONAL 0x20u  /* served only by a regional server, to regional_admin
                                   (region_pipeline.c); every other row is municipal only */
#define REQUEST_BOTH_MODES 0x40u /* sessions: served in both modes */
#define REQUEST_SYNC 0x80u      /* with REQUEST_REGIONAL: for a municipality's sync identity
                                   (no session); its writes stay on refusal (the alarms) */
#define REQUEST_OPEN_CASE 0x10u /* adds to a case's record: refused on a closed case
                                   (FAILED_PRECONDITION, reopen it first; docs/cases.md) */

/* What a request acts on, found by the pipeline before the handler runs. */
enum request_subject {
    REQUEST_SUBJECT_NONE,         /* nothing personal by itself (session, protocol) */
    REQUEST_SUBJECT_MUNICIPALITY, /* the caller's municipality: lists, reports, search */
    REQUEST_SUBJECT_INTAKE,       /* a person about to be registered: the caller as lead */
    REQUEST_SUBJECT_PERSON,       /* a person, by the body's subject field */
    REQUEST_SUBJECT_CASE,         /* a case, by the body's subject field */
    REQUEST_SUBJECT_REFERRAL,     /* a referral's case, by the body's subject field */
    REQUEST_SUBJECT_OUTCOME,      /* an outcome's case, by the body's subject field */
};

/* A row's declared category: none (the handler decides finer, per field or record). */
#define REQUEST_NO_CATEGORY (-1)

struct request_context;

/*
 * Answers one request: fills response's body (heap-allocated fields only, set
 * only when returning OK) or returns an error status with ctx->message set.
 * A refusal (PERMISSION_DENIED, NOT_FOUND, CONFLICT, INVALID_ARGUMENT,
 * FAILED_PRECONDITION) undoes the handler's writes and is audited by the
 * pipeline; the handler adds to ctx->record what it disclosed or refused.
 */
typedef spona_status (*request_handler)(struct request_context *ctx,
                                        const spona_request *request,
                                        spona_response *response);

struct request_kind {
    int body_case;                /* SPONA__V1__REQUEST__BODY_* */
    const char *name;             /* also the audit action */
    enum request_where where;
    unsigned flags;               /* REQUEST_SESSION, REQUEST_WRITE, REQUEST_OWN_TX */
    enum request_subject subject;
    const char *subject_field;    /* the body's field holding the subject's id, or NULL */
    int category;                 /* enum policy_category, or REQUEST_NO_CATEGORY */
    enum policy_action action;    /* on category */
    request_handler handler;
};

/* What a handler may use. message is the error text sent when status != OK. */
struct request_context {
    const struct server_config *config;
    struct db *db; /* NULL for inline handlers */
    struct job *job;
    const struct request_kind *kind;
    char message[4096]; /* long enough for a policy file's list of errors */
    struct error_code error; /* the stable code sent beside message (none: the status's) */

    /* Prepared by the pipeline for rows without REQUEST_OWN_TX: */
    const struct policy *policy;  /* the protocol in force; NULL: none, everything denied */
    int has_subject;              /* subject is set (a person or case was found) */
    struct access_case subject;   /* the caller on the subject */
    struct policy_decision decision; /* on the row's declared category, when it has one */
    struct audit_record record;   /* appended by the pipeline; the handler adds to it */
    char subject_id[UUID_TEXT];   /* the id given in the request (person, case, ...) */
    int subject_by_number;        /* the request named its case by number (subject.c) */
    /* Storage that outlives the handler, for what record points to: a handler sets
     * record.detail to audit_detail (or a literal) and the ids with request_set_ids. */
    char audit_detail[256];
    char audit_person_id[UUID_TEXT];
    char audit_case_id[UUID_TEXT];
    int in_transaction;           /* the pipeline's transaction is open */
    int version_known;            /* request_begin found the protocol version in force */
    int version_in_force;         /* that version; 0: no protocol in force */
    int session_alive;            /* request_begin touched the job's live session */
    struct audit_queue also;      /* request_audit_also's records, appended with record */
    char region_object[128];      /* regional rows: what the request acted on (a code, a
                                     serial), for the region's audit trail */

};

/* Every row, for tests that walk the table: *count rows. */
const struct request_kind *request_table(size_t *count);

/*
 * Runs a prepared statement for a handler. Returns the result (caller
 * PQclear()s), or NULL with *status (UNAVAILABLE or INTERNAL) and ctx->message
 * set when the database is unreachable or the statement failed.
 */
PGresult *request_query(struct request_context *ctx, const char *name, int count,
                        const char *const *params, spona_status *status);

/*
 * Two prepared statements with the same parameters in one round trip (db_exec_pair):
 * OK with both results in out[] (caller PQclear()s), or UNAVAILABLE / INTERNAL with
 * ctx->message set and out[] NULL, as request_query.
 */
spona_status request_query_pair(struct request_context *ctx, const char *first,
                                const char *second, int count, const char *const *params,
                                PGresult *out[2]);

/* 1 when text is a UUID in its canonical text form (check ids before using them in SQL). */
int request_is_uuid(const char *text);

/*
 * One more audit record, for a request that discloses about several persons
 * (search hits, inbox rows): record's action defaults to the row's name. Kept
 * until the request succeeds, then appended with ctx->record in one statement
 * (a refused request records only its refusal). OK, or INTERNAL out of memory.
 */
spona_status request_audit_also(struct request_context *ctx, struct audit_record *record);

/* Copies the person and case ids (NULL or "": none) the audit record names into ctx. */
void request_set_ids(struct request_context *ctx, const char *person_id, const char *case_id);

/* Confirms the job's session is still alive (not ended, idle or too old) and touches it
 * (session_gate.c). */
spona_status session_check(struct request_context *ctx);

/* The answer for a session request_begin found dead: UNAUTHENTICATED saying why (the
 * reason it was ended, or expired), the job's session forgotten; or a database error. */
spona_status session_refused(struct request_context *ctx);

#endif
