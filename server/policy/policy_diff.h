/*
 * Comparing two versions of a protocol: which institutions a new version gives
 * more than the old one did (docs/policy.md, "Amendments"). A widening version
 * takes effect only when the lead agency and every widened institution approved
 * it. Pure logic like policy.c: no database, no clock.
 */
#ifndef SPONA_POLICY_DIFF_H
#define SPONA_POLICY_DIFF_H

#include <stddef.h>

#include "policy.h"

/* How an institution's access to one category and action widens. */
enum policy_gain_kind {
    POLICY_GAIN_GRANT,           /* it had no clause for it at all */
    POLICY_GAIN_CONSENT_DROPPED, /* it had one, but only with the person's consent */
    POLICY_GAIN_TEAM_DROPPED     /* it had one, but only on the case team */
};

struct policy_gain {
    const char *institution; /* borrowed from the new policy's signatories */
    enum policy_role role;   /* its role in the new version */
    enum policy_category category;
    enum policy_action action;
    enum policy_gain_kind kind;
};

/* Every gain of a new version over an old one, in signatory, category, action order. */
struct policy_diff {
    struct policy_gain *gains; /* owned; release with policy_diff_free */
    size_t gain_count;
};

/*
 * Compares next with old (NULL: no version activated yet, so every grant is a gain).
 * Returns 0 with *out filled, or -1 when out of memory (*out empty). The gains
 * borrow next's strings: free the diff before next.
 */
int policy_diff(const struct policy *old, const struct policy *next, struct policy_diff *out);

/* Releases the gains and zeroes the struct; safe on a zeroed one. */
void policy_diff_free(struct policy_diff *diff);

/* 1 when institution gains anything in diff. */
int policy_diff_widens_for(const struct policy_diff *diff, const char *institution);

/*
 * Why institution must approve next, as text: "lead agency", "gains read
 * health_disability", "no longer needs consent for read safety", joined with "; "
 * and truncated to out_size. Empty when it need not approve.
 */
void policy_diff_reason(const struct policy_diff *diff, const struct policy *next,
                        const char *institution, char *out, size_t out_size);

#endif
