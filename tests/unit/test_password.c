/*
 * Unit tests of password hashing (server/admin/password.c): hash then verify, salts
 * that differ, malformed stored forms, and cost parameters taken from the
 * stored form rather than from the caller. Uses log2_n 10 to stay fast; one
 * hand-made stored form (computed here with OpenSSL's scrypt) checks that r and
 * p are read too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "password.h"

#define FAST 10

static void test_hash_then_verify(void **state)
{
    char stored[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("correct horse battery staple", FAST, stored), 0);
    assert_int_equal(password_verify("correct horse battery staple", stored), 1);
    assert_int_equal(password_verify("correct horse battery stapl", stored), 0);
    assert_int_equal(password_verify("Correct horse battery staple", stored), 0);
    assert_int_equal(password_verify("", stored), 0);
}

static void test_non_ascii_and_empty_passwords(void **state)
{
    char stored[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("šifra-Ђурђевдан-ž", FAST, stored), 0);
    assert_int_equal(password_verify("šifra-Ђурђевдан-ž", stored), 1);
    assert_int_equal(password_verify("sifra-Đurđevdan-z", stored), 0);

    assert_int_equal(password_hash("", FAST, stored), 0);
    assert_int_equal(password_verify("", stored), 1);
    assert_int_equal(password_verify(" ", stored), 0);
}

static void test_stored_form(void **state)
{
    char stored[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("x", FAST, stored), 0);
    assert_int_equal(strncmp(stored, "$scrypt$ln=10,r=8,p=1$", 22), 0);
    assert_true(strlen(stored) < PASSWORD_HASH_MAX);
}

static void test_salts_differ(void **state)
{
    char first[PASSWORD_HASH_MAX], second[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("same password", FAST, first), 0);
    assert_int_equal(password_hash("same password", FAST, second), 0);
    assert_string_not_equal(first, second);
    /* the salt part itself differs, not only the key */
    const char *salt1 = strchr(first + 8, '$');
    const char *salt2 = strchr(second + 8, '$');
    assert_non_null(salt1);
    assert_non_null(salt2);
    assert_true(strncmp(salt1, salt2, 24) != 0);
    assert_int_equal(password_verify("same password", first), 1);
    assert_int_equal(password_verify("same password", second), 1);
}

static void test_hash_refuses_bad_cost(void **state)
{
    char stored[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("x", PASSWORD_MIN_LOG2_N - 1, stored), -1);
    assert_int_equal(password_hash("x", PASSWORD_MAX_LOG2_N + 1, stored), -1);
    assert_int_equal(password_hash("x", -3, stored), -1);
}

static void test_malformed_stored_forms(void **state)
{
    char good[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("pw", FAST, good), 0);
    const char *salt = strchr(good + 22 - 1, '$') + 1;
    const char *key = strchr(salt, '$') + 1;
    char salt64[64];
    snprintf(salt64, sizeof(salt64), "%.*s", (int)(key - 1 - salt), salt);

    char buffer[16][PASSWORD_HASH_MAX];
    int n = 0;
    /* wrong cost, or parameters out of range, around a real salt and key */
    snprintf(buffer[n++], PASSWORD_HASH_MAX, "$scrypt$ln=9,r=8,p=1$%s$%s", salt64, key);
    snprintf(buffer[n++], PASSWORD_HASH_MAX, "$scrypt$ln=21,r=8,p=1$%s$%s", salt64, key);
    snprintf(buffer[n++], PASSWORD_HASH_MAX, "$scrypt$ln=10,r=0,p=1$%s$%s", salt64, key);
    snprintf(buffer[n++], PASSWORD_HASH_MAX, "$scrypt$ln=10,r=8,p=0$%s$%s", salt64, key);
    snprintf(buffer[n++], PASSWORD_HASH_MAX, "$scrypt$ln=abc,r=8,p=1$%s$%s", salt64, key);
    snprintf(buffer[n++], PASSWORD_HASH_MAX, "$pbkdf2$ln=10,r=8,p=1$%s$%s", salt64, key);
    /* missing or broken parts */
    snprintf(buffer[n++], PASSWORD_HASH_MAX, "$scrypt$ln=10,r=8,p=1$%s", salt64);
    snprintf(buffer[n++], PASSWORD_HASH_MAX, "$scrypt$ln=10,r=8,p=1$%s$", salt64);
    snprintf(buffer[n++], PASSWORD_HASH_MAX, "$scrypt$ln=10,r=8,p=1$$%s", key);
    snprintf(buffer[n++], PASSWORD_HASH_MAX, "$scrypt$ln=10,r=8,p=1$%s$%s", "!!!!####", key);
    snprintf(buffer[n++], PASSWORD_HASH_MAX, "$scrypt$ln=10,r=8,p=1$%s$%s", salt64, "abc");
    snprintf(buffer[n++], PASSWORD_HASH_MAX, "$scrypt$ln=10,r=8,p=1$QUJD$%s", key);
    snprintf(buffer[n++], PASSWORD_HASH_MAX, "%s", "");
    snprintf(buffer[n++], PASSWORD_HASH_MAX, "%s", "plain text password");
    snprintf(buffer[n++], PASSWORD_HASH_MAX, "%s", "$scrypt$");
    snprintf(buffer[n++], PASSWORD_HASH_MAX, "%s", "$scrypt$ln=10,r=8,p=1");
    for (int i = 0; i < n; i++) {
        int result = password_verify("pw", buffer[i]);
        if (result != -1)
            fail_msg("stored form '%s' gave %d, expected -1", buffer[i], result);
    }
}

/* The cost in the stored form is what verification uses: change it and the key no longer matches. */
static void test_cost_is_read_from_stored_form(void **state)
{
    char stored[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("cost test", 11, stored), 0);
    assert_int_equal(strncmp(stored, "$scrypt$ln=11,", 14), 0);
    assert_int_equal(password_verify("cost test", stored), 1);

    stored[12] = '0'; /* ln=11 -> ln=10 */
    assert_int_equal(strncmp(stored, "$scrypt$ln=10,", 14), 0);
    assert_int_equal(password_verify("cost test", stored), 0);
}

static void base64(const unsigned char *in, int in_len, char *out)
{
    EVP_EncodeBlock((unsigned char *)out, in, in_len);
}

/* A stored form made elsewhere with other r and p (and lengths) verifies. */
static void test_foreign_parameters_verify(void **state)
{
    const char *password = "made elsewhere";
    unsigned char salt[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    unsigned char key[24];
    assert_int_equal(EVP_PBE_scrypt(password, strlen(password), salt, sizeof(salt),
                                    (uint64_t)1 << 10, 4, 2, 64u * 1024 * 1024, key,
                                    sizeof(key)),
                     1);
    char salt64[32], key64[64], stored[PASSWORD_HASH_MAX];
    base64(salt, sizeof(salt), salt64);
    base64(key, sizeof(key), key64);
    snprintf(stored, sizeof(stored), "$scrypt$ln=10,r=4,p=2$%s$%s", salt64, key64);
    assert_int_equal(password_verify(password, stored), 1);
    assert_int_equal(password_verify("made elsewhere!", stored), 0);

    /* the same salt and key claimed with r=8 no longer match */
    snprintf(stored, sizeof(stored), "$scrypt$ln=10,r=8,p=2$%s$%s", salt64, key64);
    assert_int_equal(password_verify(password, stored), 0);
}

static void test_dummy_verification_runs(void **state)
{
    password_verify_dummy("anything", FAST);
    password_verify_dummy("anything", 3); /* out of range: clamped, no crash */
}

/* Login (sql/017): the server hashes with the stored settings, the database compares. */
static void test_hash_with_stored_settings(void **state)
{
    char stored[PASSWORD_HASH_MAX], settings[PASSWORD_HASH_MAX], again[PASSWORD_HASH_MAX];
    assert_int_equal(password_hash("login pw", FAST, stored), 0);
    snprintf(settings, sizeof(settings), "%.*s", (int)(strrchr(stored, '$') + 1 - stored),
             stored);
    assert_int_equal(password_hash_with("login pw", settings, again), 0);
    assert_string_equal(again, stored);
    assert_int_equal(password_hash_with("login pW", settings, again), 0);
    assert_string_not_equal(again, stored);
    /* the whole stored form, or broken settings, are not settings */
    assert_int_equal(password_hash_with("login pw", stored, again), -1);
    assert_int_equal(password_hash_with("login pw", "$scrypt$ln=10,r=8,p=1$", again), -1);
    assert_int_equal(password_hash_with("login pw", "", again), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_then_verify),
        cmocka_unit_test(test_non_ascii_and_empty_passwords),
        cmocka_unit_test(test_stored_form),
        cmocka_unit_test(test_salts_differ),
        cmocka_unit_test(test_hash_refuses_bad_cost),
        cmocka_unit_test(test_malformed_stored_forms),
        cmocka_unit_test(test_cost_is_read_from_stored_form),
        cmocka_unit_test(test_foreign_parameters_verify),
        cmocka_unit_test(test_hash_with_stored_settings),
        cmocka_unit_test(test_dummy_verification_runs),
    };
    return cmocka_run_group_tests_name("password", tests, NULL, NULL);
}
