/*
 * The protocol's indicators (issue 5, docs/reports.md): municipality-wide counts
 * for a period, computed by the definer function spona_indicators (sql/008, 009),
 * which returns figures only, never an id or a name. Who may ask is the
 * protocol's `aggregates` category (read; its clauses ignore team and consent).
 * The lead agency gets live figures for any period. Every other institution gets
 * one calendar quarter that has ended, from its release: figures computed once,
 * the first time anyone but the lead asks, and never again (report_releases), with
 * small cells and the cells that would give them away suppressed
 * (report_suppress.c); so neither a period, nor a later request, nor a subtraction
 * singles out a person. Each report is audited as one record without a person.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "case_records_util.h"
#include "handlers.h"
#include "handlers_util.h"
#include "report_suppress.h"
#include "statements.h"
#include "views.h"
#include "transaction.h"

/* Smallest count shown to institutions other than the lead agency. */
#define REPORT_MIN_CELL 5
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
     "SELECT indicator, breakdown, value, base"
     "  FROM spona_indicators($1::date, $2::date, $3::text[])"},
    /* a quarter's release: made once (a concurrent first request waits on the unique
     * key and then does nothing), then read */
    {"report_release_create",
     "INSERT INTO report_releases (municipality_id, period_from, period_to, protocol_version,"
     "                             released_for)"
     "VALUES (spona_current_municipality(), $1::date, $2::date, $3::integer,"
     "        spona_current_institution())"
     "ON CONFLICT (municipality_id, period_from, period_to) DO NOTHING RETURNING id"},
    {"report_release_fill",
     "INSERT INTO report_release_rows (release_id, n, indicator, breakdown, value, base)"
     "SELECT $1::uuid, t.n, t.indicator, t.breakdown, t.value, t.base"
     "  FROM spona_indicators($2::date, $3::date, $4::text[])"
     "       WITH ORDINALITY AS t(indicator, breakdown, value, base, n)"},
    {"report_release_find",
     "SELECT id, to_char(released_at, 'YYYY-MM-DD HH24:MI'), protocol_version"
     "  FROM report_releases"
     " WHERE municipality_id = spona_current_municipality()"
     "   AND period_from = $1::date AND period_to = $2::date"},
    {"report_release_rows",
     "SELECT indicator, breakdown, value, base FROM report_release_rows"
     " WHERE release_id = $1::uuid ORDER BY n"},
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

/*
 * Builds the rows of the answer from (indicator, breakdown, value, base) rows: as
 * they are for the lead; suppressed (report_suppress.c) for everyone else. Every
 * figure but the median is a count, linked to its indicator's other breakdowns.
 */
static spona_status report_rows(const PGresult *result, int suppress,
                                Spona__V1__ReportResponse *answer)
{
    int count = PQntuples(result);
    struct report_figure *figures = calloc((size_t)count + 1, sizeof(*figures));
    if (figures == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    for (int row = 0; row < count; row++) {
        figures[row].indicator = PQgetvalue(result, row, 0);
        figures[row].breakdown = PQgetvalue(result, row, 1);
        figures[row].base = strtol(PQgetvalue(result, row, 3), NULL, 10);
        figures[row].linked = strcmp(figures[row].indicator, "median_days_to_employment") != 0;
    }
    if (suppress)
        report_suppress(figures, (size_t)count, REPORT_MIN_CELL);
    spona_status status = SPONA__V1__STATUS__OK;
    for (int row = 0; row < count && status == SPONA__V1__STATUS__OK; row++)
        if (report_add_row(answer, figures[row].indicator, figures[row].breakdown,
                           report_cell_text(&figures[row], PQgetvalue(result, row, 2))) != 0)
            status = SPONA__V1__STATUS__INTERNAL;
    free(figures);
    return status;
}

/* The lead's answer: live figures for its period. */
static spona_status report_live(struct request_context *ctx, const struct report_period *period,
                                const char *groups, Spona__V1__ReportResponse *answer)
{
    const char *params[] = {period->from, period->to, groups};
    spona_status status;
    PGresult *result = request_query(ctx, "report_indicators", 3, params, &status);
    if (result == NULL)
        return status;
    status = report_rows(result, 0, answer);
    PQclear(result);
    return status;
}

/*
 * Everyone else's answer: the quarter's release, made now if nobody has asked for it
 * yet, suppressed. Its protocol version and release time go into the answer.
 */
static spona_status report_released(struct request_context *ctx,
                                    const struct report_period *period, int version,
                                    const char *groups, Spona__V1__ReportResponse *answer)
{
    char version_text[16], id[UUID_TEXT];
    snprintf(version_text, sizeof(version_text), "%d", version);
    const char *create[] = {period->from, period->to, version_text};
    spona_status status;
    PGresult *result = request_query(ctx, "report_release_create", 3, create, &status);
    if (result == NULL)
        return status;
    int created = PQntuples(result) == 1;
    if (created)
        db_copy(result, 0, 0, id, sizeof(id));
    PQclear(result);
    if (created) {
        const char *fill[] = {id, period->from, period->to, groups};
        if ((result = request_query(ctx, "report_release_fill", 4, fill, &status)) == NULL)
            return status;
        PQclear(result);
    }
    const char *find[] = {period->from, period->to};
    if ((result = request_query(ctx, "report_release_find", 2, find, &status)) == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        return SPONA__V1__STATUS__INTERNAL;
    }
    db_copy(result, 0, 0, id, sizeof(id));
    answer->released_at = views_strdup(PQgetvalue(result, 0, 1));
    answer->protocol_version = (uint32_t)strtoul(PQgetvalue(result, 0, 2), NULL, 10);
    PQclear(result);
    if (answer->released_at == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    const char *rows[] = {id};
    if ((result = request_query(ctx, "report_release_rows", 1, rows, &status)) == NULL)
        return status;
    status = report_rows(result, 1, answer);
    PQclear(result);
    return status;
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
    spona_status status = request_begin(ctx);
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
    status = access_intake_subject(ctx, policy, &caller);
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
    status = report_period(ctx, ask->from, ask->to, !suppress, &period);
    if (status == SPONA__V1__STATUS__INVALID_ARGUMENT) {
        snprintf(detail, sizeof(detail), "bad period");
        return handlers_refuse(ctx, &record, "invalid", status);
    }
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    snprintf(detail, sizeof(detail), "%s..%s%s", period.from, period.to,
             suppress ? ", released figures, small cells suppressed" : "");
    if (suppress && !(period.quarter && period.ended)) {
        record.denied = POLICY_BIT(POLICY_CATEGORY_AGGREGATES);
        snprintf(ctx->message, sizeof(ctx->message),
                 "only the lead agency may report on %s..%s: other institutions get one "
                 "calendar quarter that has ended (e.g. 2026-07-01..2026-09-30), released "
                 "once, so that no period and no later request singles out a person",
                 period.from, period.to);
        return handlers_refuse(ctx, &record, "denied", SPONA__V1__STATUS__PERMISSION_DENIED);
    }
    char groups[REPORT_GROUPS_BYTES];
    if (report_groups(policy, groups, sizeof(groups)) != 0) {
        status = SPONA__V1__STATUS__INTERNAL;
        goto failed;
    }

    answer = malloc(sizeof(*answer));
    if (answer == NULL) {
        status = SPONA__V1__STATUS__INTERNAL;
        goto failed;
    }
    spona__v1__report_response__init(answer);
    answer->protocol_version = (uint32_t)policy->version;
    status = suppress ? report_released(ctx, &period, policy->version, groups, answer)
                      : report_live(ctx, &period, groups, answer);
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
    answer->municipality_code = views_strdup(policy->municipality);
    answer->from = views_strdup(period.from);
    answer->to = views_strdup(period.to);
    if (status == SPONA__V1__STATUS__OK &&
        (answer->municipality_code == NULL || answer->from == NULL || answer->to == NULL))
        status = SPONA__V1__STATUS__INTERNAL;
    if (status != SPONA__V1__STATUS__OK)
        goto failed;
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
    request_rollback(ctx);
    return status;
}
