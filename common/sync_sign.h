/*
 * The signature of a sync batch (docs/region.md, "Batches"): the canonical bytes
 *   "spona-sync-v1\0" || stream || "\0" || municipality || "\0" || seq (8 bytes, big
 *   endian) || payload_sha256
 * signed with SHA-256 by the sender's key and verified with its certificate, over the
 * batch's bytes as received (never a re-serialization). Nothing here touches the
 * database.
 */
#ifndef SPONA_SYNC_SIGN_H
#define SPONA_SYNC_SIGN_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#define SYNC_SIGN_MAX 600 /* canonical bytes: the tag, two names of at most 255, seq, hash */

/* The canonical bytes into out (SYNC_SIGN_MAX); their length, or 0 when a name is too long
 * or holds a NUL. */
size_t sync_sign_bytes(const char *stream, const char *municipality, uint64_t seq,
                       const uint8_t sha256[32], uint8_t *out);

/* Signs: *signature (caller frees) and its length. 0, or -1. */
int sync_sign(EVP_PKEY *key, const char *stream, const char *municipality, uint64_t seq,
              const uint8_t sha256[32], uint8_t **signature, size_t *signature_length);

/* 1 when payload's SHA-256 is sha256 and signature verifies with the PEM certificate's key
 * over the canonical bytes; 0 otherwise. */
int sync_verify(const char *certificate_pem, const char *stream, const char *municipality,
                uint64_t seq, const uint8_t *payload, size_t payload_length,
                const uint8_t *sha256, size_t sha256_length, const uint8_t *signature,
                size_t signature_length);

#endif
