/*
 * The protocol's indicators (issue 5, docs/reports.md): municipality-wide counts
 * for a period, computed by the definer function spona_indicators (sql/008),
 * which returns figures only, never an id or a name. Who may ask is the
 * protocol's `aggregates` category (read; its clauses ignore team and consent);
 * every institution but the lead agency gets small cells suppressed ("<5") and
 * only whole calendar months of at least 28 days, so that no parameter singles
 * out a person. Each report is audited as one record without a person.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "case_records_util.h"
#include "handlers.h"
#include "handlers_util.h"
#include "statements.h"
#include "views.h"

/* Smallest count shown to institutions other than the lead agency. */
#define REPORT_MIN_CELL 5
/* Shortest period (days) for institutions other than the lead agency. */
#define REPORT_MIN_DAYS 28

const struct db_statement report_statements[] = {
    /* the period: defaults (the 12 calendar months up to the current one), its length
     * and whether it is made of whole calendar months */
    {"report_period",
     "SELECT to_char(f, 'YYYY-MM-DD'), to_char(t, 'YYYY-MM-DD'), t - f + 1,"
     "       f = date_trunc('month', f)::date,"
     "       t = (date_trunc('month', t) + interval '1 month - 1 day')::date"
     "  FROM (SELECT COALESCE(NULLIF($1, '')::date,"
     "                        (date_trunc('month', current_date) - interval '11 months')::date) f,"
     "               COALESCE(NULLIF($2, '')::date,"
     "                        (date_trunc('month', current_date)"
     "                         + interval '1 month - 1 day')::date) t) p"},
    {"report_indicators",
     "SELECT indicator, breakdown, value, base FROM spona_indicators($1::date, $2::date)"},
    {NULL, NULL},
};

/* The period of a report, as the database computed it. */
struct report_period {
    char from[11], to[11];
    long days;
    int whole_months; /* starts on a month's first day and ends on a month's last */
};

/* Validates the dates and computes the period: OK or INVALID_ARGUMENT (not audited). */
static spona_status report_period(struct request_context *ctx, const char *from,
                                  const char *to, struct report_period *out)
{
    const char *names[] = {"from", "to"}, *values[] = {from, to};
    for (int i = 0; i < 2; i++)
        if (values[i][0] != '\0' &&
            handlers_check_date(names[i], values[i], ctx->message, sizeof(ctx->message)) != 0)
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
    spona_status status;
    PGresult *result = request_query(ctx, "report_period", 2, values, &status);
    if (result == NULL)
        return status;
    db_copy(result, 0, 0, out->from, sizeof(out->from));
    db_copy(result, 0, 1, out->to, sizeof(out->to));
    out->days = strtol(PQgetvalue(result, 0, 2), NULL, 10);
    out->whole_months = strcmp(PQgetvalue(result, 0, 3), "t") == 0 &&
                        strcmp(PQgetvalue(result, 0, 4), "t") == 0;
    PQclear(result);
    if (out->days < 1) {
        snprintf(ctx->message, sizeof(ctx->message), "from (%s) is after to (%s)", out->from,
                 out->to);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    return SPONA__V1__STATUS__OK;
}

/*
 * The figure as the caller may see it: everything for the lead; for others a
 * figure over 1-4 persons or referrals (base: a count, or the persons behind a
 * median) is "<5". A median over no one is "n/a".
 */
static char *report_value(const char *value, const char *base, int suppress)
{
    long count = strtol(base, NULL, 10);
    if (suppress && count > 0 && count < REPORT_MIN_CELL)
        return views_strdup("<5");
    return views_strdup(value[0] == '\0' ? "n/a" : value);
}

/* Builds the rows of the answer from spona_indicators' result. */
static spona_status report_rows(const PGresult *result, int suppress,
                                Spona__V1__ReportResponse *answer)
{
    for (int row = 0; row < PQntuples(result); row++) {
        Spona__V1__IndicatorRow *item = malloc(sizeof(*item));
        if (item == NULL)
            return SPONA__V1__STATUS__INTERNAL;
        spona__v1__indicator_row__init(item);
        item->indicator = views_strdup(PQgetvalue(result, row, 0));
        item->breakdown = views_strdup(PQgetvalue(result, row, 1));
        item->value = report_value(PQgetvalue(result, row, 2), PQgetvalue(result, row, 3),
                                   suppress);
        if (item->indicator == NULL || item->breakdown == NULL || item->value == NULL ||
            views_append((void ***)&answer->rows, &answer->n_rows, item) != 0) {
            spona__v1__indicator_row__free_unpacked(item, NULL);
            return SPONA__V1__STATUS__INTERNAL;
        }
    }
    return SPONA__V1__STATUS__OK;
}

/* The aggregates decision for the caller's institution (outside any case). */
static void report_decide(const struct policy *policy, struct access_case *caller,
                          struct policy_decision *decision)
{
    caller->subject.on_team = 0;
    caller->subject.is_lead_institution = 0;
    access_decide(policy, caller, POLICY_CATEGORY_AGGREGATES, POLICY_ACTION_READ, decision);
}

spona_status handle_report(struct request_context *ctx, const spona_request *request,
                           spona_response *response)
{
    const Spona__V1__ReportRequest *ask = request->report;
    spona_status status = access_begin(ctx);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    char detail[128] = "";
    struct audit_record record = {.action = "report", .detail = detail};
    Spona__V1__ReportResponse *answer = NULL;
    const struct policy *policy = access_policy(ctx, &status);
    if (policy == NULL && status != SPONA__V1__STATUS__OK)
        goto failed;
    record.protocol_version = policy != NULL ? policy->version : 0;
    struct access_case caller;
    status = handlers_intake_subject(ctx, policy, &caller);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    struct policy_decision decision;
    report_decide(policy, &caller, &decision);
    if (!decision.allowed) {
        record.denied = POLICY_BIT(POLICY_CATEGORY_AGGREGATES);
        snprintf(ctx->message, sizeof(ctx->message), "%s", decision.reason);
        return handlers_refuse(ctx, &record, "denied", SPONA__V1__STATUS__PERMISSION_DENIED);
    }
    int suppress = caller.subject.role != POLICY_ROLE_LEAD_AGENCY;

    struct report_period period;
    status = report_period(ctx, ask->from, ask->to, &period);
    if (status == SPONA__V1__STATUS__INVALID_ARGUMENT) {
        snprintf(detail, sizeof(detail), "bad period");
        return handlers_refuse(ctx, &record, "invalid", status);
    }
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    snprintf(detail, sizeof(detail), "%s..%s%s", period.from, period.to,
             suppress ? ", small cells suppressed" : "");
    if (suppress && (period.days < REPORT_MIN_DAYS || !period.whole_months)) {
        record.denied = POLICY_BIT(POLICY_CATEGORY_AGGREGATES);
        snprintf(ctx->message, sizeof(ctx->message),
                 "only the lead agency may report on %s..%s: other institutions get whole "
                 "calendar months (from the 1st to a month's last day, at least %d days), "
                 "so that no period singles out a person",
                 period.from, period.to, REPORT_MIN_DAYS);
        return handlers_refuse(ctx, &record, "denied", SPONA__V1__STATUS__PERMISSION_DENIED);
    }

    const char *params[] = {period.from, period.to};
    PGresult *result = request_query(ctx, "report_indicators", 2, params, &status);
    if (result == NULL)
        goto failed;
    answer = malloc(sizeof(*answer));
    if (answer == NULL) {
        PQclear(result);
        status = SPONA__V1__STATUS__INTERNAL;
        goto failed;
    }
    spona__v1__report_response__init(answer);
    status = report_rows(result, suppress, answer);
    PQclear(result);
    answer->municipality_code = views_strdup(policy->municipality);
    answer->from = views_strdup(period.from);
    answer->to = views_strdup(period.to);
    if (status == SPONA__V1__STATUS__OK &&
        (answer->municipality_code == NULL || answer->from == NULL || answer->to == NULL))
        status = SPONA__V1__STATUS__INTERNAL;
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    answer->protocol_version = (uint32_t)policy->version;
    answer->suppressed_view = suppress;
    record.disclosed = POLICY_BIT(POLICY_CATEGORY_AGGREGATES);
    audit_add_clause(&record, decision.clause_number);
    status = audit_commit_view(ctx, &record, &answer->base);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_REPORT;
    response->report = answer;
    return SPONA__V1__STATUS__OK;

failed:
    if (answer != NULL)
        spona__v1__report_response__free_unpacked(answer, NULL);
    access_rollback(ctx);
    return status;
}
