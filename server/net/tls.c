/*
 * TLS context for spona-server (see tls.h). Knows certificates, CRLs and ALPN;
 * knows nothing about frames, sessions or institutions.
 */
#include "tls.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "log.h"

struct tls_context {
    pthread_mutex_t lock; /* guards current and generation */
    SSL_CTX *current;
    unsigned generation; /* counts reloads */
};

static void describe_openssl_error(char *out, size_t out_size)
{
    unsigned long code = ERR_peek_last_error();
    if (code == 0)
        snprintf(out, out_size, "unknown TLS error");
    else
        ERR_error_string_n(code, out, out_size);
    ERR_clear_error();
}

/* Logs why a client certificate was refused; the handshake result stays OpenSSL's. */
static int tls_verify_callback(int preverify_ok, X509_STORE_CTX *store)
{
    if (!preverify_ok) {
        int error = X509_STORE_CTX_get_error(store);
        X509 *cert = X509_STORE_CTX_get_current_cert(store);
        char subject[256] = "?";
        if (cert != NULL)
            X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof(subject));
        log_warn("client certificate refused: %s (depth %d, subject %s)",
                 X509_verify_cert_error_string(error), X509_STORE_CTX_get_error_depth(store),
                 subject);
    }
    return preverify_ok;
}

/* Selects "spona/1"; a client offering ALPN without it is refused. */
static int tls_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *out_len,
                           const unsigned char *in, unsigned int in_len, void *arg)
{
    static const unsigned char ours[] = "\x07" SPONA_ALPN;
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, out_len, ours, sizeof(ours) - 1, in, in_len) ==
        OPENSSL_NPN_NEGOTIATED) {
        *out = selected;
        return SSL_TLSEXT_ERR_OK;
    }
    log_warn("client offered ALPN without %s: refused", SPONA_ALPN);
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

static int load_crl(SSL_CTX *ctx, const char *path, char *err, size_t err_size)
{
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    X509_LOOKUP *lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
    if (lookup == NULL || X509_load_crl_file(lookup, path, X509_FILETYPE_PEM) <= 0) {
        char reason[256];
        describe_openssl_error(reason, sizeof(reason));
        snprintf(err, err_size, "CRL %s: %s", path, reason);
        return -1;
    }
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
    return 0;
}

/*
 * Resumption from a server-side cache: with SSL_OP_NO_TICKET, TLS 1.3 tickets
 * carry only a session id, the session itself (peer certificate included) stays
 * in this context's bounded cache. The cache belongs to the context, so a reload
 * (SIGHUP) starts with an empty one; on top of that, conn.c verifies each resumed
 * session's certificate against the files in force (tls_peer_still_valid).
 */
static void tls_session_cache(SSL_CTX *ctx, const struct server_config *config)
{
    static const unsigned char id_context[] = SPONA_ALPN;
    if (config->session_cache_size <= 0) {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_num_tickets(ctx, 0);
        return;
    }
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, config->session_cache_size);
    SSL_CTX_set_timeout(ctx, config->session_timeout_seconds);
    SSL_CTX_set_num_tickets(ctx, 2); /* clients use each once: one spare */
    SSL_CTX_set_session_id_context(ctx, id_context, sizeof(id_context) - 1);
}

static SSL_CTX *tls_build(const struct server_config *config, char *err, size_t err_size)
{
    char reason[256];
    const char *what = "";
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) {
        what = "SSL_CTX_new";
        goto failed;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
    tls_session_cache(ctx, config);
    if (SSL_CTX_set1_groups_list(ctx, "P-256:X25519:P-384") != 1) {
        what = "groups";
        goto failed;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, config->certificate) != 1) {
        what = config->certificate;
        goto failed;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, config->private_key, SSL_FILETYPE_PEM) != 1) {
        what = config->private_key;
        goto failed;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        what = "private key does not match the certificate";
        goto failed;
    }
    if (SSL_CTX_load_verify_locations(ctx, config->client_ca_file, NULL) != 1) {
        what = config->client_ca_file;
        goto failed;
    }
    STACK_OF(X509_NAME) *ca_names = SSL_load_client_CA_file(config->client_ca_file);
    if (ca_names != NULL)
        SSL_CTX_set_client_CA_list(ctx, ca_names);
    if (config->crl_file[0] != '\0' && load_crl(ctx, config->crl_file, err, err_size) != 0) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       tls_verify_callback);
    SSL_CTX_set_verify_depth(ctx, 4);
    SSL_CTX_set_alpn_select_cb(ctx, tls_alpn_select, NULL);
    return ctx;

failed:
    describe_openssl_error(reason, sizeof(reason));
    snprintf(err, err_size, "TLS setup failed at %s: %s", what, reason);
    SSL_CTX_free(ctx);
    return NULL;
}

struct tls_context *tls_context_new(const struct server_config *config, char *err,
                                    size_t err_size)
{
    SSL_CTX *ctx = tls_build(config, err, err_size);
    if (ctx == NULL)
        return NULL;
    struct tls_context *tls = calloc(1, sizeof(*tls));
    if (tls == NULL) {
        SSL_CTX_free(ctx);
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&tls->lock, NULL);
    tls->current = ctx;
    return tls;
}

int tls_context_reload(struct tls_context *tls, const struct server_config *config, char *err,
                       size_t err_size)
{
    SSL_CTX *fresh = tls_build(config, err, err_size);
    if (fresh == NULL)
        return -1;
    pthread_mutex_lock(&tls->lock);
    SSL_CTX *old = tls->current;
    tls->current = fresh;
    tls->generation++;
    pthread_mutex_unlock(&tls->lock);
    SSL_CTX_free(old); /* SSLs made from it keep their own reference */
    return 0;
}

unsigned tls_context_generation(struct tls_context *tls)
{
    pthread_mutex_lock(&tls->lock);
    unsigned generation = tls->generation;
    pthread_mutex_unlock(&tls->lock);
    return generation;
}

int tls_peer_still_valid(struct tls_context *tls, SSL *ssl, char *reason, size_t reason_size)
{
    X509 *cert = SSL_get1_peer_certificate(ssl);
    X509_STORE_CTX *check = X509_STORE_CTX_new();
    pthread_mutex_lock(&tls->lock);
    SSL_CTX *ctx = tls->current;
    SSL_CTX_up_ref(ctx);
    pthread_mutex_unlock(&tls->lock);
    int valid = 0; /* no certificate, or no memory to check it: not valid */
    snprintf(reason, reason_size, "%s", cert == NULL ? "no client certificate" : "out of memory");
    if (cert != NULL && check != NULL &&
        X509_STORE_CTX_init(check, SSL_CTX_get_cert_store(ctx), cert,
                            SSL_get_peer_cert_chain(ssl)) == 1) {
        X509_STORE_CTX_set_purpose(check, X509_PURPOSE_SSL_CLIENT);
        valid = X509_verify_cert(check) == 1;
        if (!valid)
            snprintf(reason, reason_size, "%s",
                     X509_verify_cert_error_string(X509_STORE_CTX_get_error(check)));
    }
    ERR_clear_error();
    X509_STORE_CTX_free(check);
    SSL_CTX_free(ctx);
    X509_free(cert);
    return valid;
}

SSL *tls_context_new_ssl(struct tls_context *tls)
{
    pthread_mutex_lock(&tls->lock);
    SSL *ssl = SSL_new(tls->current);
    pthread_mutex_unlock(&tls->lock);
    return ssl;
}

void tls_context_free(struct tls_context *tls)
{
    if (tls == NULL)
        return;
    SSL_CTX_free(tls->current);
    pthread_mutex_destroy(&tls->lock);
    free(tls);
}

int tls_peer_common_name(SSL *ssl, char *out, size_t out_size)
{
    X509 *cert = SSL_get1_peer_certificate(ssl);
    if (cert == NULL)
        return -1;
    int length = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, out,
                                           (int)out_size);
    X509_free(cert);
    return length > 0 && (size_t)length < out_size ? 0 : -1;
}

void tls_describe_error(SSL *ssl, unsigned long code, int socket_error, char *out,
                        size_t out_size)
{
    long verify = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;
    char reason[256];
    if (code != 0)
        ERR_error_string_n(code, reason, sizeof(reason));
    else if (socket_error != 0)
        snprintf(reason, sizeof(reason), "%s", strerror(socket_error));
    else
        snprintf(reason, sizeof(reason), "connection closed");
    if (verify != X509_V_OK)
        snprintf(out, out_size, "%s (certificate: %s)", reason,
                 X509_verify_cert_error_string(verify));
    else
        snprintf(out, out_size, "%s", reason);
}
