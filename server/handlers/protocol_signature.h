/*
 * The cryptography of protocol amendments: the SHA-256 of a version's text and
 * the check of an approval's signature against the certificate the connection
 * presented (docs/policy.md, "Amendments"). No database, no request.
 */
#ifndef SPONA_PROTOCOL_SIGNATURE_H
#define SPONA_PROTOCOL_SIGNATURE_H

#include <stddef.h>
#include <stdint.h>

/* Lower-case hex SHA-256 of data into out. Returns 0, or -1 when OpenSSL fails. */
int protocol_sha256_hex(const char *data, size_t length, char out[65]);

/*
 * 1 when signature is a valid signature of message by the key of the DER certificate
 * (SHA-256 for RSA and EC keys, the message itself for Ed25519/Ed448); 0 when not or
 * when the certificate cannot be read.
 */
int protocol_signature_valid(const uint8_t *certificate, size_t certificate_length,
                             const char *message, size_t message_length,
                             const uint8_t *signature, size_t signature_length);

/* Lower-case hex of data into out (2 * length + 1 bytes). */
void protocol_hex(const uint8_t *data, size_t length, char *out);

#endif
