/*
 * Connections of the spona CLI (see remote.h): settings into library options,
 * library and server failures into messages and exit codes.
 */
#include "remote.h"

#include <stdio.h>
#include <stdlib.h>

#include "i18n.h"
#include "id_prefix.h"
#include "idempotency.h"
#include "json.h"
#include "output.h"
#include "prompt.h"
#include "session_file.h"
#include "versions.h"

#define REMOTE_TIMEOUT_MS 30000

struct spona_client *remote_connect(const struct settings *settings, int *exit_code)
{
    char err[512];
    if (settings->ca_file == NULL) {
        *exit_code = output_error(settings->json, OUTPUT_STATUS_USAGE,
                                  _("no CA file: give --ca, set SPONA_CA or ca in the config file"),
                                  OUTPUT_EXIT_USAGE);
        return NULL;
    }
    struct spona_client_options options = {
        .host = settings->host,
        .port = settings->port,
        .ca_file = settings->ca_file,
        .cert_file = settings->cert_file,
        .key_file = settings->key_file,
        .timeout_ms = REMOTE_TIMEOUT_MS,
    };
    struct spona_client *client = spona_client_connect(&options, err, sizeof(err));
    if (client == NULL)
        *exit_code = output_error(settings->json, OUTPUT_STATUS_CONNECTION, err,
                                  OUTPUT_EXIT_CONNECTION);
    return client;
}

/* remote_call, with the expected version of a versioned write filled as mode says. */
static int remote_call_mode(struct spona_client *client, const struct settings *settings,
                            spona_request *request, spona_response **response,
                            enum versions_mode mode)
{
    char err[512];
    *response = NULL;
    int resolved = id_prefix_resolve(client, settings, request);
    if (resolved == OUTPUT_EXIT_OK)
        resolved = versions_fill(client, settings, request, mode);
    if (resolved != OUTPUT_EXIT_OK)
        return resolved;
    *response = spona_client_call(client, request, err, sizeof(err));
    if (*response == NULL)
        return output_error(settings->json, OUTPUT_STATUS_CONNECTION, err,
                            OUTPUT_EXIT_CONNECTION);
    if ((*response)->status != SPONA__V1__STATUS__OK) {
        int code = output_server_error(settings->json, *response);
        versions_explain_conflict(*response);
        envelope_free_response(*response);
        *response = NULL;
        return code;
    }
    if ((int)(*response)->body_case != (int)request->body_case) {
        envelope_free_response(*response);
        *response = NULL;
        return output_error(settings->json, "INTERNAL",
                            _("the server answered with a response of the wrong kind"),
                            OUTPUT_EXIT_SERVER_ERROR);
    }
    versions_note(settings, request, *response);
    return OUTPUT_EXIT_OK;
}

int remote_call(struct spona_client *client, const struct settings *settings,
                spona_request *request, spona_response **response)
{
    return remote_call_mode(client, settings, request, response, VERSIONS_GIVEN);
}

int remote_resume(const struct settings *settings, struct spona_client **client,
                  int *token_rejected)
{
    char err[512];
    char *token = NULL;
    spona_response *response = NULL;
    int code;
    *client = NULL;
    *token_rejected = 0;

    int found = session_file_read(settings->session_file, &token, err, sizeof(err));
    if (found < 0)
        return output_error(settings->json, OUTPUT_STATUS_LOCAL, err, OUTPUT_EXIT_USAGE);
    if (found == 0)
        return output_error(settings->json, "UNAUTHENTICATED",
                            _("not logged in: run `spona login`"), OUTPUT_EXIT_UNAUTHENTICATED);

    *client = remote_connect(settings, &code);
    if (*client == NULL)
        goto cleanup;
    Spona__V1__ResumeRequest resume = SPONA__V1__RESUME_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    resume.session_token = token;
    request.body_case = SPONA__V1__REQUEST__BODY_RESUME;
    request.resume = &resume;
    response = spona_client_call(*client, &request, err, sizeof(err));
    if (response == NULL) {
        code = output_error(settings->json, OUTPUT_STATUS_CONNECTION, err,
                            OUTPUT_EXIT_CONNECTION);
    } else if (response->status != SPONA__V1__STATUS__OK) {
        /* request_id 0 would be a refusal of the connection, not of the token */
        *token_rejected = response->request_id != 0 &&
                          response->status == SPONA__V1__STATUS__UNAUTHENTICATED;
        code = output_server_error(settings->json, response);
    } else {
        code = OUTPUT_EXIT_OK;
    }
    envelope_free_response(response);
    if (code != OUTPUT_EXIT_OK) {
        spona_client_close(*client);
        *client = NULL;
    }

cleanup:
    prompt_free_secret(token);
    return code;
}

int remote_session_call(const struct settings *settings, spona_request *request,
                        spona_response **response)
{
    struct spona_client *client = NULL;
    int token_rejected = 0;
    *response = NULL;
    int code = remote_resume(settings, &client, &token_rejected);
    if (code != OUTPUT_EXIT_OK)
        return code;
    code = remote_call(client, settings, request, response);
    spona_client_close(client);
    return code;
}

int remote_session_write(const struct settings *settings, const struct args *args,
                         spona_request *request, spona_response **response)
{
    char key[IDEMPOTENCY_KEY_SIZE];
    char err[512];
    struct spona_client *client = NULL;
    int token_rejected = 0;
    *response = NULL;
    const char *given = args_value(args, ARGS_IDEMPOTENCY_KEY);
    if (given != NULL) {
        if (!idempotency_key_valid(given)) {
            snprintf(err, sizeof(err),
                     _("--idempotency-key '%s': expected a UUID (8-4-4-4-12 hex digits)"), given);
            return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        }
        snprintf(key, sizeof(key), "%s", given);
    } else if (idempotency_key_new(key, err, sizeof(err)) != 0) {
        return output_error(settings->json, OUTPUT_STATUS_LOCAL, err, OUTPUT_EXIT_USAGE);
    }
    int code = remote_resume(settings, &client, &token_rejected);
    if (code != OUTPUT_EXIT_OK)
        return code;
    char *previous = request->idempotency_key;
    request->idempotency_key = key;
    const char *kind, *id;
    enum versions_mode mode = VERSIONS_GIVEN;
    if (versions_target(request, &kind, &id) && !args_has(args, ARGS_VERSION))
        mode = args_has(args, ARGS_FRESH) ? VERSIONS_FRESH : VERSIONS_REMEMBERED;
    code = remote_call_mode(client, settings, request, response, mode);
    request->idempotency_key = previous;
    spona_client_close(client);
    if (code == OUTPUT_EXIT_CONNECTION)
        fprintf(stderr,
                _("spona: the write may have been applied or not: to retry it safely, run the "
                  "same command with --idempotency-key %s\n"),
                key);
    return code;
}

/* On success (code OK), prints response through json or text and frees it; returns code. */
static int remote_print(const struct settings *settings, int code, const spona_request *request,
                        spona_response *response, remote_print_json *json,
                        remote_print_text *text)
{
    if (code != OUTPUT_EXIT_OK)
        return code;
    if (settings->json) {
        struct json_writer writer;
        json_init(&writer, stdout);
        json_object_begin(&writer, NULL);
        json(&writer, request, response);
        json_object_end(&writer);
    } else {
        text(request, response);
    }
    envelope_free_response(response);
    return OUTPUT_EXIT_OK;
}

int remote_write_print(const struct settings *settings, const struct args *args,
                       spona_request *request, remote_print_json *json, remote_print_text *text)
{
    spona_response *response = NULL;
    int code = remote_session_write(settings, args, request, &response);
    return remote_print(settings, code, request, response, json, text);
}

int remote_write_versioned(const struct settings *settings, const struct args *args,
                           int version_option, spona_request *request,
                           uint64_t *expected_version, remote_print_json *json,
                           remote_print_text *text)
{
    char err[256];
    if (args_has(args, version_option) &&
        args_positive("--version", args_value(args, version_option), UINT64_MAX,
                      expected_version, err, sizeof(err)) != 0)
        return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
    return remote_write_print(settings, args, request, json, text);
}

int remote_read_print(const struct settings *settings, spona_request *request,
                      remote_print_json *json, remote_print_text *text)
{
    spona_response *response = NULL;
    int code = remote_session_call(settings, request, &response);
    return remote_print(settings, code, request, response, json, text);
}
