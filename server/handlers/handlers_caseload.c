/*
 * The caseload (docs/cases.md, "Caseload"): case_list, the caller's cases a page
 * at a time with the person's name as the policy lets the caller see it, the stage,
 * the next due date and what is overdue. Each listed case is audited with its
 * person (caseload_names.h), so the person's disclosures show the list. A page
 * takes two statements whatever its length: the list with the names
 * (caseload_list), the caller on its cases (access_case_subjects). The
 * protocol's directory and id_lookup (short ids) are in handlers_directory.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caseload_names.h"
#include "follow_up_window.h"
#include "handlers.h"
#include "statements.h"
#include "views.h"

#define CASELOAD_DEFAULT_LIMIT 50
#define CASELOAD_MAX_LIMIT 200

/*
 * The page in one statement: the inner query picks the page's cases (row security,
 * scope, filters; the overdue filter on the stored next due date, sql/060, by its
 * index), the outer one adds what a row shows for those cases only: the overdue
 * counts (read only for a case whose next due date has passed), the current plan's
 * review, the person's name from the category view (caseload_names.h).
 * Columns: 0 id, 1 number, 2 person, 3 stage, 4 opened, 5 lead, 6 next due,
 * 7 overdue referrals, 8 overdue measures, 9 review overdue, 10 cursor time,
 * 11 first name, 12 last name, 13 due key.
 */
#define CASELOAD_NAME_AT 11
#define CASELOAD_DUE_KEY_AT 13 /* the due order's cursor key: the date, or infinity */
#define CASELOAD_COLUMNS                                                                   \
    "SELECT c.id, c.number, c.person_id, c.stage,"                                         \
    "       to_char(c.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), i.code," \
    "       COALESCE(to_char(c.next_due, 'YYYY-MM-DD'), ''),"                               \
    "       CASE WHEN c.next_due < current_date THEN"                                       \
    "         (SELECT count(*) FROM referrals r WHERE r.case_id = c.id"                     \
    "             AND r.status IN ('sent', 'accepted') AND r.due_date < current_date)"      \
    "       ELSE 0 END,"                                                                    \
    "       CASE WHEN c.next_due < current_date THEN"                                       \
    "         (SELECT count(*) FROM plan_measures m WHERE m.plan_id = lp.id"                \
    "             AND m.status IN ('planned', 'in_progress') AND m.due_date < current_date)" \
    "       ELSE 0 END,"                                                                    \
    "       COALESCE(lp.review_date < current_date, false),"                                \
    "       (extract(epoch FROM c.opened_at) * 1000000)::bigint, " CASELOAD_NAME_COLUMNS ","  \
    "       COALESCE(to_char(c.next_due, 'YYYY-MM-DD'), 'infinity')"
/* sql/060's index key: no due date sorts last */
#define CASELOAD_DUE "COALESCE(c.next_due, 'infinity'::date)"
#define CASELOAD_FILTERS                                                                   \
    " WHERE c.municipality_id = spona_current_municipality()"                              \
    "   AND (c.lead_institution_id = spona_current_institution() OR spona_case_visible(c.id))" \
    "   AND ($1 = 'team' OR c.lead_user_id = spona_current_user()"                         \
    "        OR EXISTS (SELECT 1 FROM referrals r WHERE r.case_id = c.id"                  \
    "                     AND r.institution_id = spona_current_institution()"              \
    "                     AND r.accepted_by = spona_current_user() AND r.status = 'accepted'))" \
    "   AND (CASE WHEN $2 = '' THEN c.closed_at IS NULL ELSE c.stage = $2 END)"            \
    "   AND ($3 = '' OR EXISTS (SELECT 1 FROM persons_for_caller p WHERE p.id = c.person_id" \
    "          AND $3 = ANY (string_to_array(replace(COALESCE(p.priority_groups, ''), ' ', '')," \
    "                                        ','))))"                                       \
    "   AND ($4 = '' OR EXISTS (SELECT 1 FROM case_team t JOIN institutions ti"            \
    "                             ON ti.id = t.institution_id WHERE t.case_id = c.id"      \
    "                            AND ti.code = $4 AND t.left_at IS NULL)"                   \
    "        OR EXISTS (SELECT 1 FROM referrals r JOIN institutions ri ON ri.id = r.institution_id" \
    "                    WHERE r.case_id = c.id AND ri.code = $4))"                         \
    "   AND (NOT $5::bool OR " CASELOAD_DUE " < current_date)"
/* the list in order (after: the cursor's condition, $6 and $7 when $6 is not '') */
#define CASELOAD_STATEMENT(after, order)                                                   \
    CASELOAD_COLUMNS                                                                       \
    "  FROM (SELECT c.* FROM cases c" CASELOAD_FILTERS " AND ($6 = '' OR " after ")"       \
    "         ORDER BY " order " LIMIT $8::int) c"                                          \
    "  JOIN institutions i ON i.id = c.lead_institution_id"                                \
    "  LEFT JOIN LATERAL (SELECT pl.id, pl.review_date FROM plans pl WHERE pl.case_id = c.id" \
    "                      ORDER BY pl.version DESC LIMIT 1) lp ON true"                   \
    CASELOAD_NAME_JOIN("c.person_id") " ORDER BY " order

const struct db_statement caseload_statements[] = {
    /* newest first */
    {"caseload_list",
     CASELOAD_STATEMENT("(c.opened_at, c.id) < ('epoch'::timestamptz"
                        " + NULLIF($6, '')::bigint * interval '1 microsecond', NULLIF($7, '')::uuid)",
                        "c.opened_at DESC, c.id DESC")},
    /* the earliest next due date first, none last (sql/060's index) */
    {"caseload_list_due",
     CASELOAD_STATEMENT("(" CASELOAD_DUE ", c.id) > (NULLIF($6, '')::date, NULLIF($7, '')::uuid)",
                        CASELOAD_DUE ", c.id")},
    {NULL, NULL},
};

/* The request's filters, checked. */
struct caseload_query {
    const char *scope;
    int by_due;          /* the due date's order, not the opening's */
    char cursor_at[24];  /* opened: microseconds; due: the date or "infinity" */
    char cursor_id[UUID_TEXT];
    unsigned limit;
};

static int caseload_known_stage(const char *stage)
{
    static const char *const stages[] = {"intake", "assessment", "planning", "implementation",
                                         "review", "closed"};
    for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
        if (strcmp(stage, stages[i]) == 0)
            return 1;
    return 0;
}

/* Whether key is a due order's cursor key: "infinity" or a real date YYYY-MM-DD. */
static int caseload_due_key(const char *key, size_t length)
{
    if (length == 8 && strncmp(key, "infinity", 8) == 0)
        return 1;
    int year, month, day;
    char text[11], again[11];
    if (length != 10)
        return 0;
    memcpy(text, key, 10);
    text[10] = '\0';
    for (int i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? text[i] != '-' : (text[i] < '0' || text[i] > '9'))
            return 0;
    if (sscanf(text, "%4d-%2d-%2d", &year, &month, &day) != 3 || month < 1 || month > 12 ||
        day < 1)
        return 0;
    /* a day past the month's end comes back clamped: not a date */
    return follow_up_date_add(year, month, day, 0, 0, again) == 0 && strcmp(again, text) == 0;
}

/*
 * A cursor is "<microseconds>.<uuid>" (newest first) or "due.<date|infinity>.<uuid>"
 * (by due date), as caseload_cursor wrote it; only the list's own order's is taken.
 */
static int caseload_parse_cursor(const char *text, struct caseload_query *query)
{
    int due = strncmp(text, "due.", 4) == 0;
    if (due != query->by_due)
        return -1;
    const char *key = due ? text + 4 : text;
    const char *dot = strchr(key, '.');
    size_t length = dot != NULL ? (size_t)(dot - key) : 0;
    if (length < 1 || length >= sizeof(query->cursor_at) || !request_is_uuid(dot + 1))
        return -1;
    for (size_t i = 0; !due && i < length; i++)
        if (key[i] < '0' || key[i] > '9')
            return -1;
    if (due && !caseload_due_key(key, length))
        return -1;
    memcpy(query->cursor_at, key, length);
    query->cursor_at[length] = '\0';
    snprintf(query->cursor_id, sizeof(query->cursor_id), "%s", dot + 1);
    return 0;
}

/* INVALID_ARGUMENT naming the field (never its value) for a filter that is not one. */
static spona_status caseload_check(struct request_context *ctx,
                                   const Spona__V1__CaseListRequest *list,
                                   struct caseload_query *query)
{
    const struct policy *policy = ctx->policy;
    const char *bad = NULL;
    memset(query, 0, sizeof(*query));
    query->scope = list->scope[0] == '\0' ? "mine" : list->scope;
    query->by_due = list->by_due;
    int group_known = list->group[0] == '\0', partner_known = list->partner[0] == '\0';
    for (size_t i = 0; policy != NULL && i < policy->priority_group_count; i++)
        group_known |= strcmp(policy->priority_groups[i].code, list->group) == 0;
    for (size_t i = 0; policy != NULL && i < policy->signatory_count; i++)
        partner_known |= strcmp(policy->signatories[i].institution, list->partner) == 0;
    if (strcmp(query->scope, "mine") != 0 && strcmp(query->scope, "team") != 0)
        bad = "scope: not a scope (mine or team)";
    else if (list->stage[0] != '\0' && !caseload_known_stage(list->stage))
        bad = "stage: not a stage (intake, assessment, planning, implementation, review, closed)";
    else if (!group_known)
        bad = "group: not a priority group of the protocol in force";
    else if (!partner_known)
        bad = "partner: not an institution of the protocol in force";
    else if (list->limit > CASELOAD_MAX_LIMIT)
        bad = "limit: at most 200";
    else if (list->after[0] != '\0' && caseload_parse_cursor(list->after, query) != 0)
        bad = "after: not a cursor of this list (give next_cursor as it came)";
    if (bad != NULL) {
        snprintf(ctx->message, sizeof(ctx->message), "%s", bad);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    query->limit = list->limit == 0 ? CASELOAD_DEFAULT_LIMIT : list->limit;
    return SPONA__V1__STATUS__OK;
}

/* The row's texts and figures from the query (dates left out when not readable). */
static Spona__V1__CaseListRow *caseload_row_new(const PGresult *result, int row, int due_readable)
{
    Spona__V1__CaseListRow *out = malloc(sizeof(*out));
    if (out == NULL)
        return NULL;
    spona__v1__case_list_row__init(out);
    char **texts[] = {&out->case_id, &out->number, &out->person_id, &out->stage,
                      &out->opened_at, &out->lead_institution_code, &out->next_due};
    int failed = 0;
    for (int column = 0; column < 7; column++) {
        *texts[column] = views_strdup(column == 6 && !due_readable
                                          ? ""
                                          : PQgetvalue(result, row, column));
        failed |= *texts[column] == NULL;
    }
    out->due_hidden = !due_readable;
    if (due_readable) {
        out->overdue_referrals = (uint32_t)strtoul(PQgetvalue(result, row, 7), NULL, 10);
        out->overdue_measures = (uint32_t)strtoul(PQgetvalue(result, row, 8), NULL, 10);
        out->review_overdue = strcmp(PQgetvalue(result, row, 9), "t") == 0;
    }
    if (failed) {
        spona__v1__case_list_row__free_unpacked(out, NULL);
        return NULL;
    }
    return out;
}

/*
 * One row of the list for access (the caller on its case, found by the batch): left
 * out when the caller may not see the case after all (found 0, an exclusion); else
 * listed with the name and dates the policy lets it see, and audited with the person.
 * grouped: the list was filtered by a priority group (safety data).
 */
static spona_status caseload_add_row(struct request_context *ctx, const PGresult *result,
                                     int row, const struct access_case *access, int found,
                                     int grouped, Spona__V1__CaseListResponse *answer)
{
    if (!found || access->caller_excluded || access->subject.excluded)
        return SPONA__V1__STATUS__OK;
    struct audit_record record = {.person_id = access->person_id, .case_id = access->case_id,
                                  .detail = "a case list row", .emergency = access->emergency};
    struct policy_decision plan, safety;
    access_decide(ctx->policy, access, POLICY_CATEGORY_PLAN_MEASURES, POLICY_ACTION_READ, &plan);
    access_decide(ctx->policy, access, POLICY_CATEGORY_SAFETY, POLICY_ACTION_READ, &safety);
    if (plan.allowed) {
        record.disclosed |= POLICY_BIT(POLICY_CATEGORY_PLAN_MEASURES);
        audit_add_clause(&record, plan.clause_number);
    }
    if (grouped && safety.allowed) {
        record.disclosed |= POLICY_BIT(POLICY_CATEGORY_SAFETY);
        audit_add_clause(&record, safety.clause_number);
    }
    struct caseload_name name;
    spona_status status = caseload_name_from_row(ctx->policy, access, result, row,
                                                 CASELOAD_NAME_AT, &name, &record);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    Spona__V1__CaseListRow *out = caseload_row_new(result, row, plan.allowed);
    int hidden = 0;
    if (out == NULL || caseload_name_give(&name, &out->first_name, &out->last_name, &hidden) != 0 ||
        views_append((void ***)&answer->cases, &answer->n_cases, out) != 0) {
        caseload_name_free(&name);
        if (out != NULL)
            spona__v1__case_list_row__free_unpacked(out, NULL);
        return SPONA__V1__STATUS__INTERNAL;
    }
    out->name_hidden = hidden != 0;
    ctx->record.disclosed |= record.disclosed;
    ctx->record.denied |= record.denied;
    for (int i = 0; i < record.clause_count; i++)
        audit_add_clause(&ctx->record, record.clauses[i]);
    return request_audit_also(ctx, &record);
}

/*
 * The rows examined (the page) of the list's result: the caller on each row's case in
 * one statement (access_case_subjects), then each row decided and added in memory.
 */
static spona_status caseload_add_rows(struct request_context *ctx, const PGresult *result,
                                      int examined, int grouped,
                                      Spona__V1__CaseListResponse *answer)
{
    if (examined <= 0)
        return SPONA__V1__STATUS__OK;
    const char **ids = calloc((size_t)examined, sizeof(*ids));
    struct access_case *access = calloc((size_t)examined, sizeof(*access));
    int *found = calloc((size_t)examined, sizeof(*found));
    spona_status status = SPONA__V1__STATUS__INTERNAL;
    if (ids != NULL && access != NULL && found != NULL) {
        for (int row = 0; row < examined; row++)
            ids[row] = PQgetvalue(result, row, 0);
        status = access_case_subjects(ctx, ctx->policy, ids, (size_t)examined, access, found);
    }
    for (int row = 0; row < examined && status == SPONA__V1__STATUS__OK; row++)
        status = caseload_add_row(ctx, result, row, &access[row], found[row], grouped, answer);
    free(ids);
    free(access);
    free(found);
    return status;
}

/* The next page's cursor: after the last row examined, when there are more. */
static spona_status caseload_cursor(const PGresult *result, int last, int by_due,
                                    Spona__V1__CaseListResponse *answer)
{
    char cursor[128];
    snprintf(cursor, sizeof(cursor), "%s%s.%s", by_due ? "due." : "",
             PQgetvalue(result, last, by_due ? CASELOAD_DUE_KEY_AT : 10),
             PQgetvalue(result, last, 0));
    free(answer->next_cursor == protobuf_c_empty_string ? NULL : answer->next_cursor);
    answer->next_cursor = views_strdup(cursor);
    return answer->next_cursor != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;
}

static spona_status caseload_run(struct request_context *ctx,
                                 const Spona__V1__CaseListRequest *list,
                                 const struct caseload_query *query,
                                 Spona__V1__CaseListResponse *answer)
{
    char limit[16];
    snprintf(limit, sizeof(limit), "%u", query->limit + 1);
    const char *params[] = {query->scope, list->stage, list->group, list->partner,
                            list->overdue_only ? "true" : "false", query->cursor_at,
                            query->cursor_id, limit};
    spona_status status;
    PGresult *result = request_query(ctx, query->by_due ? "caseload_list_due" : "caseload_list",
                                     8, params, &status);
    if (result == NULL)
        return status;
    int rows = PQntuples(result);
    int examined = rows > (int)query->limit ? (int)query->limit : rows;
    status = caseload_add_rows(ctx, result, examined, list->group[0] != '\0', answer);
    if (status == SPONA__V1__STATUS__OK && rows > examined)
        status = caseload_cursor(result, examined - 1, query->by_due, answer);
    PQclear(result);
    return status;
}

spona_status handle_case_list(struct request_context *ctx, const spona_request *request,
                              spona_response *response)
{
    const Spona__V1__CaseListRequest *list = request->case_list;
    struct caseload_query query;
    spona_status status = caseload_check(ctx, list, &query);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    Spona__V1__CaseListResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__case_list_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_CASE_LIST;
    response->case_list = answer;
    status = caseload_run(ctx, list, &query, answer);
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%zu cases (%s)%s", answer->n_cases,
             query.scope, answer->next_cursor[0] != '\0' ? ", more follow" : "");
    ctx->record.detail = ctx->audit_detail;
    return status;
}
