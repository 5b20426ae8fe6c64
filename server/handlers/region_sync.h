/*
 * The sync engine at the region (docs/region.md, "Streams" and "Batches"): the
 * municipality's sync identity (a `sync` certificate of the registry, found by its
 * fingerprint), and SyncHello, SyncPull, SyncPush. The engine knows streams only
 * as rows of its table (name, direction, producer or applier): `crl` (down) and
 * `audit_heads` (up, region_ledger.c) so far.
 */
#ifndef SPONA_REGION_SYNC_H
#define SPONA_REGION_SYNC_H

#include "region_pipeline.h"

/* Identifies the job's installation by its certificate's SHA-256 among the registry's
 * valid sync certificates: OK (role sync, the municipality's id), or UNAUTHENTICATED. */
spona_status region_sync_identify(struct request_context *ctx);

#endif
