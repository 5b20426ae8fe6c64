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

/* The parameters and salt at the start of a stored form. 0, or -1 when malformed. */
struct password_settings {
    int log2_n, r, p, salt_len;
    unsigned char salt[64];
    const char *rest; /* what follows the salt's '$' */
};

static int password_parse(const char *stored, struct password_settings *out)
{
    int consumed = 0;
    if (sscanf(stored, "$scrypt$ln=%d,r=%d,p=%d$%n", &out->log2_n, &out->r, &out->p,
               &consumed) != 3 ||
        consumed == 0)
        return -1;
    if (out->log2_n < PASSWORD_MIN_LOG2_N || out->log2_n > PASSWORD_MAX_LOG2_N || out->r < 1 ||
        out->r > 32 || out->p < 1 || out->p > 16)
        return -1;
    const char *salt64 = stored + consumed;
    const char *dollar = strchr(salt64, '$');
    if (dollar == NULL)
        return -1;
    out->salt_len = base64_decode(salt64, (size_t)(dollar - salt64), out->salt,
                                  sizeof(out->salt));
    out->rest = dollar + 1;
    return out->salt_len < 8 ? -1 : 0;
}

int password_verify(const char *password, const char *stored)
{
    struct password_settings settings;
    if (password_parse(stored, &settings) != 0)
        return -1;
    unsigned char expected[64], actual[64];
    int key_len = base64_decode(settings.rest, strlen(settings.rest), expected, sizeof(expected));
    if (key_len < 16)
        return -1;
    if (scrypt_derive(password, settings.salt, (size_t)settings.salt_len, settings.log2_n,
                      settings.r, settings.p, actual, (size_t)key_len) != 0)
        return -1;
    int match = CRYPTO_memcmp(actual, expected, (size_t)key_len) == 0;
    OPENSSL_cleanse(actual, sizeof(actual));
    return match;
}

int password_hash_with(const char *password, const char *settings, char out[PASSWORD_HASH_MAX])
{
    struct password_settings parsed;
    if (password_parse(settings, &parsed) != 0 || parsed.rest[0] != '\0')
        return -1;
    unsigned char key[KEY_BYTES];
    char key64[((KEY_BYTES + 2) / 3) * 4 + 1];
    if (scrypt_derive(password, parsed.salt, (size_t)parsed.salt_len, parsed.log2_n, parsed.r,
                      parsed.p, key, sizeof(key)) != 0)
        return -1;
    EVP_EncodeBlock((unsigned char *)key64, key, sizeof(key));
    OPENSSL_cleanse(key, sizeof(key));
    int written = snprintf(out, PASSWORD_HASH_MAX, "%s%s", settings, key64);
    return written > 0 && written < PASSWORD_HASH_MAX ? 0 : -1;
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
