/*
 * The desktop client's session (see desktop_session.h): the connection, the token and
 * the reconnect-and-resume of a lost connection.
 */
#include "desktop_session.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_file.h"
#include "spona_client.h"

#define DESKTOP_TIMEOUT_MS 30000

struct desktop_session {
    struct spona_config config; /* owned copies */
    GMutex lock;                /* guards client and token */
    struct spona_client *client;
    char *token;                /* NULL: not signed in */
};

/* strdup that keeps NULL. */
static char *copy_or_null(const char *text)
{
    return text != NULL ? strdup(text) : NULL;
}

struct desktop_session *desktop_session_new(const struct spona_config *config)
{
    struct desktop_session *session = g_new0(struct desktop_session, 1);
    session->config.server = copy_or_null(config->server);
    session->config.host = copy_or_null(config->host);
    session->config.port = copy_or_null(config->port);
    session->config.ca_file = copy_or_null(config->ca_file);
    session->config.cert_file = copy_or_null(config->cert_file);
    session->config.key_file = copy_or_null(config->key_file);
    session->config.user = copy_or_null(config->user);
    session->config.session_file = copy_or_null(config->session_file);
    session->config.config_file = copy_or_null(config->config_file);
    session->config.lang = copy_or_null(config->lang);
    g_mutex_init(&session->lock);
    return session;
}

/* Wipes and frees the token. */
static void session_forget_token(struct desktop_session *session)
{
    if (session->token != NULL) {
        explicit_bzero(session->token, strlen(session->token));
        g_free(session->token);
        session->token = NULL;
    }
}

void desktop_session_free(struct desktop_session *session)
{
    if (session == NULL)
        return;
    spona_client_close(session->client);
    session_forget_token(session);
    spona_config_free(&session->config);
    g_mutex_clear(&session->lock);
    g_free(session);
}

const struct spona_config *desktop_session_config(const struct desktop_session *session)
{
    return &session->config;
}

int desktop_session_signed_in(struct desktop_session *session)
{
    g_mutex_lock(&session->lock);
    int signed_in = session->token != NULL;
    g_mutex_unlock(&session->lock);
    return signed_in;
}

/* Connects (lock held). 0, or -1 with err set. */
static int session_connect(struct desktop_session *session, char *err, size_t err_size)
{
    if (session->config.ca_file == NULL) {
        snprintf(err, err_size, "no CA file: set ca in the config file or SPONA_CA");
        return -1;
    }
    struct spona_client_options options = {
        .host = session->config.host,
        .port = session->config.port,
        .ca_file = session->config.ca_file,
        .cert_file = session->config.cert_file,
        .key_file = session->config.key_file,
        .timeout_ms = DESKTOP_TIMEOUT_MS,
    };
    session->client = spona_client_connect(&options, err, err_size);
    return session->client != NULL ? 0 : -1;
}

/* Drops the connection (lock held). */
static void session_disconnect(struct desktop_session *session)
{
    spona_client_close(session->client);
    session->client = NULL;
}

/*
 * Sends Resume with the token on the current connection (lock held). Returns the
 * response (caller frees) or NULL with err set on a transport failure.
 */
static spona_response *session_send_resume(struct desktop_session *session, char *err,
                                           size_t err_size)
{
    Spona__V1__ResumeRequest resume = SPONA__V1__RESUME_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    resume.session_token = session->token;
    request.body_case = SPONA__V1__REQUEST__BODY_RESUME;
    request.resume = &resume;
    return spona_client_call(session->client, &request, err, err_size);
}

/*
 * Makes sure there is a connection bound to the session (lock held). Returns NULL when
 * ready; otherwise a response to give the caller instead (the server refused the
 * token), or NULL with err set (no connection: then *failed is 1).
 */
static spona_response *session_ready(struct desktop_session *session, int *failed, char *err,
                                     size_t err_size)
{
    *failed = 0;
    if (session->client != NULL)
        return NULL;
    if (session_connect(session, err, err_size) != 0) {
        *failed = 1;
        return NULL;
    }
    if (session->token == NULL)
        return NULL; /* not signed in: only Login and Ping make sense */
    spona_response *answer = session_send_resume(session, err, err_size);
    if (answer == NULL) {
        session_disconnect(session);
        *failed = 1;
        return NULL;
    }
    if (answer->status == SPONA__V1__STATUS__OK) {
        envelope_free_response(answer);
        return NULL;
    }
    session_disconnect(session);
    return answer; /* e.g. UNAUTHENTICATED: the session is over */
}

/* What a Login or Logout answered OK changes (lock held). */
static void session_after(struct desktop_session *session, const spona_request *request,
                          const spona_response *response)
{
    char err[256];
    if (response->status != SPONA__V1__STATUS__OK)
        return;
    if (request->body_case == SPONA__V1__REQUEST__BODY_LOGIN && response->login != NULL &&
        response->login->session_token != NULL && response->login->session_token[0] != '\0') {
        session_forget_token(session);
        session->token = g_strdup(response->login->session_token);
        if (session_file_write(session->config.session_file, session->token, err,
                               sizeof(err)) != 0)
            g_warning("%s", err); /* the session still works, only not for the next start */
    } else if (request->body_case == SPONA__V1__REQUEST__BODY_LOGOUT) {
        session_forget_token(session);
        if (session_file_remove(session->config.session_file, err, sizeof(err)) != 0)
            g_warning("%s", err);
    }
}

spona_response *desktop_session_call(struct desktop_session *session, spona_request *request,
                                     char *err, size_t err_size)
{
    spona_response *response = NULL;
    g_mutex_lock(&session->lock);
    for (int attempt = 0; attempt < 2 && response == NULL; attempt++) {
        int failed = 0;
        response = session_ready(session, &failed, err, err_size);
        if (response != NULL || failed)
            break;
        response = spona_client_call(session->client, request, err, err_size);
        if (response == NULL || response->request_id == 0) {
            /* the connection is gone (or was refused as a whole): try a new one once */
            session_disconnect(session);
            if (response != NULL && attempt == 0) {
                envelope_free_response(response);
                response = NULL;
            }
        }
    }
    if (response != NULL)
        session_after(session, request, response);
    g_mutex_unlock(&session->lock);
    return response;
}

spona_response *desktop_session_resume_stored(struct desktop_session *session, char *err,
                                              size_t err_size)
{
    char *token = NULL;
    err[0] = '\0';
    int found = session_file_read(session->config.session_file, &token, err, err_size);
    if (found <= 0)
        return NULL;
    g_mutex_lock(&session->lock);
    session_forget_token(session);
    session->token = g_strdup(token);
    explicit_bzero(token, strlen(token));
    free(token);
    session_disconnect(session);
    spona_response *answer = NULL;
    if (session_connect(session, err, err_size) == 0) {
        answer = session_send_resume(session, err, err_size);
        if (answer == NULL || answer->status != SPONA__V1__STATUS__OK) {
            session_disconnect(session);
            session_forget_token(session); /* not ours any more: the sign-in page asks */
        }
    }
    g_mutex_unlock(&session->lock);
    return answer;
}
