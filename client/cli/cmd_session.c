/*
 * `spona login`, `spona whoami`, `spona logout`: the session commands. A login
 * stores the session token in the session file; the others resume that
 * session on a new connection (remote_resume) and then make their request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "i18n.h"
#include "json.h"
#include "output.h"
#include "prompt.h"
#include "remote.h"
#include "session_file.h"
#include "version_store.h"
#include "view.h"

static void identity_json(struct json_writer *writer, const Spona__V1__WhoAmIResponse *who)
{
    json_string(writer, "user_id", who->user_id);
    json_string(writer, "username", who->username);
    json_string(writer, "full_name", who->full_name);
    json_string(writer, "institution_id", who->institution_id);
    json_string(writer, "institution_code", who->institution_code);
    json_string(writer, "institution_name", who->institution_name);
    json_string(writer, "institution_role", who->institution_role);
    json_string(writer, "municipality_id", who->municipality_id);
    json_string(writer, "municipality_code", who->municipality_code);
    json_string(writer, "municipality_name", who->municipality_name);
    json_string(writer, "installation", who->installation);
    json_string(writer, "session_id", who->session_id);
}

/* One "label: value" line per part; strings from the server go through output_text. */
static void identity_text(const Spona__V1__WhoAmIResponse *who)
{
    char user[400], institution[600], municipality[400];
    snprintf(user, sizeof(user), "%s (%s)", who->username, who->full_name);
    snprintf(institution, sizeof(institution), _("%s (%s), role %s"), who->institution_name,
             who->institution_code, i18n_code_label("role", who->institution_role));
    snprintf(municipality, sizeof(municipality), "%s (%s)", who->municipality_name,
             who->municipality_code);
    const struct view_line lines[] = {
        { _("user"), user },
        { _("institution"), institution },
        { _("municipality"), municipality },
        { _("installation"), who->installation },
        { _("session"), who->session_id },
    };
    view_lines(stdout, lines, sizeof(lines) / sizeof(lines[0]));
}

/* Ends a session whose token could not be stored, so it does not linger unused. */
static void logout_quietly(struct spona_client *client)
{
    char err[256];
    Spona__V1__LogoutRequest logout = SPONA__V1__LOGOUT_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_LOGOUT;
    request.logout = &logout;
    envelope_free_response(spona_client_call(client, &request, err, sizeof(err)));
}

static int login_run(const struct settings *settings, const struct args *args)
{
    char err[512];
    char *user = NULL;
    char *password = NULL;
    struct spona_client *client = NULL;
    spona_response *response = NULL;
    int code;

    user = settings->user != NULL ? strdup(settings->user) : prompt_user(err, sizeof(err));
    if (user == NULL) {
        code = output_error(settings->json, OUTPUT_STATUS_USAGE,
                            settings->user != NULL ? "out of memory" : err, OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    password = prompt_password(settings->password_file, user, err, sizeof(err));
    if (password == NULL) {
        code = output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    client = remote_connect(settings, &code);
    if (client == NULL)
        goto cleanup;

    Spona__V1__LoginRequest login = SPONA__V1__LOGIN_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    login.username = user;
    login.password = password;
    request.body_case = SPONA__V1__REQUEST__BODY_LOGIN;
    request.login = &login;
    code = remote_call(client, settings, &request, &response);
    prompt_free_secret(password);
    password = NULL;
    if (code != OUTPUT_EXIT_OK)
        goto cleanup;

    const Spona__V1__LoginResponse *answer = response->login;
    if (answer->session_token == NULL || answer->session_token[0] == '\0') {
        code = output_error(settings->json, "INTERNAL", _("the server sent no session token"),
                            OUTPUT_EXIT_SERVER_ERROR);
        goto cleanup;
    }
    if (session_file_write(settings->session_file, answer->session_token, err,
                           sizeof(err)) != 0) {
        logout_quietly(client);
        code = output_error(settings->json, OUTPUT_STATUS_LOCAL, err, OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    version_store_begin(settings->session_file, user); /* another user's versions go */
    if (settings->json) {
        struct json_writer writer;
        json_init(&writer, stdout);
        json_object_begin(&writer, NULL);
        json_string(&writer, "session_id", answer->session_id);
        json_uint(&writer, "idle_timeout_seconds", answer->idle_timeout_seconds);
        json_string(&writer, "session_file", settings->session_file);
        if (answer->identity != NULL) {
            json_object_begin(&writer, "identity");
            identity_json(&writer, answer->identity);
            json_object_end(&writer);
        }
        json_object_end(&writer);
    } else {
        if (answer->identity != NULL)
            identity_text(answer->identity);
        printf(_("logged in; the session ends after %llu s without a request (saved in %s)\n"),
               (unsigned long long)answer->idle_timeout_seconds, settings->session_file);
    }

cleanup:
    envelope_free_response(response);
    spona_client_close(client);
    prompt_free_secret(password);
    free(user);
    return code;
}

static int whoami_run(const struct settings *settings, const struct args *args)
{
    struct spona_client *client = NULL;
    spona_response *response = NULL;
    int token_rejected = 0;
    int code = remote_resume(settings, &client, &token_rejected);
    if (code != OUTPUT_EXIT_OK)
        return code;

    Spona__V1__WhoAmIRequest whoami = SPONA__V1__WHO_AM_IREQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_WHOAMI;
    request.whoami = &whoami;
    code = remote_call(client, settings, &request, &response);
    if (code == OUTPUT_EXIT_OK) {
        if (settings->json) {
            struct json_writer writer;
            json_init(&writer, stdout);
            json_object_begin(&writer, NULL);
            identity_json(&writer, response->whoami);
            json_object_end(&writer);
        } else {
            identity_text(response->whoami);
        }
    }
    envelope_free_response(response);
    spona_client_close(client);
    return code;
}

static int logout_run(const struct settings *settings, const struct args *args)
{
    char err[512];
    struct spona_client *client = NULL;
    spona_response *response = NULL;
    int token_rejected = 0;
    int code = remote_resume(settings, &client, &token_rejected);
    if (token_rejected) {
        /* the session has already ended: forget its token too */
        (void)session_file_remove(settings->session_file, err, sizeof(err));
        return code;
    }
    if (code != OUTPUT_EXIT_OK)
        return code;

    Spona__V1__LogoutRequest logout = SPONA__V1__LOGOUT_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_LOGOUT;
    request.logout = &logout;
    code = remote_call(client, settings, &request, &response);
    if (code == OUTPUT_EXIT_OK) {
        version_store_remove(settings->session_file);
        if (session_file_remove(settings->session_file, err, sizeof(err)) != 0) {
            code = output_error(settings->json, OUTPUT_STATUS_LOCAL, err, OUTPUT_EXIT_USAGE);
        } else if (settings->json) {
            struct json_writer writer;
            json_init(&writer, stdout);
            json_object_begin(&writer, NULL);
            json_bool(&writer, "logged_out", 1);
            json_object_end(&writer);
        } else {
            fputs(_("logged out\n"), stdout);
        }
    }
    envelope_free_response(response);
    spona_client_close(client);
    return code;
}

const struct command command_login = {
    .name = "login",
    .summary = N_("log in and keep the session for later commands"),
    .help = N_("Usage: spona login [--user NAME] [--password-file FILE] [OPTIONS]\n"
            "\n"
            "Logs in as a user of the institution named by the client certificate and\n"
            "stores the session token in the session file (mode 0600) for later commands.\n"
            "\n"
            "  --user NAME           user name (else SPONA_USER, else user in the config\n"
            "                        file, else asked on the terminal)\n"
            "  --password-file FILE  read the password from the first line of FILE\n"
            "                        (else SPONA_PASSWORD, else asked on the terminal\n"
            "                        without echo)\n"),
    .flags = SETTINGS_FLAG_USER | SETTINGS_FLAG_PASSWORD_FILE,
    .run = login_run,
};

const struct command command_whoami = {
    .name = "whoami",
    .summary = N_("show the logged-in user, institution, role and municipality"),
    .help = N_("Usage: spona whoami [OPTIONS]\n"
            "\n"
            "Resumes the stored session on a new connection and shows who it belongs to.\n"),
    .run = whoami_run,
};

const struct command command_logout = {
    .name = "logout",
    .summary = N_("end the session and delete the session file"),
    .help = N_("Usage: spona logout [OPTIONS]\n"
            "\n"
            "Resumes the stored session, ends it on the server and deletes the session file.\n"),
    .run = logout_run,
};
