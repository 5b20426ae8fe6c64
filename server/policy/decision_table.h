/*
 * The policy as a decision table (docs/access.md, "The decision table"): one row per
 * clause × role × category × action of a parsed protocol version, with the clause's
 * team and consent conditions, for the database's policy_decisions (sql/022) so that
 * spona_decide can answer in SQL as policy_decide does in C. Pure: the rows are made
 * as JSON text here; the caller stores them with DECISION_TABLE_INSERT.
 */
#ifndef SPONA_DECISION_TABLE_H
#define SPONA_DECISION_TABLE_H

#include <stddef.h>

#include "policy.h"

/*
 * Stores the rows $2 (decision_table_json's text) of protocol version $1 (protocols.id);
 * rows already stored are kept (deriving twice is harmless).
 */
#define DECISION_TABLE_INSERT                                                                 \
    "INSERT INTO policy_decisions (protocol_id, municipality_id, version, role, category,"    \
    "                              action, clause, needs_team, needs_consent)"                \
    " SELECT pr.id, pr.municipality_id, pr.version, r.role, r.category, r.action, r.clause,"  \
    "        r.needs_team, r.needs_consent"                                                   \
    "   FROM protocols pr, json_to_recordset($2::json) AS r(role text, category text,"        \
    "        action text, clause integer, needs_team boolean, needs_consent boolean)"          \
    "  WHERE pr.id = $1::uuid"                                                                \
    " ON CONFLICT DO NOTHING"

/* The number of rows policy derives to (one per clause × role × category × action). */
size_t decision_table_count(const struct policy *policy);

/*
 * The rows of policy as a JSON array of objects {role, category, action, clause,
 * needs_team, needs_consent}, names as documents write them. Returns 0 with *out a
 * NUL-terminated string (caller frees), or -1 when out of memory.
 */
int decision_table_json(const struct policy *policy, char **out);

#endif
