/*
 * Hashes and signatures of protocol amendments (protocol_signature.h), with
 * OpenSSL. The certificate was verified in the TLS handshake (the CA and the
 * CRL); here only its public key is used.
 */
#include "protocol_signature.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>

int protocol_sha256_hex(const char *data, size_t length, char out[65])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    if (EVP_Digest(data, length, digest, &digest_length, EVP_sha256(), NULL) != 1 ||
        digest_length != 32)
        return -1;
    protocol_hex(digest, digest_length, out);
    return 0;
}

void protocol_hex(const uint8_t *data, size_t length, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < length; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 0x0f];
    }
    out[2 * length] = '\0';
}

int protocol_signature_valid(const uint8_t *certificate, size_t certificate_length,
                             const char *message, size_t message_length,
                             const uint8_t *signature, size_t signature_length)
{
    const unsigned char *in = certificate;
    X509 *cert = d2i_X509(NULL, &in, (long)certificate_length);
    if (cert == NULL)
        return 0;
    EVP_PKEY *key = X509_get0_pubkey(cert);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int valid = 0;
    if (key != NULL && md != NULL) {
        int raw = EVP_PKEY_id(key) == EVP_PKEY_ED25519 || EVP_PKEY_id(key) == EVP_PKEY_ED448;
        valid = EVP_DigestVerifyInit(md, NULL, raw ? NULL : EVP_sha256(), NULL, key) == 1 &&
                EVP_DigestVerify(md, signature, signature_length,
                                 (const unsigned char *)message, message_length) == 1;
    }
    EVP_MD_CTX_free(md);
    X509_free(cert);
    return valid;
}
