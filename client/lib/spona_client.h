/*
 * The Spona client library: connect over mutual TLS 1.3 (ALPN "spona/1"),
 * send Request envelopes, receive Response envelopes, pipeline. Used by the
 * CLI, the benchmark, the tests and, later, the desktop client and sync agent.
 * Blocking I/O with a timeout; one struct spona_client per connection, not
 * shared between threads (different connections may be used in different
 * threads). Never raises SIGPIPE: a write to a closed connection is an error.
 * What connections share, TLS contexts and sessions (see tls_reuse below), is
 * kept by the library for the process, thread-safe.
 */
#ifndef SPONA_CLIENT_H
#define SPONA_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"

struct spona_client_options {
    const char *host;         /* server host name or address; NULL: "127.0.0.1" */
    const char *port;         /* service or port number, e.g. "7443"; NULL: "7443" */
    const char *ca_file;      /* CA bundle that issued the server certificate; NULL: system store */
    const char *cert_file;    /* this installation's client certificate (PEM); may be NULL */
    const char *key_file;     /* its private key (PEM); NULL: read from cert_file */
    const char *server_name;  /* name to verify in the server certificate; NULL: host */
    uint32_t max_frame_bytes; /* largest response accepted; 0: 1 MiB */
    int timeout_ms;           /* per read/write wait; 0: 30000 */
    int tls_reuse;            /* 0: reuse (below); or SPONA_CLIENT_* flags turning it off */
};

/*
 * TLS reuse between connections of one process. By default the library keeps
 * one TLS context per configuration (the CA, certificate and key files; built
 * again when one of them changes on disk) and the TLS sessions each server gave
 * (per host, port and server name), and a new connection to the same server
 * offers one, so it resumes with no certificate exchange (spona_client_session_reused).
 * The server still checks the certificate of a resumed session against its CRL.
 * These flags, in options.tls_reuse, turn the reuse off for one connection
 * (the benchmark compares them):
 */
#define SPONA_CLIENT_FULL_HANDSHAKE 1 /* offer no saved session: a full handshake */
#define SPONA_CLIENT_FRESH_CONTEXT 2  /* load the files into a new context, cache nothing */

struct spona_client;

/*
 * Connects and completes the TLS handshake. Returns NULL and a one-line reason
 * in err (e.g. "TLS handshake failed: certificate verify failed") on failure.
 * In TLS 1.3 the server checks the client certificate after the client's side of
 * the handshake is done: a refused certificate shows on the first receive (or
 * call) as "server refused the connection: <TLS alert>", not here.
 */
struct spona_client *spona_client_connect(const struct spona_client_options *options,
                                          char *err, size_t err_size);

/*
 * Sends one request. If request->request_id is 0 a fresh id is assigned (a
 * per-connection counter from 1); the id used is returned (0 on failure, with err
 * set). protocol_version 0 is sent as 1. The request stays the caller's and is
 * left unchanged, so one request struct can be sent many times.
 */
uint64_t spona_client_send(struct spona_client *client, spona_request *request, char *err,
                           size_t err_size);

/*
 * Receives the next response, whatever its id. Caller frees with
 * envelope_free_response. Responses that arrived before the server closed the
 * connection (such as a final one with request_id 0) are returned first; then
 * "server closed the connection". NULL with err set on failure.
 */
spona_response *spona_client_receive(struct spona_client *client, char *err, size_t err_size);

/*
 * Sends a request and waits for the response with its id. Responses with other
 * ids that arrive meanwhile are dropped, so do not mix with pipelined sends.
 * A connection-level error (a response with request_id 0) is returned too, even
 * when the send itself failed because the server had already closed.
 */
spona_response *spona_client_call(struct spona_client *client, spona_request *request,
                                  char *err, size_t err_size);

/*
 * Convenience: login. Returns 0 on OK; otherwise -1 and the server's (or the
 * transport's) message in err. The identity, if wanted, is copied out by the caller
 * from a WhoAmI call.
 */
int spona_client_login(struct spona_client *client, const char *username,
                       const char *password, char *err, size_t err_size);

/* Sends raw bytes (tests use this for malformed frames). Returns 0 or -1. */
int spona_client_send_raw(struct spona_client *client, const void *data, size_t len,
                          char *err, size_t err_size);

/*
 * Signs data with this connection's client key, the installation's (client_sign.c):
 * SHA-256 with RSA or EC keys, the data itself with Ed25519. Returns 0 with
 * *signature malloc'd (caller frees), or -1 with err set.
 */
int spona_client_sign(struct spona_client *client, const void *data, size_t length,
                      uint8_t **signature, size_t *signature_length, char *err, size_t err_size);

/*
 * The certificate the server showed on this connection, as PEM (malloc'd, caller
 * frees), or NULL: spona-sync verifies the region's signed batches with it.
 */
char *spona_client_peer_certificate(struct spona_client *client);

/* Lower-case hex SHA-256 of data into out. 0, or -1 when OpenSSL fails. */
int spona_client_sha256_hex(const void *data, size_t length, char out[65]);

/*
 * The approval of a protocol amendment (docs/policy.md, "Amendments"): hashes
 * source (the version's stored text, as read with protocol show) into sha256_hex
 * and signs the approval message of municipality and version with this
 * connection's client key. The caller sends both in a ProtocolApproveRequest.
 * Returns 0 with *signature malloc'd (caller frees), or -1 with err set.
 */
int spona_client_protocol_approval(struct spona_client *client, const char *municipality,
                                   uint32_t version, const char *source, char sha256_hex[65],
                                   uint8_t **signature, size_t *signature_length, char *err,
                                   size_t err_size);

/*
 * 1 when this connection resumed a TLS session of an earlier connection (no
 * certificates exchanged), 0 after a full handshake.
 */
int spona_client_session_reused(const struct spona_client *client);

/*
 * Forgets the TLS contexts and sessions kept for later connections (open
 * connections keep what they use). The next connection loads its files again
 * and makes a full handshake.
 */
void spona_client_forget_tls(void);

/* Closes the connection (TLS close_notify, then the socket) and frees. NULL is fine. */
void spona_client_close(struct spona_client *client);

#endif
