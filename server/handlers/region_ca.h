/*
 * The regional CA's cryptography (docs/region.md, "Registry"), with OpenSSL:
 * loading the CA (its key only when readable by the daemon alone), taking the
 * public key out of a CSR whose signature verifies, issuing a certificate whose
 * subject, purpose and validity are the region's, checking a certificate signed
 * offline against the CA, the facts the registry stores of a certificate, and a
 * CRL. Nothing here touches the database or a request.
 */
#ifndef SPONA_REGION_CA_H
#define SPONA_REGION_CA_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct region_ca {
    X509 *cert;
    EVP_PKEY *key; /* NULL: offline CA */
};

/* What the registry stores of a certificate. */
struct region_cert_facts {
    char serial[80];         /* hex, upper case */
    char fingerprint[65];    /* SHA-256 of the DER, hex */
    char common_name[128];
    char subject[512];
    char not_before[32];     /* 2026-12-03T10:00:00Z */
    char not_after[32];
    char *pem;               /* heap */
};

/* A revoked serial for a CRL. */
struct region_revoked {
    const char *serial;      /* hex */
    long long revoked_at;    /* unix seconds */
};

/* Loads [region] ca_cert, and ca_key when set (refused when group or others may read it).
 * 0, or -1 with err. */
int region_ca_load(const struct server_config *config, struct region_ca *ca, char *err,
                   size_t err_size);

void region_ca_free(struct region_ca *ca);

/* The public key of a PEM CSR whose own signature verifies; NULL with err otherwise. */
EVP_PKEY *region_csr_key(const uint8_t *pem, size_t length, char *err, size_t err_size);

/* A client certificate for key: subject CN=common_name, O=organization, OU=purpose, valid
 * from now for days, a random serial, signed by the CA's key. NULL on failure. */
X509 *region_ca_issue(const struct region_ca *ca, EVP_PKEY *key, const char *common_name,
                      const char *organization, const char *purpose, int days);

/* A PEM certificate signed by the CA (signature, issuer, not a CA itself, still valid);
 * NULL with err otherwise. */
X509 *region_ca_check(const struct region_ca *ca, const uint8_t *pem, size_t length, char *err,
                      size_t err_size);

/* Fills facts (facts->pem allocated: free it). 0, or -1 out of memory. */
int region_cert_facts(X509 *cert, struct region_cert_facts *facts);

/* A CRL numbered number listing revoked, next update in days, signed by the CA's key, as
 * PEM (caller frees); NULL on failure. */
char *region_ca_crl(const struct region_ca *ca, long long number,
                    const struct region_revoked *revoked, size_t count, int days);

/* Writes text to path atomically (temporary file, fsync, rename). 0, or -1 with err. */
int region_write_file(const char *path, const char *text, char *err, size_t err_size);

#endif
