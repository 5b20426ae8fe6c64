/*
 * Answers to referrals and the lists built from them. The institution a
 * referral is addressed to declines it (sent → declined, with a reason) or
 * completes it (accepted → completed, with a result); when it then has no open
 * referral left on the case, its team membership ends (it keeps read access to
 * the notes and outcomes it wrote: sql/006). The inbox lists what is addressed
 * to the caller; overdue referrals go to the lead agency with their cases and to
 * the coordinator as counts per institution only. Referrals are plan_measures
 * data (docs/cases.md); every answer and every list is audited.
 *
 * Answering is the addressee's part of the referral (as accepting is,
 * handlers_case.c), not a clause of the protocol: an institution whose role
 * writes no plan_measures (a school) still answers what was sent to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "case_records.h"
#include "case_records_util.h"
#include "handlers.h"
#include "handlers_util.h"
#include "statements.h"
#include "views.h"
#include "transaction.h"

/* The columns of a ReferralView, from referrals r joined with institutions i (addressee). */
#define REFERRAL_VIEW_COLUMNS                                                              \
    "r.id, r.case_id, i.code, r.measure, " CASE_RECORDS_DATE("r.due_date") ", r.status,"   \
    " COALESCE(r.decline_reason, ''), COALESCE(r.result, ''), r.version, "                 \
    CASE_RECORDS_TIMESTAMP("r.created_at") ", " REFERRAL_OVERDUE
#define REFERRAL_OVERDUE                                                                   \
    "COALESCE(r.due_date < current_date AND r.status IN ('sent', 'accepted'), false)"
#define REFERRAL_FROM " FROM referrals r JOIN institutions i ON i.id = r.institution_id"

const struct db_statement referral_statements[] = {
    /* under row-level security: the addressee and the case team see a referral */
    {"referral_answer_lookup",
     "SELECT r.case_id, r.institution_id, r.status, r.version, i.code" REFERRAL_FROM
     " WHERE r.id = $1::uuid FOR UPDATE OF r"},
    /* each answer keeps its own time; responded_at and answered_by: the latest answer's */
    {"referral_decline",
     "UPDATE referrals SET status = 'declined', decline_reason = $2, declined_at = now(),"
     "                     responded_at = now(), answered_by = spona_current_user(),"
     "                     version = version + 1"
     " WHERE id = $1::uuid AND status = 'sent'"},
    {"referral_complete",
     "UPDATE referrals SET status = 'completed', result = $2, completed_at = now(),"
     "                     responded_at = now(), answered_by = spona_current_user(),"
     "                     version = version + 1"
     " WHERE id = $1::uuid AND status = 'accepted'"},
    /* ends a partner's membership when none of its referrals on the case is open */
    {"referral_leave_team",
     "UPDATE case_team t SET left_at = now()"
     " WHERE t.case_id = $1::uuid AND t.institution_id = $2 AND t.via = 'referral'"
     "   AND t.left_at IS NULL"
     "   AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.case_id = t.case_id"
     "                      AND r.institution_id = t.institution_id"
     "                      AND r.status IN ('sent', 'accepted'))"},
    {"referral_view", "SELECT " REFERRAL_VIEW_COLUMNS REFERRAL_FROM " WHERE r.id = $1::uuid"},
    /* the newest 500 (a bounded answer) */
    {"referral_inbox",
     "SELECT " REFERRAL_VIEW_COLUMNS REFERRAL_FROM
     " WHERE r.institution_id = spona_current_institution()"
     "   AND (NOT $1::bool OR r.status IN ('sent', 'accepted'))"
     " ORDER BY r.created_at DESC, r.id LIMIT 500"},
    /* overdue referrals of the cases the caller leads, oldest due date first */
    {"referral_overdue",
     "SELECT " REFERRAL_VIEW_COLUMNS REFERRAL_FROM " JOIN cases c ON c.id = r.case_id"
     " WHERE c.lead_institution_id = spona_current_institution()"
     "   AND r.status IN ('sent', 'accepted') AND r.due_date < current_date"
     " ORDER BY r.due_date, r.created_at, r.id"},
    /* the coordinator's counts (sql/006: no case, no person) */
    {"referral_overdue_counts", "SELECT institution_code, overdue FROM spona_overdue_counts()"},
    {NULL, NULL},
};

/* One row of REFERRAL_VIEW_COLUMNS as a ReferralView; NULL when out of memory. */
static Spona__V1__ReferralView *referral_view_from_row(const PGresult *result, int row)
{
    Spona__V1__ReferralView *view = malloc(sizeof(*view));
    if (view == NULL)
        return NULL;
    spona__v1__referral_view__init(view);
    char **texts[] = {&view->referral_id, &view->case_id, &view->institution_code,
                      &view->measure,     &view->due_date, &view->status,
                      &view->reason,      &view->result};
    int failed = case_records_row_texts(result, row, texts,
                                        (int)(sizeof(texts) / sizeof(texts[0]))) != 0;
    view->version = strtoull(PQgetvalue(result, row, 8), NULL, 10);
    view->created_at = views_strdup(PQgetvalue(result, row, 9));
    view->overdue = strcmp(PQgetvalue(result, row, 10), "t") == 0;
    if (failed || view->created_at == NULL) {
        spona__v1__referral_view__free_unpacked(view, NULL);
        return NULL;
    }
    return view;
}

/* Appends the row to a repeated ReferralView field; INTERNAL when out of memory. */
static spona_status referral_append(const PGresult *result, int row,
                                    Spona__V1__ReferralView ***items, size_t *count)
{
    Spona__V1__ReferralView *view = referral_view_from_row(result, row);
    if (view == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    if (views_append((void ***)items, count, view) != 0) {
        spona__v1__referral_view__free_unpacked(view, NULL);
        return SPONA__V1__STATUS__INTERNAL;
    }
    return SPONA__V1__STATUS__OK;
}

/* What an answer changes: the status it needs, the one it sets and its text. */
struct referral_answer {
    const char *action;     /* "referral_decline", "referral_complete" */
    const char *statement;  /* the UPDATE */
    const char *from;       /* status the referral must have */
    const char *verb;       /* "declined", "completed" */
    const char *text_name;  /* "reason", "result" */
    const char *referral_id;
    uint64_t expected_version;
    const char *text;
};

/*
 * The referral as its addressee may answer it, locked: NOT_FOUND, PERMISSION_DENIED
 * (addressed to another institution) or CONFLICT (wrong status, stale version),
 * each audited. OK with case_id set and the transaction open.
 */
static spona_status referral_answer_check(struct request_context *ctx,
                                          const struct referral_answer *answer,
                                          struct audit_record *record,
                                          char case_id[UUID_TEXT])
{
    const char *params[] = {answer->referral_id};
    spona_status status;
    PGresult *result = request_query(ctx, "referral_answer_lookup", 1, params, &status);
    if (result == NULL) {
        request_rollback(ctx);
        return status;
    }
    if (PQntuples(result) != 1) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "no referral %s that you may see",
                 answer->referral_id);
        return handlers_refuse(ctx, record, "not_found", SPONA__V1__STATUS__NOT_FOUND);
    }
    db_copy(result, 0, 0, case_id, UUID_TEXT);
    record->case_id = case_id;
    const char *addressee = PQgetvalue(result, 0, 1), *current = PQgetvalue(result, 0, 2);
    uint64_t version = strtoull(PQgetvalue(result, 0, 3), NULL, 10);
    const char *outcome = NULL;
    status = SPONA__V1__STATUS__OK;
    if (strcmp(addressee, ctx->job->installation.institution_id) != 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "referral %s is addressed to institution %s, not to yours: only it may answer",
                 answer->referral_id, PQgetvalue(result, 0, 4));
        outcome = "denied";
        record->denied = POLICY_BIT(POLICY_CATEGORY_PLAN_MEASURES);
        status = SPONA__V1__STATUS__PERMISSION_DENIED;
    } else if (strcmp(current, answer->from) != 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "referral %s is %s: only a referral that is %s can be %s", answer->referral_id,
                 current, answer->from, answer->verb);
        outcome = "conflict";
        status = SPONA__V1__STATUS__CONFLICT;
    } else if (version != answer->expected_version) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "referral %s was changed meanwhile: current version %llu", answer->referral_id,
                 (unsigned long long)version);
        outcome = "conflict";
        status = SPONA__V1__STATUS__CONFLICT;
    }
    PQclear(result);
    if (status != SPONA__V1__STATUS__OK)
        return handlers_refuse(ctx, record, outcome, status);
    return SPONA__V1__STATUS__OK;
}

/* Decline and complete: check, answer, leave the team when nothing is open, view. */
static spona_status referral_answer_run(struct request_context *ctx,
                                        const struct referral_answer *answer,
                                        Spona__V1__ReferralView **out)
{
    *out = NULL;
    spona_status status = case_records_check_id(ctx, "referral_id", answer->referral_id);
    if (status == SPONA__V1__STATUS__OK)
        status = case_records_check_text(ctx, answer->text_name, answer->text, 1,
                                         CASE_RECORDS_MAX_TEXT);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    status = request_begin(ctx);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    char case_id[UUID_TEXT] = "", detail[96];
    snprintf(detail, sizeof(detail), "referral %s", answer->referral_id);
    struct audit_record record = {.action = answer->action, .detail = detail};
    const struct policy *policy = access_policy(ctx, &status);
    if (policy == NULL && status != SPONA__V1__STATUS__OK)
        goto failed;
    record.protocol_version = policy != NULL ? policy->version : 0;
    status = referral_answer_check(ctx, answer, &record, case_id);
    if (status != SPONA__V1__STATUS__OK)
        return status; /* ended */

    /* the person, while the caller may still see the case (an accepted referral) */
    struct access_case access;
    status = access_case_subject(ctx, case_id, NULL, &access);
    if (status == SPONA__V1__STATUS__OK)
        record.person_id = access.person_id;
    else if (status != SPONA__V1__STATUS__NOT_FOUND)
        goto failed;

    const char *change[] = {answer->referral_id, answer->text};
    PGresult *result = request_query(ctx, answer->statement, 2, change, &status);
    if (result == NULL)
        goto failed;
    PQclear(result);
    const char *team[] = {case_id, ctx->job->installation.institution_id};
    result = request_query(ctx, "referral_leave_team", 2, team, &status);
    if (result == NULL)
        goto failed;
    if (strcmp(PQcmdTuples(result), "1") == 0)
        snprintf(detail, sizeof(detail), "referral %s; left the case team", answer->referral_id);
    PQclear(result);

    const char *view_params[] = {answer->referral_id};
    result = request_query(ctx, "referral_view", 1, view_params, &status);
    if (result == NULL)
        goto failed;
    *out = PQntuples(result) == 1 ? referral_view_from_row(result, 0) : NULL;
    PQclear(result);
    if (*out == NULL) {
        status = SPONA__V1__STATUS__INTERNAL;
        goto failed;
    }
    record.disclosed = POLICY_BIT(POLICY_CATEGORY_PLAN_MEASURES);
    status = audit_commit(ctx, &record);
    if (status != SPONA__V1__STATUS__OK) {
        spona__v1__referral_view__free_unpacked(*out, NULL);
        *out = NULL;
    }
    return status;

failed:
    request_rollback(ctx);
    return status;
}

spona_status handle_referral_decline(struct request_context *ctx, const spona_request *request,
                                     spona_response *response)
{
    const Spona__V1__ReferralDeclineRequest *decline = request->referral_decline;
    const struct referral_answer answer = {
        .action = "referral_decline", .statement = "referral_decline", .from = "sent",
        .verb = "declined", .text_name = "reason", .referral_id = decline->referral_id,
        .expected_version = decline->expected_version, .text = decline->reason};
    Spona__V1__ReferralView *view;
    spona_status status = referral_answer_run(ctx, &answer, &view);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_REFERRAL_DECLINE;
    response->referral_decline = view;
    return SPONA__V1__STATUS__OK;
}

spona_status handle_referral_complete(struct request_context *ctx, const spona_request *request,
                                      spona_response *response)
{
    const Spona__V1__ReferralCompleteRequest *complete = request->referral_complete;
    const struct referral_answer answer = {
        .action = "referral_complete", .statement = "referral_complete", .from = "accepted",
        .verb = "completed", .text_name = "result", .referral_id = complete->referral_id,
        .expected_version = complete->expected_version, .text = complete->result};
    Spona__V1__ReferralView *view;
    spona_status status = referral_answer_run(ctx, &answer, &view);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_REFERRAL_COMPLETE;
    response->referral_complete = view;
    return SPONA__V1__STATUS__OK;
}

spona_status handle_inbox(struct request_context *ctx, const spona_request *request,
                          spona_response *response)
{
    spona_status status = request_begin(ctx);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    const char *params[] = {request->inbox->open_only ? "true" : "false"};
    PGresult *result = request_query(ctx, "referral_inbox", 1, params, &status);
    if (result == NULL) {
        request_rollback(ctx);
        return status;
    }
    Spona__V1__InboxResponse *answer = malloc(sizeof(*answer));
    if (answer != NULL) {
        spona__v1__inbox_response__init(answer);
        for (int row = 0; row < PQntuples(result) && status == SPONA__V1__STATUS__OK; row++)
            status = referral_append(result, row, &answer->referrals, &answer->n_referrals);
    } else {
        status = SPONA__V1__STATUS__INTERNAL;
    }
    PQclear(result);
    char detail[64];
    struct audit_record record = {.action = "inbox", .detail = detail};
    if (status == SPONA__V1__STATUS__OK) {
        snprintf(detail, sizeof(detail), "%zu referrals%s", answer->n_referrals,
                 request->inbox->open_only ? " (open only)" : "");
        if (answer->n_referrals > 0)
            record.disclosed = POLICY_BIT(POLICY_CATEGORY_PLAN_MEASURES);
        status = audit_commit(ctx, &record);
    } else {
        request_rollback(ctx);
    }
    if (status != SPONA__V1__STATUS__OK) {
        if (answer != NULL)
            spona__v1__inbox_response__free_unpacked(answer, NULL);
        return status;
    }
    response->body_case = SPONA__V1__RESPONSE__BODY_INBOX;
    response->inbox = answer;
    return SPONA__V1__STATUS__OK;
}

/* A case of the overdue list and whether its plan_measures are readable by the lead. */
struct overdue_case {
    char case_id[UUID_TEXT];
    int readable;
};

/*
 * The lead agency's list: every overdue referral of the cases it leads whose
 * plan_measures it may read (decided per case; record gets clauses and denials).
 */
static spona_status overdue_for_lead(struct request_context *ctx, const struct policy *policy,
                                     Spona__V1__OverdueResponse *answer,
                                     struct audit_record *record)
{
    spona_status status;
    PGresult *result = request_query(ctx, "referral_overdue", 0, NULL, &status);
    if (result == NULL)
        return status;
    int rows = PQntuples(result), known = 0;
    struct overdue_case *cases = calloc(rows > 0 ? (size_t)rows : 1, sizeof(*cases));
    if (cases == NULL) {
        PQclear(result);
        return SPONA__V1__STATUS__INTERNAL;
    }
    for (int row = 0; row < rows && status == SPONA__V1__STATUS__OK; row++) {
        const char *case_id = PQgetvalue(result, row, 1);
        int found = 0;
        while (found < known && strcmp(cases[found].case_id, case_id) != 0)
            found++;
        if (found == known) {
            struct access_case access;
            status = access_case_subject(ctx, case_id, NULL, &access);
            if (status != SPONA__V1__STATUS__OK)
                break;
            struct policy_decision decision;
            access_decide(policy, &access, POLICY_CATEGORY_PLAN_MEASURES, POLICY_ACTION_READ,
                          &decision);
            snprintf(cases[known].case_id, UUID_TEXT, "%s", case_id);
            cases[known++].readable = decision.allowed;
            if (decision.allowed)
                audit_add_clause(record, decision.clause_number);
            else
                record->denied |= POLICY_BIT(POLICY_CATEGORY_PLAN_MEASURES);
        }
        if (cases[found].readable) {
            status = referral_append(result, row, &answer->referrals, &answer->n_referrals);
            record->disclosed |= POLICY_BIT(POLICY_CATEGORY_PLAN_MEASURES);
        }
    }
    free(cases);
    PQclear(result);
    return status;
}

/* The coordinator's counts per institution (aggregates: no case, no person). */
static spona_status overdue_counts(struct request_context *ctx,
                                   Spona__V1__OverdueResponse *answer)
{
    spona_status status;
    PGresult *result = request_query(ctx, "referral_overdue_counts", 0, NULL, &status);
    if (result == NULL)
        return status;
    for (int row = 0; row < PQntuples(result) && status == SPONA__V1__STATUS__OK; row++) {
        Spona__V1__OverdueCount *count = malloc(sizeof(*count));
        if (count == NULL) {
            status = SPONA__V1__STATUS__INTERNAL;
            break;
        }
        spona__v1__overdue_count__init(count);
        count->institution_code = views_strdup(PQgetvalue(result, row, 0));
        count->overdue = (uint32_t)strtoul(PQgetvalue(result, row, 1), NULL, 10);
        if (count->institution_code == NULL ||
            views_append((void ***)&answer->counts, &answer->n_counts, count) != 0) {
            spona__v1__overdue_count__free_unpacked(count, NULL);
            status = SPONA__V1__STATUS__INTERNAL;
        }
    }
    PQclear(result);
    return status;
}

spona_status handle_overdue(struct request_context *ctx, const spona_request *request,
                            spona_response *response)
{
    (void)request;
    spona_status status = request_begin(ctx);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    char detail[64] = "";
    struct audit_record record = {.action = "overdue", .detail = detail};
    Spona__V1__OverdueResponse *answer = NULL;
    const struct policy *policy = access_policy(ctx, &status);
    if (policy == NULL && status != SPONA__V1__STATUS__OK)
        goto failed;
    record.protocol_version = policy != NULL ? policy->version : 0;
    struct access_case caller;
    status = access_intake_subject(ctx, policy, &caller);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    int coordinator = caller.is_signatory && caller.subject.role == POLICY_ROLE_COORDINATOR;
    if (coordinator) {
        /* counts are aggregates, read outside any case */
        caller.subject.on_team = 0;
        caller.subject.is_lead_institution = 0;
        struct policy_decision decision;
        access_decide(policy, &caller, POLICY_CATEGORY_AGGREGATES, POLICY_ACTION_READ,
                      &decision);
        if (!decision.allowed) {
            record.denied = POLICY_BIT(POLICY_CATEGORY_AGGREGATES);
            snprintf(ctx->message, sizeof(ctx->message), "%s", decision.reason);
            return handlers_refuse(ctx, &record, "denied", SPONA__V1__STATUS__PERMISSION_DENIED);
        }
        record.disclosed = POLICY_BIT(POLICY_CATEGORY_AGGREGATES);
        audit_add_clause(&record, decision.clause_number);
    } else {
        status = handlers_require_lead_agency(ctx, policy, &caller,
                                              "list overdue referrals (the coordinator gets "
                                              "counts per institution)");
        if (status != SPONA__V1__STATUS__OK)
            return handlers_refuse(ctx, &record, "denied", status);
    }

    answer = malloc(sizeof(*answer));
    if (answer == NULL) {
        status = SPONA__V1__STATUS__INTERNAL;
        goto failed;
    }
    spona__v1__overdue_response__init(answer);
    if (coordinator) {
        status = overdue_counts(ctx, answer);
        snprintf(detail, sizeof(detail), "counts for %zu institutions", answer->n_counts);
    } else {
        status = overdue_for_lead(ctx, policy, answer, &record);
        snprintf(detail, sizeof(detail), "%zu overdue referrals", answer->n_referrals);
    }
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    status = audit_commit_view(ctx, &record, &answer->base);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_OVERDUE;
    response->overdue = answer;
    return SPONA__V1__STATUS__OK;

failed:
    if (answer != NULL)
        spona__v1__overdue_response__free_unpacked(answer, NULL);
    request_rollback(ctx);
    return status;
}
