/*
 * Needs assessments of a case (docs/cases.md): ratings 1-5 and notes per
 * domain, strengths, assessor and date. Each record is a new version; none is
 * ever changed. Every domain carries its own data category (case_domains.c),
 * so the lead may record only when it may write every category present, and a
 * reader gets only the domains whose category it may read, with a decision per
 * category involved. Never log notes or strengths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "case_domains.h"
#include "case_records.h"
#include "case_records_util.h"
#include "handlers.h"
#include "handlers_util.h"
#include "statements.h"
#include "views.h"

#define ASSESSMENT_MAX_TEXT 4000

#define ASSESSMENT_DATE(column) "to_char(" column ", 'YYYY-MM-DD')"

const struct db_statement assessment_statements[] = {
    {"assessment_insert",
     "INSERT INTO assessments (case_id, municipality_id, version, assessed_on, assessor,"
     "                         strengths)"
     " SELECT $1::uuid, $2, COALESCE(max(version), 0) + 1,"
     "        COALESCE(NULLIF($3, '')::date, current_date), $4, $5"
     "   FROM assessments WHERE case_id = $1::uuid RETURNING id, version"},
    {"assessment_domain_insert",
     "INSERT INTO assessment_domains (assessment_id, municipality_id, domain, rating, notes)"
     " VALUES ($1::uuid, $2, $3, $4::int, $5)"},
    /* $2 = 0: the latest version */
    /* reads go through the category-aware views (sql/029): strengths, a domain's rating
     * and notes are NULL there unless the database's decision also lets the caller read
     * their category; whether strengths were given is the record's shape, not its text */
    {"assessment_get",
     "SELECT a.id, a.version, " ASSESSMENT_DATE("a.assessed_on") ", u.username, a.strengths,"
     "       a.strengths_given"
     "  FROM assessments_for_caller a JOIN users u ON u.id = a.assessor"
     " WHERE a.case_id = $1::uuid AND ($2::int = 0 OR a.version = $2::int)"
     " ORDER BY a.version DESC LIMIT 1"},
    {"assessment_domains",
     "SELECT domain, rating, notes FROM assessment_domains_for_caller"
     " WHERE assessment_id = $1::uuid ORDER BY domain"},
    {NULL, NULL},
};

/*
 * Checks the request: known domains, each once, ratings 1..5, text lengths, the
 * date. Returns OK with *categories the categories written, or
 * INVALID_ARGUMENT naming the problem.
 */
static spona_status assessment_input_check(struct request_context *ctx,
                                           const Spona__V1__AssessmentRecordRequest *input,
                                           policy_mask *categories)
{
    *categories = 0;
    if (input->n_domains == 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "domains: at least one domain is required (%s)", case_domains_text());
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    for (size_t i = 0; i < input->n_domains; i++) {
        const Spona__V1__AssessmentDomain *domain = input->domains[i];
        int category = case_domain_category(domain->domain);
        if (category < 0) {
            snprintf(ctx->message, sizeof(ctx->message), "domains[%zu]: not a domain (%s)", i,
                     case_domains_text());
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(input->domains[j]->domain, domain->domain) == 0) {
                snprintf(ctx->message, sizeof(ctx->message), "domain '%s' is given twice",
                         domain->domain);
                return SPONA__V1__STATUS__INVALID_ARGUMENT;
            }
        }
        if (domain->rating < 1 || domain->rating > 5) {
            snprintf(ctx->message, sizeof(ctx->message),
                     "domain '%s': rating %u is not 1 (no barrier) to 5 (severe barrier)",
                     domain->domain, domain->rating);
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
        }
        if (handlers_text_length(domain->notes) > ASSESSMENT_MAX_TEXT) {
            snprintf(ctx->message, sizeof(ctx->message),
                     "domain '%s': notes: at most %d characters", domain->domain,
                     ASSESSMENT_MAX_TEXT);
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
        }
        *categories |= POLICY_BIT(category);
    }
    if (handlers_text_length(input->strengths) > ASSESSMENT_MAX_TEXT) {
        snprintf(ctx->message, sizeof(ctx->message), "strengths: at most %d characters",
                 ASSESSMENT_MAX_TEXT);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    if (input->strengths[0] != '\0')
        *categories |= POLICY_BIT(CASE_STRENGTHS_CATEGORY);
    if (input->assessed_on[0] != '\0' &&
        handlers_check_date("assessed_on", input->assessed_on, ctx->message,
                            sizeof(ctx->message)) != 0)
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    return SPONA__V1__STATUS__OK;
}

/*
 * Decides write on every category of categories: OK (ctx->record: written, the
 * clauses), or PERMISSION_DENIED with the first refusal's reason (ctx->record:
 * the categories denied, nothing written). A write is refused whole.
 */
static spona_status assessment_decide_writes(struct request_context *ctx, policy_mask categories)
{
    struct audit_record allowed = {0};
    policy_mask refused = 0;
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++) {
        if (!(categories & POLICY_BIT(category)))
            continue;
        struct policy_decision decision;
        access_decide(ctx->policy, &ctx->subject, (enum policy_category)category,
                      POLICY_ACTION_WRITE, &decision);
        if (decision.allowed) {
            audit_add_clause(&allowed, decision.clause_number);
        } else {
            if (refused == 0) {
                snprintf(ctx->message, sizeof(ctx->message), "%s", decision.reason);
                error_code_decision(&ctx->error, &decision, (enum policy_category)category,
                                    POLICY_ACTION_WRITE);
            }
            refused |= POLICY_BIT(category);
        }
    }
    if (refused != 0) {
        ctx->record.denied |= categories;
        return case_records_refuse(ctx, SPONA__V1__STATUS__PERMISSION_DENIED);
    }
    ctx->record.disclosed |= categories;
    for (int i = 0; i < allowed.clause_count; i++)
        audit_add_clause(&ctx->record, allowed.clauses[i]);
    return SPONA__V1__STATUS__OK;
}

/* Adds a read decision on category to view (once per category); record as disclosed/denied. */
static int assessment_add_decision(const struct policy *policy, const struct access_case *access,
                                   enum policy_category category, Spona__V1__AssessmentView *view,
                                   policy_mask *decided, struct policy_decision *out,
                                   struct audit_record *record)
{
    access_decide(policy, access, category, POLICY_ACTION_READ, out);
    if (*decided & POLICY_BIT(category))
        return 0;
    *decided |= POLICY_BIT(category);
    if (out->allowed) {
        record->disclosed |= POLICY_BIT(category);
        audit_add_clause(record, out->clause_number);
    } else {
        record->denied |= POLICY_BIT(category);
    }
    Spona__V1__CategoryDecision *decision =
        views_decision(policy, category, POLICY_ACTION_READ, out);
    if (decision != NULL &&
        views_append((void ***)&view->decisions, &view->n_decisions, decision) == 0)
        return 0;
    if (decision != NULL)
        spona__v1__category_decision__free_unpacked(decision, NULL);
    return -1;
}

/* The domains of assessment_id whose category access may read, into view. */
static spona_status assessment_domains_load(struct request_context *ctx,
                                            const struct policy *policy,
                                            const struct access_case *access,
                                            const char *assessment_id,
                                            Spona__V1__AssessmentView *view, policy_mask *decided,
                                            struct audit_record *record)
{
    const char *params[] = {assessment_id};
    spona_status status;
    PGresult *result = request_query(ctx, "assessment_domains", 1, params, &status);
    if (result == NULL)
        return status;
    for (int row = 0; row < PQntuples(result); row++) {
        int category = case_domain_category(PQgetvalue(result, row, 0));
        if (category < 0) /* a domain this server no longer knows: shown to nobody */
            continue;
        struct policy_decision decision;
        if (assessment_add_decision(policy, access, (enum policy_category)category, view,
                                    decided, &decision, record) != 0)
            goto failed;
        /* the view's NULL: the database refuses what C allows; the second wall holds */
        if (!decision.allowed || PQgetisnull(result, row, 1))
            continue;
        Spona__V1__AssessmentDomain *domain = malloc(sizeof(*domain));
        if (domain == NULL)
            goto failed;
        spona__v1__assessment_domain__init(domain);
        domain->domain = views_strdup(PQgetvalue(result, row, 0));
        domain->rating = (uint32_t)strtoul(PQgetvalue(result, row, 1), NULL, 10);
        domain->notes = views_strdup(PQgetvalue(result, row, 2));
        domain->category = views_strdup(policy_category_name((enum policy_category)category));
        if (domain->domain == NULL || domain->notes == NULL || domain->category == NULL ||
            views_append((void ***)&view->domains, &view->n_domains, domain) != 0) {
            spona__v1__assessment_domain__free_unpacked(domain, NULL);
            goto failed;
        }
    }
    PQclear(result);
    return SPONA__V1__STATUS__OK;

failed:
    PQclear(result);
    snprintf(ctx->message, sizeof(ctx->message), "internal error");
    return SPONA__V1__STATUS__INTERNAL;
}

/* NOT_FOUND with "case X has no assessment yet" (or "... no assessment version N"). */
static spona_status assessment_none(struct request_context *ctx, uint32_t version)
{
    if (version == 0)
        snprintf(ctx->message, sizeof(ctx->message), "case %s has no assessment yet",
                 ctx->subject.case_id);
    else
        snprintf(ctx->message, sizeof(ctx->message), "case %s has no assessment version %u",
                 ctx->subject.case_id, version);
    return SPONA__V1__STATUS__NOT_FOUND;
}

/* The strengths of row 0 of result into view, when the caller may read their category. */
static spona_status assessment_strengths(struct request_context *ctx, const PGresult *result,
                                         Spona__V1__AssessmentView *view, policy_mask *decided)
{
    if (strcmp(PQgetvalue(result, 0, 5), "t") != 0) /* none given */
        return SPONA__V1__STATUS__OK;
    const char *strengths = PQgetvalue(result, 0, 4);
    struct policy_decision decision;
    if (assessment_add_decision(ctx->policy, &ctx->subject, CASE_STRENGTHS_CATEGORY, view,
                                decided, &decision, &ctx->record) != 0)
        return SPONA__V1__STATUS__INTERNAL;
    if (!decision.allowed || PQgetisnull(result, 0, 4)) /* NULL: the database refuses */
        return SPONA__V1__STATUS__OK;
    free(view->strengths);
    view->strengths = views_strdup(strengths);
    return view->strengths != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;
}

/* The head of the assessment (row 0 of assessment_get) as a view, strengths still empty. */
static Spona__V1__AssessmentView *assessment_view_head(const PGresult *result,
                                                       const char *case_id)
{
    Spona__V1__AssessmentView *view = malloc(sizeof(*view));
    if (view == NULL)
        return NULL;
    spona__v1__assessment_view__init(view);
    view->assessment_id = views_strdup(PQgetvalue(result, 0, 0));
    view->case_id = views_strdup(case_id);
    view->version = (uint32_t)strtoul(PQgetvalue(result, 0, 1), NULL, 10);
    view->assessed_on = views_strdup(PQgetvalue(result, 0, 2));
    view->assessor = views_strdup(PQgetvalue(result, 0, 3));
    view->strengths = views_strdup("");
    if (view->assessment_id == NULL || view->case_id == NULL || view->assessed_on == NULL ||
        view->assessor == NULL || view->strengths == NULL) {
        spona__v1__assessment_view__free_unpacked(view, NULL);
        return NULL;
    }
    return view;
}

/*
 * The assessment version (0: the latest) of the caller's case as the caller may
 * see it (ctx->record: categories shown and hidden). NOT_FOUND when there is
 * none; OK with *out set (caller frees).
 */
static spona_status assessment_view_load(struct request_context *ctx, uint32_t version,
                                         Spona__V1__AssessmentView **out)
{
    *out = NULL;
    char version_text[16];
    snprintf(version_text, sizeof(version_text), "%u", version);
    const char *params[] = {ctx->subject.case_id, version_text};
    spona_status status;
    PGresult *result = request_query(ctx, "assessment_get", 2, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        return assessment_none(ctx, version);
    }
    Spona__V1__AssessmentView *view = assessment_view_head(result, ctx->subject.case_id);
    policy_mask decided = 0;
    status = view != NULL ? assessment_strengths(ctx, result, view, &decided)
                          : SPONA__V1__STATUS__INTERNAL;
    PQclear(result);
    if (status == SPONA__V1__STATUS__OK)
        status = assessment_domains_load(ctx, ctx->policy, &ctx->subject, view->assessment_id,
                                         view, &decided, &ctx->record);
    if (status != SPONA__V1__STATUS__OK) {
        if (view != NULL)
            spona__v1__assessment_view__free_unpacked(view, NULL);
        if (status == SPONA__V1__STATUS__INTERNAL)
            snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return status;
    }
    *out = view;
    return SPONA__V1__STATUS__OK;
}

/* Stores the assessment as the case's next version; *version gets its number. */
static spona_status assessment_insert(struct request_context *ctx,
                                      const Spona__V1__AssessmentRecordRequest *input,
                                      uint32_t *version)
{
    const struct job *job = ctx->job;
    const char *params[] = {input->case_id, job->installation.municipality_id,
                            input->assessed_on, job->session.user_id, input->strengths};
    spona_status status;
    PGresult *result = request_query(ctx, "assessment_insert", 5, params, &status);
    if (result == NULL)
        return status;
    char assessment_id[UUID_TEXT];
    db_copy(result, 0, 0, assessment_id, sizeof(assessment_id));
    *version = (uint32_t)strtoul(PQgetvalue(result, 0, 1), NULL, 10);
    PQclear(result);
    for (size_t i = 0; i < input->n_domains; i++) {
        const Spona__V1__AssessmentDomain *domain = input->domains[i];
        char rating[16];
        snprintf(rating, sizeof(rating), "%u", domain->rating);
        const char *row[] = {assessment_id, job->installation.municipality_id, domain->domain,
                             rating, domain->notes};
        result = request_query(ctx, "assessment_domain_insert", 5, row, &status);
        if (result == NULL)
            return status;
        PQclear(result);
    }
    return SPONA__V1__STATUS__OK;
}

/*
 * The checks of assessment_record inside the transaction: the lead, writing
 * every category present, on a case that is not closed (locked until the
 * transaction ends, so writers of one case take turns). A refusal status or OK.
 */
static spona_status assessment_record_allowed(struct request_context *ctx, const char *case_id,
                                              policy_mask categories)
{
    spona_status status = case_records_require_lead(ctx, &ctx->subject, "record its assessment");
    if (status != SPONA__V1__STATUS__OK) {
        ctx->record.denied |= categories;
        return case_records_refuse(ctx, status);
    }
    status = assessment_decide_writes(ctx, categories);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    char stage[32];
    uint64_t case_version;
    status = case_records_lock(ctx, case_id, stage, sizeof(stage), &case_version);
    if (status == SPONA__V1__STATUS__OK && strcmp(stage, "closed") == 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "case %s is closed: reopen it before assessing again", case_id);
        status = SPONA__V1__STATUS__FAILED_PRECONDITION;
    }
    return status != SPONA__V1__STATUS__OK ? case_records_refuse(ctx, status) : status;
}

spona_status handle_assessment_record(struct request_context *ctx, const spona_request *request,
                                      spona_response *response)
{
    const Spona__V1__AssessmentRecordRequest *input = request->assessment_record;
    policy_mask categories;
    spona_status status = assessment_input_check(ctx, input, &categories);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%zu domains", input->n_domains);
    ctx->record.detail = ctx->audit_detail;
    status = assessment_record_allowed(ctx, input->case_id, categories);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    uint32_t version = 0;
    status = assessment_insert(ctx, input, &version);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "version %u: %zu domains", version,
             input->n_domains);
    Spona__V1__AssessmentView *view = NULL;
    status = assessment_view_load(ctx, version, &view);
    if (status == SPONA__V1__STATUS__OK && view != NULL) {
        status = case_records_stage_suggestion(ctx, input->case_id, "assessment",
                                               &view->stage_suggestion);
        if (status != SPONA__V1__STATUS__OK)
            spona__v1__assessment_view__free_unpacked(view, NULL);
    }
    if (status != SPONA__V1__STATUS__OK)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_ASSESSMENT_RECORD;
    response->assessment_record = view;
    return SPONA__V1__STATUS__OK;
}

spona_status handle_assessment_get(struct request_context *ctx, const spona_request *request,
                                   spona_response *response)
{
    const Spona__V1__AssessmentGetRequest *get = request->assessment_get;
    Spona__V1__AssessmentView *view = NULL;
    spona_status status = assessment_view_load(ctx, get->version, &view);
    if (status != SPONA__V1__STATUS__OK)
        return case_records_refuse(ctx, status);
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "version %u", view->version);
    ctx->record.detail = ctx->audit_detail;
    response->body_case = SPONA__V1__RESPONSE__BODY_ASSESSMENT_GET;
    response->assessment_get = view;
    return SPONA__V1__STATUS__OK;
}
