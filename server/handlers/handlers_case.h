/*
 * handlers_case.c's view of a case, shared with the lifecycle handlers, which
 * answer with the case as case_get does. The team in the view is filtered by
 * what the caller may read (docs/cases.md, "Who sees the team").
 */
#ifndef SPONA_HANDLERS_CASE_H
#define SPONA_HANDLERS_CASE_H

#include "access.h"
#include "audit.h"

/*
 * The case access->case_id as access may see it under policy: stage, lead,
 * the team members the caller may know of and the person as person_get (adding
 * to record what that disclosed). Returns OK with *out set (caller frees with
 * spona__v1__case_view__free_unpacked), NOT_FOUND when the case is not visible,
 * or another error status; ctx->message set.
 */
spona_status case_view_load(struct request_context *ctx, const struct policy *policy,
                            const struct access_case *access, Spona__V1__CaseView **out,
                            struct audit_record *record);

#endif
