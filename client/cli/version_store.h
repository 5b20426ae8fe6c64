/*
 * The CLI's memory of record versions: the version of each person, case, plan and
 * referral it last showed or wrote, so that a change carries it without the user
 * typing --version (docs/cli.md, "Versions"). Kept in the session state beside the
 * session file ("<session file>.versions", mode 0600), for the user logged in there.
 * Knows files, not the server.
 */
#ifndef SPONA_CLI_VERSION_STORE_H
#define SPONA_CLI_VERSION_STORE_H

#include <stddef.h>
#include <stdint.h>

#define VERSION_STORE_MAX_ENTRIES 2000 /* the oldest are forgotten first */

/* One remembered version: kind "person", "case", "plan" or "referral", and the record's id. */
struct version_entry {
    char kind[16];
    char id[40];
    uint64_t version;
};

/* Whether kind and id are what the store keeps (a known kind, an id of hex digits and '-'). */
int version_store_valid(const char *kind, const char *id);

/* The remembered version of kind/id: 1 with *version set, 0 when none. */
int version_store_get(const char *session_file, const char *kind, const char *id,
                      uint64_t *version);

/* Remembers versions (best effort: a store that cannot be written is left as it was). */
void version_store_put(const char *session_file, const struct version_entry *entries,
                       size_t count);

/* At login as username: keeps the store when it is that user's, else starts it empty. */
void version_store_begin(const char *session_file, const char *username);

/* At logout: forgets everything. */
void version_store_remove(const char *session_file);

#endif
