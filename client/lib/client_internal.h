/*
 * Internal pieces of the client library, shared between its files and never
 * installed: the TCP connect with a timeout (client_net.c), the socket BIO that
 * never raises SIGPIPE (client_bio.c), the TLS context and error wording
 * (client_tls.c) and the contexts and sessions kept between connections
 * (client_cache.c). Nothing here knows about frames or envelopes.
 */
#ifndef SPONA_CLIENT_INTERNAL_H
#define SPONA_CLIENT_INTERNAL_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "spona_client.h"

/* Result of waiting on a socket. */
enum client_wait_result {
    CLIENT_WAIT_READY = 0,
    CLIENT_WAIT_TIMEOUT = 1,
    CLIENT_WAIT_ERROR = -1, /* errno is set */
};

/*
 * Resolves host:port and connects a non-blocking TCP socket, waiting at most
 * timeout_ms per address. Returns the socket, or -1 with "connect to H:P: reason" in err.
 */
int client_net_connect(const char *host, const char *port, int timeout_ms, char *err,
                       size_t err_size);

/* Waits until fd is readable (want_write 0) or writable (want_write 1). */
enum client_wait_result client_net_wait(int fd, int want_write, int timeout_ms);

/* strerror that is safe in threads: the text for error, in buf. */
const char *client_strerror(int error, char *buf, size_t buf_size);

/* 1 when name is a literal IPv4 or IPv6 address. */
int client_net_is_ip_address(const char *name);

/*
 * A BIO on fd that sends with MSG_NOSIGNAL, so writing to a closed connection
 * returns EPIPE instead of killing the process. The BIO does not close fd.
 * NULL when out of memory.
 */
BIO *client_bio_new(int fd);

/*
 * Builds the TLS 1.3 context: CA file, optional client certificate and key,
 * ALPN "spona/1" offered, peer verification on. NULL and a reason in err on failure.
 */
SSL_CTX *client_tls_context_new(const struct spona_client_options *options, char *err,
                                size_t err_size);

/*
 * The TLS context for options' files (client_cache.c): the one kept from an
 * earlier connection, or a new one, kept for later ones unless options say
 * SPONA_CLIENT_FRESH_CONTEXT. The caller owns one reference (SSL_CTX_free).
 */
SSL_CTX *client_cache_context(const struct spona_client_options *options, char *err,
                              size_t err_size);

/* "host\nport\nname": which server a kept session is for. malloc'd, NULL when out of memory. */
char *client_cache_server_key(const char *host, const char *port, const char *name);

/*
 * Before the handshake: names the server of ssl (server, a key from
 * client_cache_server_key, must outlive ssl) so the sessions it receives are
 * kept for it, and, when offer is 1, offers the newest session kept for it.
 */
void client_cache_offer_session(SSL *ssl, char *server, int offer);

/* Forgets every kept context and session (spona_client_forget_tls). */
void client_cache_clear(void);

/* Sets the name (DNS or IP address) the server certificate must carry, and SNI. */
int client_tls_set_peer_name(SSL *ssl, const char *name, char *err, size_t err_size);

/* Checks that the server selected ALPN "spona/1". 0, or -1 with err set. */
int client_tls_check_alpn(SSL *ssl, char *err, size_t err_size);

/*
 * Describes a failed SSL call (SSL_get_error result `code`, errno as it was)
 * in one line, "TLS handshake failed: ..." when in_handshake; sets *peer_closed
 * when the server closed the connection. Clears this thread's OpenSSL error queue.
 */
void client_tls_describe_failure(SSL *ssl, int code, int saved_errno, int in_handshake,
                                 int *peer_closed, char *err, size_t err_size);

/* The connection's TLS session (client.c), for signing with its key (client_sign.c). */
SSL *client_ssl(struct spona_client *client);

#endif
