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

/*
 * Appends the record with the request's user, institution, installation,
 * session and request id. Returns OK, or an error status with ctx->message set.
 * Must run inside the request's transaction.
 */
spona_status audit_append(struct request_context *ctx, const struct audit_record *record);

#endif
