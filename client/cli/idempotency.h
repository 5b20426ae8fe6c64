/*
 * Idempotency keys of the CLI's writes (docs/cases.md, "Concurrency and
 * retries"): a random UUID v4 per command run, or the one given with
 * --idempotency-key to retry a write whose answer was lost. The server applies
 * a write with a key it has seen (for this user, within 24 hours) only once.
 * Makes and checks keys; never talks to the server.
 */
#ifndef SPONA_CLI_IDEMPOTENCY_H
#define SPONA_CLI_IDEMPOTENCY_H

#include <stddef.h>

/* Text of a UUID and its NUL. */
#define IDEMPOTENCY_KEY_SIZE 37

/*
 * Writes a new random UUID v4 (lower-case hex, 8-4-4-4-12) into key, from
 * /dev/urandom. Returns 0, or -1 with a message in err.
 */
int idempotency_key_new(char key[IDEMPOTENCY_KEY_SIZE], char *err, size_t err_size);

/* Whether text is a UUID (8-4-4-4-12 hex digits, either case). */
int idempotency_key_valid(const char *text);

#endif
