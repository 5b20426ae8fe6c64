/*
 * The sync status at the region (docs/region.md, "Sync status"): the applier of the
 * `sync_status` up stream. Each finished run of a municipality's spona-sync reports
 * its reconciliation report (SyncStatus); the region keeps one row per report in
 * region_sync_runs (sql/region/004), from which the last successful sync, the lag and
 * the failures per municipality are read (the view region_sync_status).
 */
#ifndef SPONA_REGION_STATUS_H
#define SPONA_REGION_STATUS_H

#include "request.h"

/* Applies one sync_status payload (batch seq) for municipality_id inside the request's
 * transaction: OK, INVALID_ARGUMENT (undecodable: nothing written), or a database error. */
spona_status region_status_apply(struct request_context *ctx, const char *municipality_id,
                                 const char *seq, const uint8_t *payload, size_t length);

#endif
