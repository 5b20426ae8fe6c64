/*
 * Referrals and the lists built from them. The lead of a case refers the
 * person to a partner institution; the institution it is addressed to accepts
 * it (and joins the case's team), declines it (sent → declined, with a reason)
 * or completes it (accepted → completed, with a result); when it then has no
 * open referral left on the case, its team membership ends (it keeps read
 * access to the notes and outcomes it wrote: sql/006). The inbox lists what is
 * addressed to the caller; overdue referrals go to the lead agency with their
 * cases and to the coordinator as counts per institution only, small counts
 * suppressed as in the reports. Referrals are plan_measures data (docs/cases.md).
 *
 * Answering is the addressee's part of the referral, not a clause of the
 * protocol: an institution whose role writes no plan_measures (a school) still
 * answers what was sent to it. Reading the referral's text (its measure) is
 * not: the addressee sees it only when the protocol lets it read plan_measures
 * of the person, with her consent where the clause needs it, the referral
 * counting as its place on the team (docs/cases.md, "Referrals"). A caller
 * excluded from any case of the person sees none of her referrals.
 *
 * Runs on the request pipeline: it finds the case (or, for a referral, the
 * referral's case), keeps excluded callers out, undoes a refused answer and
 * audits; the inbox and the overdue list add one audit record per person.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "case_records.h"
#include "caseload_names.h"
#include "case_records_util.h"
#include "conflict_explain.h"
#include "handlers.h"
#include "handlers_util.h"
#include "report_suppress.h"
#include "statements.h"
#include "views.h"

#define REFERRAL_MAX_MEASURE 200
#define OVERDUE_MIN_COUNT 5 /* the reports' smallest count shown (handlers_report.c) */

/* The columns of a ReferralView, from referrals_for_caller r and institutions i (addressee). */
#define REFERRAL_VIEW_COLUMNS                                                              \
    "r.id, r.case_id, i.code, COALESCE(r.measure, ''), " CASE_RECORDS_DATE("r.due_date")    \
    ", r.status,"                                                                          \
    " COALESCE(r.decline_reason, ''), COALESCE(r.result, ''), r.version, "                 \
    CASE_RECORDS_TIMESTAMP("r.created_at") ", " REFERRAL_OVERDUE ", COALESCE(r.plan_measure, 0)"
#define REFERRAL_OVERDUE                                                                   \
    "COALESCE(r.due_date < current_date AND r.status IN ('sent', 'accepted'), false)"
/* the texts through the category-aware view (sql/030: NULL when not the caller's to read) */
#define REFERRAL_FROM                                                                      \
    " FROM referrals_for_caller r JOIN institutions i ON i.id = r.institution_id"
/* After REFERRAL_VIEW_COLUMNS: the addressee's subject (sql/016, 033), NULL when not the caller */
#define REFERRAL_ADDRESSEE_COLUMNS ", a.person_id, a.address_withheld, a.excluded, a.consented"
#define REFERRAL_ADDRESSEE_JOIN " LEFT JOIN LATERAL spona_referral_addressee(r.id) a ON true"
#define REFERRAL_VIEW_COUNT 12 /* the columns of REFERRAL_VIEW_COLUMNS */
#define REFERRAL_ADDRESSEE_AT REFERRAL_VIEW_COUNT
/* the inbox's name and case number (caseload_names.h), after the addressee's columns */
#define REFERRAL_INBOX_NAME_AT (REFERRAL_ADDRESSEE_AT + 4)
/* the overdue list's case number, then the person's name */
#define REFERRAL_OVERDUE_NUMBER_AT REFERRAL_VIEW_COUNT
#define REFERRAL_OVERDUE_NAME_AT (REFERRAL_VIEW_COUNT + 1)

const struct db_statement referral_statements[] = {
    /* a referral plan_change sent for a measure of the case to institution $2, not yet
     * answered nor taken over: the lead's referral_create takes it over (docs/cases.md);
     * its version stays 1, as for a referral just sent */
    {"referral_adopt",
     "UPDATE referrals SET measure = $3, due_date = NULLIF($4, '')::date, plan_created = false"
     " WHERE id = (SELECT r.id FROM referrals r WHERE r.case_id = $1::uuid"
     "                AND r.institution_id = $2 AND r.status = 'sent' AND r.plan_created"
     "              ORDER BY r.plan_measure, r.created_at LIMIT 1 FOR UPDATE)"
     " RETURNING id"},
    {"referral_insert",
     "INSERT INTO referrals (municipality_id, case_id, institution_id, measure, due_date,"
     "                       created_by)"
     " VALUES ($1, $2::uuid, $3, $4, NULLIF($5, '')::date, $6) RETURNING id"},
    /* under row-level security: the addressee and the case team see a referral */
    {"referral_lookup",
     "SELECT r.case_id, r.institution_id, r.status, r.version, i.code"
     "  FROM referrals r JOIN institutions i ON i.id = r.institution_id"
     " WHERE r.id = $1::uuid FOR UPDATE OF r"},
    {"referral_accept",
     "UPDATE referrals SET status = 'accepted', accepted_at = now(), responded_at = now(),"
     "                     accepted_by = spona_current_user(),"
     "                     answered_by = spona_current_user(), version = version + 1"
     " WHERE id = $1::uuid AND status = 'sent' RETURNING case_id, version"},
    /* joins the team, or comes back to it (an earlier membership ended or was break-glass) */
    {"referral_join",
     "INSERT INTO case_team (case_id, municipality_id, institution_id, via)"
     " VALUES ($1::uuid, $2, $3, 'referral')"
     " ON CONFLICT (case_id, institution_id) DO UPDATE SET"
     "   via = 'referral', left_at = NULL, expires_at = NULL, emergency_user = NULL,"
     "   emergency_reason = NULL,"
     "   joined_at = CASE WHEN case_team.via = 'referral' AND case_team.left_at IS NULL"
     "                    THEN case_team.joined_at ELSE now() END"
     " WHERE case_team.via <> 'lead'"},
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
    {"referral_view",
     "SELECT " REFERRAL_VIEW_COLUMNS REFERRAL_ADDRESSEE_COLUMNS REFERRAL_FROM
     REFERRAL_ADDRESSEE_JOIN " WHERE r.id = $1::uuid"},
    /* the newest 500 (a bounded answer) */
    {"referral_inbox",
     "SELECT " REFERRAL_VIEW_COLUMNS REFERRAL_ADDRESSEE_COLUMNS ", "
     CASELOAD_ADDRESSEE_NAME_COLUMNS REFERRAL_FROM REFERRAL_ADDRESSEE_JOIN
     CASELOAD_ADDRESSEE_NAME_JOIN("r.id")
     " WHERE r.institution_id = spona_current_institution()"
     "   AND (NOT $1::bool OR r.status IN ('sent', 'accepted'))"
     " ORDER BY r.created_at DESC, r.id LIMIT 500"},
    /* overdue referrals of the cases the caller leads, oldest due date first */
    {"referral_overdue",
     "SELECT " REFERRAL_VIEW_COLUMNS ", c.number, " CASELOAD_NAME_COLUMNS REFERRAL_FROM
     " JOIN cases c ON c.id = r.case_id" CASELOAD_NAME_JOIN("c.person_id")
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
    view->plan_measure = (uint32_t)strtoul(PQgetvalue(result, row, 11), NULL, 10);
    if (failed || view->created_at == NULL) {
        spona__v1__referral_view__free_unpacked(view, NULL);
        return NULL;
    }
    return view;
}

/*
 * What the addressee of a referral may know of it, from a row with
 * REFERRAL_ADDRESSEE_COLUMNS: caller (access_intake_subject) as on the team of
 * the referral's case (the referral is its invitation), with whether the person's
 * address is withheld from it (sql/033: the only fact of her safety flag it may
 * know; as it does not lead the case, the flag's meaning for it) and consents.
 * Returns 0 when the row is not the caller's to see at all (excluded from a
 * case of the person, or not addressed to it); else 1 with
 * person_id set and *decision the read decision on plan_measures.
 */
static int referral_addressee_decide(const struct policy *policy,
                                     const struct access_case *caller, const PGresult *result,
                                     int row, char person_id[UUID_TEXT],
                                     struct policy_decision *decision,
                                     struct access_case *out)
{
    const int at = REFERRAL_ADDRESSEE_AT;
    if (PQgetisnull(result, row, at) || strcmp(PQgetvalue(result, row, at + 2), "t") == 0)
        return 0;
    struct access_case local;
    struct access_case *addressee = out != NULL ? out : &local;
    *addressee = *caller;
    db_copy(result, row, at, person_id, UUID_TEXT);
    snprintf(addressee->person_id, sizeof(addressee->person_id), "%s", person_id);
    addressee->lead_institution_id[0] = '\0';
    addressee->subject.on_team = 1;
    addressee->subject.is_lead_institution = 0;
    /* withheld from an institution that does not lead the case: exactly the flag */
    addressee->subject.person_has_safety_flag = strcmp(PQgetvalue(result, row, at + 1), "t") == 0;
    addressee->subject.consented_categories =
        access_category_mask(PQgetvalue(result, row, at + 3));
    access_decide(policy, addressee, POLICY_CATEGORY_PLAN_MEASURES, POLICY_ACTION_READ,
                  decision);
    return 1;
}

/* The view of a row for its addressee: the measure blanked when not readable. */
static Spona__V1__ReferralView *referral_addressee_view(const PGresult *result, int row,
                                                        int readable)
{
    Spona__V1__ReferralView *view = referral_view_from_row(result, row);
    if (view == NULL || readable)
        return view;
    free(view->measure);
    view->measure = views_strdup("");
    if (view->measure == NULL) {
        spona__v1__referral_view__free_unpacked(view, NULL);
        return NULL;
    }
    return view;
}

/* Adds a plan_measures decision to record: the clause when allowed, else the denial. */
static void referral_record_decision(struct audit_record *record,
                                     const struct policy_decision *decision)
{
    if (decision->allowed) {
        record->disclosed |= POLICY_BIT(POLICY_CATEGORY_PLAN_MEASURES);
        audit_add_clause(record, decision->clause_number);
    } else {
        record->denied |= POLICY_BIT(POLICY_CATEGORY_PLAN_MEASURES);
    }
}

/* Checks the referral's target: a registered, enabled signatory other than the lead. */
static spona_status referral_target(struct request_context *ctx, const struct policy *policy,
                                    const struct access_case *access, const char *code,
                                    struct handlers_institution *target)
{
    spona_status status = handlers_find_institution(ctx, policy, code, target);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    if (!target->enabled)
        snprintf(ctx->message, sizeof(ctx->message), "institution '%s' is disabled", code);
    else if (policy == NULL || !target->is_signatory)
        snprintf(ctx->message, sizeof(ctx->message),
                 "institution '%s' is not a signatory of the protocol in force", code);
    else if (target->role == POLICY_ROLE_COORDINATOR)
        snprintf(ctx->message, sizeof(ctx->message),
                 "institution '%s' is the protocol's coordinator, which never takes part in "
                 "a case", code);
    else if (strcmp(target->id, access->lead_institution_id) == 0)
        snprintf(ctx->message, sizeof(ctx->message),
                 "institution '%s' leads this case: refer to a partner", code);
    else
        return SPONA__V1__STATUS__OK;
    return SPONA__V1__STATUS__INVALID_ARGUMENT;
}

/* INVALID_ARGUMENT unless measure, due date and institution are given and well formed. */
static spona_status referral_check_create(struct request_context *ctx,
                                          const Spona__V1__ReferralCreateRequest *create)
{
    size_t measure_length = handlers_text_length(create->measure);
    if (measure_length == 0 || measure_length > REFERRAL_MAX_MEASURE) {
        snprintf(ctx->message, sizeof(ctx->message), "measure: required, at most %d characters",
                 REFERRAL_MAX_MEASURE);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    if (create->due_date[0] != '\0' &&
        handlers_check_date("due_date", create->due_date, ctx->message, sizeof(ctx->message)) != 0)
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    if (create->institution_code[0] == '\0') {
        snprintf(ctx->message, sizeof(ctx->message), "institution_code: required");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    return SPONA__V1__STATUS__OK;
}

spona_status handle_referral_create(struct request_context *ctx, const spona_request *request,
                                    spona_response *response)
{
    const Spona__V1__ReferralCreateRequest *create = request->referral_create;
    spona_status status = referral_check_create(ctx, create);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "to %.150s", create->institution_code);
    ctx->record.detail = ctx->audit_detail;
    const struct access_case *access = &ctx->subject;
    if (!access->subject.is_lead_institution || access->subject.excluded) {
        snprintf(ctx->message, sizeof(ctx->message), "only the case's lead institution may refer it");
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    }
    struct handlers_institution target;
    status = referral_target(ctx, ctx->policy, access, create->institution_code, &target);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    const char *adopt[] = {create->case_id, target.id, create->measure, create->due_date};
    PGresult *result = request_query(ctx, "referral_adopt", 4, adopt, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) == 0) {
        PQclear(result);
        const char *params[] = {ctx->job->installation.municipality_id, create->case_id,
                                target.id, create->measure, create->due_date,
                                ctx->job->session.user_id};
        result = request_query(ctx, "referral_insert", 6, params, &status);
        if (result == NULL)
            return status;
    }
    char referral_id[UUID_TEXT];
    db_copy(result, 0, 0, referral_id, sizeof(referral_id));
    PQclear(result);

    Spona__V1__ReferralCreateResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__referral_create_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_REFERRAL_CREATE;
    response->referral_create = answer;
    answer->referral_id = views_strdup(referral_id);
    return answer->referral_id != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;
}

/* An answer of the addressee: the status it needs, the UPDATE that sets the next one. */
struct referral_answer {
    const char *statement;  /* "referral_accept", "referral_decline", "referral_complete" */
    const char *from;       /* status the referral must have */
    const char *verb;       /* "accepted", "declined", "completed" */
    const char *text_name;  /* "reason", "result"; NULL: no text (accepting) */
    const char *referral_id;
    uint64_t expected_version; /* compared when text_name is set */
    const char *text;
};

/*
 * The referral as the caller may answer it, locked: NOT_FOUND, PERMISSION_DENIED
 * (addressed to another institution) or CONFLICT (wrong status, stale version),
 * with ctx->message set. OK with case_id set.
 */
static spona_status referral_answer_check(struct request_context *ctx,
                                          const struct referral_answer *answer,
                                          char case_id[UUID_TEXT])
{
    const char *params[] = {answer->referral_id};
    spona_status status;
    PGresult *result = request_query(ctx, "referral_lookup", 1, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "no referral %s that you may see",
                 answer->referral_id);
        return SPONA__V1__STATUS__NOT_FOUND;
    }
    db_copy(result, 0, 0, case_id, UUID_TEXT);
    const char *addressee = PQgetvalue(result, 0, 1), *current = PQgetvalue(result, 0, 2);
    uint64_t version = strtoull(PQgetvalue(result, 0, 3), NULL, 10);
    if (strcmp(addressee, ctx->job->installation.institution_id) != 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "referral %s is addressed to institution %s, not to yours: only it may answer",
                 answer->referral_id, PQgetvalue(result, 0, 4));
        error_code_set(&ctx->error, "referral_not_yours");
        ctx->record.denied |= POLICY_BIT(POLICY_CATEGORY_PLAN_MEASURES);
        status = SPONA__V1__STATUS__PERMISSION_DENIED;
    } else if (strcmp(current, answer->from) != 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "referral %s is %s: only a referral that is %s can be %s", answer->referral_id,
                 current, answer->from, answer->verb);
        error_code_set(&ctx->error, "referral_state");
        error_code_param(&ctx->error, "state", current); /* from the database's CHECK list */
        error_code_param(&ctx->error, "needed", answer->from);
        status = SPONA__V1__STATUS__CONFLICT;
    } else if (answer->text_name != NULL && version != answer->expected_version) {
        char now[24];
        snprintf(now, sizeof(now), "%llu", (unsigned long long)version);
        status = conflict_explain(ctx, CONFLICT_REFERRAL, answer->referral_id, now);
    }
    PQclear(result);
    return status;
}

spona_status handle_referral_accept(struct request_context *ctx, const spona_request *request,
                                    spona_response *response)
{
    const struct referral_answer accept = {
        .statement = "referral_accept", .from = "sent", .verb = "accepted",
        .referral_id = request->referral_accept->referral_id};
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "referral %s", accept.referral_id);
    ctx->record.detail = ctx->audit_detail;
    char case_id[UUID_TEXT] = "";
    spona_status status = referral_answer_check(ctx, &accept, case_id);
    const char *params[] = {accept.referral_id};
    PGresult *result =
        status == SPONA__V1__STATUS__OK ? request_query(ctx, accept.statement, 1, params, &status)
                                        : NULL;
    if (result == NULL)
        return status;
    uint64_t version = PQntuples(result) == 1 ? strtoull(PQgetvalue(result, 0, 1), NULL, 10) : 0;
    PQclear(result);
    const char *join[] = {case_id, ctx->job->installation.municipality_id,
                          ctx->job->installation.institution_id};
    result = request_query(ctx, "referral_join", 3, join, &status);
    if (result == NULL)
        return status;
    PQclear(result);
    /* on the team now: the person, for the audit (the gate kept excluded callers out) */
    struct access_case access;
    status = access_case_subject(ctx, case_id, NULL, &access);
    if (status != SPONA__V1__STATUS__OK)
        return status == SPONA__V1__STATUS__NOT_FOUND ? SPONA__V1__STATUS__INTERNAL : status;
    request_set_ids(ctx, access.person_id, case_id);

    Spona__V1__ReferralAcceptResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__referral_accept_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_REFERRAL_ACCEPT;
    response->referral_accept = answer;
    answer->case_id = views_strdup(case_id);
    answer->version = version;
    return answer->case_id != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;
}

/* The referral as its addressee sees it now (the measure under the same rule as the inbox). */
static spona_status referral_answer_view(struct request_context *ctx, const char *referral_id,
                                         const char *case_id, Spona__V1__ReferralView **out)
{
    struct access_case caller;
    spona_status status = access_intake_subject(ctx, ctx->policy, &caller);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    const char *params[] = {referral_id};
    PGresult *result = request_query(ctx, "referral_view", 1, params, &status);
    if (result == NULL)
        return status;
    char person_id[UUID_TEXT] = "";
    struct policy_decision decision = {0};
    int visible = PQntuples(result) == 1 &&
                  referral_addressee_decide(ctx->policy, &caller, result, 0, person_id,
                                            &decision, NULL);
    *out = visible ? referral_addressee_view(result, 0, decision.allowed) : NULL;
    PQclear(result);
    if (*out == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    request_set_ids(ctx, person_id, case_id);
    referral_record_decision(&ctx->record, &decision);
    return SPONA__V1__STATUS__OK;
}

/* Decline and complete: check, answer, leave the team when nothing is open, view. */
static spona_status referral_answer_run(struct request_context *ctx,
                                        const struct referral_answer *answer,
                                        Spona__V1__ReferralView **out)
{
    *out = NULL;
    spona_status status = case_records_check_text(ctx, answer->text_name, answer->text, 1,
                                                  CASE_RECORDS_MAX_TEXT);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "referral %s", answer->referral_id);
    ctx->record.detail = ctx->audit_detail;
    char case_id[UUID_TEXT] = "";
    status = referral_answer_check(ctx, answer, case_id);
    const char *change[] = {answer->referral_id, answer->text};
    PGresult *result =
        status == SPONA__V1__STATUS__OK ? request_query(ctx, answer->statement, 2, change, &status)
                                        : NULL;
    if (result == NULL)
        return status;
    PQclear(result);
    const char *team[] = {case_id, ctx->job->installation.institution_id};
    result = request_query(ctx, "referral_leave_team", 2, team, &status);
    if (result == NULL)
        return status;
    if (strcmp(PQcmdTuples(result), "1") == 0)
        snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "referral %s; left the case team",
                 answer->referral_id);
    PQclear(result);
    return referral_answer_view(ctx, answer->referral_id, case_id, out);
}

spona_status handle_referral_decline(struct request_context *ctx, const spona_request *request,
                                     spona_response *response)
{
    const Spona__V1__ReferralDeclineRequest *decline = request->referral_decline;
    const struct referral_answer answer = {
        .statement = "referral_decline", .from = "sent", .verb = "declined",
        .text_name = "reason", .referral_id = decline->referral_id,
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
        .statement = "referral_complete", .from = "accepted", .verb = "completed",
        .text_name = "result", .referral_id = complete->referral_id,
        .expected_version = complete->expected_version, .text = complete->result};
    Spona__V1__ReferralView *view;
    spona_status status = referral_answer_run(ctx, &answer, &view);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_REFERRAL_COMPLETE;
    response->referral_complete = view;
    return SPONA__V1__STATUS__OK;
}

/*
 * The person's name and the case's number on an inbox row (row of the inbox's
 * result), as the addressee may see them (caseload_names.h); record gets identity
 * disclosed or denied.
 */
static spona_status referral_name_set(struct request_context *ctx, Spona__V1__ReferralView *view,
                                      const PGresult *result, int row,
                                      const struct access_case *addressee,
                                      struct audit_record *record)
{
    struct caseload_name name;
    int hidden = 0;
    spona_status status = caseload_name_from_row(ctx->policy, addressee, result, row,
                                                 REFERRAL_INBOX_NAME_AT, &name, record);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    free(view->case_number == protobuf_c_empty_string ? NULL : view->case_number);
    view->case_number = views_strdup(PQgetvalue(result, row, REFERRAL_INBOX_NAME_AT + 2));
    if (caseload_name_give(&name, &view->person_first_name, &view->person_last_name,
                           &hidden) != 0 ||
        view->case_number == NULL) {
        caseload_name_free(&name);
        return SPONA__V1__STATUS__INTERNAL;
    }
    view->person_name_hidden = hidden != 0;
    ctx->record.disclosed |= record->disclosed & POLICY_BIT(POLICY_CATEGORY_IDENTITY);
    return SPONA__V1__STATUS__OK;
}

/*
 * One inbox row: left out when the caller may not see it at all; else listed
 * (the measure only when readable) and audited with the person's id, so her
 * disclosures show it.
 */
static spona_status inbox_add_row(struct request_context *ctx, const struct access_case *caller,
                                  const PGresult *result, int row,
                                  Spona__V1__InboxResponse *answer)
{
    char person_id[UUID_TEXT] = "";
    struct policy_decision decision;
    struct access_case addressee;
    if (!referral_addressee_decide(ctx->policy, caller, result, row, person_id, &decision,
                                   &addressee))
        return SPONA__V1__STATUS__OK;
    Spona__V1__ReferralView *view = referral_addressee_view(result, row, decision.allowed);
    if (view == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    if (views_append((void ***)&answer->referrals, &answer->n_referrals, view) != 0) {
        spona__v1__referral_view__free_unpacked(view, NULL);
        return SPONA__V1__STATUS__INTERNAL;
    }
    char detail[64];
    snprintf(detail, sizeof(detail), "referral %s", view->referral_id);
    struct audit_record record = {.person_id = person_id, .case_id = view->case_id,
                                  .detail = detail};
    referral_record_decision(&record, &decision);
    referral_record_decision(&ctx->record, &decision);
    spona_status status = referral_name_set(ctx, view, result, row, &addressee, &record);
    return status == SPONA__V1__STATUS__OK ? request_audit_also(ctx, &record) : status;
}

spona_status handle_inbox(struct request_context *ctx, const spona_request *request,
                          spona_response *response)
{
    struct access_case caller;
    spona_status status = access_intake_subject(ctx, ctx->policy, &caller);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    const char *params[] = {request->inbox->open_only ? "true" : "false"};
    PGresult *result = request_query(ctx, "referral_inbox", 1, params, &status);
    if (result == NULL)
        return status;
    Spona__V1__InboxResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL) {
        PQclear(result);
        return SPONA__V1__STATUS__INTERNAL;
    }
    spona__v1__inbox_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_INBOX;
    response->inbox = answer;
    for (int row = 0; row < PQntuples(result) && status == SPONA__V1__STATUS__OK; row++)
        status = inbox_add_row(ctx, &caller, result, row, answer);
    PQclear(result);
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%zu referrals%s",
             answer->n_referrals, request->inbox->open_only ? " (open only)" : "");
    ctx->record.detail = ctx->audit_detail;
    return status;
}

/* A case of the overdue list: whether the lead may list it and read its plan_measures. */
struct overdue_case {
    const char *case_id; /* in the list's result */
    int row;             /* the case's first row there (its person's name) */
    int readable;
    struct caseload_name name; /* as the caller may see it (caseload_names.h) */
};

/*
 * Decides a case of the lead's overdue list for access (the caller on it; found 0:
 * not visible): readable when the caller is excluded from no case of its person and
 * may read its plan_measures. A readable case is audited with its person's id;
 * record gets the clause or the denial.
 */
static spona_status overdue_decide_case(struct request_context *ctx, const PGresult *result,
                                        const struct access_case *access, int found,
                                        struct overdue_case *out)
{
    out->readable = 0;
    if (!found || access->caller_excluded || access->subject.excluded)
        return SPONA__V1__STATUS__OK;
    struct policy_decision decision;
    access_decide(ctx->policy, access, POLICY_CATEGORY_PLAN_MEASURES, POLICY_ACTION_READ,
                  &decision);
    referral_record_decision(&ctx->record, &decision);
    out->readable = decision.allowed;
    if (!decision.allowed)
        return SPONA__V1__STATUS__OK;
    struct audit_record record = {.person_id = access->person_id, .case_id = out->case_id,
                                  .detail = "overdue referrals of the case"};
    referral_record_decision(&record, &decision);
    spona_status status = caseload_name_from_row(ctx->policy, access, result, out->row,
                                                 REFERRAL_OVERDUE_NAME_AT, &out->name, &record);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    ctx->record.disclosed |= record.disclosed & POLICY_BIT(POLICY_CATEGORY_IDENTITY);
    return request_audit_also(ctx, &record);
}

/* An overdue row's view with its case's number and its person's name (copied). */
static Spona__V1__ReferralView *overdue_view(const PGresult *result, int row,
                                             const struct overdue_case *known)
{
    Spona__V1__ReferralView *view = referral_view_from_row(result, row);
    if (view == NULL)
        return NULL;
    view->case_number = views_strdup(PQgetvalue(result, row, REFERRAL_OVERDUE_NUMBER_AT));
    view->person_first_name = views_strdup(known->name.first);
    view->person_last_name = views_strdup(known->name.last);
    view->person_name_hidden = known->name.hidden != 0;
    if (view->case_number == NULL || view->person_first_name == NULL ||
        view->person_last_name == NULL) {
        spona__v1__referral_view__free_unpacked(view, NULL);
        return NULL;
    }
    return view;
}

/*
 * The distinct cases of the overdue list's rows into cases (*known of them), each
 * row's case index into of_row, and the caller on each case in one statement.
 */
static spona_status overdue_cases(struct request_context *ctx, const PGresult *result,
                                  struct overdue_case *cases, int *of_row, int *known)
{
    int rows = PQntuples(result);
    *known = 0;
    for (int row = 0; row < rows; row++) {
        const char *case_id = PQgetvalue(result, row, 1);
        int found = 0;
        while (found < *known && strcmp(cases[found].case_id, case_id) != 0)
            found++;
        if (found == *known)
            cases[(*known)++] = (struct overdue_case){.case_id = case_id, .row = row};
        of_row[row] = found;
    }
    const char **ids = calloc((size_t)*known + 1, sizeof(*ids));
    struct access_case *access = calloc((size_t)*known + 1, sizeof(*access));
    int *visible = calloc((size_t)*known + 1, sizeof(*visible));
    spona_status status = SPONA__V1__STATUS__INTERNAL;
    if (ids != NULL && access != NULL && visible != NULL) {
        for (int i = 0; i < *known; i++)
            ids[i] = cases[i].case_id;
        status = access_case_subjects(ctx, ctx->policy, ids, (size_t)*known, access, visible);
    }
    for (int i = 0; i < *known && status == SPONA__V1__STATUS__OK; i++)
        status = overdue_decide_case(ctx, result, &access[i], visible[i], &cases[i]);
    free(ids);
    free(access);
    free(visible);
    return status;
}

/* The lead agency's list: every overdue referral of the cases it leads and may read. */
static spona_status overdue_for_lead(struct request_context *ctx,
                                     Spona__V1__OverdueResponse *answer)
{
    spona_status status;
    PGresult *result = request_query(ctx, "referral_overdue", 0, NULL, &status);
    if (result == NULL)
        return status;
    int rows = PQntuples(result), known = 0;
    struct overdue_case *cases = calloc(rows > 0 ? (size_t)rows : 1, sizeof(*cases));
    int *of_row = calloc(rows > 0 ? (size_t)rows : 1, sizeof(*of_row));
    status = cases != NULL && of_row != NULL ? overdue_cases(ctx, result, cases, of_row, &known)
                                             : SPONA__V1__STATUS__INTERNAL;
    for (int row = 0; row < rows && status == SPONA__V1__STATUS__OK; row++) {
        const struct overdue_case *known_case = &cases[of_row[row]];
        if (!known_case->readable)
            continue;
        Spona__V1__ReferralView *view = overdue_view(result, row, known_case);
        if (view == NULL ||
            views_append((void ***)&answer->referrals, &answer->n_referrals, view) != 0) {
            if (view != NULL)
                spona__v1__referral_view__free_unpacked(view, NULL);
            status = SPONA__V1__STATUS__INTERNAL;
        }
    }
    for (int i = 0; cases != NULL && i < known; i++)
        caseload_name_free(&cases[i].name);
    free(cases);
    free(of_row);
    PQclear(result);
    return status;
}

/* Appends one institution's count; INTERNAL when out of memory. */
static spona_status overdue_append_count(Spona__V1__OverdueResponse *answer, const char *code,
                                         long overdue)
{
    Spona__V1__OverdueCount *count = malloc(sizeof(*count));
    if (count == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__overdue_count__init(count);
    count->institution_code = views_strdup(code);
    count->overdue = (uint32_t)overdue;
    if (count->institution_code == NULL ||
        views_append((void ***)&answer->counts, &answer->n_counts, count) != 0) {
        spona__v1__overdue_count__free_unpacked(count, NULL);
        return SPONA__V1__STATUS__INTERNAL;
    }
    return SPONA__V1__STATUS__OK;
}

/*
 * The coordinator's counts per institution (aggregates: no case, no person).
 * A count of 1 to OVERDUE_MIN_COUNT-1 referrals is left out, as the reports
 * suppress small cells (report_suppress.h); there is no total to work it out from.
 */
static spona_status overdue_counts(struct request_context *ctx,
                                   Spona__V1__OverdueResponse *answer, int *suppressed)
{
    spona_status status;
    PGresult *result = request_query(ctx, "referral_overdue_counts", 0, NULL, &status);
    if (result == NULL)
        return status;
    *suppressed = 0;
    for (int row = 0; row < PQntuples(result) && status == SPONA__V1__STATUS__OK; row++) {
        struct report_figure figure = {.indicator = "overdue", .breakdown = "all",
                                       .base = strtol(PQgetvalue(result, row, 1), NULL, 10)};
        report_suppress(&figure, 1, OVERDUE_MIN_COUNT);
        if (figure.cell != REPORT_CELL_SHOWN)
            (*suppressed)++;
        else
            status = overdue_append_count(answer, PQgetvalue(result, row, 0), figure.base);
    }
    PQclear(result);
    return status;
}

/* Whether the caller is the coordinator, and may then read aggregates (else refused). */
static spona_status overdue_caller(struct request_context *ctx, int *coordinator)
{
    struct access_case caller;
    spona_status status = access_intake_subject(ctx, ctx->policy, &caller);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    *coordinator = caller.is_signatory && caller.subject.role == POLICY_ROLE_COORDINATOR;
    if (!*coordinator)
        return handlers_require_lead_agency(ctx, ctx->policy, &caller,
                                            "list overdue referrals (the coordinator gets "
                                            "counts per institution)");
    /* counts are aggregates, read outside any case */
    caller.subject.on_team = 0;
    caller.subject.is_lead_institution = 0;
    struct policy_decision decision;
    access_decide(ctx->policy, &caller, POLICY_CATEGORY_AGGREGATES, POLICY_ACTION_READ,
                  &decision);
    if (!decision.allowed) {
        ctx->record.denied = POLICY_BIT(POLICY_CATEGORY_AGGREGATES);
        snprintf(ctx->message, sizeof(ctx->message), "%s", decision.reason);
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    }
    ctx->record.disclosed = POLICY_BIT(POLICY_CATEGORY_AGGREGATES);
    audit_add_clause(&ctx->record, decision.clause_number);
    return SPONA__V1__STATUS__OK;
}

spona_status handle_overdue(struct request_context *ctx, const spona_request *request,
                            spona_response *response)
{
    (void)request;
    int coordinator = 0;
    spona_status status = overdue_caller(ctx, &coordinator);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    Spona__V1__OverdueResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__overdue_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_OVERDUE;
    response->overdue = answer;
    ctx->record.detail = ctx->audit_detail;
    if (coordinator) {
        int suppressed = 0;
        status = overdue_counts(ctx, answer, &suppressed);
        snprintf(ctx->audit_detail, sizeof(ctx->audit_detail),
                 "counts for %zu institutions, %d small counts left out", answer->n_counts,
                 suppressed);
        return status;
    }
    status = overdue_for_lead(ctx, answer);
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%zu overdue referrals",
             answer->n_referrals);
    return status;
}
