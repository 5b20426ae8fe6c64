/*
 * Sealed packages between municipalities (docs/transfer.md): bytes signed by the sender's
 * installation and encrypted for one receiving municipality's certificate, so that the
 * region, which relays them, can read nothing and change nothing unnoticed.
 *
 * A sealed package is CMS (RFC 5652) in DER: AuthEnvelopedData (AES-256-GCM; the content
 * key agreed with the recipient's EC key, or wrapped with its RSA key) around SignedData
 * (SHA-256, the signer's certificate included) around the payload. Opening checks, in
 * this order: that the package is for this recipient, that it decrypts and authenticates,
 * and that the signature verifies with a certificate issued by the trusted CA; it returns
 * the payload and the signer's common name. Nothing here touches the network or a
 * database.
 */
#ifndef SPONA_SEAL_H
#define SPONA_SEAL_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#define SEAL_MAX_BYTES (64u * 1024u * 1024u) /* a package larger than this is refused */
#define SEAL_CN_MAX 256

/* Seals payload from signer (certificate and key) for recipient. 0 with *out (caller
 * frees) and *out_length, or -1 with a reason in err. */
int seal_package(const uint8_t *payload, size_t length, X509 *signer, EVP_PKEY *signer_key,
                 X509 *recipient, uint8_t **out, size_t *out_length, char *err,
                 size_t err_size);

/* Opens a sealed package as recipient (certificate and key), trusting signers issued by
 * the CAs of trusted. 0 with *payload (caller frees), *payload_length and the signer's
 * common name, or -1 with a reason in err and nothing returned. */
int seal_open(const uint8_t *sealed, size_t length, X509 *recipient, EVP_PKEY *recipient_key,
              X509_STORE *trusted, uint8_t **payload, size_t *payload_length,
              char signer_cn[SEAL_CN_MAX], char *err, size_t err_size);

#endif
