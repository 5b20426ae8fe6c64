/*
 * Helpers of the person, case and consent handlers (see handlers_util.h).
 * Small on purpose: anything that belongs to one subject stays in its file.
 */
#include "handlers_util.h"

#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "statements.h"

/* The role an institution signed the protocol version $2 with (NULL when it did not). */
#define SIGNATORY_ROLE(institution)                                                        \
    "(SELECT s.role FROM protocol_signatories s JOIN protocols pr ON pr.id = s.protocol_id" \
    "   WHERE s.institution_id = " institution " AND pr.municipality_id = i.municipality_id" \
    "     AND pr.version = $2::int)"

const struct db_statement handlers_util_statements[] = {
    {"handlers_institution",
     "SELECT i.id, i.code, i.enabled, " SIGNATORY_ROLE("i.id")
     "  FROM institutions i WHERE i.code = $1 AND i.municipality_id = $3"},
    {NULL, NULL},
};

static void version_text(const struct policy *policy, char out[16])
{
    snprintf(out, 16, "%d", policy != NULL ? policy->version : 0);
}


spona_status handlers_require_lead_agency(struct request_context *ctx,
                                          const struct policy *policy,
                                          const struct access_case *access, const char *what)
{
    if (policy == NULL) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "only a lead agency may %s, and no protocol is in force in this municipality",
                 what);
    } else if (!access->is_signatory) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "only a lead agency may %s: institution %s is not a signatory of protocol "
                 "%s v%d", what, access->institution_code, policy->municipality, policy->version);
    } else if (access->subject.role != POLICY_ROLE_LEAD_AGENCY) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "only a lead agency may %s: institution %s signed protocol %s v%d as %s", what,
                 access->institution_code, policy->municipality, policy->version,
                 policy_role_name(access->subject.role));
    } else {
        return SPONA__V1__STATUS__OK;
    }
    return SPONA__V1__STATUS__PERMISSION_DENIED;
}

spona_status handlers_find_institution(struct request_context *ctx, const struct policy *policy,
                                       const char *code, struct handlers_institution *out)
{
    memset(out, 0, sizeof(*out));
    if (code[0] == '\0') {
        snprintf(ctx->message, sizeof(ctx->message), "an institution code is required");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    if (strlen(code) >= sizeof(out->code)) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "no such institution in this municipality");
        error_code_set(&ctx->error, "institution_unknown");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    char version[16];
    version_text(policy, version);
    const char *params[] = {code, version, ctx->job->installation.municipality_id};
    spona_status status;
    PGresult *result = request_query(ctx, "handlers_institution", 3, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "no such institution in this municipality");
        error_code_set(&ctx->error, "institution_unknown");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    db_copy(result, 0, 0, out->id, sizeof(out->id));
    db_copy(result, 0, 1, out->code, sizeof(out->code));
    out->enabled = strcmp(PQgetvalue(result, 0, 2), "t") == 0;
    int role = PQgetisnull(result, 0, 3) ? -1 : policy_role_from_name(PQgetvalue(result, 0, 3));
    PQclear(result);
    out->is_signatory = role >= 0;
    out->role = role >= 0 ? (enum policy_role)role : POLICY_ROLE_COORDINATOR;
    return SPONA__V1__STATUS__OK;
}

int handlers_check_date(const char *name, const char *value, char *err, size_t err_size)
{
    const struct field_def date = {name, POLICY_CATEGORY_IDENTITY, FIELD_DATE, 0, 0};
    if (value[0] == '\0') {
        snprintf(err, err_size, "%s: required (YYYY-MM-DD)", name);
        return -1;
    }
    return fields_validate(&date, value, err, err_size);
}

size_t handlers_text_length(const char *text)
{
    size_t count = 0;
    for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++)
        if ((*c & 0xC0) != 0x80)
            count++;
    return count;
}

PGresult *handlers_exec_built(struct request_context *ctx, const char *label, const char *sql,
                              int count, const char *const *params, const char *tolerated,
                              spona_status *status)
{
    PGconn *conn = ctx->db->conn;
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        snprintf(ctx->message, sizeof(ctx->message), "the database is unavailable; try again");
        *status = SPONA__V1__STATUS__UNAVAILABLE;
        return NULL;
    }
    PGresult *result = strcmp(label, HANDLERS_KEPT_PLAN) == 0
                           ? db_exec_built(ctx->db, label, sql, count, params)
                           : PQexecParams(conn, sql, count, NULL, params, NULL, NULL, 0);
    if (result == NULL || PQstatus(conn) != CONNECTION_OK) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "the database is unavailable; try again");
        *status = SPONA__V1__STATUS__UNAVAILABLE;
        return NULL;
    }
    ExecStatusType outcome = PQresultStatus(result);
    if (outcome == PGRES_COMMAND_OK || outcome == PGRES_TUPLES_OK) {
        *status = SPONA__V1__STATUS__OK;
        return result;
    }
    const char *sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    if (tolerated != NULL && sqlstate != NULL && strcmp(sqlstate, tolerated) == 0) {
        PQclear(result);
        *status = SPONA__V1__STATUS__CONFLICT;
        return NULL;
    }
    (void)db_ok(result, label); /* logs the error */
    PQclear(result);
    snprintf(ctx->message, sizeof(ctx->message), "internal error");
    *status = SPONA__V1__STATUS__INTERNAL;
    return NULL;
}
