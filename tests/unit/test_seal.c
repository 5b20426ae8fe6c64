/*
 * Unit test of sealed packages (common/seal.c): a package sealed by one municipality's
 * installation for another opens there to the same bytes with the signer's name; it does
 * not open for a third party, nor after any of its bytes changed, nor when its signer is
 * not under the trusted CA, nor when it is not a package at all. The CA and certificates
 * (EC P-256 and RSA, TLS client certificates like the installations') are made here.
 */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "seal.h"

struct party {
    EVP_PKEY *key;
    X509 *certificate;
};

static struct party ca, other_ca, sender, receiver, stranger, rsa_receiver, rogue;

static void add_extension(X509 *certificate, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, certificate, NULL, NULL, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(NULL, &context, nid, value);
    assert_non_null(extension);
    assert_int_equal(X509_add_ext(certificate, extension, -1), 1);
    X509_EXTENSION_free(extension);
}

/* A certificate for cn with key, issued by issuer (NULL: self-signed CA). */
static struct party make_party(const char *cn, EVP_PKEY *key, const struct party *issuer)
{
    static long serial = 1;
    struct party party = {key, X509_new()};
    assert_non_null(party.key);
    X509 *certificate = party.certificate;
    X509_set_version(certificate, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(certificate), serial++);
    X509_gmtime_adj(X509_getm_notBefore(certificate), -3600);
    X509_gmtime_adj(X509_getm_notAfter(certificate), 86400);
    X509_NAME *name = X509_get_subject_name(certificate);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    X509_set_pubkey(certificate, key);
    X509 *issuer_certificate = issuer != NULL ? issuer->certificate : certificate;
    X509_set_issuer_name(certificate, X509_get_subject_name(issuer_certificate));
    if (issuer == NULL) {
        add_extension(certificate, certificate, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(certificate, certificate, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_extension(certificate, issuer_certificate, NID_basic_constraints, "CA:FALSE");
        add_extension(certificate, issuer_certificate, NID_ext_key_usage, "clientAuth");
    }
    assert_true(X509_sign(certificate, issuer != NULL ? issuer->key : key, EVP_sha256()) > 0);
    return party;
}

static int setup(void **state)
{
    (void)state;
    ca = make_party("Spona test region CA", EVP_EC_gen("P-256"), NULL);
    other_ca = make_party("Someone else's CA", EVP_EC_gen("P-256"), NULL);
    sender = make_party("prijedor.csr", EVP_EC_gen("P-256"), &ca);
    receiver = make_party("novigrad.sync", EVP_EC_gen("P-256"), &ca);
    stranger = make_party("banjaluka.sync", EVP_EC_gen("P-256"), &ca);
    rsa_receiver = make_party("kozarac.sync", EVP_RSA_gen(2048), &ca);
    rogue = make_party("prijedor.csr", EVP_EC_gen("P-256"), &other_ca);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    struct party *all[] = {&ca, &other_ca, &sender, &receiver, &stranger, &rsa_receiver, &rogue};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        X509_free(all[i]->certificate);
        EVP_PKEY_free(all[i]->key);
    }
    return 0;
}

static X509_STORE *trusting(const struct party *authority)
{
    X509_STORE *store = X509_STORE_new();
    assert_non_null(store);
    assert_int_equal(X509_STORE_add_cert(store, authority->certificate), 1);
    return store;
}

static const char payload[] = "{\"transfer\": \"PD-2026-0042\", \"identity\": \"Šaćir Đurić\"}";

static void seal_ok(const struct party *by, const struct party *to, uint8_t **sealed,
                    size_t *length)
{
    char err[256] = "";
    if (seal_package((const uint8_t *)payload, sizeof(payload), by->certificate, by->key,
                     to->certificate, sealed, length, err, sizeof(err)) != 0)
        fail_msg("seal: %s", err);
}

static void open_ok(const uint8_t *sealed, size_t length, const struct party *as)
{
    X509_STORE *store = trusting(&ca);
    uint8_t *opened = NULL;
    size_t opened_length = 0;
    char cn[SEAL_CN_MAX], err[256] = "";
    if (seal_open(sealed, length, as->certificate, as->key, store, &opened, &opened_length, cn,
                  err, sizeof(err)) != 0)
        fail_msg("open: %s", err);
    assert_int_equal(opened_length, sizeof(payload));
    assert_memory_equal(opened, payload, sizeof(payload));
    assert_string_equal(cn, "prijedor.csr");
    free(opened);
    X509_STORE_free(store);
}

/* seal_open must refuse, return nothing and say why. */
static void open_refused(const uint8_t *sealed, size_t length, const struct party *as,
                         const struct party *authority, const char *reason)
{
    X509_STORE *store = trusting(authority);
    uint8_t *opened = (uint8_t *)"sentinel";
    size_t opened_length = 99;
    char cn[SEAL_CN_MAX] = "sentinel", err[256] = "";
    assert_int_equal(seal_open(sealed, length, as->certificate, as->key, store, &opened,
                               &opened_length, cn, err, sizeof(err)),
                     -1);
    assert_null(opened);
    assert_int_equal(opened_length, 0);
    assert_string_equal(cn, "");
    if (strstr(err, reason) == NULL)
        fail_msg("'%s' not in '%s'", reason, err);
    X509_STORE_free(store);
}

static void test_sealed_opens_for_its_recipient(void **state)
{
    (void)state;
    uint8_t *sealed = NULL;
    size_t length = 0;
    seal_ok(&sender, &receiver, &sealed, &length);
    /* the payload's text is not readable in the package */
    assert_null(memmem(sealed, length, "PD-2026-0042", 12));
    open_ok(sealed, length, &receiver);
    free(sealed);
    seal_ok(&sender, &rsa_receiver, &sealed, &length);
    open_ok(sealed, length, &rsa_receiver);
    free(sealed);
}

static void test_not_for_others(void **state)
{
    (void)state;
    uint8_t *sealed = NULL;
    size_t length = 0;
    seal_ok(&sender, &receiver, &sealed, &length);
    open_refused(sealed, length, &stranger, &ca, "not for this recipient");
    open_refused(sealed, length, &rsa_receiver, &ca, "not for this recipient");
    free(sealed);
}

static void test_every_changed_byte_refused(void **state)
{
    (void)state;
    uint8_t *sealed = NULL;
    size_t length = 0;
    seal_ok(&sender, &receiver, &sealed, &length);
    /* every byte position in turn (a step keeps the test short on large packages) */
    size_t step = length / 400 + 1;
    for (size_t at = 0; at < length; at += step) {
        sealed[at] ^= 0x01;
        X509_STORE *store = trusting(&ca);
        uint8_t *opened = NULL;
        size_t opened_length = 0;
        char cn[SEAL_CN_MAX], err[256];
        int result = seal_open(sealed, length, receiver.certificate, receiver.key, store,
                               &opened, &opened_length, cn, err, sizeof(err));
        /* a flip in an unauthenticated length or tag byte may still parse to the same
         * content; what must never happen is a different payload coming out */
        if (result == 0) {
            assert_int_equal(opened_length, sizeof(payload));
            assert_memory_equal(opened, payload, sizeof(payload));
            free(opened);
        }
        X509_STORE_free(store);
        sealed[at] ^= 0x01;
    }
    /* cut short, or a byte more */
    open_refused(sealed, length - 1, &receiver, &ca, "not for this recipient, or was changed");
    free(sealed);
}

static void test_signer_must_be_trusted(void **state)
{
    (void)state;
    uint8_t *sealed = NULL;
    size_t length = 0;
    seal_ok(&rogue, &receiver, &sealed, &length);
    open_refused(sealed, length, &receiver, &ca, "signature does not verify");
    free(sealed);
    /* and a trusted sender read with a store that trusts someone else */
    seal_ok(&sender, &receiver, &sealed, &length);
    open_refused(sealed, length, &receiver, &other_ca, "signature does not verify");
    free(sealed);
}

static void test_not_a_package(void **state)
{
    (void)state;
    static const uint8_t junk[] = "-----BEGIN PKCS7-----\nnot really\n";
    open_refused(junk, sizeof(junk), &receiver, &ca, "not for this recipient");
    open_refused(junk, 0, &receiver, &ca, "acceptable size");
    char err[256] = "";
    uint8_t *sealed = NULL;
    size_t length = 0;
    /* a signer whose key is not its certificate's */
    assert_int_equal(seal_package((const uint8_t *)payload, sizeof(payload), sender.certificate,
                                  stranger.key, receiver.certificate, &sealed, &length, err,
                                  sizeof(err)),
                     -1);
    assert_null(sealed);
    assert_non_null(strstr(err, "does not match"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sealed_opens_for_its_recipient),
        cmocka_unit_test(test_not_for_others),
        cmocka_unit_test(test_every_changed_byte_refused),
        cmocka_unit_test(test_signer_must_be_trusted),
        cmocka_unit_test(test_not_a_package),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
