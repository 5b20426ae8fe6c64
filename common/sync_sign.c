/*
 * The signature of a sync batch (see sync_sign.h): shared by the regional server
 * and spona-sync, so both sides sign and verify the same canonical bytes.
 */
#include "sync_sign.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

static const char sync_tag[] = "spona-sync-v1";

size_t sync_sign_bytes(const char *stream, const char *municipality, uint64_t seq,
                       const uint8_t sha256[32], uint8_t *out)
{
    size_t stream_length = strlen(stream), municipality_length = strlen(municipality);
    if (stream_length > 255 || municipality_length > 255)
        return 0;
    size_t used = 0;
    memcpy(out, sync_tag, sizeof(sync_tag)); /* with its NUL */
    used += sizeof(sync_tag);
    memcpy(out + used, stream, stream_length + 1);
    used += stream_length + 1;
    memcpy(out + used, municipality, municipality_length + 1);
    used += municipality_length + 1;
    for (int i = 7; i >= 0; i--)
        out[used++] = (uint8_t)(seq >> (8 * i));
    memcpy(out + used, sha256, 32);
    return used + 32;
}

int sync_sign(EVP_PKEY *key, const char *stream, const char *municipality, uint64_t seq,
              const uint8_t sha256[32], uint8_t **signature, size_t *signature_length)
{
    uint8_t bytes[SYNC_SIGN_MAX];
    size_t length = sync_sign_bytes(stream, municipality, seq, sha256, bytes);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    *signature = NULL;
    int ok = length > 0 && md != NULL &&
             EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestSign(md, NULL, signature_length, bytes, length) == 1 &&
             (*signature = malloc(*signature_length)) != NULL &&
             EVP_DigestSign(md, *signature, signature_length, bytes, length) == 1;
    EVP_MD_CTX_free(md);
    if (!ok) {
        ERR_clear_error();
        free(*signature);
        *signature = NULL;
    }
    return ok ? 0 : -1;
}

int sync_verify(const char *certificate_pem, const char *stream, const char *municipality,
                uint64_t seq, const uint8_t *payload, size_t payload_length,
                const uint8_t *sha256, size_t sha256_length, const uint8_t *signature,
                size_t signature_length)
{
    uint8_t digest[32];
    if (sha256_length != 32 || SHA256(payload, payload_length, digest) == NULL ||
        CRYPTO_memcmp(digest, sha256, 32) != 0)
        return 0;
    uint8_t bytes[SYNC_SIGN_MAX];
    size_t length = sync_sign_bytes(stream, municipality, seq, sha256, bytes);
    BIO *bio = BIO_new_mem_buf(certificate_pem, -1);
    X509 *cert = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    EVP_PKEY *key = cert != NULL ? X509_get0_pubkey(cert) : NULL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = length > 0 && key != NULL && md != NULL &&
             EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestVerify(md, signature, signature_length, bytes, length) == 1;
    EVP_MD_CTX_free(md);
    X509_free(cert);
    ERR_clear_error();
    return ok;
}
