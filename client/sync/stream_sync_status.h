/*
 * The `sync_status` stream (up; docs/region.md, "Sync status"): each finished run's
 * reconciliation report (sync_runs.status, a SyncStatus), sent by the next run, one
 * batch per run, so the region sees the last successful sync, the lag and the failures
 * of every municipality.
 */
#ifndef SPONA_STREAM_SYNC_STATUS_H
#define SPONA_STREAM_SYNC_STATUS_H

#include "sync_engine.h"

int stream_sync_status_produce(struct sync_run *run);

#endif
