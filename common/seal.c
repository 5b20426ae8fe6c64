/*
 * Sealed packages: signed, then encrypted for one recipient (see seal.h).
 */
#include "seal.h"

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reason: what failed, and OpenSSL's first error if it left one. */
static int failed(char *err, size_t err_size, const char *what)
{
    unsigned long code = ERR_peek_error();
    char detail[160] = "";
    if (code != 0)
        ERR_error_string_n(code, detail, sizeof(detail));
    ERR_clear_error();
    if (err != NULL && err_size > 0)
        snprintf(err, err_size, "%s%s%s", what, detail[0] ? ": " : "", detail);
    return -1;
}

/* The DER of cms into a malloc'd buffer; 0 or -1. */
static int cms_der(CMS_ContentInfo *cms, uint8_t **out, size_t *out_length)
{
    unsigned char *der = NULL;
    int length = i2d_CMS_ContentInfo(cms, &der);
    if (length <= 0)
        return -1;
    *out = malloc((size_t)length);
    if (*out != NULL)
        memcpy(*out, der, (size_t)length);
    OPENSSL_free(der);
    *out_length = (size_t)length;
    return *out != NULL ? 0 : -1;
}

/* The payload signed by signer, as SignedData DER. */
static int sign_payload(const uint8_t *payload, size_t length, X509 *signer, EVP_PKEY *key,
                        uint8_t **out, size_t *out_length)
{
    BIO *in = BIO_new_mem_buf(payload, (int)length);
    CMS_ContentInfo *signed_data =
        in != NULL ? CMS_sign(signer, key, NULL, in, CMS_BINARY | CMS_NOSMIMECAP) : NULL;
    int result = signed_data != NULL ? cms_der(signed_data, out, out_length) : -1;
    CMS_ContentInfo_free(signed_data);
    BIO_free(in);
    return result;
}

int seal_package(const uint8_t *payload, size_t length, X509 *signer, EVP_PKEY *signer_key,
                 X509 *recipient, uint8_t **out, size_t *out_length, char *err,
                 size_t err_size)
{
    *out = NULL;
    *out_length = 0;
    if (length > SEAL_MAX_BYTES)
        return failed(err, err_size, "the package is too large to seal");
    if (X509_check_private_key(signer, signer_key) != 1)
        return failed(err, err_size, "the signer's key does not match its certificate");
    uint8_t *inner = NULL;
    size_t inner_length = 0;
    if (sign_payload(payload, length, signer, signer_key, &inner, &inner_length) != 0)
        return failed(err, err_size, "cannot sign the package");
    STACK_OF(X509) *recipients = sk_X509_new_null();
    BIO *in = BIO_new_mem_buf(inner, (int)inner_length);
    CMS_ContentInfo *envelope = NULL;
    if (recipients != NULL && in != NULL && sk_X509_push(recipients, recipient) > 0)
        envelope = CMS_encrypt(recipients, in, EVP_aes_256_gcm(), CMS_BINARY);
    int result = envelope != NULL ? cms_der(envelope, out, out_length) : -1;
    CMS_ContentInfo_free(envelope);
    BIO_free(in);
    sk_X509_free(recipients);
    free(inner);
    if (result != 0)
        return failed(err, err_size, "cannot encrypt the package for its recipient");
    return 0;
}

/* The bytes of a memory BIO into a malloc'd buffer; 0 or -1. */
static int bio_bytes(BIO *bio, uint8_t **out, size_t *out_length)
{
    char *data = NULL;
    long size = BIO_get_mem_data(bio, &data);
    if (size < 0)
        return -1;
    *out = malloc(size > 0 ? (size_t)size : 1);
    if (*out == NULL)
        return -1;
    if (size > 0)
        memcpy(*out, data, (size_t)size);
    *out_length = (size_t)size;
    return 0;
}

/* Decrypts the envelope for recipient into the SignedData DER. */
static int open_envelope(const uint8_t *sealed, size_t length, X509 *recipient,
                         EVP_PKEY *key, uint8_t **inner, size_t *inner_length)
{
    const unsigned char *cursor = sealed;
    CMS_ContentInfo *envelope = d2i_CMS_ContentInfo(NULL, &cursor, (long)length);
    if (envelope == NULL || cursor != sealed + length) {
        CMS_ContentInfo_free(envelope);
        return -1;
    }
    BIO *out = BIO_new(BIO_s_mem());
    int ok = out != NULL && CMS_decrypt(envelope, key, recipient, NULL, out, CMS_BINARY) == 1 &&
             bio_bytes(out, inner, inner_length) == 0;
    BIO_free(out);
    CMS_ContentInfo_free(envelope);
    return ok ? 0 : -1;
}

/* 1 when signer's chain ends at a CA of trusted (with the store's own flags, e.g. CRLs). */
static int signer_trusted(X509 *signer, X509_STORE *trusted)
{
    X509_STORE_CTX *context = X509_STORE_CTX_new();
    int ok = context != NULL && X509_STORE_CTX_init(context, trusted, signer, NULL) == 1 &&
             X509_verify_cert(context) == 1;
    X509_STORE_CTX_free(context);
    return ok;
}

/* Verifies SignedData against trusted: the payload and the signer's common name. */
static int verify_signed(const uint8_t *inner, size_t length, X509_STORE *trusted,
                         uint8_t **payload, size_t *payload_length, char signer_cn[SEAL_CN_MAX])
{
    const unsigned char *cursor = inner;
    CMS_ContentInfo *signed_data = d2i_CMS_ContentInfo(NULL, &cursor, (long)length);
    if (signed_data == NULL || cursor != inner + length) {
        CMS_ContentInfo_free(signed_data);
        return -1;
    }
    /* the signature here, the signer's chain below: CMS_verify would also demand an
     * S/MIME purpose, and the signers are TLS client certificates of installations */
    BIO *out = BIO_new(BIO_s_mem());
    int ok = out != NULL && CMS_verify(signed_data, NULL, trusted, NULL, out,
                                       CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) == 1;
    STACK_OF(X509) *signers = ok ? CMS_get0_signers(signed_data) : NULL;
    ok = ok && signers != NULL && sk_X509_num(signers) == 1 &&
         signer_trusted(sk_X509_value(signers, 0), trusted) &&
         X509_NAME_get_text_by_NID(X509_get_subject_name(sk_X509_value(signers, 0)),
                                   NID_commonName, signer_cn, SEAL_CN_MAX) > 0 &&
         bio_bytes(out, payload, payload_length) == 0;
    sk_X509_free(signers);
    BIO_free(out);
    CMS_ContentInfo_free(signed_data);
    return ok ? 0 : -1;
}

int seal_open(const uint8_t *sealed, size_t length, X509 *recipient, EVP_PKEY *recipient_key,
              X509_STORE *trusted, uint8_t **payload, size_t *payload_length,
              char signer_cn[SEAL_CN_MAX], char *err, size_t err_size)
{
    *payload = NULL;
    *payload_length = 0;
    signer_cn[0] = '\0';
    if (length == 0 || length > SEAL_MAX_BYTES + 65536u)
        return failed(err, err_size, "not a sealed package of an acceptable size");
    uint8_t *inner = NULL;
    size_t inner_length = 0;
    if (open_envelope(sealed, length, recipient, recipient_key, &inner, &inner_length) != 0)
        return failed(err, err_size, "the package is not for this recipient, or was changed");
    int result = verify_signed(inner, inner_length, trusted, payload, payload_length,
                               signer_cn);
    free(inner);
    if (result != 0) {
        free(*payload);
        *payload = NULL;
        *payload_length = 0;
        signer_cn[0] = '\0';
        return failed(err, err_size, "the package's signature does not verify");
    }
    return 0;
}
