/*
 * The region's certificates (docs/region.md, "Registry"): issue one from a CSR
 * (only its public key is taken; subject, purpose and validity are the
 * region's), accept one signed by an offline CA after checking it against the
 * CA, revoke (the next CRL is published at once when the CA key is here), list,
 * and publish the CRL (stored in region_crls, written to [region] crl).
 * Served only by a regional server to regional administrators.
 */
#include <ctype.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "log.h"
#include "region_ca.h"
#include "region_pipeline.h"
#include "region_views.h"
#include "statements.h"

#define CERT_FROM                                                                        \
    " FROM region_certificates c JOIN region_municipalities m ON m.id = c.municipality_id" \
    " LEFT JOIN region_institutions i ON i.id = c.institution_id"
#define MAX_CSR_BYTES 16384

const struct db_statement region_cert_statements[] = {
    {"region_cert_target",
     "SELECT m.id, coalesce(i.id::text, ''), coalesce(i.enabled, false), m.status"
     "  FROM region_municipalities m"
     "  LEFT JOIN region_institutions i ON i.municipality_id = m.id AND i.code = $2"
     " WHERE m.code = $1"},
    {"region_cert_insert",
     "INSERT INTO region_certificates (serial, fingerprint, municipality_id, institution_id,"
     "   purpose, subject, not_before, not_after, pem, issued_by)"
     " VALUES ($1, decode($2, 'hex'), $3::uuid, NULLIF($4, '')::uuid, $5, $6,"
     "         $7::timestamptz, $8::timestamptz, $9, NULLIF($10, '')::uuid)"
     " ON CONFLICT DO NOTHING RETURNING serial"},
    {"region_cert_get", "SELECT " REGION_CERTIFICATE_COLUMNS("c.pem") CERT_FROM
                        " WHERE c.serial = $1"},
    {"region_cert_list", "SELECT " REGION_CERTIFICATE_COLUMNS("''") CERT_FROM
                         " WHERE $1 = '' OR m.code = $1 ORDER BY c.created_at, c.serial"},
    {NULL, NULL},
};

/* Where a certificate goes in the registry. */
struct region_target {
    char municipality_id[UUID_TEXT];
    char institution_id[UUID_TEXT]; /* "" for sync */
    char common_name[160];          /* the institution's code, or <municipality>.sync */
    const char *municipality_code;
    const char *purpose;
};

static spona_status region_fail(struct request_context *ctx, spona_status status,
                                const char *message)
{
    snprintf(ctx->message, sizeof(ctx->message), "%s", message);
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%s", message);
    return status;
}

/* Finds the municipality and institution a certificate is for. */
static spona_status region_find_target(struct request_context *ctx, const char *municipality,
                                       const char *institution, const char *purpose,
                                       struct region_target *target)
{
    memset(target, 0, sizeof(*target));
    int sync = strcmp(purpose, "sync") == 0;
    if (!sync && strcmp(purpose, "institution") != 0)
        return region_fail(ctx, SPONA__V1__STATUS__INVALID_ARGUMENT,
                           "the purpose must be institution or sync");
    if (sync != (institution[0] == '\0'))
        return region_fail(ctx, SPONA__V1__STATUS__INVALID_ARGUMENT,
                           "an institution certificate names its institution; a sync "
                           "certificate names none");
    const char *params[] = {municipality, institution};
    spona_status status;
    PGresult *result = request_query(ctx, "region_cert_target", 2, params, &status);
    if (result == NULL)
        return status;
    int found = PQntuples(result) == 1 && (sync || PQgetvalue(result, 0, 1)[0] != '\0');
    int usable = found && (sync || strcmp(PQgetvalue(result, 0, 2), "t") == 0) &&
                 strcmp(PQgetvalue(result, 0, 3), "active") == 0;
    if (found) {
        db_copy(result, 0, 0, target->municipality_id, sizeof(target->municipality_id));
        db_copy(result, 0, 1, target->institution_id, sizeof(target->institution_id));
    }
    PQclear(result);
    if (!found)
        return region_fail(ctx, SPONA__V1__STATUS__NOT_FOUND,
                           sync ? "no municipality with that code is registered"
                                : "no institution with that code is registered in that "
                                  "municipality");
    if (!usable)
        return region_fail(ctx, SPONA__V1__STATUS__FAILED_PRECONDITION,
                           "the institution or its municipality is not active");
    snprintf(target->common_name, sizeof(target->common_name), "%s%s",
             sync ? municipality : institution, sync ? ".sync" : "");
    target->municipality_code = municipality;
    target->purpose = sync ? "sync" : "institution";
    return SPONA__V1__STATUS__OK;
}

static spona_status region_load_ca(struct request_context *ctx, struct region_ca *ca,
                                   int need_key)
{
    char err[512];
    if (region_ca_load(ctx->config, ca, err, sizeof(err)) != 0) {
        log_error("the regional CA: %s", err);
        return region_fail(ctx, SPONA__V1__STATUS__INTERNAL,
                           "the region's CA cannot be loaded (see the server's log)");
    }
    if (need_key && ca->key == NULL) {
        region_ca_free(ca);
        return region_fail(ctx, SPONA__V1__STATUS__FAILED_PRECONDITION,
                           "the region's CA is offline (no [region] ca_key): sign with "
                           "openssl and upload the certificate");
    }
    return SPONA__V1__STATUS__OK;
}

/* Stores cert for target and answers with it (body_case) with its PEM. */
static spona_status region_store(struct request_context *ctx, const struct region_target *target,
                                 X509 *cert, spona_response *response, int body_case)
{
    struct region_cert_facts facts;
    if (region_cert_facts(cert, &facts) != 0) {
        free(facts.pem);
        return region_fail(ctx, SPONA__V1__STATUS__INTERNAL, "out of memory");
    }
    region_set_object(ctx, facts.serial);
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%s %s", target->purpose,
             target->common_name);
    const char *params[] = {facts.serial,     facts.fingerprint,      target->municipality_id,
                            target->institution_id, target->purpose,  facts.subject,
                            facts.not_before, facts.not_after,        facts.pem,
                            ctx->job->session.user_id};
    spona_status status;
    PGresult *result = request_query(ctx, "region_cert_insert", 10, params, &status);
    free(facts.pem);
    if (result == NULL)
        return status;
    int stored = PQntuples(result) == 1;
    PQclear(result);
    if (!stored)
        return region_fail(ctx, SPONA__V1__STATUS__CONFLICT,
                           "a certificate with that serial or fingerprint is already stored");
    const char *get[] = {facts.serial};
    result = request_query(ctx, "region_cert_get", 1, get, &status);
    if (result == NULL)
        return status;
    Spona__V1__RegionCertificate *view =
        PQntuples(result) == 1 ? region_view_certificate(result, 0) : NULL;
    PQclear(result);
    response->body_case = body_case;
    response->region_cert_issue = view; /* one member of the body union */
    return view != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;
}

spona_status handle_region_cert_issue(struct request_context *ctx, const spona_request *request,
                                      spona_response *response)
{
    const Spona__V1__RegionCertIssueRequest *issue = request->region_cert_issue;
    struct region_target target;
    spona_status status = region_find_target(ctx, issue->municipality_code,
                                             issue->institution_code, issue->purpose, &target);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    if (issue->csr_pem.len == 0 || issue->csr_pem.len > MAX_CSR_BYTES)
        return region_fail(ctx, SPONA__V1__STATUS__INVALID_ARGUMENT,
                           "the CSR must be 1 to 16384 bytes of PEM");
    char err[256];
    EVP_PKEY *key = region_csr_key(issue->csr_pem.data, issue->csr_pem.len, err, sizeof(err));
    if (key == NULL)
        return region_fail(ctx, SPONA__V1__STATUS__INVALID_ARGUMENT, err);
    struct region_ca ca;
    status = region_load_ca(ctx, &ca, 1);
    if (status != SPONA__V1__STATUS__OK) {
        EVP_PKEY_free(key);
        return status;
    }
    X509 *cert = region_ca_issue(&ca, key, target.common_name, target.municipality_code,
                                 target.purpose, ctx->config->region_cert_days);
    EVP_PKEY_free(key);
    region_ca_free(&ca);
    if (cert == NULL)
        return region_fail(ctx, SPONA__V1__STATUS__INTERNAL, "the certificate could not be signed");
    status = region_store(ctx, &target, cert, response, SPONA__V1__RESPONSE__BODY_REGION_CERT_ISSUE);
    X509_free(cert);
    return status;
}

spona_status handle_region_cert_upload(struct request_context *ctx,
                                       const spona_request *request, spona_response *response)
{
    const Spona__V1__RegionCertUploadRequest *upload = request->region_cert_upload;
    struct region_target target;
    spona_status status = region_find_target(ctx, upload->municipality_code,
                                             upload->institution_code, upload->purpose, &target);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    if (upload->certificate_pem.len == 0 || upload->certificate_pem.len > MAX_CSR_BYTES)
        return region_fail(ctx, SPONA__V1__STATUS__INVALID_ARGUMENT,
                           "the certificate must be 1 to 16384 bytes of PEM");
    struct region_ca ca;
    status = region_load_ca(ctx, &ca, 0);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    char err[256];
    X509 *cert = region_ca_check(&ca, upload->certificate_pem.data, upload->certificate_pem.len,
                                 err, sizeof(err));
    region_ca_free(&ca);
    if (cert == NULL)
        return region_fail(ctx, SPONA__V1__STATUS__INVALID_ARGUMENT, err);
    char common_name[160] = "";
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, common_name,
                              sizeof(common_name));
    if (strcmp(common_name, target.common_name) != 0)
        status = region_fail(ctx, SPONA__V1__STATUS__INVALID_ARGUMENT,
                             "the certificate's CN is not the registry's name for it (the "
                             "institution's code, or <municipality>.sync)");
    else
        status = region_store(ctx, &target, cert, response,
                              SPONA__V1__RESPONSE__BODY_REGION_CERT_UPLOAD);
    X509_free(cert);
    return status;
}
