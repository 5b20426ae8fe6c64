/*
 * scrypt password hashes (see password.h). The stored form carries its own
 * parameters; comparison is constant-time. Passwords are never copied or logged.
 */
#include "password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SALT_BYTES 16
#define KEY_BYTES 32
#define SCRYPT_R 8
#define SCRYPT_P 1

static int scrypt_derive(const char *password, const unsigned char *salt, size_t salt_len,
                         int log2_n, int r, int p, unsigned char *key, size_t key_len)
{
    uint64_t n = (uint64_t)1 << log2_n;
    /* scrypt needs 128 * r * N bytes; allow twice that */
    uint64_t maxmem = 256u * (uint64_t)r * n + 1024 * 1024;
    return EVP_PBE_scrypt(password, strlen(password), salt, salt_len, n, (uint64_t)r,
                          (uint64_t)p, maxmem, key, key_len) == 1
               ? 0
               : -1;
}

/* Decodes standard padded base64; returns the decoded length or -1. */
static int base64_decode(const char *text, size_t text_len, unsigned char *out, size_t out_cap)
{
    if (text_len == 0 || text_len % 4 != 0 || text_len / 4 * 3 > out_cap)
        return -1;
    int decoded = EVP_DecodeBlock(out, (const unsigned char *)text, (int)text_len);
    if (decoded < 0)
        return -1;
    if (text[text_len - 1] == '=')
        decoded--;
    if (text[text_len - 2] == '=')
        decoded--;
    return decoded;
}

int password_hash(const char *password, int log2_n, char out[PASSWORD_HASH_MAX])
{
    unsigned char salt[SALT_BYTES];
    unsigned char key[KEY_BYTES];
    char salt64[((SALT_BYTES + 2) / 3) * 4 + 1];
    char key64[((KEY_BYTES + 2) / 3) * 4 + 1];

    if (log2_n < PASSWORD_MIN_LOG2_N || log2_n > PASSWORD_MAX_LOG2_N)
        return -1;
    if (RAND_bytes(salt, sizeof(salt)) != 1)
        return -1;
    if (scrypt_derive(password, salt, sizeof(salt), log2_n, SCRYPT_R, SCRYPT_P, key,
                      sizeof(key)) != 0)
        return -1;
    EVP_EncodeBlock((unsigned char *)salt64, salt, sizeof(salt));
    EVP_EncodeBlock((unsigned char *)key64, key, sizeof(key));
    OPENSSL_cleanse(key, sizeof(key));
    int written = snprintf(out, PASSWORD_HASH_MAX, "$scrypt$ln=%d,r=%d,p=%d$%s$%s", log2_n,
                           SCRYPT_R, SCRYPT_P, salt64, key64);
    return written > 0 && written < PASSWORD_HASH_MAX ? 0 : -1;
}

int password_verify(const char *password, const char *stored)
{
    int log2_n, r, p, consumed = 0;
    if (sscanf(stored, "$scrypt$ln=%d,r=%d,p=%d$%n", &log2_n, &r, &p, &consumed) != 3 ||
        consumed == 0)
        return -1;
    if (log2_n < PASSWORD_MIN_LOG2_N || log2_n > PASSWORD_MAX_LOG2_N || r < 1 || r > 32 ||
        p < 1 || p > 16)
        return -1;
    const char *salt64 = stored + consumed;
    const char *dollar = strchr(salt64, '$');
    if (dollar == NULL)
        return -1;
    const char *key64 = dollar + 1;

    unsigned char salt[64], expected[64], actual[64];
    int salt_len = base64_decode(salt64, (size_t)(dollar - salt64), salt, sizeof(salt));
    int key_len = base64_decode(key64, strlen(key64), expected, sizeof(expected));
    if (salt_len < 8 || key_len < 16)
        return -1;
    if (scrypt_derive(password, salt, (size_t)salt_len, log2_n, r, p, actual,
                      (size_t)key_len) != 0)
        return -1;
    int match = CRYPTO_memcmp(actual, expected, (size_t)key_len) == 0;
    OPENSSL_cleanse(actual, sizeof(actual));
    return match;
}

void password_verify_dummy(const char *password, int log2_n)
{
    static const unsigned char salt[SALT_BYTES] = {0};
    unsigned char key[KEY_BYTES];
    if (log2_n < PASSWORD_MIN_LOG2_N || log2_n > PASSWORD_MAX_LOG2_N)
        log2_n = PASSWORD_MIN_LOG2_N;
    (void)scrypt_derive(password, salt, sizeof(salt), log2_n, SCRYPT_R, SCRYPT_P, key,
                        sizeof(key));
    OPENSSL_cleanse(key, sizeof(key));
}
