/*
 * The Spona client library (see spona_client.h): one TLS connection, requests
 * out as frames, responses in through a frame_reader. Every wait is bounded by
 * the connection's timeout. Each struct spona_client owns its socket, TLS
 * stream and buffers; the TLS context and the sessions to resume come from
 * the library's cache (client_cache.c).
 */
#include "spona_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "client_internal.h"
#include "i18n.h"
#include "frame.h"

#define CLIENT_DEFAULT_TIMEOUT_MS 30000
#define CLIENT_READ_CHUNK 16384

struct spona_client {
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
    char *server_key; /* which server's kept TLS sessions this connection offers and adds to */
    struct frame_reader reader;
    uint64_t next_request_id; /* per-connection counter, starts at 1 */
    int timeout_ms;
    int peer_closed;   /* the server closed: nothing more will be written or read */
    char failure[256]; /* set once the stream is unusable; repeated to later calls */
};

SSL *client_ssl(struct spona_client *client)
{
    return client->ssl;
}

static void copy_error(char *err, size_t err_size, const char *text)
{
    if (err != NULL && err_size > 0)
        snprintf(err, err_size, "%s", text);
}

/* Marks the stream unusable and reports why. */
static void client_fail(struct spona_client *client, const char *text, char *err,
                        size_t err_size)
{
    if (client->failure[0] == '\0')
        snprintf(client->failure, sizeof(client->failure), "%s", text);
    copy_error(err, err_size, client->failure);
}

/* Waits as OpenSSL asked after an SSL call returned `code`; 0 to retry, -1 with err set. */
static int client_wait(struct spona_client *client, int code, int in_handshake, char *err,
                       size_t err_size)
{
    char reason[128];
    switch (client_net_wait(client->fd, code == SSL_ERROR_WANT_WRITE, client->timeout_ms)) {
    case CLIENT_WAIT_READY:
        return 0;
    case CLIENT_WAIT_TIMEOUT:
        snprintf(reason, sizeof(reason), _("timeout after %d ms"), client->timeout_ms);
        break;
    case CLIENT_WAIT_ERROR:
    default: {
        char words[128];
        snprintf(reason, sizeof(reason), "%s", client_strerror(errno, words, sizeof(words)));
        break;
    }
    }
    if (in_handshake)
        snprintf(err, err_size, _("TLS handshake failed: %s"), reason);
    else
        snprintf(err, err_size, "%s", reason);
    return -1;
}

static int client_handshake(struct spona_client *client, char *err, size_t err_size)
{
    for (;;) {
        ERR_clear_error();
        int rc = SSL_connect(client->ssl);
        int saved_errno = errno;
        if (rc == 1)
            return client_tls_check_alpn(client->ssl, err, err_size);
        int code = SSL_get_error(client->ssl, rc);
        if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) {
            if (client_wait(client, code, 1, err, err_size) != 0)
                return -1;
            continue;
        }
        client_tls_describe_failure(client->ssl, code, saved_errno, 1, &client->peer_closed,
                                    err, err_size);
        return -1;
    }
}

struct spona_client *spona_client_connect(const struct spona_client_options *options,
                                          char *err, size_t err_size)
{
    char message[256];
    const char *host = options->host != NULL ? options->host : "127.0.0.1";
    const char *port = options->port != NULL ? options->port : "7443";
    struct spona_client *client = calloc(1, sizeof(*client));
    if (client == NULL) {
        copy_error(err, err_size, _("out of memory"));
        return NULL;
    }
    client->fd = -1;
    client->next_request_id = 1;
    client->timeout_ms = options->timeout_ms > 0 ? options->timeout_ms : CLIENT_DEFAULT_TIMEOUT_MS;
    frame_reader_init(&client->reader, options->max_frame_bytes > 0 ? options->max_frame_bytes
                                                                    : FRAME_DEFAULT_MAX_BYTES);

    client->ctx = client_cache_context(options, message, sizeof(message));
    if (client->ctx == NULL)
        goto failed;
    client->fd = client_net_connect(host, port, client->timeout_ms, message, sizeof(message));
    if (client->fd < 0)
        goto failed;
    client->ssl = SSL_new(client->ctx);
    BIO *bio = client->ssl != NULL ? client_bio_new(client->fd) : NULL;
    if (bio == NULL) {
        snprintf(message, sizeof(message), "TLS setup failed: out of memory");
        goto failed;
    }
    SSL_set_bio(client->ssl, bio, bio); /* the SSL owns the BIO from here */
    const char *name = options->server_name != NULL ? options->server_name : host;
    if (client_tls_set_peer_name(client->ssl, name, message, sizeof(message)) != 0)
        goto failed;
    client->server_key = client_cache_server_key(host, port, name);
    if (client->server_key != NULL)
        client_cache_offer_session(client->ssl, client->server_key,
                                   !(options->tls_reuse & SPONA_CLIENT_FULL_HANDSHAKE));
    if (client_handshake(client, message, sizeof(message)) != 0)
        goto failed;
    return client;

failed:
    copy_error(err, err_size, message);
    client->peer_closed = 1; /* no close_notify on a failed handshake */
    spona_client_close(client);
    return NULL;
}

/* Writes all of data through TLS. 0, or -1 with err set. */
static int client_write_all(struct spona_client *client, const void *data, size_t len,
                            char *err, size_t err_size)
{
    char message[256];
    if (client->failure[0] != '\0' || client->peer_closed) {
        copy_error(err, err_size,
                   client->failure[0] != '\0' ? client->failure : _("server closed the connection"));
        return -1;
    }
    if (len == 0)
        return 0;
    for (;;) {
        size_t written = 0;
        ERR_clear_error();
        int rc = SSL_write_ex(client->ssl, data, len, &written); /* all or nothing */
        int saved_errno = errno;
        if (rc == 1)
            return 0;
        int code = SSL_get_error(client->ssl, rc);
        if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) {
            if (client_wait(client, code, 0, message, sizeof(message)) != 0)
                break;
            continue;
        }
        client_tls_describe_failure(client->ssl, code, saved_errno, 0, &client->peer_closed,
                                    message, sizeof(message));
        if (client->peer_closed) {
            /* bytes the server sent before closing may still be read */
            copy_error(err, err_size, message);
            return -1;
        }
        break;
    }
    client_fail(client, message, err, err_size);
    return -1;
}

/* Reads what TLS has into the frame reader. 0, or -1 with err set. */
static int client_read_some(struct spona_client *client, char *err, size_t err_size)
{
    char message[256];
    uint8_t buffer[CLIENT_READ_CHUNK];
    for (;;) {
        size_t got = 0;
        ERR_clear_error();
        int rc = SSL_read_ex(client->ssl, buffer, sizeof(buffer), &got);
        int saved_errno = errno;
        if (rc == 1) {
            if (frame_reader_feed(&client->reader, buffer, got) == 0)
                return 0;
            snprintf(message, sizeof(message), _("out of memory"));
            break;
        }
        int code = SSL_get_error(client->ssl, rc);
        if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) {
            if (client_wait(client, code, 0, message, sizeof(message)) != 0)
                break;
            continue;
        }
        int closed = 0;
        client_tls_describe_failure(client->ssl, code, saved_errno, 0, &closed, message,
                                    sizeof(message));
        client->peer_closed |= closed;
        break;
    }
    client_fail(client, message, err, err_size);
    return -1;
}

uint64_t spona_client_send(struct spona_client *client, spona_request *request, char *err,
                           size_t err_size)
{
    uint64_t caller_id = request->request_id;
    uint32_t caller_version = request->protocol_version;
    uint64_t id = caller_id != 0 ? caller_id : client->next_request_id++;
    uint8_t *frame = NULL;
    size_t frame_length = 0;

    /* fill in id and version for packing only: the request stays as the caller left it */
    request->request_id = id;
    if (caller_version == 0)
        request->protocol_version = SPONA_PROTOCOL_VERSION;
    int packed = envelope_pack(&request->base, &frame, &frame_length);
    request->request_id = caller_id;
    request->protocol_version = caller_version;
    if (packed != 0) {
        copy_error(err, err_size, _("cannot encode the request"));
        return 0;
    }
    int written = client_write_all(client, frame, frame_length, err, err_size);
    free(frame);
    return written == 0 ? id : 0;
}

int spona_client_send_raw(struct spona_client *client, const void *data, size_t len,
                          char *err, size_t err_size)
{
    return client_write_all(client, data, len, err, err_size);
}

spona_response *spona_client_receive(struct spona_client *client, char *err, size_t err_size)
{
    char message[256];
    for (;;) {
        const uint8_t *body = NULL;
        uint32_t length = 0;
        switch (frame_reader_next(&client->reader, &body, &length)) {
        case FRAME_COMPLETE: {
            spona_response *response = envelope_unpack_response(body, length);
            if (response != NULL)
                return response;
            snprintf(message, sizeof(message), _("undecodable response of %u bytes from the server"),
                     (unsigned)length);
            client_fail(client, message, err, err_size);
            return NULL;
        }
        case FRAME_TOO_LARGE:
            snprintf(message, sizeof(message), _("response of %u bytes exceeds the limit of %u"),
                     (unsigned)length, (unsigned)client->reader.max_body);
            client_fail(client, message, err, err_size);
            return NULL;
        case FRAME_EMPTY:
            client_fail(client, _("empty response frame from the server"), err, err_size);
            return NULL;
        case FRAME_NEED_MORE:
            break;
        }
        if (client->failure[0] != '\0') {
            copy_error(err, err_size, client->failure);
            return NULL;
        }
        if (client_read_some(client, err, err_size) != 0)
            return NULL;
    }
}

spona_response *spona_client_call(struct spona_client *client, spona_request *request,
                                  char *err, size_t err_size)
{
    char send_error[256];
    uint64_t id = spona_client_send(client, request, send_error, sizeof(send_error));
    if (id == 0 && !client->peer_closed) {
        copy_error(err, err_size, send_error);
        return NULL;
    }
    /*
     * After a failed send to a closed connection, look for the final response
     * (request_id 0) the server may have sent before closing: it says why.
     */
    for (;;) {
        spona_response *response = spona_client_receive(client, err, err_size);
        if (response == NULL)
            return NULL; /* after a failed send this says more: an alert, say */
        if (response->request_id == id || response->request_id == 0)
            return response;
        envelope_free_response(response); /* an answer to an earlier pipelined request */
    }
}

int spona_client_login(struct spona_client *client, const char *username,
                       const char *password, char *err, size_t err_size)
{
    int result = -1;
    Spona__V1__LoginRequest login = SPONA__V1__LOGIN_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    spona_response *response = NULL;
    size_t password_length = strlen(password);

    /* copies, because protobuf-c's fields are not const */
    login.username = strdup(username);
    login.password = strdup(password);
    if (login.username == NULL || login.password == NULL) {
        copy_error(err, err_size, _("out of memory"));
        goto cleanup;
    }
    request.body_case = SPONA__V1__REQUEST__BODY_LOGIN;
    request.login = &login;
    response = spona_client_call(client, &request, err, err_size);
    if (response == NULL)
        goto cleanup;
    if (response->status != SPONA__V1__STATUS__OK) {
        copy_error(err, err_size, response->message);
        goto cleanup;
    }
    result = 0;

cleanup:
    envelope_free_response(response);
    if (login.password != NULL)
        explicit_bzero(login.password, password_length);
    free(login.password);
    free(login.username);
    return result;
}

int spona_client_session_reused(const struct spona_client *client)
{
    return client->ssl != NULL && SSL_session_reused(client->ssl) == 1;
}

void spona_client_forget_tls(void)
{
    client_cache_clear();
}

void spona_client_close(struct spona_client *client)
{
    if (client == NULL)
        return;
    if (client->ssl != NULL) {
        if (client->failure[0] == '\0' && !client->peer_closed)
            (void)SSL_shutdown(client->ssl); /* one try at close_notify, no waiting */
        SSL_free(client->ssl);
        ERR_clear_error();
    }
    SSL_CTX_free(client->ctx);
    free(client->server_key); /* after SSL_free: the SSL pointed to it */
    if (client->fd >= 0)
        close(client->fd);
    frame_reader_free(&client->reader);
    free(client);
}
