/*
 * A stale version told in words (docs/protocol.md, "Error codes": version_conflict):
 * beside the current version, who made the last change of the record (institution
 * code and username), when, and what kind of change (a stage move, a new plan
 * version, a referral's answer, the data categories of a person that were written,
 * only those the caller may read). Read under row-level security, as the caller.
 */
#ifndef SPONA_CONFLICT_EXPLAIN_H
#define SPONA_CONFLICT_EXPLAIN_H

#include "request.h"

extern const struct db_statement conflict_statements[];

/* The kinds of record a write carries the version of. */
enum conflict_record {
    CONFLICT_PERSON,
    CONFLICT_CASE,
    CONFLICT_PLAN,
    CONFLICT_REFERRAL,
};

/*
 * Sets ctx->message ("<record> was changed meanwhile: current version N (by USER of
 * INSTITUTION at TIME: CHANGE)") and ctx->error (version_conflict: record, version,
 * by_institution, by_user, at, change, and from/to for a stage move or categories for
 * a person) for the record id (a person, a case, the case of a plan, a referral).
 * Returns CONFLICT; a failed lookup leaves the explanation out, not the conflict.
 */
spona_status conflict_explain(struct request_context *ctx, enum conflict_record record,
                              const char *id, const char *version);

#endif
