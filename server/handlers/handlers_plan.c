/*
 * The individual activation plan of a case (docs/cases.md): goals with target
 * dates, measures with the institution responsible, the person's obligations
 * and a review date, all plan_measures data. Every change stores a whole new
 * version (old ones stay): plan_change copies version N, applies the changes in
 * memory and inserts version N+1. The lead changes anything; a partner on the
 * team may only set the status of the measures it is responsible for. A change
 * of statuses alone is stored by the database (spona_plan_copy, sql/032), which
 * copies version N with the texts the caller may write but not read (the views
 * give them only to readers of plan_measures). plan_get
 * also renders a version as a document to print and sign. Never log plan text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "case_records.h"
#include "case_records_util.h"
#include "conflict_explain.h"
#include "handlers.h"
#include "handlers_util.h"
#include "plan_referrals.h"
#include "statements.h"
#include "views.h"

#define PLAN_MAX_TEXT 2000
#define PLAN_MAX_OBLIGATIONS 4000
#define PLAN_MAX_ITEMS 200 /* goals or measures in one plan */

const struct db_statement plan_statements[] = {
    /* $2 = 0: the latest version. The texts through the category-aware views (sql/030,
     * 032: NULL to a caller that may not read plan_measures of the case). */
    {"plan_get",
     "SELECT p.id, p.version, " CASE_RECORDS_DATE("p.review_date") ", p.obligations,"
     "       " CASE_RECORDS_TIMESTAMP("p.created_at") ","
     "       u.username"
     "  FROM plans_for_caller p JOIN users u ON u.id = p.created_by"
     " WHERE p.case_id = $1::uuid AND ($2::int = 0 OR p.version = $2::int)"
     " ORDER BY p.version DESC LIMIT 1"},
    {"plan_goals",
     "SELECT number, text, " CASE_RECORDS_DATE("target_date") ", status"
     "  FROM plan_goals_for_caller"
     " WHERE plan_id = $1::uuid ORDER BY number"},
    {"plan_measures",
     "SELECT m.number, m.kind, m.description, COALESCE(i.code, ''),"
     "       " CASE_RECORDS_DATE("m.due_date") ", m.status, COALESCE(m.referral_id::text, '')"
     "  FROM plan_measures_for_caller m LEFT JOIN institutions i ON i.id = m.responsible_institution_id"
     " WHERE m.plan_id = $1::uuid ORDER BY m.number"},
    {"plan_versions", "SELECT version FROM plans WHERE case_id = $1::uuid ORDER BY version"},
    {"plan_insert",
     "INSERT INTO plans (case_id, municipality_id, version, review_date, obligations,"
     "                   created_by)"
     " VALUES ($1::uuid, $2, $3::int, NULLIF($4, '')::date, $5, $6) RETURNING id"},
    {"plan_goal_insert",
     "INSERT INTO plan_goals (plan_id, municipality_id, number, text, target_date, status)"
     " VALUES ($1::uuid, $2, $3::int, $4, NULLIF($5, '')::date, $6)"},
    /* version $2 + 1 as a copy of $2 with the statuses changed (numbers $3/$5, statuses
     * $4/$6): in the database, so that a partner that may not read the texts copies them */
    {"plan_copy",
     "SELECT spona_plan_copy($1::uuid, $2::int, $3::int[], $4::text[], $5::int[], $6::text[])"},
    {"plan_measure_insert",
     "INSERT INTO plan_measures (plan_id, municipality_id, number, kind, description,"
     "                           responsible_institution_id, due_date, status, referral_id)"
     " VALUES ($1::uuid, $2, $3::int, $4, $5,"
     "         (SELECT id FROM institutions WHERE code = $6 AND municipality_id = $2),"
     "         NULLIF($7, '')::date, $8, NULLIF($9, '')::uuid)"},
    /* referrals of plan measures (plan_referrals.c): an open one of case $1 to institution
     * $2 not yet linked to a measure, locked; the link; a new one */
    {"plan_referral_open",
     "SELECT r.id FROM referrals r JOIN institutions i ON i.id = r.institution_id"
     " WHERE r.case_id = $1::uuid AND i.code = $2 AND i.municipality_id = $3"
     "   AND r.status IN ('sent', 'accepted') AND r.plan_measure IS NULL"
     " ORDER BY r.created_at, r.id LIMIT 1 FOR UPDATE OF r"},
    {"plan_referral_link",
     "UPDATE referrals SET plan_measure = $2::int WHERE id = $1::uuid AND plan_measure IS NULL"},
    {"plan_referral_insert",
     "INSERT INTO referrals (municipality_id, case_id, institution_id, measure, due_date,"
     "                       created_by, plan_measure, plan_created)"
     " VALUES ($1, $2::uuid, (SELECT id FROM institutions WHERE code = $3 AND municipality_id = $1),"
     "         $4, NULLIF($5, '')::date, $6, $7::int, true) RETURNING id"},
    /* the printable document: names of the case manager, the lead and the institutions */
    {"plan_case_manager",
     "SELECT u.full_name, i.name FROM cases c JOIN users u ON u.id = c.lead_user_id"
     "  JOIN institutions i ON i.id = c.lead_institution_id WHERE c.id = $1::uuid"},
    /* (identity by category: sql/025; NULL when the caller may not read it) */
    {"plan_person_name",
     "SELECT first_name, last_name FROM persons_for_caller WHERE id = $1::uuid"},
    {"plan_institution_name",
     "SELECT name FROM institutions WHERE code = $1 AND municipality_id = $2"},
    {NULL, NULL},
};

static const char *const goal_statuses[] = {"open", "achieved", "dropped", NULL};
static const char *const measure_statuses[] = {"planned", "in_progress", "done", "cancelled",
                                               NULL};
static const char *const measure_kinds[] = {
    "training",          "requalification", "job_search_support", "subsidised_employment",
    "self_employment",   "social_enterprise", "psychosocial_support", "childcare",
    "documents",         "public_works",    "other",              NULL,
};

static int plan_in(const char *const *list, const char *value)
{
    for (; *list != NULL; list++)
        if (strcmp(*list, value) == 0)
            return 1;
    return 0;
}

/* INVALID_ARGUMENT "WHAT: not one of a, b, c" unless value is in list (or may be empty). */
static spona_status plan_check_word(struct request_context *ctx, const char *what,
                                    const char *value, const char *const *list, int may_be_empty)
{
    if ((may_be_empty && value[0] == '\0') || plan_in(list, value))
        return SPONA__V1__STATUS__OK;
    size_t used = (size_t)snprintf(ctx->message, sizeof(ctx->message),
                                   "%s: not one of", what);
    for (const char *const *item = list; *item != NULL && used < sizeof(ctx->message); item++)
        used += (size_t)snprintf(ctx->message + used, sizeof(ctx->message) - used, "%s %s",
                                 item == list ? "" : ",", *item);
    return SPONA__V1__STATUS__INVALID_ARGUMENT;
}

static spona_status plan_check_date(struct request_context *ctx, const char *what,
                                    const char *value)
{
    if (value[0] == '\0' ||
        handlers_check_date(what, value, ctx->message, sizeof(ctx->message)) == 0)
        return SPONA__V1__STATUS__OK;
    return SPONA__V1__STATUS__INVALID_ARGUMENT;
}

/* Checks what the request says by itself (words, lengths, dates, numbers). */
static spona_status plan_input_check(struct request_context *ctx,
                                     const Spona__V1__PlanChangeRequest *change)
{
    if (change->n_add_goals + change->n_add_measures + change->n_goal_status +
                change->n_measure_status == 0 &&
        change->review_date[0] == '\0' && change->obligations[0] == '\0') {
        snprintf(ctx->message, sizeof(ctx->message), "no changes to the plan");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    spona_status status = SPONA__V1__STATUS__OK;
    for (size_t i = 0; i < change->n_add_goals && status == SPONA__V1__STATUS__OK; i++) {
        const Spona__V1__PlanGoal *goal = change->add_goals[i];
        status = case_records_check_text(ctx, "goal text", goal->text, 1, PLAN_MAX_TEXT);
        if (status == SPONA__V1__STATUS__OK)
            status = plan_check_date(ctx, "goal target_date", goal->target_date);
        if (status == SPONA__V1__STATUS__OK)
            status = plan_check_word(ctx, "goal status", goal->status, goal_statuses, 1);
    }
    for (size_t i = 0; i < change->n_add_measures && status == SPONA__V1__STATUS__OK; i++) {
        const Spona__V1__PlanMeasure *measure = change->add_measures[i];
        status = plan_check_word(ctx, "measure kind", measure->kind, measure_kinds, 0);
        if (status == SPONA__V1__STATUS__OK)
            status = case_records_check_text(ctx, "measure description", measure->description, 0,
                                             PLAN_MAX_TEXT);
        if (status == SPONA__V1__STATUS__OK)
            status = plan_check_date(ctx, "measure due_date", measure->due_date);
        if (status == SPONA__V1__STATUS__OK)
            status = plan_check_word(ctx, "measure status", measure->status, measure_statuses, 1);
        if (status == SPONA__V1__STATUS__OK && measure->responsible_institution_code[0] == '\0') {
            snprintf(ctx->message, sizeof(ctx->message),
                     "measure responsible_institution_code: required");
            status = SPONA__V1__STATUS__INVALID_ARGUMENT;
        }
    }
    for (size_t i = 0; i < change->n_goal_status && status == SPONA__V1__STATUS__OK; i++)
        status = plan_check_word(ctx, "goal_status status", change->goal_status[i]->status,
                                 goal_statuses, 0);
    for (size_t i = 0; i < change->n_measure_status && status == SPONA__V1__STATUS__OK; i++)
        status = plan_check_word(ctx, "measure_status status", change->measure_status[i]->status,
                                 measure_statuses, 0);
    if (status == SPONA__V1__STATUS__OK)
        status = plan_check_date(ctx, "review_date", change->review_date);
    if (status == SPONA__V1__STATUS__OK)
        status = case_records_check_text(ctx, "obligations", change->obligations, 0,
                                         PLAN_MAX_OBLIGATIONS);
    return status;
}

/* Replaces *field (a heap string) by a copy of value; -1 when out of memory. */
static int plan_set(char **field, const char *value)
{
    char *copy = views_strdup(value);
    if (copy == NULL)
        return -1;
    free(*field);
    *field = copy;
    return 0;
}

/* The goals and measures of plan_id, into view. */
static spona_status plan_items_load(struct request_context *ctx, const char *plan_id,
                                    Spona__V1__PlanView *view)
{
    const char *params[] = {plan_id};
    spona_status status;
    PGresult *result = request_query(ctx, "plan_goals", 1, params, &status);
    if (result == NULL)
        return status;
    int failed = 0;
    for (int row = 0; row < PQntuples(result) && !failed; row++) {
        Spona__V1__PlanGoal *goal = malloc(sizeof(*goal));
        if (goal == NULL) {
            failed = 1;
            break;
        }
        spona__v1__plan_goal__init(goal);
        goal->number = (uint32_t)strtoul(PQgetvalue(result, row, 0), NULL, 10);
        goal->text = views_strdup(PQgetvalue(result, row, 1));
        goal->target_date = views_strdup(PQgetvalue(result, row, 2));
        goal->status = views_strdup(PQgetvalue(result, row, 3));
        failed = goal->text == NULL || goal->target_date == NULL || goal->status == NULL ||
                 views_append((void ***)&view->goals, &view->n_goals, goal) != 0;
        if (failed)
            spona__v1__plan_goal__free_unpacked(goal, NULL);
    }
    PQclear(result);
    if (failed)
        return SPONA__V1__STATUS__INTERNAL;
    result = request_query(ctx, "plan_measures", 1, params, &status);
    if (result == NULL)
        return status;
    for (int row = 0; row < PQntuples(result) && !failed; row++) {
        Spona__V1__PlanMeasure *measure = malloc(sizeof(*measure));
        if (measure == NULL) {
            failed = 1;
            break;
        }
        spona__v1__plan_measure__init(measure);
        measure->number = (uint32_t)strtoul(PQgetvalue(result, row, 0), NULL, 10);
        measure->kind = views_strdup(PQgetvalue(result, row, 1));
        measure->description = views_strdup(PQgetvalue(result, row, 2));
        measure->responsible_institution_code = views_strdup(PQgetvalue(result, row, 3));
        measure->due_date = views_strdup(PQgetvalue(result, row, 4));
        measure->status = views_strdup(PQgetvalue(result, row, 5));
        measure->referral_id = views_strdup(PQgetvalue(result, row, 6));
        failed = measure->kind == NULL || measure->description == NULL ||
                 measure->responsible_institution_code == NULL || measure->due_date == NULL ||
                 measure->status == NULL || measure->referral_id == NULL ||
                 views_append((void ***)&view->measures, &view->n_measures, measure) != 0;
        if (failed)
            spona__v1__plan_measure__free_unpacked(measure, NULL);
    }
    PQclear(result);
    return failed ? SPONA__V1__STATUS__INTERNAL : SPONA__V1__STATUS__OK;
}

/* Every stored version of the case's plan, oldest first, into view. */
static spona_status plan_versions_load(struct request_context *ctx, const char *case_id,
                                       Spona__V1__PlanView *view)
{
    const char *params[] = {case_id};
    spona_status status;
    PGresult *result = request_query(ctx, "plan_versions", 1, params, &status);
    if (result == NULL)
        return status;
    int rows = PQntuples(result);
    view->versions = rows > 0 ? calloc((size_t)rows, sizeof(*view->versions)) : NULL;
    if (rows > 0 && view->versions == NULL) {
        PQclear(result);
        return SPONA__V1__STATUS__INTERNAL;
    }
    for (int row = 0; row < rows; row++)
        view->versions[row] = (uint32_t)strtoul(PQgetvalue(result, row, 0), NULL, 10);
    view->n_versions = (size_t)rows;
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

/*
 * Version version (0: the latest) of the case's plan. NOT_FOUND with
 * ctx->message when there is none; OK with *out set (caller frees).
 */
static spona_status plan_view_load(struct request_context *ctx, const char *case_id,
                                   uint32_t version, Spona__V1__PlanView **out)
{
    *out = NULL;
    char version_text[16];
    snprintf(version_text, sizeof(version_text), "%u", version);
    const char *params[] = {case_id, version_text};
    spona_status status;
    PGresult *result = request_query(ctx, "plan_get", 2, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        if (version == 0) {
            snprintf(ctx->message, sizeof(ctx->message), "case %s has no plan yet", case_id);
            error_code_set(&ctx->error, "no_plan_yet");
        }
        else
            snprintf(ctx->message, sizeof(ctx->message), "case %s has no plan version %u",
                     case_id, version);
        return SPONA__V1__STATUS__NOT_FOUND;
    }
    Spona__V1__PlanView *view = malloc(sizeof(*view));
    if (view == NULL) {
        PQclear(result);
        return SPONA__V1__STATUS__INTERNAL;
    }
    spona__v1__plan_view__init(view);
    view->plan_id = views_strdup(PQgetvalue(result, 0, 0));
    view->case_id = views_strdup(case_id);
    view->version = (uint32_t)strtoul(PQgetvalue(result, 0, 1), NULL, 10);
    view->review_date = views_strdup(PQgetvalue(result, 0, 2));
    view->obligations = views_strdup(PQgetvalue(result, 0, 3));
    view->changed_at = views_strdup(PQgetvalue(result, 0, 4));
    view->changed_by = views_strdup(PQgetvalue(result, 0, 5));
    view->document = views_strdup("");
    PQclear(result);
    status = SPONA__V1__STATUS__OK;
    if (view->plan_id == NULL || view->case_id == NULL || view->review_date == NULL ||
        view->obligations == NULL || view->changed_at == NULL || view->changed_by == NULL ||
        view->document == NULL)
        status = SPONA__V1__STATUS__INTERNAL;
    if (status == SPONA__V1__STATUS__OK)
        status = plan_items_load(ctx, view->plan_id, view);
    if (status == SPONA__V1__STATUS__OK)
        status = plan_versions_load(ctx, case_id, view);
    if (status != SPONA__V1__STATUS__OK) {
        spona__v1__plan_view__free_unpacked(view, NULL);
        if (status == SPONA__V1__STATUS__INTERNAL)
            snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return status;
    }
    *out = view;
    return SPONA__V1__STATUS__OK;
}

/* An empty plan (version 0) to apply the first changes to. */
static Spona__V1__PlanView *plan_empty(const char *case_id)
{
    Spona__V1__PlanView *view = malloc(sizeof(*view));
    if (view == NULL)
        return NULL;
    spona__v1__plan_view__init(view);
    view->case_id = views_strdup(case_id);
    view->review_date = views_strdup("");
    view->obligations = views_strdup("");
    if (view->case_id == NULL || view->review_date == NULL || view->obligations == NULL) {
        spona__v1__plan_view__free_unpacked(view, NULL);
        return NULL;
    }
    return view;
}

/* What a status change refers to must exist in the version changed. */
static spona_status plan_no_such(struct request_context *ctx, const char *what, uint32_t number,
                                 const Spona__V1__PlanView *plan)
{
    snprintf(ctx->message, sizeof(ctx->message), "%s: no %s %u in plan version %u", what,
             strcmp(what, "goal_status") == 0 ? "goal" : "measure", number, plan->version);
    return SPONA__V1__STATUS__INVALID_ARGUMENT;
}

/*
 * Checks each new measure's institution: a signatory of the protocol in force,
 * enabled, not the coordinator. INVALID_ARGUMENT naming it otherwise.
 */
static spona_status plan_check_institutions(struct request_context *ctx,
                                            const struct policy *policy,
                                            const Spona__V1__PlanChangeRequest *change)
{
    for (size_t i = 0; i < change->n_add_measures; i++) {
        const char *code = change->add_measures[i]->responsible_institution_code;
        struct handlers_institution institution;
        spona_status status = handlers_find_institution(ctx, policy, code, &institution);
        if (status != SPONA__V1__STATUS__OK)
            return status;
        if (!institution.enabled)
            snprintf(ctx->message, sizeof(ctx->message), "institution '%s' is disabled", code);
        else if (policy == NULL || !institution.is_signatory)
            snprintf(ctx->message, sizeof(ctx->message),
                     "institution '%s' is not a signatory of the protocol in force", code);
        else if (institution.role == POLICY_ROLE_COORDINATOR)
            snprintf(ctx->message, sizeof(ctx->message),
                     "institution '%s' is the protocol's coordinator, which carries out no "
                     "measure", code);
        else
            continue;
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    return SPONA__V1__STATUS__OK;
}

/*
 * Sets the statuses of existing goals and measures (a partner: only of its own
 * measures). INVALID_ARGUMENT for an unknown number, PERMISSION_DENIED for
 * another institution's measure, INTERNAL when out of memory; ctx->message set.
 */
static spona_status plan_apply_statuses(struct request_context *ctx,
                                        const Spona__V1__PlanChangeRequest *change,
                                        const struct access_case *access,
                                        Spona__V1__PlanView *plan)
{
    for (size_t i = 0; i < change->n_goal_status; i++) {
        const Spona__V1__PlanGoal *wanted = change->goal_status[i];
        size_t at = 0;
        while (at < plan->n_goals && plan->goals[at]->number != wanted->number)
            at++;
        if (at == plan->n_goals)
            return plan_no_such(ctx, "goal_status", wanted->number, plan);
        if (plan_set(&plan->goals[at]->status, wanted->status) != 0)
            return SPONA__V1__STATUS__INTERNAL;
    }
    for (size_t i = 0; i < change->n_measure_status; i++) {
        const Spona__V1__PlanMeasure *wanted = change->measure_status[i];
        size_t at = 0;
        while (at < plan->n_measures && plan->measures[at]->number != wanted->number)
            at++;
        if (at == plan->n_measures)
            return plan_no_such(ctx, "measure_status", wanted->number, plan);
        Spona__V1__PlanMeasure *measure = plan->measures[at];
        const char *responsible = measure->responsible_institution_code;
        if (!access->subject.is_lead_institution &&
            strcmp(responsible, access->institution_code) != 0) {
            snprintf(ctx->message, sizeof(ctx->message),
                     "measure %u is the responsibility of %s: a partner may only set the "
                     "status of its own measures", measure->number,
                     responsible[0] ? responsible : "no institution");
            return SPONA__V1__STATUS__PERMISSION_DENIED;
        }
        if (plan_set(&measure->status, wanted->status) != 0)
            return SPONA__V1__STATUS__INTERNAL;
    }
    return SPONA__V1__STATUS__OK;
}

/* Appends a copy of add as the plan's next goal; -1 when out of memory. */
static int plan_add_goal(Spona__V1__PlanView *plan, const Spona__V1__PlanGoal *add)
{
    Spona__V1__PlanGoal *goal = malloc(sizeof(*goal));
    if (goal == NULL)
        return -1;
    spona__v1__plan_goal__init(goal);
    goal->number = plan->n_goals > 0 ? plan->goals[plan->n_goals - 1]->number + 1 : 1;
    goal->text = views_strdup(add->text);
    goal->target_date = views_strdup(add->target_date);
    goal->status = views_strdup(add->status[0] ? add->status : "open");
    if (goal->text == NULL || goal->target_date == NULL || goal->status == NULL ||
        views_append((void ***)&plan->goals, &plan->n_goals, goal) != 0) {
        spona__v1__plan_goal__free_unpacked(goal, NULL);
        return -1;
    }
    return 0;
}

/* Appends a copy of add as the plan's next measure; -1 when out of memory. */
static int plan_add_measure(Spona__V1__PlanView *plan, const Spona__V1__PlanMeasure *add)
{
    Spona__V1__PlanMeasure *measure = malloc(sizeof(*measure));
    if (measure == NULL)
        return -1;
    spona__v1__plan_measure__init(measure);
    measure->number = plan->n_measures > 0 ? plan->measures[plan->n_measures - 1]->number + 1 : 1;
    measure->kind = views_strdup(add->kind);
    measure->description = views_strdup(add->description);
    measure->responsible_institution_code = views_strdup(add->responsible_institution_code);
    measure->due_date = views_strdup(add->due_date);
    measure->status = views_strdup(add->status[0] ? add->status : "planned");
    measure->referral_id = views_strdup(""); /* set by plan_referrals_link, never the client */
    if (measure->kind == NULL || measure->description == NULL ||
        measure->responsible_institution_code == NULL || measure->due_date == NULL ||
        measure->status == NULL || measure->referral_id == NULL ||
        views_append((void ***)&plan->measures, &plan->n_measures, measure) != 0) {
        spona__v1__plan_measure__free_unpacked(measure, NULL);
        return -1;
    }
    return 0;
}

/*
 * Applies change to plan (the version read) in memory: statuses
 * (plan_apply_statuses), new goals and measures numbered after the last,
 * review date and obligations. A refusal or INTERNAL status with ctx->message.
 */
static spona_status plan_apply(struct request_context *ctx,
                               const Spona__V1__PlanChangeRequest *change,
                               const struct access_case *access, Spona__V1__PlanView *plan)
{
    spona_status status = plan_apply_statuses(ctx, change, access, plan);
    if (status == SPONA__V1__STATUS__INTERNAL)
        goto memory;
    if (status != SPONA__V1__STATUS__OK)
        return status;
    if (plan->n_goals + change->n_add_goals > PLAN_MAX_ITEMS ||
        plan->n_measures + change->n_add_measures > PLAN_MAX_ITEMS) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "a plan holds at most %d goals and %d measures", PLAN_MAX_ITEMS, PLAN_MAX_ITEMS);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    for (size_t i = 0; i < change->n_add_goals; i++)
        if (plan_add_goal(plan, change->add_goals[i]) != 0)
            goto memory;
    for (size_t i = 0; i < change->n_add_measures; i++)
        if (plan_add_measure(plan, change->add_measures[i]) != 0)
            goto memory;
    if ((change->review_date[0] && plan_set(&plan->review_date, change->review_date) != 0) ||
        (change->obligations[0] && plan_set(&plan->obligations, change->obligations) != 0))
        goto memory;
    return SPONA__V1__STATUS__OK;

memory:
    snprintf(ctx->message, sizeof(ctx->message), "internal error");
    return SPONA__V1__STATUS__INTERNAL;
}

/* Stores plan as version version of its case. */
static spona_status plan_insert(struct request_context *ctx, const Spona__V1__PlanView *plan,
                                uint32_t version)
{
    const struct job *job = ctx->job;
    const char *municipality = job->installation.municipality_id;
    char version_text[16], plan_id[UUID_TEXT];
    snprintf(version_text, sizeof(version_text), "%u", version);
    const char *params[] = {plan->case_id, municipality, version_text, plan->review_date,
                            plan->obligations, job->session.user_id};
    spona_status status;
    PGresult *result = request_query(ctx, "plan_insert", 6, params, &status);
    if (result == NULL)
        return status;
    db_copy(result, 0, 0, plan_id, sizeof(plan_id));
    PQclear(result);
    for (size_t i = 0; i < plan->n_goals; i++) {
        const Spona__V1__PlanGoal *goal = plan->goals[i];
        char number[16];
        snprintf(number, sizeof(number), "%u", goal->number);
        const char *row[] = {plan_id, municipality, number, goal->text, goal->target_date,
                             goal->status};
        result = request_query(ctx, "plan_goal_insert", 6, row, &status);
        if (result == NULL)
            return status;
        PQclear(result);
    }
    for (size_t i = 0; i < plan->n_measures; i++) {
        const Spona__V1__PlanMeasure *measure = plan->measures[i];
        char number[16];
        snprintf(number, sizeof(number), "%u", measure->number);
        const char *row[] = {plan_id,
                             municipality,
                             number,
                             measure->kind,
                             measure->description,
                             measure->responsible_institution_code,
                             measure->due_date,
                             measure->status,
                             measure->referral_id};
        result = request_query(ctx, "plan_measure_insert", 9, row, &status);
        if (result == NULL)
            return status;
        PQclear(result);
    }
    return SPONA__V1__STATUS__OK;
}

/* Whether change sets statuses only (no new goal or measure, review date, obligations). */
static int plan_statuses_only(const Spona__V1__PlanChangeRequest *change)
{
    return change->n_add_goals == 0 && change->n_add_measures == 0 &&
           change->review_date[0] == '\0' && change->obligations[0] == '\0';
}

/*
 * The array literals "{n,...}" and "{status,...}" of count status changes (statuses are
 * checked words: no quoting needed). 0, or -1 when out of memory (caller frees both).
 */
static int plan_status_arrays(Spona__V1__PlanGoal *const *goals, size_t goal_count,
                              Spona__V1__PlanMeasure *const *measures, size_t measure_count,
                              char **numbers, char **statuses)
{
    size_t count = goals != NULL ? goal_count : measure_count;
    size_t size = 3 + count * 24;
    *numbers = malloc(size);
    *statuses = malloc(size);
    if (*numbers == NULL || *statuses == NULL)
        return -1;
    size_t n = (size_t)snprintf(*numbers, size, "{"), t = (size_t)snprintf(*statuses, size, "{");
    for (size_t i = 0; i < count; i++) {
        uint32_t number = goals != NULL ? goals[i]->number : measures[i]->number;
        const char *status = goals != NULL ? goals[i]->status : measures[i]->status;
        n += (size_t)snprintf(*numbers + n, size - n, "%s%u", i ? "," : "", number);
        t += (size_t)snprintf(*statuses + t, size - t, "%s%s", i ? "," : "", status);
    }
    snprintf(*numbers + n, size - n, "}");
    snprintf(*statuses + t, size - t, "}");
    return 0;
}

/* Stores version from + 1 as version from with change's statuses, in the database. */
static spona_status plan_copy(struct request_context *ctx,
                              const Spona__V1__PlanChangeRequest *change, uint32_t from)
{
    char *goal_numbers = NULL, *goal_words = NULL, *measure_numbers = NULL,
         *measure_words = NULL, from_text[16];
    spona_status status = SPONA__V1__STATUS__INTERNAL;
    snprintf(from_text, sizeof(from_text), "%u", from);
    if (plan_status_arrays(change->goal_status, change->n_goal_status, NULL, 0, &goal_numbers,
                           &goal_words) == 0 &&
        plan_status_arrays(NULL, 0, change->measure_status, change->n_measure_status,
                           &measure_numbers, &measure_words) == 0) {
        const char *params[] = {change->case_id, from_text,       goal_numbers,
                                goal_words,      measure_numbers, measure_words};
        PGresult *result = request_query(ctx, "plan_copy", 6, params, &status);
        PQclear(result);
    }
    free(goal_numbers);
    free(goal_words);
    free(measure_numbers);
    free(measure_words);
    if (status == SPONA__V1__STATUS__INTERNAL && ctx->message[0] == '\0')
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
    return status;
}

/*
 * Stores the changed plan as version version: statuses alone by the database's copy
 * (plan_copy); a change of content from the version read, which only a reader of
 * plan_measures can have read whole (PERMISSION_DENIED otherwise).
 */
static spona_status plan_store(struct request_context *ctx,
                               const Spona__V1__PlanChangeRequest *change,
                               const Spona__V1__PlanView *plan, uint32_t version)
{
    if (plan_statuses_only(change))
        return plan_copy(ctx, change, version - 1);
    struct policy_decision read;
    access_decide(ctx->policy, &ctx->subject, POLICY_CATEGORY_PLAN_MEASURES,
                  POLICY_ACTION_READ, &read);
    if (!read.allowed) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "changing the plan's goals, measures, review date or obligations needs read "
                 "access to plan_measures: %s", read.reason);
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    }
    return plan_insert(ctx, plan, version);
}

/*
 * The checks of plan_change inside the transaction, up to the version to write
 * (*plan, with the changes applied; caller frees, also on a refusal). A refusal
 * status or OK.
 */
static spona_status plan_change_prepare(struct request_context *ctx,
                                        const Spona__V1__PlanChangeRequest *change,
                                        Spona__V1__PlanView **plan)
{
    *plan = NULL;
    if ((change->n_add_goals || change->n_add_measures || change->n_goal_status ||
         change->review_date[0] || change->obligations[0]) &&
        case_records_require_lead(ctx, &ctx->subject,
                                  "change its plan's goals, measures, review date "
                                  "or obligations; a partner may only set the "
                                  "status of its own measures") != SPONA__V1__STATUS__OK)
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    char stage[32];
    uint64_t case_version;
    spona_status status =
        case_records_lock(ctx, change->case_id, stage, sizeof(stage), &case_version);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    if (strcmp(stage, "closed") == 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "case %s is closed: its plan changes no more (reopen it first)", change->case_id);
        return SPONA__V1__STATUS__FAILED_PRECONDITION;
    }
    status = plan_view_load(ctx, change->case_id, 0, plan);
    if (status == SPONA__V1__STATUS__NOT_FOUND) {
        *plan = plan_empty(change->case_id);
        status = *plan != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;
    }
    if (status != SPONA__V1__STATUS__OK)
        return status;
    if ((*plan)->version != change->expected_version) {
        char current[16];
        snprintf(current, sizeof(current), "%u", (*plan)->version);
        return conflict_explain(ctx, CONFLICT_PLAN, change->case_id, current);
    }
    status = plan_apply(ctx, change, &ctx->subject, *plan);
    if (status == SPONA__V1__STATUS__OK)
        status = plan_check_institutions(ctx, ctx->policy, change);
    return status;
}

/* The audit detail of a plan change from version `from` to `version` (0: not written). */
static void plan_change_detail(struct request_context *ctx,
                               const Spona__V1__PlanChangeRequest *change, const char *what,
                               uint32_t version)
{
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail),
             "%sversion %u: +%zu goals, +%zu measures, %zu statuses", what, version,
             change->n_add_goals, change->n_add_measures,
             change->n_goal_status + change->n_measure_status);
    ctx->record.detail = ctx->audit_detail;
}

/*
 * What a plan change answers a caller that may write the plan but not read it: which
 * version it made and when, nothing of the plan's goals and measures. Else the plan,
 * disclosed.
 */
static void plan_change_answer(struct request_context *ctx, Spona__V1__PlanView *view)
{
    struct policy_decision read;
    access_decide(ctx->policy, &ctx->subject, POLICY_CATEGORY_PLAN_MEASURES,
                  POLICY_ACTION_READ, &read);
    if (read.allowed) {
        case_records_row_disclosed(ctx);
        return;
    }
    for (size_t i = 0; i < view->n_goals; i++)
        spona__v1__plan_goal__free_unpacked(view->goals[i], NULL);
    for (size_t i = 0; i < view->n_measures; i++)
        spona__v1__plan_measure__free_unpacked(view->measures[i], NULL);
    free(view->goals);
    free(view->measures);
    view->goals = NULL;
    view->measures = NULL;
    view->n_goals = view->n_measures = 0;
    view->review_date[0] = '\0'; /* strings of the view: cut, freed with it */
    view->obligations[0] = '\0';
    ctx->record.denied |= POLICY_BIT(POLICY_CATEGORY_PLAN_MEASURES);
}

spona_status handle_plan_change(struct request_context *ctx, const spona_request *request,
                                spona_response *response)
{
    const Spona__V1__PlanChangeRequest *change = request->plan_change;
    spona_status status = plan_input_check(ctx, change);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    plan_change_detail(ctx, change, "from ", change->expected_version);
    Spona__V1__PlanView *plan = NULL, *view = NULL;
    status = plan_change_prepare(ctx, change, &plan);
    uint32_t version = plan != NULL ? plan->version + 1 : 0;
    size_t created = 0, linked = 0;
    if (status == SPONA__V1__STATUS__OK)
        status = plan_referrals_link(ctx, plan, plan->n_measures - change->n_add_measures,
                                     &created, &linked);
    if (status == SPONA__V1__STATUS__OK)
        status = plan_store(ctx, change, plan, version);
    if (status == SPONA__V1__STATUS__PERMISSION_DENIED)
        ctx->record.denied |= POLICY_BIT(POLICY_CATEGORY_PLAN_MEASURES);
    if (plan != NULL)
        spona__v1__plan_view__free_unpacked(plan, NULL);
    if (status == SPONA__V1__STATUS__OK)
        status = plan_view_load(ctx, change->case_id, version, &view);
    if (status != SPONA__V1__STATUS__OK)
        return case_records_refuse(ctx, status);
    plan_change_detail(ctx, change, "", version);
    if (created + linked > 0) {
        size_t used = strlen(ctx->audit_detail);
        snprintf(ctx->audit_detail + used, sizeof(ctx->audit_detail) - used,
                 ", %zu referrals created, %zu linked", created, linked);
    }
    plan_change_answer(ctx, view);
    response->body_case = SPONA__V1__RESPONSE__BODY_PLAN_CHANGE;
    response->plan_change = view;
    return SPONA__V1__STATUS__OK;
}

/* Writes text indented by indent, each of its lines on its own line. */
static void plan_print_block(FILE *out, const char *indent, const char *text)
{
    const char *line = text;
    while (*line != '\0') {
        const char *end = strchr(line, '\n');
        size_t length = end != NULL ? (size_t)(end - line) : strlen(line);
        fprintf(out, "%s%.*s\n", indent, (int)length, line);
        line += length + (end != NULL);
    }
}

/* The name an institution code stands for ("" when unknown). */
static spona_status plan_institution_name(struct request_context *ctx, const char *code,
                                          char *out, size_t out_size)
{
    const char *params[] = {code, ctx->job->installation.municipality_id};
    spona_status status;
    PGresult *result = request_query(ctx, "plan_institution_name", 2, params, &status);
    if (result == NULL)
        return status;
    out[0] = '\0';
    if (PQntuples(result) == 1)
        db_copy(result, 0, 0, out, out_size);
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

/*
 * The person's name for the document, when the caller may read identity
 * (ctx->record: identity disclosed); else "" (ctx->record: identity denied).
 */
static spona_status plan_person_name(struct request_context *ctx, char *out, size_t out_size)
{
    out[0] = '\0';
    struct policy_decision decision;
    access_decide(ctx->policy, &ctx->subject, POLICY_CATEGORY_IDENTITY, POLICY_ACTION_READ,
                  &decision);
    if (!decision.allowed) {
        ctx->record.denied |= POLICY_BIT(POLICY_CATEGORY_IDENTITY);
        return SPONA__V1__STATUS__OK;
    }
    const char *params[] = {ctx->subject.person_id};
    spona_status status;
    PGresult *result = request_query(ctx, "plan_person_name", 1, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) == 1 && !PQgetisnull(result, 0, 0)) {
        snprintf(out, out_size, "%s %s", PQgetvalue(result, 0, 0), PQgetvalue(result, 0, 1));
        ctx->record.disclosed |= POLICY_BIT(POLICY_CATEGORY_IDENTITY);
        audit_add_clause(&ctx->record, decision.clause_number);
    }
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

/* The names a printed plan carries: the person's (when readable), the case manager, the lead. */
struct plan_names {
    char person[512];
    char manager[256];
    char lead[256];
};

static spona_status plan_names_load(struct request_context *ctx, struct plan_names *names)
{
    *names = (struct plan_names){0};
    spona_status status = plan_person_name(ctx, names->person, sizeof(names->person));
    if (status != SPONA__V1__STATUS__OK)
        return status;
    const char *params[] = {ctx->subject.case_id};
    PGresult *result = request_query(ctx, "plan_case_manager", 1, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) == 1) {
        db_copy(result, 0, 0, names->manager, sizeof(names->manager));
        db_copy(result, 0, 1, names->lead, sizeof(names->lead));
    }
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

/* The goals and the measures of the document (institutions named as they are called). */
static spona_status plan_print_items(struct request_context *ctx, FILE *out,
                                     const Spona__V1__PlanView *view)
{
    fprintf(out, "Ciljevi / Goals\n---------------\n");
    if (view->n_goals == 0)
        fprintf(out, "  -\n");
    for (size_t i = 0; i < view->n_goals; i++) {
        const Spona__V1__PlanGoal *goal = view->goals[i];
        fprintf(out, "  %u. %s\n     Rok / Target date: %s    Status: %s\n", goal->number,
                goal->text, goal->target_date[0] ? goal->target_date : "-", goal->status);
    }
    fprintf(out, "\nMjere / Measures\n----------------\n");
    if (view->n_measures == 0)
        fprintf(out, "  -\n");
    spona_status status = SPONA__V1__STATUS__OK;
    for (size_t i = 0; i < view->n_measures && status == SPONA__V1__STATUS__OK; i++) {
        const Spona__V1__PlanMeasure *measure = view->measures[i];
        char name[256];
        status = plan_institution_name(ctx, measure->responsible_institution_code, name,
                                       sizeof(name));
        fprintf(out, "  %u. %s%s%s\n", measure->number, measure->kind,
                measure->description[0] ? ": " : "", measure->description);
        fprintf(out, "     Nosilac / Responsible: %s%s%s%s\n", name, name[0] ? " (" : "",
                measure->responsible_institution_code, name[0] ? ")" : "");
        fprintf(out, "     Rok / Due date: %s    Status: %s\n",
                measure->due_date[0] ? measure->due_date : "-", measure->status);
    }
    return status;
}

/* The document's head: who, which case, which version. */
static void plan_print_head(FILE *out, const Spona__V1__PlanView *view,
                            const struct plan_names *names)
{
    const char *rule = "==========================================================";
    fprintf(out, "Individualni plan aktivacije / Individual activation plan\n%s\n\n", rule);
    fprintf(out, "Osoba / Person:                  %s\n",
            names->person[0] ? names->person
                             : "(ime nije dostupno / name not shown to your institution)");
    fprintf(out, "Predmet / Case:                  %s\n", view->case_id);
    fprintf(out, "Nosilac / Lead institution:      %s\n", names->lead);
    fprintf(out, "Voditelj slučaja / Case manager: %s\n", names->manager);
    fprintf(out, "Verzija / Version:               %u, %.10s\n", view->version, view->changed_at);
    fprintf(out, "Revizija plana / Review date:    %s\n\n",
            view->review_date[0] ? view->review_date : "-");
}

/* The document's end: the person's obligations and the signature lines. */
static void plan_print_tail(FILE *out, const Spona__V1__PlanView *view,
                            const struct plan_names *names)
{
    fprintf(out, "\nObaveze osobe / The person's obligations\n"
                 "----------------------------------------\n");
    plan_print_block(out, "  ", view->obligations[0] ? view->obligations : "-");
    fprintf(out, "\nPotpisi / Signatures\n--------------------\n\n");
    fprintf(out, "Osoba / Person:                  ______________________________\n");
    fprintf(out, "                                 %s\n", names->person);
    fprintf(out, "Datum / Date:                    ______________\n\n");
    fprintf(out, "Voditelj slučaja / Case manager: ______________________________\n");
    fprintf(out, "                                 %s\n", names->manager);
    fprintf(out, "Datum / Date:                    ______________\n");
}

/* Renders view as a plain-text document to print and sign, into view->document. */
static spona_status plan_render(struct request_context *ctx, Spona__V1__PlanView *view)
{
    struct plan_names names;
    spona_status status = plan_names_load(ctx, &names);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (out == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    plan_print_head(out, view, &names);
    status = plan_print_items(ctx, out, view);
    plan_print_tail(out, view, &names);
    int failed = ferror(out);
    if (fclose(out) != 0 || failed) {
        free(text);
        return SPONA__V1__STATUS__INTERNAL;
    }
    if (status != SPONA__V1__STATUS__OK) {
        free(text);
        return status;
    }
    free(view->document);
    view->document = text;
    return SPONA__V1__STATUS__OK;
}

spona_status handle_plan_get(struct request_context *ctx, const spona_request *request,
                             spona_response *response)
{
    const Spona__V1__PlanGetRequest *get = request->plan_get;
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "version %u%s", get->version,
             get->printable ? ", printable" : "");
    ctx->record.detail = ctx->audit_detail;
    Spona__V1__PlanView *view = NULL;
    spona_status status = plan_view_load(ctx, ctx->subject.case_id, get->version, &view);
    if (status != SPONA__V1__STATUS__OK)
        return case_records_refuse(ctx, status);
    response->body_case = SPONA__V1__RESPONSE__BODY_PLAN_GET;
    response->plan_get = view; /* freed with the response, whatever the status */
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "version %u%s", view->version,
             get->printable ? ", printable" : "");
    case_records_row_disclosed(ctx);
    if (get->printable)
        status = plan_render(ctx, view);
    if (status == SPONA__V1__STATUS__INTERNAL)
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
    return status;
}
