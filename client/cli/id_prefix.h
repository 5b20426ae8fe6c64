/*
 * Short ids in the CLI: a case, person, referral or outcome id may be given as a
 * unique prefix of its UUID (at least 4 hex digits) and a case id as its number
 * (PD-2026-0042). Before a request is sent, each of its body's case_id, person_id,
 * referral_id and outcome_id that is a prefix or a number is resolved with id_lookup
 * against what the caller may see (docs/cli.md, "Short ids"), so that the version
 * store, which keeps ids, finds the record however it was named.
 */
#ifndef SPONA_CLI_ID_PREFIX_H
#define SPONA_CLI_ID_PREFIX_H

#include "settings.h"
#include "spona_client.h"

/*
 * Replaces the prefixes in request's body by the full ids (kept in static storage:
 * the CLI sends one request per run). Returns 0, or the exit code after reporting
 * a prefix that matches nothing or more than one id (never listing them).
 */
int id_prefix_resolve(struct spona_client *client, const struct settings *settings,
                      spona_request *request);

#endif
