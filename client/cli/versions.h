/*
 * Versions without bookkeeping (docs/cli.md, "Versions"): which record a write's
 * expected version belongs to, the versions an answer shows (remembered in
 * version_store.h), filling a write's expected version from what was last shown or
 * from the server (--fresh), and a CONFLICT told in words (who changed what, when).
 */
#ifndef SPONA_CLI_VERSIONS_H
#define SPONA_CLI_VERSIONS_H

#include "settings.h"
#include "spona_client.h"

/* How a versioned write gets its expected version when --version is not given. */
enum versions_mode {
    VERSIONS_GIVEN = 0,  /* --version N, or not a versioned write: nothing to fill */
    VERSIONS_REMEMBERED, /* the version this CLI last showed or wrote */
    VERSIONS_FRESH,      /* --fresh: the current version, read from the server first */
};

/* Whether request carries an expected version: 1 with *kind ("person", "case", "plan",
 * "referral") and *id (the record's id as the request has it) set, else 0. */
int versions_target(const spona_request *request, const char **kind, const char **id);

/* Remembers the versions an OK answer to request shows (best effort). */
void versions_note(const struct settings *settings, const spona_request *request,
                   const spona_response *response);

/*
 * Puts the expected version into request (its ids already resolved) as mode says.
 * Returns 0, or the exit code after reporting why there is none (nothing remembered:
 * a usage error naming the command that shows the record, or --fresh).
 */
int versions_fill(struct spona_client *client, const struct settings *settings,
                  spona_request *request, enum versions_mode mode);

/* After a refused write: a version conflict's who, when and what, on stderr. */
void versions_explain_conflict(const spona_response *response);

#endif
