/*
 * Where the CLI gets what a person types: the login password (from
 * --password-file, SPONA_PASSWORD or a no-echo prompt on /dev/tty) and, when
 * none is configured, the user name. A password is never echoed, logged or
 * kept longer than needed: free it with prompt_free_secret.
 */
#ifndef SPONA_CLI_PROMPT_H
#define SPONA_CLI_PROMPT_H

#include <stddef.h>

#define PROMPT_MAX_LINE 4096

/*
 * The password for user: first line of password_file if given, else
 * $SPONA_PASSWORD, else asked on the terminal without echo. Caller frees with
 * prompt_free_secret. NULL with err set on failure (no terminal, unreadable file).
 */
char *prompt_password(const char *password_file, const char *user, char *err, size_t err_size);

/* Asks for the user name on the terminal (echoed). Caller frees. NULL with err set. */
char *prompt_user(char *err, size_t err_size);

/* Wipes and frees a secret. NULL is fine. */
void prompt_free_secret(char *secret);

#endif
