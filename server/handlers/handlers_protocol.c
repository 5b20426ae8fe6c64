/*
 * The protocol as policy: importing a new version of the municipality's
 * Protocol on cooperation (validated by the policy parser, stored verbatim
 * with its signatories), approving an amendment that widens access, and
 * showing a stored version as a printable document with its approvals.
 * See docs/policy.md ("Amendments") and docs/access.md.
 *
 * A version that widens no institution's access (compared with the latest
 * activated one, policy_diff.c) is activated on import; a widening one is stored
 * inactive with one required approval per lead agency and widened institution,
 * and is activated by the last of them. An approval is a signature by the
 * institution's certificate key over the version's hash, verified against the
 * certificate of the connection. The pipeline runs the transaction and the audit.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "policy_parse.h"
#include "protocol_clauses.h"
#include "approval.h"
#include "audit.h"
#include "decision_table.h"
#include "handlers.h"
#include "log.h"
#include "policy.h"
#include "policy_diff.h"
#include "protocol_signature.h"
#include "statements.h"
#include "views.h"

#define PROTOCOL_MAX_FILE_NAME 128
#define PROTOCOL_ERROR_BYTES 16384

/* The version in force for $1: the latest activated one whose date has come. */
#define PROTOCOL_IN_FORCE                                                                   \
    "(SELECT max(version) FROM protocols WHERE municipality_id = m.id"                    \
    "   AND activated_at IS NOT NULL AND effective_date <= current_date)"

const struct db_statement protocol_statements[] = {
    {"protocol_municipality", "SELECT code FROM municipalities WHERE id = $1"},
    {"protocol_institution_known",
     "SELECT 1 FROM institutions WHERE code = $1 AND municipality_id = $2"},
    {"protocol_next_version",
     "SELECT COALESCE(max(version), 0) + 1 FROM protocols WHERE municipality_id = $1"},
    /* what an amendment is compared with: the latest activated version */
    {"protocol_latest_activated",
     "SELECT source FROM protocols WHERE municipality_id = $1 AND activated_at IS NOT NULL"
     " ORDER BY version DESC LIMIT 1"},
    {"protocol_insert",
     "INSERT INTO protocols (municipality_id, version, title, effective_date, source,"
     "                       source_sha256, imported_by, activated_at)"
     " VALUES ($1, $2::int, $3, $4::date, $5, decode($6, 'hex'), $7::uuid,"
     "         CASE WHEN $8::bool THEN now() END) RETURNING id"},
    {"protocol_signatory_insert",
     "INSERT INTO protocol_signatories (protocol_id, municipality_id, institution_id, role)"
     " SELECT $1::uuid, i.municipality_id, i.id, $4 FROM institutions i"
     "  WHERE i.code = $3 AND i.municipality_id = $2"},
    /* the version's decision table (sql/022, docs/access.md "The decision table") */
    {"protocol_decisions_insert", DECISION_TABLE_INSERT},
    {"protocol_approval_require",
     "INSERT INTO protocol_approvals (protocol_id, institution_id, reason)"
     " SELECT $1::uuid, i.id, $4 FROM institutions i"
     "  WHERE i.code = $3 AND i.municipality_id = $2"},
    /* the version to approve, locked so approvals of one version run one at a time */
    {"protocol_approve_target",
     "SELECT p.id, encode(p.source_sha256, 'hex'), p.activated_at IS NOT NULL,"
     "       EXISTS (SELECT 1 FROM protocols later WHERE later.municipality_id = p.municipality_id"
     "                  AND later.version > p.version AND later.activated_at IS NOT NULL),"
     "       m.code"
     "  FROM protocols p JOIN municipalities m ON m.id = p.municipality_id"
     " WHERE p.municipality_id = $1 AND p.version = $2::int FOR UPDATE OF p"},
    {"protocol_approval_state",
     "SELECT signature IS NOT NULL FROM protocol_approvals"
     " WHERE protocol_id = $1::uuid AND institution_id = $2::uuid"},
    {"protocol_approval_sign",
     "UPDATE protocol_approvals SET signature = decode($3, 'hex'),"
     "       certificate = decode($4, 'hex'), approved_by = $5::uuid, approved_at = now()"
     " WHERE protocol_id = $1::uuid AND institution_id = $2::uuid AND signature IS NULL"},
    /* activates the version when no required approval is missing; returns the missing */
    {"protocol_activate",
     "WITH missing AS (SELECT count(*) AS n FROM protocol_approvals"
     "                  WHERE protocol_id = $1::uuid AND signature IS NULL),"
     "     activated AS (UPDATE protocols SET activated_at = now()"
     "                    WHERE id = $1::uuid AND (SELECT n FROM missing) = 0"
     "                    RETURNING 1)"
     " SELECT (SELECT n FROM missing), EXISTS (SELECT 1 FROM activated)"},
    /* one snapshot: the version asked for (0: the one in force, else the highest stored)
     * and the list of all */
    {"protocol_show",
     "SELECT m.code, p.version, p.title, to_char(p.effective_date, 'YYYY-MM-DD'), p.source,"
     "       to_char(p.imported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
     "       ARRAY(SELECT v.version FROM protocols v WHERE v.municipality_id = m.id"
     "              ORDER BY v.version),"
     "       encode(p.source_sha256, 'hex'),"
     "       to_char(p.activated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
     "  FROM municipalities m"
     "  LEFT JOIN protocols p ON p.municipality_id = m.id"
     "   AND p.version = CASE WHEN $2::int = 0"
     "                        THEN COALESCE(" PROTOCOL_IN_FORCE ","
     "                                      (SELECT max(version) FROM protocols"
     "                                        WHERE municipality_id = m.id))"
     "                        ELSE $2::int END"
     " WHERE m.id = $1"},
    {"protocol_approvals_list",
     "SELECT i.code, a.reason, a.approved_at IS NOT NULL,"
     "       COALESCE(to_char(a.approved_at AT TIME ZONE 'UTC',"
     "                        'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
     "  FROM protocol_approvals a JOIN protocols p ON p.id = a.protocol_id"
     "  JOIN institutions i ON i.id = a.institution_id"
     " WHERE p.municipality_id = $1 AND p.version = $2::int ORDER BY i.code"},
    {NULL, NULL},
};

/* What the known-institution callback needs; it runs on this worker's connection. */
struct protocol_lookup {
    struct request_context *ctx;
    const char *municipality_code;   /* the caller's */
    int failed;                      /* the database did not answer */
    spona_status status;
};

/*
 * Is institution registered in the caller's municipality? A document for another
 * municipality is not checked here: it is refused as a whole after parsing.
 */
static int protocol_institution_known(void *context, const char *municipality,
                                      const char *institution)
{
    struct protocol_lookup *lookup = context;
    if (strcmp(municipality, lookup->municipality_code) != 0 || lookup->failed)
        return 1;
    const char *params[] = {institution, lookup->ctx->job->installation.municipality_id};
    PGresult *result = request_query(lookup->ctx, "protocol_institution_known", 2, params,
                                     &lookup->status);
    if (result == NULL) {
        lookup->failed = 1;
        return 1;
    }
    int known = PQntuples(result) == 1;
    PQclear(result);
    return known;
}

/*
 * Copies the parser's "NAME:LINE: message" lines into ctx->message. When they
 * do not all fit, the lists of expected names are left out (" (expected one of:
 * ...)"), then the first whole lines that fit are kept and the rest counted.
 */
static void protocol_report_errors(struct request_context *ctx, char *errors)
{
    static const char expected[] = " (expected one of: ";
    if (strlen(errors) >= sizeof(ctx->message)) {
        char *out = errors;
        for (const char *in = errors; *in != '\0';) {
            size_t length = strcspn(in, "\n");
            const char *cut = strstr(in, expected);
            size_t keep = cut != NULL && (size_t)(cut - in) < length ? (size_t)(cut - in) : length;
            memmove(out, in, keep);
            out += keep;
            in += length;
            if (*in == '\n')
                *out++ = *in++;
        }
        *out = '\0';
    }
    size_t room = sizeof(ctx->message) - 40; /* for the "N more" line */
    size_t used = 0;
    int dropped = 0;
    ctx->message[0] = '\0';
    for (const char *line = errors; *line != '\0';) {
        size_t length = strcspn(line, "\n");
        size_t need = length + (used > 0 ? 1 : 0);
        if (dropped == 0 && (used + need <= room || used == 0)) {
            used += (size_t)snprintf(ctx->message + used, sizeof(ctx->message) - used, "%s%.*s",
                                     used > 0 ? "\n" : "", (int)length, line);
            if (used >= room)
                used = room;
        } else {
            dropped++;
        }
        line += length;
        if (*line == '\n')
            line++;
    }
    if (dropped > 0)
        snprintf(ctx->message + used, sizeof(ctx->message) - used, "\n(%d more line%s not shown)",
                 dropped, dropped == 1 ? "" : "s");
}

/* The caller's municipality code into out; returns OK or an error status. */
static spona_status protocol_municipality_code(struct request_context *ctx, char *out,
                                               size_t out_size)
{
    const char *params[] = {ctx->job->installation.municipality_id};
    spona_status status;
    PGresult *result = request_query(ctx, "protocol_municipality", 1, params, &status);
    if (result == NULL)
        return status;
    int found = PQntuples(result) == 1;
    if (found)
        db_copy(result, 0, 0, out, out_size);
    PQclear(result);
    if (!found) {
        snprintf(ctx->message, sizeof(ctx->message), "your municipality is not registered");
        return SPONA__V1__STATUS__INTERNAL;
    }
    return SPONA__V1__STATUS__OK;
}

/* 1 when a failed result is a unique violation (a concurrent import of the same version). */
static int protocol_is_unique_violation(const PGresult *result)
{
    const char *state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    return PQresultStatus(result) == PGRES_FATAL_ERROR && state != NULL &&
           strcmp(state, "23505") == 0;
}

/* Inserts the version; its id into protocol_id. OK or an error status with ctx->message. */
static spona_status protocol_insert(struct request_context *ctx, const struct policy *policy,
                                    const char *digest, int activate, char *protocol_id)
{
    const struct job *job = ctx->job;
    char version[16];
    snprintf(version, sizeof(version), "%d", policy->version);
    const char *params[] = {job->installation.municipality_id, version, policy->title,
                            policy->effective, policy->source, digest, job->session.user_id,
                            activate ? "true" : "false"};
    PGresult *result = db_exec(ctx->db, "protocol_insert", 8, params);
    if (result == NULL) {
        snprintf(ctx->message, sizeof(ctx->message), "the database is unavailable; try again");
        return SPONA__V1__STATUS__UNAVAILABLE;
    }
    if (protocol_is_unique_violation(result)) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message),
                 "version %d was just stored by another import; the next version is %d",
                 policy->version, policy->version + 1);
        return SPONA__V1__STATUS__CONFLICT;
    }
    if (!db_ok(result, "protocol_insert")) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }
    db_copy(result, 0, 0, protocol_id, UUID_TEXT);
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

/*
 * Runs a per-institution insert (signatory or required approval) whose statement takes
 * (protocol, municipality, institution code, text); CONFLICT when the institution is
 * no longer registered.
 */
static spona_status protocol_insert_for(struct request_context *ctx, const char *statement,
                                        const char *protocol_id, const char *institution,
                                        const char *text)
{
    const char *row[] = {protocol_id, ctx->job->installation.municipality_id, institution, text};
    spona_status status;
    PGresult *result = request_query(ctx, statement, 4, row, &status);
    if (result == NULL)
        return status;
    int inserted = atoi(PQcmdTuples(result));
    PQclear(result);
    if (inserted != 1) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "institution '%s' is no longer registered in your municipality", institution);
        return SPONA__V1__STATUS__CONFLICT;
    }
    return SPONA__V1__STATUS__OK;
}

/* Stores the decision table of the version protocol_id (derived from policy). */
static spona_status protocol_insert_decisions(struct request_context *ctx,
                                              const struct policy *policy,
                                              const char *protocol_id)
{
    char *rows = NULL;
    if (decision_table_json(policy, &rows) != 0) {
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }
    const char *params[] = {protocol_id, rows};
    spona_status status;
    PGresult *result = request_query(ctx, "protocol_decisions_insert", 2, params, &status);
    free(rows);
    if (result == NULL)
        return status;
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

/*
 * One required approval per lead agency and per institution the amendment widens;
 * *count of them. OK or an error status with ctx->message set.
 */
static spona_status protocol_require_approvals(struct request_context *ctx,
                                               const struct policy *policy,
                                               const struct policy_diff *diff,
                                               const char *protocol_id, uint32_t *count)
{
    *count = 0;
    for (size_t i = 0; i < policy->signatory_count; i++) {
        const char *institution = policy->signatories[i].institution;
        char reason[512];
        policy_diff_reason(diff, policy, institution, reason, sizeof(reason));
        if (reason[0] == '\0')
            continue;
        spona_status status = protocol_insert_for(ctx, "protocol_approval_require", protocol_id,
                                                  institution, reason);
        if (status != SPONA__V1__STATUS__OK)
            return status;
        (*count)++;
    }
    return SPONA__V1__STATUS__OK;
}

/*
 * Stores the version, its signatories and (for a widening amendment: diff not NULL)
 * its required approvals inside the pipeline's transaction, and says so in the audit
 * record. *required: the approvals it awaits (0: activated). OK or an error status.
 */
static spona_status protocol_store(struct request_context *ctx, const struct policy *policy,
                                   const char *digest, const struct policy_diff *diff,
                                   uint32_t *required)
{
    char protocol_id[UUID_TEXT];
    *required = 0;
    spona_status status = protocol_insert(ctx, policy, digest, diff == NULL, protocol_id);
    for (size_t i = 0; i < policy->signatory_count && status == SPONA__V1__STATUS__OK; i++)
        status = protocol_insert_for(ctx, "protocol_signatory_insert", protocol_id,
                                     policy->signatories[i].institution,
                                     policy_role_name(policy->signatories[i].role));
    if (status == SPONA__V1__STATUS__OK)
        status = protocol_insert_decisions(ctx, policy, protocol_id);
    if (status == SPONA__V1__STATUS__OK && diff != NULL)
        status = protocol_require_approvals(ctx, policy, diff, protocol_id, required);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    ctx->record.protocol_version = policy->version;
    if (*required == 0)
        snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "version %d", policy->version);
    else
        snprintf(ctx->audit_detail, sizeof(ctx->audit_detail),
                 "version %d widens access: inactive until %u approvals", policy->version,
                 *required);
    ctx->record.detail = ctx->audit_detail;
    return SPONA__V1__STATUS__OK;
}

/* Checks who may import and what; returns OK or the refusal with ctx->message set. */
static spona_status protocol_check(struct request_context *ctx, const struct policy *policy,
                                   const char *municipality_code)
{
    if (strcmp(policy->municipality, municipality_code) != 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "the document is the protocol of another municipality; you are in "
                 "municipality '%s'",
                 municipality_code);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    const char *params[] = {ctx->job->installation.municipality_id};
    spona_status status;
    PGresult *result = request_query(ctx, "protocol_next_version", 1, params, &status);
    if (result == NULL)
        return status;
    int next = atoi(PQgetvalue(result, 0, 0));
    PQclear(result);
    if (policy->version < next) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "version %d is already stored; the next version is %d", policy->version, next);
        return SPONA__V1__STATUS__CONFLICT;
    }
    if (policy->version > next) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "version %d would skip a version; the next version is %d", policy->version,
                 next);
        return SPONA__V1__STATUS__CONFLICT;
    }
    return SPONA__V1__STATUS__OK;
}

static spona_status protocol_import_response(const struct policy *policy, uint32_t required,
                                             spona_response *response)
{
    Spona__V1__ProtocolImportResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__protocol_import_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_PROTOCOL_IMPORT;
    response->protocol_import = answer;
    answer->municipality_code = views_strdup(policy->municipality);
    answer->title = views_strdup(policy->title);
    answer->effective_date = views_strdup(policy->effective);
    answer->version = (uint32_t)policy->version;
    answer->clause_count = (uint32_t)policy->clause_count;
    answer->active = required == 0;
    answer->approvals_required = required;
    if (answer->municipality_code == NULL || answer->title == NULL ||
        answer->effective_date == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    return SPONA__V1__STATUS__OK;
}

/* Who may import, and how large a document; OK or the refusal with ctx->message set. */
static spona_status protocol_may_import(struct request_context *ctx, size_t length)
{
    const char *role = ctx->job->installation.role;
    if (strcmp(role, "coordinator") != 0 && strcmp(role, "lead_agency") != 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "only the coordinator or the lead agency may import the protocol (your "
                 "institution is %s)", role);
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    }
    if (length > POLICY_MAX_FILE_BYTES) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "the protocol document has %zu bytes; at most %d are accepted", length,
                 POLICY_MAX_FILE_BYTES);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    return SPONA__V1__STATUS__OK;
}

/* Parses the imported document into *policy; OK (caller frees) or the refusal. */
static spona_status protocol_parse(struct request_context *ctx,
                                   const Spona__V1__ProtocolImportRequest *import,
                                   const char *municipality_code, struct policy *policy)
{
    /* errors name the document's lines, never the file name the client sent */
    const char *name = "protocol";
    struct protocol_lookup lookup = {ctx, municipality_code, 0, SPONA__V1__STATUS__OK};
    struct policy_known_institutions known = {protocol_institution_known, &lookup, NULL, 0};
    char *errors = malloc(PROTOCOL_ERROR_BYTES);
    if (errors == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    int parsed = policy_parse_string(import->source, strlen(import->source), name, &known,
                                     policy, errors, PROTOCOL_ERROR_BYTES);
    spona_status status = SPONA__V1__STATUS__OK;
    if (lookup.failed) {
        if (parsed == 0)
            policy_free(policy);
        status = lookup.status;
    } else if (parsed != 0) {
        protocol_report_errors(ctx, errors);
        status = SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    free(errors);
    return status;
}

/*
 * The latest activated version into *old (*found 0: none yet, *old untouched).
 * OK or an error status.
 */
static spona_status protocol_load_activated(struct request_context *ctx, struct policy *old,
                                            int *found)
{
    const char *params[] = {ctx->job->installation.municipality_id};
    spona_status status;
    PGresult *result = request_query(ctx, "protocol_latest_activated", 1, params, &status);
    if (result == NULL)
        return status;
    *found = PQntuples(result) == 1;
    int parsed = 0;
    char err[1024];
    if (*found) {
        const char *source = PQgetvalue(result, 0, 0);
        parsed = policy_parse_string(source, strlen(source), "stored protocol", NULL, old, err,
                                     sizeof(err));
    }
    PQclear(result);
    if (parsed != 0) {
        log_error("the latest activated protocol cannot be parsed: %s", err);
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }
    return SPONA__V1__STATUS__OK;
}

/*
 * Compares policy with the latest activated version and stores it: activated at once
 * when it widens no one's access (or is the first), else awaiting approvals.
 */
static spona_status protocol_compare_and_store(struct request_context *ctx,
                                               const struct policy *policy, const char *digest,
                                               uint32_t *required)
{
    struct policy old;
    int found = 0;
    spona_status status = protocol_load_activated(ctx, &old, &found);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    struct policy_diff diff = {NULL, 0};
    if (found && policy_diff(&old, policy, &diff) != 0)
        status = SPONA__V1__STATUS__INTERNAL;
    if (status == SPONA__V1__STATUS__OK)
        status = protocol_store(ctx, policy, digest, diff.gain_count > 0 ? &diff : NULL,
                                required);
    policy_diff_free(&diff);
    if (found)
        policy_free(&old);
    return status;
}

spona_status handle_protocol_import(struct request_context *ctx, const spona_request *request,
                                    spona_response *response)
{
    const Spona__V1__ProtocolImportRequest *import = request->protocol_import;
    spona_status status = protocol_may_import(ctx, strlen(import->source));
    if (status != SPONA__V1__STATUS__OK)
        return status;
    char municipality_code[128];
    status = protocol_municipality_code(ctx, municipality_code, sizeof(municipality_code));
    if (status != SPONA__V1__STATUS__OK)
        return status;
    struct policy policy;
    status = protocol_parse(ctx, import, municipality_code, &policy);
    if (status != SPONA__V1__STATUS__OK)
        return status;

    char digest[65];
    uint32_t required = 0;
    status = protocol_sha256_hex(policy.source, strlen(policy.source), digest) == 0
                 ? protocol_check(ctx, &policy, municipality_code)
                 : SPONA__V1__STATUS__INTERNAL;
    if (status == SPONA__V1__STATUS__OK)
        status = protocol_compare_and_store(ctx, &policy, digest, &required);
    if (status == SPONA__V1__STATUS__OK) {
        log_info("protocol %s version %d imported by user %s (%zu clauses, %s)",
                 policy.municipality, policy.version, ctx->job->session.user_id,
                 policy.clause_count, required == 0 ? "activated" : "awaiting approvals");
        status = protocol_import_response(&policy, required, response);
    }
    policy_free(&policy);
    return status;
}

/* Parses a PostgreSQL integer array ("{1,2,3}") into a repeated uint32 field. */
static int protocol_versions(const char *text, uint32_t **out, size_t *count)
{
    size_t capacity = 1;
    for (const char *c = text; *c != '\0'; c++)
        capacity += *c == ',';
    *out = calloc(capacity, sizeof(**out));
    *count = 0;
    if (*out == NULL)
        return -1;
    for (const char *c = text; *c != '\0';) {
        if (*c >= '0' && *c <= '9') {
            char *end;
            unsigned long value = strtoul(c, &end, 10);
            if (*count < capacity)
                (*out)[(*count)++] = (uint32_t)value;
            c = end;
        } else {
            c++;
        }
    }
    return 0;
}

/* Fills the ProtocolShowResponse from the protocol_show row; OK or INTERNAL. */
static spona_status protocol_show_response(struct request_context *ctx, const PGresult *result,
                                           spona_response *response)
{
    Spona__V1__ProtocolShowResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__protocol_show_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_PROTOCOL_SHOW;
    response->protocol_show = answer;

    const char *source = PQgetvalue(result, 0, 4);
    struct policy policy;
    char err[1024];
    if (policy_parse_string(source, strlen(source), "stored protocol", NULL, &policy, err,
                            sizeof(err)) != 0) {
        log_error("stored protocol version %s cannot be parsed: %s", PQgetvalue(result, 0, 1),
                  err);
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }
    int rendered = policy_render_text(&policy, &answer->document);
    if (rendered == 0)
        rendered = protocol_clauses_view(&policy, answer);
    policy_free(&policy);
    if (rendered != 0)
        return SPONA__V1__STATUS__INTERNAL;

    answer->version = (uint32_t)strtoul(PQgetvalue(result, 0, 1), NULL, 10);
    answer->title = views_strdup(PQgetvalue(result, 0, 2));
    answer->effective_date = views_strdup(PQgetvalue(result, 0, 3));
    answer->source = views_strdup(source);
    answer->imported_at = views_strdup(PQgetvalue(result, 0, 5));
    answer->municipality_code = views_strdup(PQgetvalue(result, 0, 0));
    answer->source_sha256 = views_strdup(PQgetvalue(result, 0, 7));
    answer->active = !PQgetisnull(result, 0, 8);
    answer->activated_at = views_strdup(PQgetvalue(result, 0, 8));
    if (answer->title == NULL || answer->effective_date == NULL || answer->source == NULL ||
        answer->imported_at == NULL || answer->municipality_code == NULL ||
        answer->source_sha256 == NULL || answer->activated_at == NULL ||
        protocol_versions(PQgetvalue(result, 0, 6), &answer->versions, &answer->n_versions) != 0)
        return SPONA__V1__STATUS__INTERNAL;
    return SPONA__V1__STATUS__OK;
}

/* One approval row (institution, reason, approved, approved_at) as a message; NULL: no memory. */
static Spona__V1__ProtocolApproval *protocol_approval_view(const PGresult *result, int row)
{
    Spona__V1__ProtocolApproval *approval = malloc(sizeof(*approval));
    if (approval == NULL)
        return NULL;
    spona__v1__protocol_approval__init(approval);
    approval->institution = views_strdup(PQgetvalue(result, row, 0));
    approval->reason = views_strdup(PQgetvalue(result, row, 1));
    approval->approved = strcmp(PQgetvalue(result, row, 2), "t") == 0;
    approval->approved_at = views_strdup(PQgetvalue(result, row, 3));
    if (approval->institution == NULL || approval->reason == NULL ||
        approval->approved_at == NULL) {
        spona__v1__protocol_approval__free_unpacked(approval, NULL);
        return NULL;
    }
    return approval;
}

/* Adds the required approvals of the shown version (none for one activated on import). */
static spona_status protocol_show_approvals(struct request_context *ctx,
                                            Spona__V1__ProtocolShowResponse *answer)
{
    char version[16];
    snprintf(version, sizeof(version), "%u", answer->version);
    const char *params[] = {ctx->job->installation.municipality_id, version};
    spona_status status;
    PGresult *result = request_query(ctx, "protocol_approvals_list", 2, params, &status);
    if (result == NULL)
        return status;
    status = SPONA__V1__STATUS__OK;
    for (int row = 0; row < PQntuples(result) && status == SPONA__V1__STATUS__OK; row++) {
        Spona__V1__ProtocolApproval *approval = protocol_approval_view(result, row);
        if (approval == NULL) {
            status = SPONA__V1__STATUS__INTERNAL;
        } else if (views_append((void ***)&answer->approvals, &answer->n_approvals,
                                approval) != 0) {
            spona__v1__protocol_approval__free_unpacked(approval, NULL);
            status = SPONA__V1__STATUS__INTERNAL;
        }
    }
    PQclear(result);
    return status;
}

spona_status handle_protocol_show(struct request_context *ctx, const spona_request *request,
                                  spona_response *response)
{
    uint32_t asked = request->protocol_show->version;
    if (asked > INT_MAX) {
        snprintf(ctx->message, sizeof(ctx->message), "version %u is out of range", asked);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    char version[16];
    snprintf(version, sizeof(version), "%u", asked);
    const char *params[] = {ctx->job->installation.municipality_id, version};
    spona_status status;
    PGresult *result = request_query(ctx, "protocol_show", 2, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "your municipality is not registered");
        return SPONA__V1__STATUS__INTERNAL;
    }
    if (PQgetisnull(result, 0, 1)) {
        if (asked == 0)
            snprintf(ctx->message, sizeof(ctx->message),
                     "no protocol is stored for municipality %s yet", PQgetvalue(result, 0, 0));
        else
            snprintf(ctx->message, sizeof(ctx->message),
                     "no protocol version %u for municipality %s", asked,
                     PQgetvalue(result, 0, 0));
        PQclear(result);
        return SPONA__V1__STATUS__NOT_FOUND;
    }
    status = protocol_show_response(ctx, result, response);
    PQclear(result);
    if (status == SPONA__V1__STATUS__OK)
        status = protocol_show_approvals(ctx, response->protocol_show);
    return status;
}

/* --- approving an amendment ------------------------------------------------------- */

/* The version an approval names, locked for this transaction. */
struct protocol_target {
    char protocol_id[UUID_TEXT];
    char sha256[65];          /* of the stored text */
    char municipality[128];   /* code */
    int activated;
    int superseded;           /* a later version is activated */
};

/* Finds and locks version of the caller's municipality; NOT_FOUND when it is not stored. */
static spona_status protocol_approve_target(struct request_context *ctx, uint32_t version,
                                            struct protocol_target *target)
{
    char version_text[16];
    snprintf(version_text, sizeof(version_text), "%u", version);
    const char *params[] = {ctx->job->installation.municipality_id, version_text};
    spona_status status;
    PGresult *result = request_query(ctx, "protocol_approve_target", 2, params, &status);
    if (result == NULL)
        return status;
    int found = PQntuples(result) == 1;
    if (found) {
        db_copy(result, 0, 0, target->protocol_id, sizeof(target->protocol_id));
        db_copy(result, 0, 1, target->sha256, sizeof(target->sha256));
        target->activated = strcmp(PQgetvalue(result, 0, 2), "t") == 0;
        target->superseded = strcmp(PQgetvalue(result, 0, 3), "t") == 0;
        db_copy(result, 0, 4, target->municipality, sizeof(target->municipality));
    }
    PQclear(result);
    if (!found) {
        snprintf(ctx->message, sizeof(ctx->message), "no protocol version %u is stored",
                 version);
        return SPONA__V1__STATUS__NOT_FOUND;
    }
    return SPONA__V1__STATUS__OK;
}

/* Whether the caller's institution must approve the target and has not yet. */
static spona_status protocol_approval_required(struct request_context *ctx, uint32_t version,
                                               const struct protocol_target *target)
{
    if (target->activated || target->superseded) {
        snprintf(ctx->message, sizeof(ctx->message), "version %u is %s; it needs no approval",
                 version, target->activated ? "already activated" : "superseded by a later "
                                                                   "activated version");
        return SPONA__V1__STATUS__FAILED_PRECONDITION;
    }
    const char *params[] = {target->protocol_id, ctx->job->installation.institution_id};
    spona_status status;
    PGresult *result = request_query(ctx, "protocol_approval_state", 2, params, &status);
    if (result == NULL)
        return status;
    int required = PQntuples(result) == 1;
    int given = required && strcmp(PQgetvalue(result, 0, 0), "t") == 0;
    PQclear(result);
    if (!required) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "version %u does not require the approval of your institution (%s)", version,
                 ctx->job->installation.cn);
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    }
    if (given) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "your institution has already approved version %u", version);
        return SPONA__V1__STATUS__FAILED_PRECONDITION;
    }
    return SPONA__V1__STATUS__OK;
}

/* The hash the signer read must be the stored one, and the signature the connection's key's. */
static spona_status protocol_approval_verify(struct request_context *ctx,
                                             const Spona__V1__ProtocolApproveRequest *approve,
                                             const struct protocol_target *target)
{
    const struct installation *installation = &ctx->job->installation;
    if (strcmp(approve->source_sha256, target->sha256) != 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "source_sha256: the hash you signed is not that of version %u's text (%s)",
                 approve->version, target->sha256);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    char message[APPROVAL_MESSAGE_MAX];
    int length = approval_message(target->municipality, approve->version, target->sha256,
                                  message, sizeof(message));
    if (length < 0 || installation->certificate_length == 0 ||
        !protocol_signature_valid(installation->certificate, installation->certificate_length,
                                  message, (size_t)length, approve->signature.data,
                                  approve->signature.len)) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "the signature does not verify against your connection's certificate for "
                 "version %u", approve->version);
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    }
    return SPONA__V1__STATUS__OK;
}

/* Stores the signature with the certificate; activates the version when none is missing. */
static spona_status protocol_approval_store(struct request_context *ctx,
                                            const Spona__V1__ProtocolApproveRequest *approve,
                                            const struct protocol_target *target,
                                            Spona__V1__ProtocolApproveResponse *answer)
{
    const struct installation *installation = &ctx->job->installation;
    char signature[2 * APPROVAL_SIGNATURE_MAX + 1];
    char certificate[2 * INSTALLATION_CERTIFICATE_MAX + 1];
    protocol_hex(approve->signature.data, approve->signature.len, signature);
    protocol_hex(installation->certificate, installation->certificate_length, certificate);
    const char *params[] = {target->protocol_id, installation->institution_id, signature,
                            certificate, ctx->job->session.user_id};
    spona_status status;
    PGresult *result = request_query(ctx, "protocol_approval_sign", 5, params, &status);
    if (result == NULL)
        return status;
    PQclear(result);
    result = request_query(ctx, "protocol_activate", 1, params, &status);
    if (result == NULL)
        return status;
    answer->approvals_missing = (uint32_t)strtoul(PQgetvalue(result, 0, 0), NULL, 10);
    answer->activated = strcmp(PQgetvalue(result, 0, 1), "t") == 0;
    PQclear(result);
    answer->version = approve->version;
    return SPONA__V1__STATUS__OK;
}

spona_status handle_protocol_approve(struct request_context *ctx, const spona_request *request,
                                     spona_response *response)
{
    const Spona__V1__ProtocolApproveRequest *approve = request->protocol_approve;
    if (approve->version == 0 || approve->version > INT_MAX ||
        approve->signature.len == 0 || approve->signature.len > APPROVAL_SIGNATURE_MAX) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "an approval names a version (1 or more) and carries a signature of at most "
                 "%d bytes", APPROVAL_SIGNATURE_MAX);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    ctx->record.protocol_version = (int)approve->version;
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "version %u", approve->version);
    ctx->record.detail = ctx->audit_detail;
    struct protocol_target target;
    spona_status status = protocol_approve_target(ctx, approve->version, &target);
    if (status == SPONA__V1__STATUS__OK)
        status = protocol_approval_required(ctx, approve->version, &target);
    if (status == SPONA__V1__STATUS__OK)
        status = protocol_approval_verify(ctx, approve, &target);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    Spona__V1__ProtocolApproveResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__protocol_approve_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_PROTOCOL_APPROVE;
    response->protocol_approve = answer;
    status = protocol_approval_store(ctx, approve, &target, answer);
    if (status == SPONA__V1__STATUS__OK && answer->activated) {
        snprintf(ctx->audit_detail, sizeof(ctx->audit_detail),
                 "version %u approved: the last approval, activated", approve->version);
        log_info("protocol %s version %u activated by the approval of %s", target.municipality,
                 approve->version, ctx->job->installation.cn);
    }
    return status;
}
