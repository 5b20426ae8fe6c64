/*
 * The clients' session file: where `spona login` (and spona-desktop's sign-in)
 * keeps the session token that later commands resume with. The file is the user's alone (mode 0600 in a
 * 0700 directory) and holds nothing but the token. Knows files, not the server.
 */
#ifndef SPONA_SESSION_FILE_H
#define SPONA_SESSION_FILE_H

#include <stddef.h>

/* Stores token in path, replacing any earlier one atomically. 0, or -1 with err set. */
int session_file_write(const char *path, const char *token, char *err, size_t err_size);

/*
 * Reads the token. Returns 1 with *token set (caller wipes and frees
 * it, e.g. with prompt_free_secret), 0 when there is no (usable) file, -1 with err set.
 */
int session_file_read(const char *path, char **token, char *err, size_t err_size);

/* Deletes the file; a missing file is fine. 0, or -1 with err set. */
int session_file_remove(const char *path, char *err, size_t err_size);

#endif
