/*
 * A plan measure with a responsible partner refers the person to it (docs/cases.md,
 * "Rules the workflow owes its users"): plan_change links each new measure whose
 * responsible institution is not the case's lead to an open referral of the case to
 * that institution not yet linked to a measure, or creates one, in the plan change's
 * own transaction. The statements are plan_statements' (handlers_plan.c).
 */
#ifndef SPONA_PLAN_REFERRALS_H
#define SPONA_PLAN_REFERRALS_H

#include <stddef.h>

#include "request.h"

/*
 * For plan->measures[first_new..]: sets each partner's measure's referral_id, linking
 * (*linked) or creating (*created) its referral. OK, or an error status with
 * ctx->message set.
 */
spona_status plan_referrals_link(struct request_context *ctx, Spona__V1__PlanView *plan,
                                 size_t first_new, size_t *created, size_t *linked);

#endif
