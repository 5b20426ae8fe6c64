/*
 * The reconciliation report of a spona-sync run (docs/region.md, "The agent"): per
 * stream sent, received, applied, already applied, rejected; whether each balances
 * (every batch sent or received is applied, already applied or rejected); the exit
 * code for systemd and cron. Printed on stdout and kept in sync_runs.
 */
#ifndef SPONA_SYNC_REPORT_H
#define SPONA_SYNC_REPORT_H

#include <stddef.h>

#include "sync_engine.h"

/* Exit codes (sysexits.h): in step, a batch refused, the region unreachable or the
 * window ended, a local error. */
#define SYNC_EXIT_OK 0
#define SYNC_EXIT_LOCAL 1
#define SYNC_EXIT_DATAERR 65
#define SYNC_EXIT_TEMPFAIL 75

/* The exit code of a run's outcome. */
int sync_report_exit_code(enum sync_outcome outcome);

/* The report as text into out: 0, or -1 when it does not fit. */
int sync_report_format(const struct sync_counts *counts, int attempts,
                       enum sync_outcome outcome, char *out, size_t out_size);

/* The run's report as a serialized SyncStatus (what the next run's sync_status stream
 * sends up); malloc'd, *length set; NULL out of memory. */
uint8_t *sync_report_status(const struct sync_counts *counts, int attempts, long long started,
                            long long finished, int exit_code, size_t *length);

#endif
