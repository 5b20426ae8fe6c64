/*
 * The server's TLS context: TLS 1.3 only, ALPN "spona/1", client certificates
 * required and verified against the configured CA bundle and CRL. SIGHUP swaps
 * in a freshly built context; connections already open keep the one they
 * started with (each SSL holds a reference), but their peer certificate is
 * checked again against the new one (conn_sweep): a revoked one is cut.
 * Resumption: TLS 1.3 with a server-side session cache (tls.session_cache_size,
 * tls.session_timeout_seconds; tickets carry only an id). Each context has its
 * own cache, so a reload empties it; a resumed session's certificate is verified
 * again at once (conn.c), since resumption skips the handshake's verification.
 */
#ifndef SPONA_TLS_H
#define SPONA_TLS_H

#include <openssl/ssl.h>
#include <stddef.h>

#include "config.h"

struct tls_context;

/* Builds the context from the files named in config; NULL and a reason in err on failure. */
struct tls_context *tls_context_new(const struct server_config *config, char *err,
                                    size_t err_size);

/* Rebuilds from the files and swaps it in; on failure the old one stays and -1 is returned. */
int tls_context_reload(struct tls_context *tls, const struct server_config *config, char *err,
                       size_t err_size);

/* How many reloads there were; a connection made before the last one re-checks its peer. */
unsigned tls_context_generation(struct tls_context *tls);

/*
 * Whether ssl's peer certificate still verifies against the current CA bundle
 * and CRL (after a reload: revoked since the handshake? a resumed session:
 * revoked or expired since its full handshake?). 1, or 0 with why in reason (no
 * certificate at all is not valid). Thread-safe.
 */
int tls_peer_still_valid(struct tls_context *tls, SSL *ssl, char *reason, size_t reason_size);

/* A new server-side SSL for an accepted socket. Thread-safe. */
SSL *tls_context_new_ssl(struct tls_context *tls);

void tls_context_free(struct tls_context *tls);

/* Copies the verified peer certificate's subject CN; -1 when there is none. */
int tls_peer_common_name(SSL *ssl, char *out, size_t out_size);

/*
 * Describes a failed connection in out: the OpenSSL error code (as collected by
 * the bufferevent), else the socket error, plus the certificate verify result.
 */
void tls_describe_error(SSL *ssl, unsigned long code, int socket_error, char *out,
                        size_t out_size);

#endif
