/*
 * The regional CA's cryptography (see region_ca.h).
 */
#include "region_ca.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SERIAL_BYTES 16

static int load_key(const char *path, EVP_PKEY **key, char *err, size_t err_size)
{
    struct stat info;
    if (stat(path, &info) != 0) {
        snprintf(err, err_size, "[region] ca_key %s: %s", path, strerror(errno));
        return -1;
    }
    if (info.st_mode & (S_IRWXG | S_IRWXO)) {
        snprintf(err, err_size, "[region] ca_key %s may be read by others than the daemon's "
                 "user (chmod 600)", path);
        return -1;
    }
    FILE *file = fopen(path, "r");
    *key = file != NULL ? PEM_read_PrivateKey(file, NULL, NULL, NULL) : NULL;
    if (file != NULL)
        fclose(file);
    if (*key == NULL) {
        snprintf(err, err_size, "[region] ca_key %s: not a readable PEM private key", path);
        return -1;
    }
    return 0;
}

int region_ca_load(const struct server_config *config, struct region_ca *ca, char *err,
                   size_t err_size)
{
    memset(ca, 0, sizeof(*ca));
    FILE *file = fopen(config->region_ca_cert, "r");
    ca->cert = file != NULL ? PEM_read_X509(file, NULL, NULL, NULL) : NULL;
    if (file != NULL)
        fclose(file);
    if (ca->cert == NULL) {
        snprintf(err, err_size, "[region] ca_cert %s: not a readable PEM certificate",
                 config->region_ca_cert);
        return -1;
    }
    if (config->region_ca_key[0] != '\0' &&
        load_key(config->region_ca_key, &ca->key, err, err_size) != 0) {
        region_ca_free(ca);
        return -1;
    }
    if (ca->key != NULL && X509_check_private_key(ca->cert, ca->key) != 1) {
        snprintf(err, err_size, "[region] ca_key is not the key of ca_cert");
        region_ca_free(ca);
        return -1;
    }
    return 0;
}

void region_ca_free(struct region_ca *ca)
{
    X509_free(ca->cert);
    EVP_PKEY_free(ca->key);
    memset(ca, 0, sizeof(*ca));
}

EVP_PKEY *region_csr_key(const uint8_t *pem, size_t length, char *err, size_t err_size)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    X509_REQ *request = bio != NULL ? PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (request == NULL) {
        ERR_clear_error();
        snprintf(err, err_size, "the CSR is not a PEM certificate signing request");
        return NULL;
    }
    EVP_PKEY *key = X509_REQ_get_pubkey(request);
    if (key == NULL || X509_REQ_verify(request, key) != 1) {
        ERR_clear_error();
        EVP_PKEY_free(key);
        X509_REQ_free(request);
        snprintf(err, err_size, "the CSR's signature does not verify with its public key");
        return NULL;
    }
    X509_REQ_free(request);
    return key;
}

static int add_extension(X509 *cert, X509V3_CTX *context, int nid, const char *value)
{
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(NULL, context, nid, value);
    if (extension == NULL)
        return -1;
    int ok = X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
    return ok ? 0 : -1;
}

static int set_serial(X509 *cert)
{
    unsigned char bytes[SERIAL_BYTES];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1)
        return -1;
    bytes[0] = (unsigned char)((bytes[0] & 0x7f) | 0x40); /* positive, full length */
    BIGNUM *number = BN_bin2bn(bytes, sizeof(bytes), NULL);
    int ok = number != NULL && BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert)) != NULL;
    BN_free(number);
    return ok ? 0 : -1;
}

static int set_subject(X509 *cert, const char *common_name, const char *organization,
                       const char *purpose)
{
    X509_NAME *name = X509_get_subject_name(cert);
    const unsigned char *o = (const unsigned char *)organization;
    const unsigned char *ou = (const unsigned char *)purpose;
    const unsigned char *cn = (const unsigned char *)common_name;
    return X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, o, -1, -1, 0) &&
                   X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_UTF8, ou, -1, -1, 0) &&
                   X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0)
               ? 0
               : -1;
}

X509 *region_ca_issue(const struct region_ca *ca, EVP_PKEY *key, const char *common_name,
                      const char *organization, const char *purpose, int days)
{
    if (ca->key == NULL)
        return NULL;
    X509 *cert = X509_new();
    if (cert == NULL)
        return NULL;
    X509V3_CTX context;
    int failed = !X509_set_version(cert, 2) || set_serial(cert) != 0 ||
                 !X509_set_issuer_name(cert, X509_get_subject_name(ca->cert)) ||
                 set_subject(cert, common_name, organization, purpose) != 0 ||
                 X509_gmtime_adj(X509_getm_notBefore(cert), -300) == NULL ||
                 X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 86400L) == NULL ||
                 !X509_set_pubkey(cert, key);
    if (!failed) {
        X509V3_set_ctx(&context, ca->cert, cert, NULL, NULL, 0);
        failed = add_extension(cert, &context, NID_basic_constraints, "critical,CA:FALSE") ||
                 add_extension(cert, &context, NID_key_usage, "critical,digitalSignature") ||
                 add_extension(cert, &context, NID_ext_key_usage, "clientAuth") ||
                 add_extension(cert, &context, NID_subject_key_identifier, "hash") ||
                 add_extension(cert, &context, NID_authority_key_identifier, "keyid:always");
    }
    if (failed || X509_sign(cert, ca->key, EVP_sha256()) <= 0) {
        ERR_clear_error();
        X509_free(cert);
        return NULL;
    }
    return cert;
}

X509 *region_ca_check(const struct region_ca *ca, const uint8_t *pem, size_t length, char *err,
                      size_t err_size)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)length);
    X509 *cert = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    const char *problem = NULL;
    EVP_PKEY *ca_key = X509_get0_pubkey(ca->cert);
    if (cert == NULL)
        problem = "not a PEM certificate";
    else if (X509_check_issued(ca->cert, cert) != X509_V_OK || ca_key == NULL ||
             X509_verify(cert, ca_key) != 1)
        problem = "not signed by the region's CA";
    else if (X509_check_ca(cert) != 0)
        problem = "a CA certificate, not an installation's";
    else if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0 ||
             X509_cmp_current_time(X509_get0_notBefore(cert)) >= 0)
        problem = "outside its validity";
    if (problem == NULL)
        return cert;
    ERR_clear_error();
    X509_free(cert);
    snprintf(err, err_size, "the certificate is %s", problem);
    return NULL;
}

static void time_text(const ASN1_TIME *time, char *out, size_t out_size)
{
    struct tm tm;
    if (ASN1_TIME_to_tm(time, &tm) != 1 || strftime(out, out_size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, out_size, "1970-01-01T00:00:00Z");
}

static char *cert_pem(X509 *cert)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *text = NULL;
    if (bio != NULL && PEM_write_bio_X509(bio, cert) == 1) {
        char *data;
        long length = BIO_get_mem_data(bio, &data);
        text = malloc((size_t)length + 1);
        if (text != NULL) {
            memcpy(text, data, (size_t)length);
            text[length] = '\0';
        }
    }
    BIO_free(bio);
    return text;
}

int region_cert_facts(X509 *cert, struct region_cert_facts *facts)
{
    memset(facts, 0, sizeof(*facts));
    BIGNUM *number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    char *hex = number != NULL ? BN_bn2hex(number) : NULL;
    BN_free(number);
    if (hex == NULL)
        return -1;
    snprintf(facts->serial, sizeof(facts->serial), "%s", hex);
    OPENSSL_free(hex);
    unsigned char digest[32];
    unsigned int digest_length = 0;
    if (X509_digest(cert, EVP_sha256(), digest, &digest_length) != 1 || digest_length != 32)
        return -1;
    for (unsigned i = 0; i < digest_length; i++)
        snprintf(facts->fingerprint + 2 * i, 3, "%02x", digest[i]);
    X509_NAME *subject = X509_get_subject_name(cert);
    X509_NAME_oneline(subject, facts->subject, sizeof(facts->subject));
    if (X509_NAME_get_text_by_NID(subject, NID_commonName, facts->common_name,
                                  sizeof(facts->common_name)) < 0)
        facts->common_name[0] = '\0';
    time_text(X509_get0_notBefore(cert), facts->not_before, sizeof(facts->not_before));
    time_text(X509_get0_notAfter(cert), facts->not_after, sizeof(facts->not_after));
    facts->pem = cert_pem(cert);
    return facts->pem != NULL ? 0 : -1;
}

static int crl_add(X509_CRL *crl, const struct region_revoked *revoked)
{
    BIGNUM *number = NULL;
    X509_REVOKED *entry = X509_REVOKED_new();
    ASN1_TIME *when = ASN1_TIME_set(NULL, (time_t)revoked->revoked_at);
    ASN1_INTEGER *serial = NULL;
    int ok = entry != NULL && when != NULL && BN_hex2bn(&number, revoked->serial) > 0 &&
             (serial = BN_to_ASN1_INTEGER(number, NULL)) != NULL &&
             X509_REVOKED_set_serialNumber(entry, serial) &&
             X509_REVOKED_set_revocationDate(entry, when) && X509_CRL_add0_revoked(crl, entry);
    BN_free(number);
    ASN1_INTEGER_free(serial);
    ASN1_TIME_free(when);
    if (!ok)
        X509_REVOKED_free(entry);
    return ok ? 0 : -1;
}

static char *crl_pem(X509_CRL *crl)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *text = NULL;
    if (bio != NULL && PEM_write_bio_X509_CRL(bio, crl) == 1) {
        char *data;
        long length = BIO_get_mem_data(bio, &data);
        text = malloc((size_t)length + 1);
        if (text != NULL) {
            memcpy(text, data, (size_t)length);
            text[length] = '\0';
        }
    }
    BIO_free(bio);
    return text;
}

char *region_ca_crl(const struct region_ca *ca, long long number,
                    const struct region_revoked *revoked, size_t count, int days)
{
    X509_CRL *crl = ca->key != NULL ? X509_CRL_new() : NULL;
    if (crl == NULL)
        return NULL;
    ASN1_TIME *now = X509_gmtime_adj(NULL, 0);
    ASN1_TIME *next = X509_gmtime_adj(NULL, (long)days * 86400L);
    ASN1_INTEGER *crl_number = ASN1_INTEGER_new();
    int failed = now == NULL || next == NULL || crl_number == NULL ||
                 !X509_CRL_set_version(crl, 1) ||
                 !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) ||
                 !X509_CRL_set1_lastUpdate(crl, now) || !X509_CRL_set1_nextUpdate(crl, next) ||
                 !ASN1_INTEGER_set_int64(crl_number, number) ||
                 !X509_CRL_add1_ext_i2d(crl, NID_crl_number, crl_number, 0, 0);
    for (size_t i = 0; !failed && i < count; i++)
        failed = crl_add(crl, &revoked[i]) != 0;
    char *text = NULL;
    if (!failed && X509_CRL_sort(crl) && X509_CRL_sign(crl, ca->key, EVP_sha256()) > 0)
        text = crl_pem(crl);
    ERR_clear_error();
    ASN1_TIME_free(now);
    ASN1_TIME_free(next);
    ASN1_INTEGER_free(crl_number);
    X509_CRL_free(crl);
    return text;
}

int region_write_file(const char *path, const char *text, char *err, size_t err_size)
{
    char temporary[CONFIG_PATH_MAX + 16];
    snprintf(temporary, sizeof(temporary), "%s.tmp", path);
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    size_t length = strlen(text);
    int ok = fd >= 0 && write(fd, text, length) == (ssize_t)length && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (ok && rename(temporary, path) == 0)
        return 0;
    snprintf(err, err_size, "cannot write %s: %s", path, strerror(errno));
    unlink(temporary);
    return -1;
}
