/*
 * TLS for the client library: the TLS 1.3 context (CA, client certificate,
 * ALPN), the server-name check, and one-line wording of OpenSSL failures.
 * Knows nothing about frames, envelopes or sockets beyond what OpenSSL reports.
 */
#include "client_internal.h"
#include "i18n.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

/* The reason of the newest OpenSSL error of this thread, or fallback. */
static const char *openssl_reason(unsigned long code, char *buf, size_t buf_size,
                                  const char *fallback)
{
    if (code == 0)
        return fallback;
    const char *reason = ERR_reason_error_string(code);
    if (reason != NULL)
        return reason;
    ERR_error_string_n(code, buf, buf_size);
    return buf;
}

/* Why the file at path cannot be loaded, preferring errno's words when it is unreadable. */
static const char *file_reason(const char *path, char *buf, size_t buf_size)
{
    if (access(path, R_OK) != 0)
        return client_strerror(errno, buf, buf_size);
    return openssl_reason(ERR_peek_last_error(), buf, buf_size, _("cannot be loaded"));
}

/* "CA file PATH: REASON" and the like, with format the file's translated sentence. */
#define FILE_FAILURE(format, path)                                                         \
    do {                                                                                   \
        char reason_[256];                                                                 \
        snprintf(err, err_size, format, path, file_reason(path, reason_, sizeof(reason_))); \
        ERR_clear_error();                                                                 \
    } while (0)

SSL_CTX *client_tls_context_new(const struct spona_client_options *options, char *err,
                                size_t err_size)
{
    static const unsigned char alpn[] = "\x07" SPONA_ALPN;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) {
        snprintf(err, err_size, _("TLS setup failed: out of memory"));
        goto failed;
    }
    if (!SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION)) {
        snprintf(err, err_size, _("TLS setup failed: TLS 1.3 unavailable"));
        goto failed;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (options->ca_file != NULL) {
        if (SSL_CTX_load_verify_locations(ctx, options->ca_file, NULL) != 1) {
            FILE_FAILURE(_("CA file %1$s: %2$s"), options->ca_file);
            goto failed;
        }
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        snprintf(err, err_size, _("TLS setup failed: no CA file given and no system CA store"));
        goto failed;
    }
    if (options->key_file != NULL && options->cert_file == NULL) {
        snprintf(err, err_size, _("a client key was given without its certificate"));
        goto failed;
    }
    if (options->cert_file != NULL) {
        const char *key = options->key_file != NULL ? options->key_file : options->cert_file;
        if (SSL_CTX_use_certificate_chain_file(ctx, options->cert_file) != 1) {
            FILE_FAILURE(_("client certificate %1$s: %2$s"), options->cert_file);
            goto failed;
        }
        if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
            FILE_FAILURE(_("client key %1$s: %2$s"), key);
            goto failed;
        }
        if (SSL_CTX_check_private_key(ctx) != 1) {
            snprintf(err, err_size, _("client key %s does not match certificate %s"), key,
                     options->cert_file);
            ERR_clear_error();
            goto failed;
        }
    }
    if (SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn) - 1) != 0) { /* 0 is success */
        snprintf(err, err_size, _("TLS setup failed: cannot offer ALPN"));
        goto failed;
    }
    return ctx;

failed:
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return NULL;
}

int client_tls_set_peer_name(SSL *ssl, const char *name, char *err, size_t err_size)
{
    if (client_net_is_ip_address(name)) {
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) != 1)
            goto failed;
        return 0;
    }
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set_tlsext_host_name(ssl, name) != 1 || SSL_set1_host(ssl, name) != 1)
        goto failed;
    return 0;

failed:
    snprintf(err, err_size, _("TLS setup failed: cannot check server name '%s'"), name);
    ERR_clear_error();
    return -1;
}

int client_tls_check_alpn(SSL *ssl, char *err, size_t err_size)
{
    const unsigned char *selected = NULL;
    unsigned int length = 0;
    SSL_get0_alpn_selected(ssl, &selected, &length);
    if (length == strlen(SPONA_ALPN) && memcmp(selected, SPONA_ALPN, length) == 0)
        return 0;
    if (length == 0)
        snprintf(err, err_size, _("TLS handshake failed: server did not select ALPN %s"),
                 SPONA_ALPN);
    else
        snprintf(err, err_size, _("TLS handshake failed: server selected ALPN '%.*s', not %s"),
                 (int)length, (const char *)selected, SPONA_ALPN);
    return -1;
}

static int is_closed_errno(int error)
{
    return error == 0 || error == EPIPE || error == ECONNRESET;
}

void client_tls_describe_failure(SSL *ssl, int code, int saved_errno, int in_handshake,
                                 int *peer_closed, char *err, size_t err_size)
{
    char buf[256];
    char reason[512];
    unsigned long error = ERR_peek_last_error();
    *peer_closed = 0;
    if (code == SSL_ERROR_ZERO_RETURN ||
        (code == SSL_ERROR_SYSCALL && error == 0 && is_closed_errno(saved_errno)) ||
        (code == SSL_ERROR_SSL &&
         ERR_GET_REASON(error) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
        *peer_closed = 1;
        snprintf(reason, sizeof(reason), "%s", _("server closed the connection"));
    } else if (code == SSL_ERROR_SYSCALL && error == 0) {
        snprintf(reason, sizeof(reason), "%s", client_strerror(saved_errno, buf, sizeof(buf)));
    } else if (SSL_get_verify_result(ssl) != X509_V_OK) {
        snprintf(reason, sizeof(reason), _("certificate verify failed: %s"),
                 X509_verify_cert_error_string(SSL_get_verify_result(ssl)));
    } else if (in_handshake && ERR_GET_LIB(error) == ERR_LIB_SSL &&
               ERR_GET_REASON(error) == SSL_R_TLSV1_ALERT_INTERNAL_ERROR) {
        /* what spona-server sends, before any TLS work, to a connection it cannot take */
        snprintf(reason, sizeof(reason), "%s",
                 _("server refused the connection: it is at its connection limit "
                   "(max_connections, or too many unfinished handshakes) or stopping; "
                   "try again later (TLS alert internal error)"));
    } else if (ERR_GET_LIB(error) == ERR_LIB_SSL &&
               ERR_GET_REASON(error) >= SSL_AD_REASON_OFFSET) {
        /* the server sent an alert: it refused us (certificate, ALPN, ...) */
        snprintf(reason, sizeof(reason), _("server refused the connection: %s"),
                 openssl_reason(error, buf, sizeof(buf), "TLS alert"));
    } else {
        snprintf(reason, sizeof(reason), in_handshake ? "%s" : _("TLS error: %s"),
                 openssl_reason(error, buf, sizeof(buf), _("unknown TLS error")));
    }
    if (in_handshake)
        snprintf(err, err_size, _("TLS handshake failed: %s"), reason);
    else
        snprintf(err, err_size, "%s", reason);
    ERR_clear_error();
}
