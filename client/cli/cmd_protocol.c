/*
 * `spona protocol import FILE`, `spona protocol show` and `spona protocol approve
 * VERSION`: the municipality's Protocol on cooperation, which is also its access
 * policy (docs/policy.md). The client carries the document: the server validates
 * it (errors come back as "FILE:LINE: message" lines) and prints it. An approval
 * of an amendment is signed here, with the installation's key (client_sign.c),
 * over the hash of the text the server returned.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_documents.h"
#include "commands.h"
#include "i18n.h"
#include "idempotency.h"
#include "json.h"
#include "output.h"
#include "remote.h"

/* The largest document the server takes (docs/policy.md). */
#define PROTOCOL_MAX_FILE_BYTES (1024 * 1024)

enum protocol_option {
    PROTOCOL_OPTION_VERSION = 1,
    PROTOCOL_OPTION_YAML,
    PROTOCOL_OPTION_FILE,
    PROTOCOL_OPTION_PDF,
};

/*
 * Reads a whole text file of at most PROTOCOL_MAX_FILE_BYTES. Returns 0 with
 * *text set (caller frees), or -1 with err set.
 */
static int protocol_read_file(const char *path, char **text, char *err, size_t err_size)
{
    *text = NULL;
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *buffer = malloc(PROTOCOL_MAX_FILE_BYTES + 2);
    if (buffer == NULL) {
        fclose(file);
        snprintf(err, err_size, _("out of memory"));
        return -1;
    }
    size_t length = fread(buffer, 1, PROTOCOL_MAX_FILE_BYTES + 1, file);
    int read_error = ferror(file) ? errno : 0;
    fclose(file);
    int rc = -1;
    if (read_error != 0)
        snprintf(err, err_size, "%s: %s", path, strerror(read_error));
    else if (length > PROTOCOL_MAX_FILE_BYTES)
        snprintf(err, err_size, _("%s: larger than %d bytes, the limit of a protocol document"),
                 path, PROTOCOL_MAX_FILE_BYTES);
    else if (length == 0)
        snprintf(err, err_size, _("%s: the file is empty"), path);
    else if (memchr(buffer, '\0', length) != NULL)
        snprintf(err, err_size, _("%s: contains a NUL byte: not a text document"), path);
    else
        rc = 0;
    if (rc != 0) {
        free(buffer);
        return -1;
    }
    buffer[length] = '\0';
    *text = buffer;
    return 0;
}

static int protocol_import_run(const struct settings *settings, const struct args *args)
{
    char err[512];
    char *source = NULL;
    spona_response *response = NULL;
    char *path = args->operands[0];

    if (protocol_read_file(path, &source, err, sizeof(err)) != 0)
        return output_error(settings->json, OUTPUT_STATUS_LOCAL, err, OUTPUT_EXIT_USAGE);
    char *slash = strrchr(path, '/');
    Spona__V1__ProtocolImportRequest import = SPONA__V1__PROTOCOL_IMPORT_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    import.source = source;
    import.file_name = slash != NULL ? slash + 1 : path; /* messages name FILE:LINE */
    request.body_case = SPONA__V1__REQUEST__BODY_PROTOCOL_IMPORT;
    request.protocol_import = &import;
    int code = remote_session_write(settings, args, &request, &response);
    free(source);
    if (code != OUTPUT_EXIT_OK)
        return code;

    const Spona__V1__ProtocolImportResponse *answer = response->protocol_import;
    if (settings->json) {
        struct json_writer writer;
        json_init(&writer, stdout);
        json_object_begin(&writer, NULL);
        json_string(&writer, "municipality_code", answer->municipality_code);
        json_uint(&writer, "version", answer->version);
        json_string(&writer, "title", answer->title);
        json_string(&writer, "effective_date", answer->effective_date);
        json_uint(&writer, "clause_count", answer->clause_count);
        json_bool(&writer, "active", answer->active);
        json_uint(&writer, "approvals_required", answer->approvals_required);
        json_object_end(&writer);
    } else {
        output_printf(stdout,
                      i18n_n("imported protocol %s version %u (%u clause, effective %s)\n",
                             "imported protocol %s version %u (%u clauses, effective %s)\n",
                             answer->clause_count),
                      answer->municipality_code, (unsigned)answer->version,
                      (unsigned)answer->clause_count, answer->effective_date);
        if (!answer->active)
            printf(i18n_n("it widens access: inactive until %u approval is given (`spona "
                          "protocol show --version %u`; `spona protocol approve %u`)\n",
                          "it widens access: inactive until %u approvals are given (`spona "
                          "protocol show --version %u`; `spona protocol approve %u`)\n",
                          answer->approvals_required),
                   (unsigned)answer->approvals_required, (unsigned)answer->version,
                   (unsigned)answer->version);
    }
    envelope_free_response(response);
    return OUTPUT_EXIT_OK;
}

/* After the document: whether the version is active, and the approvals it required. */
static void protocol_print_approvals(const Spona__V1__ProtocolShowResponse *answer)
{
    if (answer->active)
        output_printf(stdout, _("\nVersion %u: active since %s"), (unsigned)answer->version,
                      answer->activated_at);
    else
        output_printf(stdout, _("\nVersion %u: inactive: awaits the approvals below"),
                      (unsigned)answer->version);
    output_printf(stdout, _("\nSHA-256 of the text: %s\n"), answer->source_sha256);
    if (answer->n_approvals > 0)
        fputs(_("Approvals required (it widens access; docs/policy.md, \"Amendments\"):\n"),
              stdout);
    for (size_t i = 0; i < answer->n_approvals; i++) {
        const Spona__V1__ProtocolApproval *approval = answer->approvals[i];
        if (approval->approved)
            output_printf(stdout, _("  %s (%s): approved %s\n"), approval->institution,
                          approval->reason, approval->approved_at);
        else
            output_printf(stdout, _("  %s (%s): not yet approved\n"), approval->institution,
                          approval->reason);
    }
}

static int protocol_show_run(const struct settings *settings, const struct args *args)
{
    char err[256];
    uint64_t version = 0;
    spona_response *response = NULL;
    const char *version_text = args_value(args, PROTOCOL_OPTION_VERSION);
    if (version_text != NULL &&
        args_positive("--version", version_text, UINT32_MAX, &version, err, sizeof(err)) != 0)
        return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);

    Spona__V1__ProtocolShowRequest show = SPONA__V1__PROTOCOL_SHOW_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    show.version = (uint32_t)version;
    request.body_case = SPONA__V1__REQUEST__BODY_PROTOCOL_SHOW;
    request.protocol_show = &show;
    int code = remote_session_call(settings, &request, &response);
    if (code != OUTPUT_EXIT_OK)
        return code;

    const Spona__V1__ProtocolShowResponse *answer = response->protocol_show;
    if (settings->json) {
        struct json_writer writer;
        json_init(&writer, stdout);
        json_object_begin(&writer, NULL);
        json_uint(&writer, "version", answer->version);
        json_string(&writer, "title", answer->title);
        json_string(&writer, "effective_date", answer->effective_date);
        json_string(&writer, "imported_at", answer->imported_at);
        json_array_begin(&writer, "versions");
        for (size_t i = 0; i < answer->n_versions; i++)
            json_uint(&writer, NULL, answer->versions[i]);
        json_array_end(&writer);
        json_string(&writer, "document", answer->document);
        json_string(&writer, "source", answer->source);
        json_string(&writer, "source_sha256", answer->source_sha256);
        json_bool(&writer, "active", answer->active);
        json_string(&writer, "activated_at", answer->activated_at);
        json_array_begin(&writer, "approvals");
        for (size_t i = 0; i < answer->n_approvals; i++) {
            json_object_begin(&writer, NULL);
            json_string(&writer, "institution", answer->approvals[i]->institution);
            json_string(&writer, "reason", answer->approvals[i]->reason);
            json_bool(&writer, "approved", answer->approvals[i]->approved);
            json_string(&writer, "approved_at", answer->approvals[i]->approved_at);
            json_object_end(&writer);
        }
        json_array_end(&writer);
        json_object_end(&writer);
    } else if (args_has(args, PROTOCOL_OPTION_YAML)) {
        output_block(stdout, answer->source);
    } else {
        output_block(stdout, answer->document);
        protocol_print_approvals(answer);
    }
    envelope_free_response(response);
    return OUTPUT_EXIT_OK;
}

/*
 * Reads version's text on client (and, with --file, checks it is the file's), signs
 * the approval and fills approve (signature malloc'd: caller frees). 0 or an exit code.
 */
static int protocol_sign_approval(struct spona_client *client, const struct settings *settings,
                                  const struct args *args, uint32_t version,
                                  Spona__V1__ProtocolApproveRequest *approve, char sha[65])
{
    Spona__V1__ProtocolShowRequest show = SPONA__V1__PROTOCOL_SHOW_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    spona_response *response = NULL;
    char err[512];
    show.version = version;
    request.body_case = SPONA__V1__REQUEST__BODY_PROTOCOL_SHOW;
    request.protocol_show = &show;
    int code = remote_call(client, settings, &request, &response);
    if (code != OUTPUT_EXIT_OK)
        return code;
    const Spona__V1__ProtocolShowResponse *answer = response->protocol_show;
    const char *path = args_value(args, PROTOCOL_OPTION_FILE);
    char *expected = NULL;
    code = OUTPUT_EXIT_OK;
    if (path != NULL && protocol_read_file(path, &expected, err, sizeof(err)) != 0)
        code = output_error(settings->json, OUTPUT_STATUS_LOCAL, err, OUTPUT_EXIT_USAGE);
    else if (expected != NULL && strcmp(expected, answer->source) != 0)
        code = output_error(settings->json, OUTPUT_STATUS_LOCAL,
                            _("the stored text of this version is not the text of --file; "
                            "nothing approved"), OUTPUT_EXIT_USAGE);
    else if (spona_client_protocol_approval(client, answer->municipality_code, version,
                                            answer->source, sha, &approve->signature.data,
                                            &approve->signature.len, err, sizeof(err)) != 0)
        code = output_error(settings->json, OUTPUT_STATUS_LOCAL, err, OUTPUT_EXIT_USAGE);
    free(expected);
    envelope_free_response(response);
    approve->version = version;
    approve->source_sha256 = sha;
    return code;
}

static void protocol_print_approved(const struct settings *settings, const char *sha,
                                    const Spona__V1__ProtocolApproveResponse *answer)
{
    if (settings->json) {
        struct json_writer writer;
        json_init(&writer, stdout);
        json_object_begin(&writer, NULL);
        json_uint(&writer, "version", answer->version);
        json_string(&writer, "source_sha256", sha);
        json_bool(&writer, "activated", answer->activated);
        json_uint(&writer, "approvals_missing", answer->approvals_missing);
        json_object_end(&writer);
    } else if (answer->activated) {
        printf(_("approved version %u (SHA-256 %s): it was the last approval; the version is "
                 "now active\n"),
               (unsigned)answer->version, sha);
    } else {
        printf(i18n_n("approved version %u (SHA-256 %s); %u approval still missing\n",
                      "approved version %u (SHA-256 %s); %u approvals still missing\n",
                      answer->approvals_missing),
               (unsigned)answer->version, sha, (unsigned)answer->approvals_missing);
    }
}

static int protocol_approve_run(const struct settings *settings, const struct args *args)
{
    char err[512], key[IDEMPOTENCY_KEY_SIZE], sha[65] = "";
    uint64_t version = 0;
    if (args_positive("VERSION", args->operands[0], UINT32_MAX, &version, err, sizeof(err)) != 0)
        return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
    const char *given = args_value(args, ARGS_IDEMPOTENCY_KEY);
    if (given != NULL && !idempotency_key_valid(given))
        return output_error(settings->json, OUTPUT_STATUS_USAGE,
                            _("--idempotency-key: expected a UUID"), OUTPUT_EXIT_USAGE);
    if (given != NULL)
        snprintf(key, sizeof(key), "%s", given);
    else if (idempotency_key_new(key, err, sizeof(err)) != 0)
        return output_error(settings->json, OUTPUT_STATUS_LOCAL, err, OUTPUT_EXIT_USAGE);
    struct spona_client *client = NULL;
    int token_rejected = 0;
    int code = remote_resume(settings, &client, &token_rejected);
    if (code != OUTPUT_EXIT_OK)
        return code;
    Spona__V1__ProtocolApproveRequest approve = SPONA__V1__PROTOCOL_APPROVE_REQUEST__INIT;
    code = protocol_sign_approval(client, settings, args, (uint32_t)version, &approve, sha);
    spona_response *response = NULL;
    if (code == OUTPUT_EXIT_OK) {
        spona_request request = SPONA__V1__REQUEST__INIT;
        request.body_case = SPONA__V1__REQUEST__BODY_PROTOCOL_APPROVE;
        request.protocol_approve = &approve;
        request.idempotency_key = key;
        code = remote_call(client, settings, &request, &response);
    }
    free(approve.signature.data);
    spona_client_close(client);
    if (code != OUTPUT_EXIT_OK)
        return code;
    protocol_print_approved(settings, sha, response->protocol_approve);
    envelope_free_response(response);
    return OUTPUT_EXIT_OK;
}

static const struct args_option protocol_import_options[] = {
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

static const struct command protocol_import = {
    .name = "import",
    .summary = N_("store a new version of the protocol from a YAML file"),
    .help = N_("Usage: spona protocol import FILE [OPTIONS]\n"
            "\n"
            "Sends the policy document FILE (YAML, docs/policy.md, at most 1 MiB) to the\n"
            "server, which validates it and stores it as the next version of the\n"
            "municipality's Protocol on cooperation. For the coordinator and the lead agency.\n"
            "A document with errors is refused; each error is printed as FILE:LINE: message.\n"
            "\n"),
    .help_notes = {commands_help_idempotency},
    .options = protocol_import_options,
    .operands = "FILE",
    .min_operands = 1,
    .max_operands = 1,
    .run = protocol_import_run,
};

static const struct args_option protocol_show_options[] = {
    { "version", PROTOCOL_OPTION_VERSION, ARGS_VALUE, "N" },
    { "yaml", PROTOCOL_OPTION_YAML, 0, NULL },
    { NULL, 0, 0, NULL },
};

static const struct command protocol_show = {
    .name = "show",
    .summary = N_("print the protocol in force (or a version) as a document"),
    .help = N_("Usage: spona protocol show [--version N] [--yaml] [OPTIONS]\n"
            "\n"
            "Prints the protocol in force, or version N, as a document fit to print and sign.\n"
            "With --json: version, title, effective date, import time, every stored version,\n"
            "the document and the stored YAML.\n"
            "\n"
            "  --version N   that version instead of the one in force (here --version is not\n"
            "                the program's version; use -V for that)\n"
            "  --yaml        print the stored YAML document instead\n"),
    .options = protocol_show_options,
    .run = protocol_show_run,
};

static int protocol_print_run(const struct settings *settings, const struct args *args)
{
    return documents_protocol(settings, args_value(args, PROTOCOL_OPTION_PDF));
}

static const struct args_option protocol_print_options[] = {
    { "pdf", PROTOCOL_OPTION_PDF, ARGS_VALUE | ARGS_REQUIRED, "FILE" },
    { NULL, 0, 0, NULL },
};

static const struct command protocol_print = {
    .name = "print",
    .summary = N_("write the protocol in force as a PDF for its signatories"),
    .help = N_("Usage: spona protocol print --pdf FILE [OPTIONS]\n"
            "\n"
            "Writes the protocol in force as a PDF in your language: title, municipality,\n"
            "version and effective date, the signatories and their roles, the priority\n"
            "groups, every clause, the approvals and a signature line per signatory.\n"
            "\n"
            "  --pdf FILE    the PDF to write (required)\n"),
    .options = protocol_print_options,
    .run = protocol_print_run,
};

static const struct args_option protocol_approve_options[] = {
    { "file", PROTOCOL_OPTION_FILE, ARGS_VALUE, "FILE" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

static const struct command protocol_approve = {
    .name = "approve",
    .summary = N_("approve an amendment for your institution (signed with its key)"),
    .help = N_("Usage: spona protocol approve VERSION [--file FILE] [OPTIONS]\n"
            "\n"
            "Approves version VERSION of the protocol for your institution: reads its stored\n"
            "text, signs its SHA-256 (with the municipality and the version) with the private\n"
            "key of this installation's client certificate, and sends the signature. A version\n"
            "that widens an institution's access takes effect only when the lead agency and\n"
            "every institution it widens have approved it (docs/policy.md, \"Amendments\");\n"
            "`spona protocol show --version N` lists the approvals it requires.\n"
            "\n"
            "  --file FILE   approve only if the stored text is exactly FILE (the text you read)\n"
            "\n"),
    .help_notes = {commands_help_idempotency},
    .options = protocol_approve_options,
    .operands = "VERSION",
    .min_operands = 1,
    .max_operands = 1,
    .run = protocol_approve_run,
};

static const struct command *const protocol_subcommands[] = {
    &protocol_import,
    &protocol_show,
    &protocol_print,
    &protocol_approve,
    NULL,
};

const struct command command_protocol = {
    .name = "protocol",
    .summary = N_("the Protocol on cooperation (the access policy)"),
    .help = N_("Usage: spona protocol SUBCOMMAND [ARGUMENTS] [OPTIONS]\n"
            "\n"
            "The municipality's Protocol on cooperation: one YAML document per version,\n"
            "which the server enforces as the access policy (docs/policy.md).\n"),
    .subcommands = protocol_subcommands,
};
