/*
 * Revocation at the region (docs/region.md): revoke a certificate (and publish
 * the next CRL at once when the CA key is on this server), list the
 * certificates, publish the CRL: numbered, stored in region_crls (the proof of
 * what was published; the `crl` stream sends it down) and written to
 * [region] crl when set. The file is written before the commit: a failed commit
 * leaves a CRL on disk that the next publication replaces.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "log.h"
#include "region_ca.h"
#include "region_pipeline.h"
#include "region_views.h"
#include "statements.h"

#define MAX_REASON 200

const struct db_statement region_crl_statements[] = {
    {"region_cert_revoke",
     "UPDATE region_certificates SET revoked_at = now(), revoke_reason = $2"
     " WHERE serial = $1 AND revoked_at IS NULL RETURNING serial"},
    {"region_cert_known", "SELECT revoked_at IS NOT NULL FROM region_certificates WHERE serial = $1"},
    {"region_crl_lock", "SELECT pg_advisory_xact_lock(7281934402)"},
    {"region_crl_next", "SELECT coalesce(max(number), 0) + 1 FROM region_crls"},
    {"region_crl_revoked",
     "SELECT serial, extract(epoch FROM revoked_at)::bigint FROM region_certificates"
     " WHERE revoked_at IS NOT NULL ORDER BY serial"},
    {"region_crl_insert",
     "INSERT INTO region_crls (number, pem, published_by)"
     " VALUES ($1::bigint, $2, NULLIF($3, '')::uuid)"
     " RETURNING " REGION_TIME("published_at")},
    {NULL, NULL},
};

static spona_status crl_fail(struct request_context *ctx, spona_status status,
                             const char *message)
{
    snprintf(ctx->message, sizeof(ctx->message), "%s", message);
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%s", message);
    return status;
}

/* The next number and the revoked serials (in *revoked, *count; caller frees the array,
 * whose serials point into *rows: PQclear it after). */
static spona_status crl_gather(struct request_context *ctx, long long *number, PGresult **rows,
                               struct region_revoked **revoked, size_t *count)
{
    spona_status status;
    PGresult *result = request_query(ctx, "region_crl_lock", 0, NULL, &status);
    if (result == NULL)
        return status;
    PQclear(result);
    result = request_query(ctx, "region_crl_next", 0, NULL, &status);
    if (result == NULL)
        return status;
    *number = atoll(PQgetvalue(result, 0, 0));
    PQclear(result);
    *rows = request_query(ctx, "region_crl_revoked", 0, NULL, &status);
    if (*rows == NULL)
        return status;
    *count = (size_t)PQntuples(*rows);
    *revoked = calloc(*count + 1, sizeof(**revoked));
    if (*revoked == NULL)
        return crl_fail(ctx, SPONA__V1__STATUS__INTERNAL, "out of memory");
    for (size_t i = 0; i < *count; i++) {
        (*revoked)[i].serial = PQgetvalue(*rows, (int)i, 0);
        (*revoked)[i].revoked_at = atoll(PQgetvalue(*rows, (int)i, 1));
    }
    return SPONA__V1__STATUS__OK;
}

/* Stores pem as CRL number, writes the file; the message in *out (may be NULL). */
static spona_status crl_store(struct request_context *ctx, long long number, const char *pem,
                              size_t count, Spona__V1__RegionCrl **out)
{
    char number_text[24];
    snprintf(number_text, sizeof(number_text), "%lld", number);
    const char *params[] = {number_text, pem, ctx->job->session.user_id};
    spona_status status;
    PGresult *result = request_query(ctx, "region_crl_insert", 3, params, &status);
    if (result == NULL)
        return status;
    char err[512];
    if (ctx->config->region_crl[0] != '\0' &&
        region_write_file(ctx->config->region_crl, pem, err, sizeof(err)) != 0) {
        PQclear(result);
        log_error("publishing CRL %lld: %s", number, err);
        return crl_fail(ctx, SPONA__V1__STATUS__INTERNAL,
                        "the CRL could not be written (see the server's log)");
    }
    if (out != NULL) {
        *out = malloc(sizeof(**out));
        if (*out != NULL) {
            spona__v1__region_crl__init(*out);
            (*out)->number = (uint64_t)number;
            (*out)->revoked = (uint32_t)count;
            (*out)->pem = strdup(pem);
            (*out)->published_at = strdup(PQgetvalue(result, 0, 0));
        }
    }
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

/* Builds, signs, stores and writes the next CRL; its number in *number. */
static spona_status crl_publish(struct request_context *ctx, const struct region_ca *ca,
                                long long *number, Spona__V1__RegionCrl **out)
{
    PGresult *rows = NULL;
    struct region_revoked *revoked = NULL;
    size_t count = 0;
    spona_status status = crl_gather(ctx, number, &rows, &revoked, &count);
    char *pem = NULL;
    if (status == SPONA__V1__STATUS__OK) {
        pem = region_ca_crl(ca, *number, revoked, count, ctx->config->region_crl_days);
        status = pem != NULL ? crl_store(ctx, *number, pem, count, out)
                             : crl_fail(ctx, SPONA__V1__STATUS__INTERNAL,
                                        "the CRL could not be signed");
    }
    free(pem);
    free(revoked);
    PQclear(rows);
    return status;
}

static spona_status crl_load_ca(struct request_context *ctx, struct region_ca *ca)
{
    char err[512];
    if (region_ca_load(ctx->config, ca, err, sizeof(err)) != 0) {
        log_error("the regional CA: %s", err);
        return crl_fail(ctx, SPONA__V1__STATUS__INTERNAL,
                        "the region's CA cannot be loaded (see the server's log)");
    }
    return SPONA__V1__STATUS__OK;
}

spona_status handle_region_crl_publish(struct request_context *ctx, const spona_request *request,
                                       spona_response *response)
{
    (void)request;
    struct region_ca ca;
    spona_status status = crl_load_ca(ctx, &ca);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    if (ca.key == NULL) {
        region_ca_free(&ca);
        return crl_fail(ctx, SPONA__V1__STATUS__FAILED_PRECONDITION,
                        "the region's CA is offline (no [region] ca_key): the CRL is signed "
                        "offline");
    }
    long long number = 0;
    Spona__V1__RegionCrl *crl = NULL;
    status = crl_publish(ctx, &ca, &number, &crl);
    region_ca_free(&ca);
    response->body_case = SPONA__V1__RESPONSE__BODY_REGION_CRL_PUBLISH;
    response->region_crl_publish = crl;
    if (status == SPONA__V1__STATUS__OK && (crl == NULL || crl->pem == NULL ||
                                            crl->published_at == NULL))
        status = SPONA__V1__STATUS__INTERNAL;
    snprintf(ctx->region_object, sizeof(ctx->region_object), "crl %lld", number);
    return status;
}

/* A serial as the registry writes it (hex, upper case) into out; 0, or -1 when not hex. */
static int crl_serial(const char *text, char *out, size_t out_size)
{
    size_t length = strlen(text);
    if (length < 2 || length >= out_size || length > 64)
        return -1;
    for (size_t i = 0; i <= length; i++) {
        if (i < length && !isxdigit((unsigned char)text[i]))
            return -1;
        out[i] = (char)toupper((unsigned char)text[i]);
    }
    return 0;
}

/* Revokes serial: OK, NOT_FOUND or CONFLICT (already revoked). */
static spona_status crl_revoke_row(struct request_context *ctx, const char *serial,
                                   const char *reason)
{
    const char *params[] = {serial, reason};
    spona_status status;
    PGresult *result = request_query(ctx, "region_cert_revoke", 2, params, &status);
    if (result == NULL)
        return status;
    int revoked = PQntuples(result) == 1;
    PQclear(result);
    if (revoked)
        return SPONA__V1__STATUS__OK;
    result = request_query(ctx, "region_cert_known", 1, params, &status);
    if (result == NULL)
        return status;
    int known = PQntuples(result) == 1;
    PQclear(result);
    return known ? crl_fail(ctx, SPONA__V1__STATUS__CONFLICT, "the certificate is already revoked")
                 : crl_fail(ctx, SPONA__V1__STATUS__NOT_FOUND,
                            "no certificate with that serial is in the registry");
}

spona_status handle_region_cert_revoke(struct request_context *ctx, const spona_request *request,
                                       spona_response *response)
{
    const Spona__V1__RegionCertRevokeRequest *revoke = request->region_cert_revoke;
    char serial[80];
    if (crl_serial(revoke->serial, serial, sizeof(serial)) != 0)
        return crl_fail(ctx, SPONA__V1__STATUS__INVALID_ARGUMENT,
                        "the serial must be 2 to 64 hexadecimal digits");
    if (strlen(revoke->reason) > MAX_REASON)
        return crl_fail(ctx, SPONA__V1__STATUS__INVALID_ARGUMENT,
                        "the reason must be at most 200 bytes");
    region_set_object(ctx, serial);
    spona_status status = crl_revoke_row(ctx, serial, revoke->reason);
    struct region_ca ca;
    if (status == SPONA__V1__STATUS__OK)
        status = crl_load_ca(ctx, &ca);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    long long number = 0;
    if (ca.key != NULL) /* published at once; offline, the CRL is signed outside */
        status = crl_publish(ctx, &ca, &number, NULL);
    region_ca_free(&ca);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "revoked; crl %lld", number);
    const char *params[] = {serial};
    PGresult *result = request_query(ctx, "region_cert_get", 1, params, &status);
    if (result == NULL)
        return status;
    Spona__V1__RegionCertificate *view =
        PQntuples(result) == 1 ? region_view_certificate(result, 0) : NULL;
    PQclear(result);
    response->body_case = SPONA__V1__RESPONSE__BODY_REGION_CERT_REVOKE;
    response->region_cert_revoke = view;
    if (view == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    view->crl_number = (uint64_t)number;
    return SPONA__V1__STATUS__OK;
}

spona_status handle_region_cert_list(struct request_context *ctx, const spona_request *request,
                                     spona_response *response)
{
    const char *params[] = {request->region_cert_list->municipality_code};
    spona_status status;
    PGresult *result = request_query(ctx, "region_cert_list", 1, params, &status);
    if (result == NULL)
        return status;
    int rows = PQntuples(result);
    Spona__V1__RegionCertificateList *list = malloc(sizeof(*list));
    if (list != NULL) {
        spona__v1__region_certificate_list__init(list);
        list->certificates = calloc((size_t)rows + 1, sizeof(*list->certificates));
    }
    response->body_case = SPONA__V1__RESPONSE__BODY_REGION_CERT_LIST;
    response->region_cert_list = list;
    status = list != NULL && list->certificates != NULL ? SPONA__V1__STATUS__OK
                                                        : SPONA__V1__STATUS__INTERNAL;
    for (int i = 0; status == SPONA__V1__STATUS__OK && i < rows; i++) {
        list->certificates[i] = region_view_certificate(result, i);
        if (list->certificates[i] == NULL)
            status = SPONA__V1__STATUS__INTERNAL;
        else
            list->n_certificates++;
    }
    PQclear(result);
    return status;
}
