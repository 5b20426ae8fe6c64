/*
 * Access control around personal data: the one place where a request's
 * transaction gets the acting identity (for row-level security), where the
 * protocol in force is found, and where the policy subject of an institution on
 * a case is computed from the database. Handlers ask here; they never decide
 * access themselves. See docs/access.md.
 */
#ifndef SPONA_ACCESS_H
#define SPONA_ACCESS_H

#include "job.h"
#include "policy.h"

struct request_context;

/*
 * The protocol in force in the caller's municipality (the highest stored
 * version), parsed and cached per worker. Borrowed: valid until the next call on
 * this worker. NULL when none is stored (everything is then denied) or on error
 * (*status set to a non-OK value).
 */
const struct policy *access_policy(struct request_context *ctx, spona_status *status);

/* What one institution may do on one case: the subject for policy_decide. */
struct access_case {
    char case_id[UUID_TEXT];
    char person_id[UUID_TEXT];
    char lead_institution_id[UUID_TEXT];
    char institution_id[UUID_TEXT];   /* whose access this is */
    char institution_code[128];
    int is_signatory;                 /* 0: not in the protocol, so no role: deny all */
    int emergency;                    /* on the team through break-glass access */
    int caller_excluded;              /* the caller (institution or user) is excluded from
                                         some case of this person: it sees nothing of her */
    int case_closed;                  /* the case is closed (0 for an intake) */
    int outcome_recorder;             /* found as the institution that recorded the
                                         request's outcome (off the team, or on it) */
    struct policy_subject subject;
};

/* The categories of a PostgreSQL text array of category codes ("{education_work,identity}"). */
policy_mask access_category_mask(const char *text);

/*
 * Computes the subject for institution_id (NULL: the caller's) on case_id, as
 * the database stands inside the current transaction: role from the protocol's
 * signatories, team membership, lead, current consents of the person to that
 * institution, the person's safety flag. NOT_FOUND when the case does not exist or
 * is not visible to the caller (row-level security), with ctx->message set.
 */
spona_status access_case_subject(struct request_context *ctx, const char *case_id,
                                 const char *institution_id, struct access_case *out);

/*
 * The subject of the caller's institution on the case of outcome_id when that
 * institution recorded the outcome (sql/044): on the team for its own outcome,
 * also after its place on the team ended; NOT_FOUND otherwise (ctx->message
 * not set). docs/cases.md, "Rules the workflow owes its users".
 */
spona_status access_outcome_recorder_subject(struct request_context *ctx, const char *outcome_id,
                                             struct access_case *out);

/*
 * Same for a person: uses the person's most recent case on which the institution
 * is on the team (else the most recent case). A person without a case is seen
 * only by the institution that registered it, as the lead of an intake.
 */
spona_status access_person_subject(struct request_context *ctx, const char *person_id,
                                   const char *institution_id, struct access_case *out);

/*
 * access_person_subject for the caller's institution and many persons at once
 * (one statement): out[i] for person_ids[i] (UUID text; anything else is not
 * found), found[i] 0 when that person is not visible to the caller (out[i] is
 * then left as it was). policy is access_policy's (NULL: none in force), so the
 * protocol version is not looked up again. OK, or an error status with
 * ctx->message set.
 */
spona_status access_person_subjects(struct request_context *ctx, const struct policy *policy,
                                    const char *const *person_ids, size_t count,
                                    struct access_case *out, int *found);

/*
 * access_case_subject for the caller's institution and many cases at once (one
 * statement): out[i] for case_ids[i] (UUID text; anything else is not found),
 * found[i] 0 when that case is not visible to the caller (row-level security; out[i]
 * is then left as it was). policy as for access_person_subjects. OK, or an error
 * status with ctx->message set.
 */
spona_status access_case_subjects(struct request_context *ctx, const struct policy *policy,
                                  const char *const *case_ids, size_t count,
                                  struct access_case *out, int *found);

/*
 * ids (count of them) as a PostgreSQL array literal of UUIDs, "{a,b}"; an id that is
 * not a UUID is left out, so nothing else gets into a statement. Heap (free()), NULL
 * when out of memory.
 */
char *access_uuid_array(const char *const *ids, size_t count);

/*
 * Decides one category/action for a subject under policy (NULL: deny). Emergency
 * (break-glass) access reads every person-level category but the address of a
 * person at risk, and writes nothing.
 */
void access_decide(const struct policy *policy, const struct access_case *access,
                   enum policy_category category, enum policy_action action,
                   struct policy_decision *out);

/*
 * The caller's institution as the lead of a new intake: its role from the
 * signatories of policy (the protocol in force; NULL: no role), on the team and
 * lead. Returns OK, or an error status with ctx->message set.
 */
spona_status access_intake_subject(struct request_context *ctx, const struct policy *policy,
                                     struct access_case *out);

#endif
