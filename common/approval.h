/*
 * The text an institution signs to approve a protocol amendment (docs/policy.md,
 * "Amendments"): shared by the client, which signs it with the installation's key,
 * and the server, which verifies it against the connection's certificate. Binding
 * the municipality and version as well as the hash keeps a signature from being
 * replayed for another version or municipality.
 */
#ifndef SPONA_APPROVAL_H
#define SPONA_APPROVAL_H

#include <stddef.h>
#include <stdint.h>

#define APPROVAL_MESSAGE_MAX 256
#define APPROVAL_SIGNATURE_MAX 1024 /* bytes; RSA-4096 needs 512 */

/*
 * Writes "spona-protocol-approval\n<municipality>\n<version>\n<sha256 hex>" into out.
 * Returns its length, or -1 when it does not fit or sha256_hex is not 64 lower-case
 * hex digits.
 */
int approval_message(const char *municipality, uint32_t version, const char *sha256_hex,
                     char *out, size_t out_size);

#endif
