/*
 * Password hashing with scrypt (OpenSSL's EVP_PBE_scrypt): a 16-byte random
 * salt, N = 2^log2_n, r = 8, p = 1, 32-byte key. Stored form:
 *   $scrypt$ln=15,r=8,p=1$<salt, base64>$<key, base64>
 * Verification reads the parameters from the stored form, so the cost can be
 * raised without invalidating old hashes. Never logs or keeps the password.
 */
#ifndef SPONA_PASSWORD_H
#define SPONA_PASSWORD_H

#include <stddef.h>

#define PASSWORD_HASH_MAX 160
#define PASSWORD_MIN_LOG2_N 10
#define PASSWORD_MAX_LOG2_N 20

/* Hashes into out (PASSWORD_HASH_MAX bytes). Returns 0, or -1 on bad cost or KDF failure. */
int password_hash(const char *password, int log2_n, char out[PASSWORD_HASH_MAX]);

/* Returns 1 when the password matches, 0 when not, -1 when the stored form is malformed. */
int password_verify(const char *password, const char *stored);

/*
 * The stored form of password under the parameters and salt of settings (a stored
 * form without its key: "$scrypt$ln=15,r=8,p=1$<salt>$"), for the database to compare
 * with the hash it keeps (sql/017). Returns 0, or -1 when settings are malformed.
 */
int password_hash_with(const char *password, const char *settings, char out[PASSWORD_HASH_MAX]);

/* Burns the same time as a verification, for unknown users (same answer, same delay). */
void password_verify_dummy(const char *password, int log2_n);

#endif
