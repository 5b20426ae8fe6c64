/*
 * The audit-chain ledger at the region (docs/region.md): the applier of the
 * `audit_heads` up stream. Per lane (sql/035's lanes: seqs increase with gaps, the
 * links prove completeness), the first new link must follow the head the region
 * holds and each link the previous one, ending at the reported head;
 * otherwise `history_rewritten` is raised and the region keeps the head it had.
 * A municipality's report that its own verification failed raises it too.
 */
#ifndef SPONA_REGION_LEDGER_H
#define SPONA_REGION_LEDGER_H

#include "request.h"

/* Applies one audit_heads payload for municipality_id inside the request's transaction.
 * OK (alarms raised are part of it), INVALID_ARGUMENT (undecodable: nothing written), or
 * a database error. */
spona_status region_ledger_apply(struct request_context *ctx, const char *municipality_id,
                                 const uint8_t *payload, size_t length);

/* Raises an alarm (kind: history_rewritten, bad_signature, seq_conflict, not_reporting). */
spona_status region_alarm(struct request_context *ctx, const char *municipality_id,
                          const char *kind, const char *detail);

#endif
