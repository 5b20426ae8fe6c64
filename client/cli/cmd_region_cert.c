/*
 * `spona region cert issue|upload|revoke|list` and `spona region crl publish`:
 * the regional CA (docs/region.md). A certificate is issued from a CSR file
 * (the region takes only its public key; subject, purpose and validity are the
 * region's) or, with an offline CA, signed with openssl and uploaded; revoking
 * one publishes the next CRL at once. The PEM goes to --out FILE or stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "json.h"
#include "output.h"
#include "remote.h"
#include "table.h"

#define CERT_MAX_FILE_BYTES 16384

enum cert_option {
    CERT_OPTION_MUNICIPALITY = 1,
    CERT_OPTION_INSTITUTION,
    CERT_OPTION_SYNC,
    CERT_OPTION_CSR,
    CERT_OPTION_CERT,
    CERT_OPTION_OUT,
    CERT_OPTION_REASON,
};

/* Reads a PEM file of at most CERT_MAX_FILE_BYTES into *data (caller frees). 0, or -1. */
static int cert_read_file(const char *path, char **data, size_t *length, char *err,
                          size_t err_size)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    *data = malloc(CERT_MAX_FILE_BYTES + 1);
    *length = *data != NULL ? fread(*data, 1, CERT_MAX_FILE_BYTES + 1, file) : 0;
    fclose(file);
    if (*data == NULL || *length == 0 || *length > CERT_MAX_FILE_BYTES) {
        snprintf(err, err_size, _("%s: empty, or larger than %d bytes"), path,
                 CERT_MAX_FILE_BYTES);
        free(*data);
        *data = NULL;
        return -1;
    }
    return 0;
}

/* Writes text to path, or to stdout when path is NULL. 0, or -1 with err. */
static int cert_write_pem(const char *path, const char *text, char *err, size_t err_size)
{
    if (path == NULL) {
        fputs(text, stdout);
        return 0;
    }
    FILE *file = fopen(path, "w");
    if (file == NULL || fputs(text, file) < 0 || fclose(file) != 0) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static void certificate_json(struct json_writer *writer, const Spona__V1__RegionCertificate *c)
{
    json_string(writer, "serial", c->serial);
    json_string(writer, "fingerprint_sha256", c->fingerprint_sha256);
    json_string(writer, "municipality_code", c->municipality_code);
    json_string(writer, "institution_code", c->institution_code);
    json_string(writer, "purpose", c->purpose);
    json_string(writer, "subject", c->subject);
    json_string(writer, "not_before", c->not_before);
    json_string(writer, "not_after", c->not_after);
    json_string(writer, "revoked_at", c->revoked_at);
    json_string(writer, "revoke_reason", c->revoke_reason);
    if (c->crl_number != 0)
        json_uint(writer, "crl_number", c->crl_number);
}

/* The certificate of an issue or upload answer: PEM to --out (or stdout), summary. */
static int cert_stored(const struct settings *settings, const struct args *args,
                       const Spona__V1__RegionCertificate *c)
{
    char err[512];
    const char *out = args_value(args, CERT_OPTION_OUT);
    if (settings->json) {
        struct json_writer writer;
        json_init(&writer, stdout);
        json_object_begin(&writer, NULL);
        certificate_json(&writer, c);
        json_string(&writer, "pem", c->pem);
        json_object_end(&writer);
        fputc('\n', stdout);
    } else if (cert_write_pem(out, c->pem, err, sizeof(err)) != 0) {
        return output_error(0, OUTPUT_STATUS_LOCAL, err, OUTPUT_EXIT_USAGE);
    }
    if (!settings->json && out != NULL) {
        printf(_("certificate %s for "), c->serial);
        output_text(stdout, c->subject);
        printf(_(", valid until %s, written to %s\n"), c->not_after, out);
    }
    return OUTPUT_EXIT_OK;
}

/* issue and upload: the same target options, a file, one answer. */
static int cert_send(const struct settings *settings, const struct args *args, int upload)
{
    char err[512];
    int sync = args_has(args, CERT_OPTION_SYNC);
    const char *institution = args_value(args, CERT_OPTION_INSTITUTION);
    if (sync == (institution != NULL))
        return output_error(settings->json, OUTPUT_STATUS_LOCAL,
                            _("give either --institution CODE or --sync"), OUTPUT_EXIT_USAGE);
    char *data = NULL;
    size_t length = 0;
    const char *path = args_value(args, upload ? CERT_OPTION_CERT : CERT_OPTION_CSR);
    if (cert_read_file(path, &data, &length, err, sizeof(err)) != 0)
        return output_error(settings->json, OUTPUT_STATUS_LOCAL, err, OUTPUT_EXIT_USAGE);
    Spona__V1__RegionCertIssueRequest issue = SPONA__V1__REGION_CERT_ISSUE_REQUEST__INIT;
    Spona__V1__RegionCertUploadRequest put = SPONA__V1__REGION_CERT_UPLOAD_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    char *purpose = (char *)(uintptr_t)(sync ? "sync" : "institution");
    char *code = (char *)(uintptr_t)(sync ? "" : institution);
    char *municipality = args_value(args, CERT_OPTION_MUNICIPALITY);
    ProtobufCBinaryData pem = {length, (uint8_t *)data};
    if (upload) {
        put.municipality_code = municipality;
        put.institution_code = code;
        put.purpose = purpose;
        put.certificate_pem = pem;
        request.body_case = SPONA__V1__REQUEST__BODY_REGION_CERT_UPLOAD;
        request.region_cert_upload = &put;
    } else {
        issue.municipality_code = municipality;
        issue.institution_code = code;
        issue.purpose = purpose;
        issue.csr_pem = pem;
        request.body_case = SPONA__V1__REQUEST__BODY_REGION_CERT_ISSUE;
        request.region_cert_issue = &issue;
    }
    spona_response *response = NULL;
    int code_exit = remote_session_write(settings, args, &request, &response);
    free(data);
    if (code_exit != OUTPUT_EXIT_OK)
        return code_exit;
    code_exit = cert_stored(settings, args,
                            upload ? response->region_cert_upload : response->region_cert_issue);
    envelope_free_response(response);
    return code_exit;
}

static int cert_issue_run(const struct settings *settings, const struct args *args)
{
    return cert_send(settings, args, 0);
}

static int cert_upload_run(const struct settings *settings, const struct args *args)
{
    return cert_send(settings, args, 1);
}

static void cert_revoke_json(struct json_writer *writer, const spona_request *request,
                             const spona_response *response)
{
    (void)request;
    certificate_json(writer, response->region_cert_revoke);
}

static void cert_revoke_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__RegionCertificate *c = response->region_cert_revoke;
    printf(_("certificate %s revoked at %s"), c->serial, c->revoked_at);
    if (c->crl_number != 0)
        printf(_("; CRL %llu published"), (unsigned long long)c->crl_number);
    else
        printf(_("; the CA is offline: sign and publish the CRL yourself"));
    printf("\n");
}

static int cert_revoke_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__RegionCertRevokeRequest revoke = SPONA__V1__REGION_CERT_REVOKE_REQUEST__INIT;
    revoke.serial = args->operands[0];
    const char *reason = args_value(args, CERT_OPTION_REASON);
    revoke.reason = (char *)(uintptr_t)(reason != NULL ? reason : "");
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_CERT_REVOKE;
    request.region_cert_revoke = &revoke;
    return remote_write_print(settings, args, &request, cert_revoke_json, cert_revoke_text);
}

static void cert_list_json(struct json_writer *writer, const spona_request *request,
                           const spona_response *response)
{
    (void)request;
    const Spona__V1__RegionCertificateList *list = response->region_cert_list;
    json_array_begin(writer, "certificates");
    for (size_t i = 0; i < list->n_certificates; i++) {
        json_object_begin(writer, NULL);
        certificate_json(writer, list->certificates[i]);
        json_object_end(writer);
    }
    json_array_end(writer);
}

static void cert_list_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__RegionCertificateList *list = response->region_cert_list;
    struct table table;
    table_init(&table, 6);
    const char *header[] = {_("serial"), _("municipality"), _("institution"), _("purpose"),
                            _("valid until"), _("revoked")};
    int failed = table_add(&table, header);
    for (size_t i = 0; !failed && i < list->n_certificates; i++) {
        const Spona__V1__RegionCertificate *c = list->certificates[i];
        const char *row[] = {c->serial, c->municipality_code, c->institution_code, c->purpose,
                             c->not_after, c->revoked_at[0] != '\0' ? c->revoked_at : "-"};
        failed = table_add(&table, row);
    }
    table_print(&table, stdout, 0);
    table_free(&table);
}

static int cert_list_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__RegionCertListRequest list = SPONA__V1__REGION_CERT_LIST_REQUEST__INIT;
    const char *municipality = args_value(args, CERT_OPTION_MUNICIPALITY);
    list.municipality_code = (char *)(uintptr_t)(municipality != NULL ? municipality : "");
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_CERT_LIST;
    request.region_cert_list = &list;
    return remote_read_print(settings, &request, cert_list_json, cert_list_text);
}

static int crl_publish_run(const struct settings *settings, const struct args *args)
{
    Spona__V1__RegionCrlPublishRequest publish = SPONA__V1__REGION_CRL_PUBLISH_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_CRL_PUBLISH;
    request.region_crl_publish = &publish;
    spona_response *response = NULL;
    int code = remote_session_write(settings, args, &request, &response);
    if (code != OUTPUT_EXIT_OK)
        return code;
    const Spona__V1__RegionCrl *crl = response->region_crl_publish;
    char err[512];
    const char *out = args_value(args, CERT_OPTION_OUT);
    if (settings->json) {
        struct json_writer writer;
        json_init(&writer, stdout);
        json_object_begin(&writer, NULL);
        json_uint(&writer, "number", crl->number);
        json_uint(&writer, "revoked", crl->revoked);
        json_string(&writer, "published_at", crl->published_at);
        json_string(&writer, "pem", crl->pem);
        json_object_end(&writer);
        fputc('\n', stdout);
    } else if (out != NULL && cert_write_pem(out, crl->pem, err, sizeof(err)) != 0) {
        code = output_error(0, OUTPUT_STATUS_LOCAL, err, OUTPUT_EXIT_USAGE);
    } else {
        printf(_("CRL %llu published at %s (%u revoked)\n"), (unsigned long long)crl->number,
               crl->published_at, (unsigned)crl->revoked);
    }
    envelope_free_response(response);
    return code;
}

/* --- the tables ------------------------------------------------------------- */

#define CERT_TARGET_OPTIONS                                                              \
    {"municipality", CERT_OPTION_MUNICIPALITY, ARGS_VALUE | ARGS_REQUIRED, "CODE"},      \
    {"institution", CERT_OPTION_INSTITUTION, ARGS_VALUE, "CODE"},                        \
    {"sync", CERT_OPTION_SYNC, 0, NULL}

static const struct args_option cert_issue_options[] = {
    CERT_TARGET_OPTIONS,
    {"csr", CERT_OPTION_CSR, ARGS_VALUE | ARGS_REQUIRED, "FILE"},
    {"out", CERT_OPTION_OUT, ARGS_VALUE, "FILE"},
    ARGS_IDEMPOTENCY_OPTION,
    {NULL, 0, 0, NULL},
};

static const struct command cert_issue = {
    .name = "issue",
    .summary = N_("issue a certificate from a CSR (the CA key stays at the region)"),
    .help = "Usage: spona region cert issue --municipality CODE (--institution CODE | --sync)\n"
               "                              --csr FILE [--out FILE] [OPTIONS]\n"
               "\n"
               "Issues a client certificate from a certificate signing request: the CSR gives\n"
               "only its public key (its signature is checked); the subject (CN = the\n"
               "institution's code, or MUNICIPALITY.sync), the purpose and the validity are\n"
               "the region's. The PEM goes to --out FILE, or stdout.\n",
    .options = cert_issue_options,
    .run = cert_issue_run,
};

static const struct args_option cert_upload_options[] = {
    CERT_TARGET_OPTIONS,
    {"cert", CERT_OPTION_CERT, ARGS_VALUE | ARGS_REQUIRED, "FILE"},
    ARGS_IDEMPOTENCY_OPTION,
    {NULL, 0, 0, NULL},
};

static const struct command cert_upload = {
    .name = "upload",
    .summary = N_("store a certificate signed by the offline CA"),
    .help = "Usage: spona region cert upload --municipality CODE (--institution CODE | --sync)\n"
               "                               --cert FILE [OPTIONS]\n"
               "\n"
               "Offline CA: stores a certificate signed with openssl, after the region checks\n"
               "it against its CA and that its CN is the registry's name for it.\n",
    .options = cert_upload_options,
    .run = cert_upload_run,
};

static const struct args_option cert_revoke_options[] = {
    {"reason", CERT_OPTION_REASON, ARGS_VALUE, "TEXT"},
    ARGS_IDEMPOTENCY_OPTION,
    {NULL, 0, 0, NULL},
};

static const struct command cert_revoke = {
    .name = "revoke",
    .summary = N_("revoke a certificate; the next CRL is published at once"),
    .help = "Usage: spona region cert revoke SERIAL [--reason TEXT] [OPTIONS]\n"
               "\n"
               "Revokes the certificate with that serial (hexadecimal) and publishes the next\n"
               "CRL at once (with the CA key at the region).\n",
    .options = cert_revoke_options,
    .operands = "SERIAL",
    .min_operands = 1,
    .max_operands = 1,
    .run = cert_revoke_run,
};

static const struct args_option cert_list_options[] = {
    {"municipality", CERT_OPTION_MUNICIPALITY, ARGS_VALUE, "CODE"},
    {NULL, 0, 0, NULL},
};

static const struct command cert_list = {
    .name = "list",
    .summary = N_("the certificates the region issued or accepted"),
    .help = "Usage: spona region cert list [--municipality CODE] [OPTIONS]\n"
               "\n"
               "Prints a table serial | municipality | institution | purpose | valid until |\n"
               "revoked.\n",
    .options = cert_list_options,
    .run = cert_list_run,
};

static const struct command *const cert_subcommands[] = {
    &cert_issue, &cert_upload, &cert_revoke, &cert_list, NULL,
};

const struct command command_region_cert = {
    .name = "cert",
    .summary = N_("the regional CA's certificates: issue, upload, revoke, list"),
    .help = "Usage: spona region cert SUBCOMMAND [OPTIONS]\n",
    .subcommands = cert_subcommands,
};

static const struct args_option crl_publish_options[] = {
    {"out", CERT_OPTION_OUT, ARGS_VALUE, "FILE"},
    ARGS_IDEMPOTENCY_OPTION,
    {NULL, 0, 0, NULL},
};

static const struct command crl_publish = {
    .name = "publish",
    .summary = N_("publish the next CRL"),
    .help = "Usage: spona region crl publish [--out FILE] [OPTIONS]\n"
               "\n"
               "Signs the next CRL (every revoked certificate), stores it at the region and\n"
               "writes it where [region] crl says; --out FILE also writes it here.\n",
    .options = crl_publish_options,
    .run = crl_publish_run,
};

static const struct command *const crl_subcommands[] = {
    &crl_publish, NULL,
};

const struct command command_region_crl = {
    .name = "crl",
    .summary = N_("the region's CRL: publish"),
    .help = "Usage: spona region crl SUBCOMMAND [OPTIONS]\n",
    .subcommands = crl_subcommands,
};
