/*
 * The clauses of a protocol version as ProtocolClause messages (docs/protocol.md,
 * protocol_show), so that clients print the protocol in their own language.
 */
#ifndef SPONA_PROTOCOL_CLAUSES_H
#define SPONA_PROTOCOL_CLAUSES_H

#include "policy.h"
#include "spona.pb-c.h"

/* Appends policy's clauses to answer->clauses: 0, or -1 out of memory. */
int protocol_clauses_view(const struct policy *policy, Spona__V1__ProtocolShowResponse *answer);

#endif
