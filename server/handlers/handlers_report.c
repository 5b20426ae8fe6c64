/*
 * The protocol's indicators (issue 5, docs/reports.md). Who may ask is the protocol's
 * `aggregates` category (read; its clauses ignore team and consent).
 * A lead agency that leads cases gets live figures for any period, over the cases it
 * leads, from spona_indicators (sql/018), which answers nobody else. Every other
 * institution gets one calendar quarter that has ended, from its release: figures of
 * the whole municipality computed once, suppressed and stored as shown by
 * spona_report_release (sql/018: small cells, the cells that would give them away, and
 * more until no hidden cell can be solved to fewer than 5 values; the rules of
 * server/policy/report_suppress.c and report_intervals.c). No statement here can read
 * an unsuppressed figure of a release. Runs on the request pipeline: the pipeline
 * audits the one record (no person) and commits; this file never does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "handlers.h"
#include "handlers_util.h"
#include "statements.h"
#include "views.h"

/* Room for the protocol's priority group codes as a text[] literal. */
#define REPORT_GROUPS_BYTES 2048

const struct db_statement report_statements[] = {
    /* the period: defaults ($3 'lead': the 12 calendar months up to the current one;
     * otherwise the last calendar quarter that has ended), its length, whether it is
     * one calendar quarter, and whether that has ended */
    {"report_period",
     "SELECT to_char(f, 'YYYY-MM-DD'), to_char(t, 'YYYY-MM-DD'), t - f + 1,"
     "       f = date_trunc('quarter', f)::date"
     "       AND t = (date_trunc('quarter', f) + interval '3 months - 1 day')::date,"
     "       t < current_date"
     "  FROM (SELECT COALESCE(NULLIF($1, '')::date,"
     "                        CASE WHEN $3 = 'lead'"
     "                             THEN date_trunc('month', current_date) - interval '11 months'"
     "                             ELSE date_trunc('quarter', current_date) - interval '3 months'"
     "                        END::date) f,"
     "               COALESCE(NULLIF($2, '')::date,"
     "                        CASE WHEN $3 = 'lead'"
     "                             THEN date_trunc('month', current_date)"
     "                                  + interval '1 month - 1 day'"
     "                             ELSE date_trunc('quarter', current_date) - interval '1 day'"
     "                        END::date) t) p"},
    {"report_indicators",
     "SELECT indicator, breakdown, value FROM spona_indicators($1::date, $2::date, $3::text[])"},
    /* whether the caller leads a case (a lead agency that leads none gets no live figures) */
    {"report_leads_cases",
     "SELECT EXISTS (SELECT 1 FROM cases WHERE municipality_id = spona_current_municipality()"
     "                  AND lead_institution_id = spona_current_institution())"},
    /* a quarter's release, made now if nobody has asked for it yet; only shown figures */
    {"report_release",
     "SELECT indicator, breakdown, value, released_at, protocol_version"
     "  FROM spona_report_release($1::date, $2::date, $3::text[])"},
    {NULL, NULL},
};

/* The period of a report, as the database computed it. */
struct report_period {
    char from[11], to[11];
    long days;
    int quarter; /* exactly one calendar quarter */
    int ended;   /* its last day is before today */
};

/* Validates the dates and computes the period: OK or INVALID_ARGUMENT (not audited). */
static spona_status report_period(struct request_context *ctx, const char *from,
                                  const char *to, int lead, struct report_period *out)
{
    const char *names[] = {"from", "to"}, *values[] = {from, to, lead ? "lead" : "other"};
    for (int i = 0; i < 2; i++)
        if (values[i][0] != '\0' &&
            handlers_check_date(names[i], values[i], ctx->message, sizeof(ctx->message)) != 0)
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
    spona_status status;
    PGresult *result = request_query(ctx, "report_period", 3, values, &status);
    if (result == NULL)
        return status;
    db_copy(result, 0, 0, out->from, sizeof(out->from));
    db_copy(result, 0, 1, out->to, sizeof(out->to));
    out->days = strtol(PQgetvalue(result, 0, 2), NULL, 10);
    out->quarter = strcmp(PQgetvalue(result, 0, 3), "t") == 0;
    out->ended = strcmp(PQgetvalue(result, 0, 4), "t") == 0;
    PQclear(result);
    if (out->days < 1) {
        snprintf(ctx->message, sizeof(ctx->message), "from (%s) is after to (%s)", out->from,
                 out->to);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    return SPONA__V1__STATUS__OK;
}

/* The protocol's priority group codes as a text[] literal ("{a,b}"; snake_case codes). */
static int report_groups(const struct policy *policy, char *out, size_t out_size)
{
    size_t used = 0;
    int written = snprintf(out, out_size, "{");
    for (size_t i = 0; written >= 0 && (size_t)written < out_size - used &&
                       i < policy->priority_group_count;
         i++) {
        used += (size_t)written;
        written = snprintf(out + used, out_size - used, "%s%s", i ? "," : "",
                           policy->priority_groups[i].code);
    }
    if (written < 0 || (size_t)written >= out_size - used)
        return -1;
    used += (size_t)written;
    written = snprintf(out + used, out_size - used, "}");
    return written < 0 || (size_t)written >= out_size - used ? -1 : 0;
}

/* One row of the answer. */
static int report_add_row(Spona__V1__ReportResponse *answer, const char *indicator,
                          const char *breakdown, const char *value)
{
    Spona__V1__IndicatorRow *item = malloc(sizeof(*item));
    if (item == NULL)
        return -1;
    spona__v1__indicator_row__init(item);
    item->indicator = views_strdup(indicator);
    item->breakdown = views_strdup(breakdown);
    item->value = views_strdup(value);
    if (item->indicator == NULL || item->breakdown == NULL || item->value == NULL ||
        views_append((void ***)&answer->rows, &answer->n_rows, item) != 0) {
        spona__v1__indicator_row__free_unpacked(item, NULL);
        return -1;
    }
    return 0;
}


/* The rows of the answer from (indicator, breakdown, value, ...) rows as the database
 * sent them; an empty value (a median over no one) is "n/a". */
static spona_status report_rows(const PGresult *result, Spona__V1__ReportResponse *answer)
{
    for (int row = 0; row < PQntuples(result); row++) {
        const char *value = PQgetvalue(result, row, 2);
        if (report_add_row(answer, PQgetvalue(result, row, 0), PQgetvalue(result, row, 1),
                           value[0] == '\0' ? "n/a" : value) != 0)
            return SPONA__V1__STATUS__INTERNAL;
    }
    return SPONA__V1__STATUS__OK;
}

/* Refuses live figures to a lead agency that leads no case: PERMISSION_DENIED. */
static spona_status report_check_leads(struct request_context *ctx, const char *institution)
{
    spona_status status;
    PGresult *result = request_query(ctx, "report_leads_cases", 0, NULL, &status);
    if (result == NULL)
        return status;
    int leads = strcmp(PQgetvalue(result, 0, 0), "t") == 0;
    PQclear(result);
    if (leads)
        return SPONA__V1__STATUS__OK;
    ctx->record.denied |= POLICY_BIT(POLICY_CATEGORY_AGGREGATES);
    snprintf(ctx->message, sizeof(ctx->message),
             "live figures are only for a lead agency over the cases it leads, and %s leads "
             "no case",
             institution);
    return SPONA__V1__STATUS__PERMISSION_DENIED;
}

/* The lead's answer: live figures over the cases it leads, for its period. */
static spona_status report_live(struct request_context *ctx, const struct report_period *period,
                                const char *groups, Spona__V1__ReportResponse *answer)
{
    const char *params[] = {period->from, period->to, groups};
    spona_status status;
    PGresult *result = request_query(ctx, "report_indicators", 3, params, &status);
    if (result == NULL)
        return status;
    status = report_rows(result, answer);
    PQclear(result);
    return status;
}

/*
 * Everyone else's answer: the quarter's release as shown, made now if nobody has asked
 * for it yet. Its protocol version and release time go into the answer.
 */
static spona_status report_released(struct request_context *ctx,
                                    const struct report_period *period, const char *groups,
                                    Spona__V1__ReportResponse *answer)
{
    const char *params[] = {period->from, period->to, groups};
    spona_status status;
    PGresult *result = request_query(ctx, "report_release", 3, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) == 0) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }
    answer->released_at = views_strdup(PQgetvalue(result, 0, 3));
    answer->protocol_version = (uint32_t)strtoul(PQgetvalue(result, 0, 4), NULL, 10);
    status = answer->released_at == NULL ? SPONA__V1__STATUS__INTERNAL
                                         : report_rows(result, answer);
    PQclear(result);
    return status;
}

/* The aggregates decision for the caller's institution (outside any case): OK, or
 * PERMISSION_DENIED with the decision's reason. */
static spona_status report_decide(struct request_context *ctx, struct access_case *caller)
{
    spona_status status = access_intake_subject(ctx, ctx->policy, caller);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    caller->subject.on_team = 0;
    caller->subject.is_lead_institution = 0;
    access_decide(ctx->policy, caller, POLICY_CATEGORY_AGGREGATES, POLICY_ACTION_READ,
                  &ctx->decision);
    if (ctx->decision.allowed)
        return SPONA__V1__STATUS__OK;
    ctx->record.denied |= POLICY_BIT(POLICY_CATEGORY_AGGREGATES);
    snprintf(ctx->message, sizeof(ctx->message), "%s", ctx->decision.reason);
    return SPONA__V1__STATUS__PERMISSION_DENIED;
}

/*
 * The period the caller may have (its audit detail set): OK, INVALID_ARGUMENT for bad
 * dates, PERMISSION_DENIED for anyone but the lead asking other than one ended quarter.
 */
static spona_status report_allowed_period(struct request_context *ctx,
                                          const Spona__V1__ReportRequest *ask, int lead,
                                          struct report_period *period)
{
    ctx->record.detail = ctx->audit_detail;
    spona_status status = report_period(ctx, ask->from, ask->to, lead, period);
    if (status == SPONA__V1__STATUS__INVALID_ARGUMENT)
        snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "bad period");
    if (status != SPONA__V1__STATUS__OK)
        return status;
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%s..%s%s", period->from,
             period->to, lead ? "" : ", released figures, small cells suppressed");
    if (lead || (period->quarter && period->ended))
        return SPONA__V1__STATUS__OK;
    ctx->record.denied |= POLICY_BIT(POLICY_CATEGORY_AGGREGATES);
    snprintf(ctx->message, sizeof(ctx->message),
             "only the lead agency may report on %s..%s: other institutions get one "
             "calendar quarter that has ended (e.g. 2026-07-01..2026-09-30), released "
             "once, so that no period and no later request singles out a person",
             period->from, period->to);
    return SPONA__V1__STATUS__PERMISSION_DENIED;
}

/* A new answer with its municipality and period; NULL when out of memory. */
static Spona__V1__ReportResponse *report_answer_new(const struct policy *policy,
                                                    const struct report_period *period,
                                                    int suppressed)
{
    Spona__V1__ReportResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return NULL;
    spona__v1__report_response__init(answer);
    answer->protocol_version = (uint32_t)policy->version;
    answer->suppressed_view = suppressed;
    answer->municipality_code = views_strdup(policy->municipality);
    answer->from = views_strdup(period->from);
    answer->to = views_strdup(period->to);
    if (answer->municipality_code == NULL || answer->from == NULL || answer->to == NULL) {
        spona__v1__report_response__free_unpacked(answer, NULL);
        return NULL;
    }
    return answer;
}

spona_status handle_report(struct request_context *ctx, const spona_request *request,
                           spona_response *response)
{
    struct access_case caller;
    spona_status status = report_decide(ctx, &caller);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    int lead = caller.subject.role == POLICY_ROLE_LEAD_AGENCY;
    struct report_period period;
    status = report_allowed_period(ctx, request->report, lead, &period);
    if (status == SPONA__V1__STATUS__OK && lead)
        status = report_check_leads(ctx, caller.institution_code);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    char groups[REPORT_GROUPS_BYTES];
    Spona__V1__ReportResponse *answer = NULL;
    if (report_groups(ctx->policy, groups, sizeof(groups)) != 0 ||
        (answer = report_answer_new(ctx->policy, &period, !lead)) == NULL) {
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }
    status = lead ? report_live(ctx, &period, groups, answer)
                  : report_released(ctx, &period, groups, answer);
    if (status != SPONA__V1__STATUS__OK) {
        spona__v1__report_response__free_unpacked(answer, NULL);
        return status;
    }
    ctx->record.disclosed |= POLICY_BIT(POLICY_CATEGORY_AGGREGATES);
    audit_add_clause(&ctx->record, ctx->decision.clause_number);
    response->body_case = SPONA__V1__RESPONSE__BODY_REPORT;
    response->report = answer;
    return SPONA__V1__STATUS__OK;
}
