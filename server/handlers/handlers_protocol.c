/*
 * The protocol as policy: importing a new version of the municipality's
 * Protocol on cooperation (validated by the policy parser, stored verbatim
 * with its signatories) and showing a stored version as a printable document.
 * See docs/policy.md and docs/access.md. A protocol is no personal data, but an
 * import changes who may see what, so it is written to the audit trail.
 */
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "handlers.h"
#include "log.h"
#include "policy.h"
#include "statements.h"
#include "views.h"
#include "transaction.h"

#define PROTOCOL_MAX_FILE_NAME 128
#define PROTOCOL_ERROR_BYTES 16384

const struct db_statement protocol_statements[] = {
    {"protocol_municipality", "SELECT code FROM municipalities WHERE id = $1"},
    {"protocol_institution_known",
     "SELECT 1 FROM institutions WHERE code = $1 AND municipality_id = $2"},
    {"protocol_next_version",
     "SELECT COALESCE(max(version), 0) + 1 FROM protocols WHERE municipality_id = $1"},
    {"protocol_insert",
     "INSERT INTO protocols (municipality_id, version, title, effective_date, source,"
     "                       source_sha256, imported_by)"
     " VALUES ($1, $2::int, $3, $4::date, $5, decode($6, 'hex'), $7::uuid) RETURNING id"},
    {"protocol_signatory_insert",
     "INSERT INTO protocol_signatories (protocol_id, municipality_id, institution_id, role)"
     " SELECT $1::uuid, i.municipality_id, i.id, $4 FROM institutions i"
     "  WHERE i.code = $3 AND i.municipality_id = $2"},
    /* one snapshot: the version asked for (0: the one in force, else the highest stored)
     * and the list of all */
    {"protocol_show",
     "SELECT m.code, p.version, p.title, to_char(p.effective_date, 'YYYY-MM-DD'), p.source,"
     "       to_char(p.imported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
     "       ARRAY(SELECT v.version FROM protocols v WHERE v.municipality_id = m.id"
     "              ORDER BY v.version)"
     "  FROM municipalities m"
     "  LEFT JOIN protocols p ON p.municipality_id = m.id"
     "   AND p.version = CASE WHEN $2::int = 0"
     "                        THEN COALESCE((SELECT max(version) FROM protocols"
     "                                        WHERE municipality_id = m.id"
     "                                          AND effective_date <= current_date),"
     "                                      (SELECT max(version) FROM protocols"
     "                                        WHERE municipality_id = m.id))"
     "                        ELSE $2::int END"
     " WHERE m.id = $1"},
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

/* Hex SHA-256 of data. Returns 0, or -1 when OpenSSL fails. */
static int protocol_sha256_hex(const char *data, size_t length, char out[65])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    if (EVP_Digest(data, length, digest, &digest_length, EVP_sha256(), NULL) != 1 ||
        digest_length != 32)
        return -1;
    for (unsigned int i = 0; i < digest_length; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    return 0;
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

/*
 * Inserts the version and its signatories inside the open transaction, then the
 * audit record. Returns OK or an error status with ctx->message set.
 */
static spona_status protocol_store(struct request_context *ctx, const struct policy *policy,
                                   const char *digest)
{
    const struct job *job = ctx->job;
    char version[16];
    snprintf(version, sizeof(version), "%d", policy->version);
    const char *params[] = {job->installation.municipality_id, version, policy->title,
                            policy->effective, policy->source, digest, job->session.user_id};
    PGresult *result = db_exec(ctx->db, "protocol_insert", 7, params);
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
    char protocol_id[UUID_TEXT];
    db_copy(result, 0, 0, protocol_id, sizeof(protocol_id));
    PQclear(result);

    spona_status status;
    for (size_t i = 0; i < policy->signatory_count; i++) {
        const struct policy_signatory *signatory = &policy->signatories[i];
        const char *row[] = {protocol_id, job->installation.municipality_id,
                             signatory->institution, policy_role_name(signatory->role)};
        result = request_query(ctx, "protocol_signatory_insert", 4, row, &status);
        if (result == NULL)
            return status;
        int inserted = atoi(PQcmdTuples(result));
        PQclear(result);
        if (inserted != 1) {
            snprintf(ctx->message, sizeof(ctx->message),
                     "institution '%s' is no longer registered in your municipality",
                     signatory->institution);
            return SPONA__V1__STATUS__CONFLICT;
        }
    }

    char detail[32];
    snprintf(detail, sizeof(detail), "version %d", policy->version);
    struct audit_record record = {
        .action = "protocol_import",
        .protocol_version = policy->version,
        .outcome = "ok",
        .detail = detail,
    };
    return audit_append(ctx, &record);
}

/* Checks who may import and what; returns OK or the refusal with ctx->message set. */
static spona_status protocol_check(struct request_context *ctx, const struct policy *policy,
                                   const char *municipality_code)
{
    if (strcmp(policy->municipality, municipality_code) != 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "the document is the protocol of municipality '%s', but you are in "
                 "municipality '%s'",
                 policy->municipality, municipality_code);
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

static spona_status protocol_import_response(const struct policy *policy,
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
    if (answer->municipality_code == NULL || answer->title == NULL ||
        answer->effective_date == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    return SPONA__V1__STATUS__OK;
}

spona_status handle_protocol_import(struct request_context *ctx, const spona_request *request,
                                    spona_response *response)
{
    const Spona__V1__ProtocolImportRequest *import = request->protocol_import;
    const char *role = ctx->job->installation.role;
    if (strcmp(role, "coordinator") != 0 && strcmp(role, "lead_agency") != 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "only the coordinator or the lead agency may import the protocol (your "
                 "institution is %s)", role);
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    }
    size_t length = strlen(import->source);
    if (length > POLICY_MAX_FILE_BYTES) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "the protocol document has %zu bytes; at most %d are accepted", length,
                 POLICY_MAX_FILE_BYTES);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    char name[PROTOCOL_MAX_FILE_NAME + 1];
    snprintf(name, sizeof(name), "%s", import->file_name[0] != '\0' ? import->file_name
                                                                     : "protocol");
    name[strcspn(name, "\r\n")] = '\0';

    char municipality_code[128];
    spona_status status = protocol_municipality_code(ctx, municipality_code,
                                                     sizeof(municipality_code));
    if (status != SPONA__V1__STATUS__OK)
        return status;

    struct protocol_lookup lookup = {ctx, municipality_code, 0, SPONA__V1__STATUS__OK};
    struct policy_known_institutions known = {protocol_institution_known, &lookup, NULL, 0};
    struct policy policy;
    char *errors = malloc(PROTOCOL_ERROR_BYTES);
    if (errors == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    int parsed = policy_parse_string(import->source, length, name, &known, &policy, errors,
                                     PROTOCOL_ERROR_BYTES);
    if (lookup.failed) {
        if (parsed == 0)
            policy_free(&policy);
        free(errors);
        return lookup.status;
    }
    if (parsed != 0) {
        protocol_report_errors(ctx, errors);
        free(errors);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    free(errors);

    char digest[65];
    if (protocol_sha256_hex(policy.source, length, digest) != 0) {
        status = SPONA__V1__STATUS__INTERNAL;
        goto done;
    }
    status = protocol_check(ctx, &policy, municipality_code);
    if (status != SPONA__V1__STATUS__OK)
        goto done;
    status = request_begin(ctx);
    if (status != SPONA__V1__STATUS__OK)
        goto done;
    status = protocol_store(ctx, &policy, digest);
    if (status != SPONA__V1__STATUS__OK) {
        request_rollback(ctx);
        goto done;
    }
    status = request_commit(ctx);
    if (status != SPONA__V1__STATUS__OK)
        goto done;
    log_info("protocol %s version %d imported by user %s (%zu clauses)", policy.municipality,
             policy.version, ctx->job->session.user_id, policy.clause_count);
    status = protocol_import_response(&policy, response);

done:
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
    policy_free(&policy);
    if (rendered != 0)
        return SPONA__V1__STATUS__INTERNAL;

    answer->version = (uint32_t)strtoul(PQgetvalue(result, 0, 1), NULL, 10);
    answer->title = views_strdup(PQgetvalue(result, 0, 2));
    answer->effective_date = views_strdup(PQgetvalue(result, 0, 3));
    answer->source = views_strdup(source);
    answer->imported_at = views_strdup(PQgetvalue(result, 0, 5));
    if (answer->title == NULL || answer->effective_date == NULL || answer->source == NULL ||
        answer->imported_at == NULL ||
        protocol_versions(PQgetvalue(result, 0, 6), &answer->versions, &answer->n_versions) != 0)
        return SPONA__V1__STATUS__INTERNAL;
    return SPONA__V1__STATUS__OK;
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
    return status;
}
