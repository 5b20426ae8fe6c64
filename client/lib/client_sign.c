/*
 * Signing with the installation's key: the private key of the client
 * certificate this connection presented. Used to approve a protocol amendment
 * (docs/policy.md, "Amendments"): the server verifies the signature against
 * that same certificate, so only the installation holding the key can approve
 * for its institution. Nothing here sends anything.
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approval.h"
#include "client_internal.h"

int spona_client_sign(struct spona_client *client, const void *data, size_t length,
                      uint8_t **signature, size_t *signature_length, char *err, size_t err_size)
{
    *signature = NULL;
    *signature_length = 0;
    EVP_PKEY *key = SSL_get_privatekey(client_ssl(client));
    if (key == NULL) {
        snprintf(err, err_size, "this connection has no client key to sign with");
        return -1;
    }
    int raw = EVP_PKEY_id(key) == EVP_PKEY_ED25519 || EVP_PKEY_id(key) == EVP_PKEY_ED448;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t size = 0;
    int ok = md != NULL && EVP_DigestSignInit(md, NULL, raw ? NULL : EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestSign(md, NULL, &size, data, length) == 1 &&
             (*signature = malloc(size)) != NULL &&
             EVP_DigestSign(md, *signature, &size, data, length) == 1;
    EVP_MD_CTX_free(md);
    if (!ok) {
        free(*signature);
        *signature = NULL;
        snprintf(err, err_size, "signing with the client key failed");
        return -1;
    }
    *signature_length = size;
    return 0;
}

int spona_client_sha256_hex(const void *data, size_t length, char out[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    if (EVP_Digest(data, length, digest, &digest_length, EVP_sha256(), NULL) != 1 ||
        digest_length != 32)
        return -1;
    for (unsigned int i = 0; i < digest_length; i++) {
        out[2 * i] = digits[digest[i] >> 4];
        out[2 * i + 1] = digits[digest[i] & 0x0f];
    }
    out[64] = '\0';
    return 0;
}

int spona_client_protocol_approval(struct spona_client *client, const char *municipality,
                                   uint32_t version, const char *source, char sha256_hex[65],
                                   uint8_t **signature, size_t *signature_length, char *err,
                                   size_t err_size)
{
    *signature = NULL;
    *signature_length = 0;
    char message[APPROVAL_MESSAGE_MAX];
    if (spona_client_sha256_hex(source, strlen(source), sha256_hex) != 0) {
        snprintf(err, err_size, "SHA-256 failed");
        return -1;
    }
    int length = approval_message(municipality, version, sha256_hex, message, sizeof(message));
    if (length < 0) {
        snprintf(err, err_size, "municipality code too long");
        return -1;
    }
    return spona_client_sign(client, message, (size_t)length, signature, signature_length, err,
                             err_size);
}

char *spona_client_peer_certificate(struct spona_client *client)
{
    X509 *cert = SSL_get1_peer_certificate(client_ssl(client));
    BIO *out = cert != NULL ? BIO_new(BIO_s_mem()) : NULL;
    char *pem = NULL;
    if (out != NULL && PEM_write_bio_X509(out, cert) == 1) {
        char *data;
        long size = BIO_get_mem_data(out, &data);
        pem = size > 0 ? malloc((size_t)size + 1) : NULL;
        if (pem != NULL) {
            memcpy(pem, data, (size_t)size);
            pem[size] = '\0';
        }
    }
    BIO_free(out);
    X509_free(cert);
    return pem;
}
