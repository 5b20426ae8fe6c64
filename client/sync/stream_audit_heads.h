/*
 * The `audit_heads` stream (up; docs/region.md, "The audit-chain ledger"): per lane of
 * the municipality's audit chain (sql/035) the count, the head hash and the links
 * (seq, prev_hash, hash) of the records added since the last report, no content; and
 * whether the agent's own check of the chain (spona_sync_audit_check, sql/066) failed.
 * A batch holds at most [sync] max_links links (the oldest first, so each lane's links
 * follow on from the last batch); a run with nothing new still reports the heads once,
 * unless a report is waiting in the outbox.
 */
#ifndef SPONA_STREAM_AUDIT_HEADS_H
#define SPONA_STREAM_AUDIT_HEADS_H

#include "sync_engine.h"

int stream_audit_heads_produce(struct sync_run *run);

#endif
