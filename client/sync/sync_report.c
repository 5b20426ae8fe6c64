/*
 * The reconciliation report of a spona-sync run (see sync_report.h).
 */
#include "sync_report.h"

#include <stdio.h>
#include <stdlib.h>

int sync_report_exit_code(enum sync_outcome outcome)
{
    switch (outcome) {
    case SYNC_OK:
        return SYNC_EXIT_OK;
    case SYNC_REJECTED:
        return SYNC_EXIT_DATAERR;
    case SYNC_TRANSPORT:
        return SYNC_EXIT_TEMPFAIL;
    case SYNC_LOCAL:
        break;
    }
    return SYNC_EXIT_LOCAL;
}

static const char *report_result(enum sync_outcome outcome)
{
    switch (outcome) {
    case SYNC_OK:
        return "every stream in step";
    case SYNC_REJECTED:
        return "a batch was refused (not retried)";
    case SYNC_TRANSPORT:
        return "the region unreachable or the window ended: retry later";
    case SYNC_LOCAL:
        break;
    }
    return "a local error";
}

int sync_report_format(const struct sync_counts *counts, int attempts,
                       enum sync_outcome outcome, char *out, size_t out_size)
{
    size_t used = 0;
    int n = snprintf(out, out_size, "%-14s %-9s %8s %8s %8s %8s %8s  %s\n", "stream",
                     "direction", "sent", "received", "applied", "already", "rejected",
                     "balanced");
    for (size_t i = 0; n >= 0 && (size_t)n < out_size - used && sync_streams[i].name; i++) {
        used += (size_t)n;
        const struct sync_counts *c = &counts[i];
        unsigned long moved = sync_streams[i].direction == SYNC_DOWN ? c->received : c->sent;
        n = snprintf(out + used, out_size - used, "%-14s %-9s %8lu %8lu %8lu %8lu %8lu  %s\n",
                     sync_streams[i].name, sync_streams[i].direction == SYNC_DOWN ? "down" : "up",
                     c->sent, c->received, c->applied, c->already, c->rejected,
                     moved == c->applied + c->already + c->rejected ? "yes" : "NO");
    }
    if (n < 0 || (size_t)n >= out_size - used)
        return -1;
    used += (size_t)n;
    n = snprintf(out + used, out_size - used, "attempts %d; result: %s (exit %d)\n", attempts,
                 report_result(outcome), sync_report_exit_code(outcome));
    return n >= 0 && (size_t)n < out_size - used ? 0 : -1;
}

uint8_t *sync_report_status(const struct sync_counts *counts, int attempts, long long started,
                            long long finished, int exit_code, size_t *length)
{
    size_t n = sync_stream_count();
    Spona__V1__SyncStreamCounts *lines = calloc(n + 1, sizeof(*lines));
    Spona__V1__SyncStreamCounts **pointers = calloc(n + 1, sizeof(*pointers));
    Spona__V1__SyncStatus status = SPONA__V1__SYNC_STATUS__INIT;
    uint8_t *packed = NULL;
    if (lines != NULL && pointers != NULL) {
        for (size_t i = 0; i < n; i++) {
            spona__v1__sync_stream_counts__init(&lines[i]);
            lines[i].stream = (char *)(uintptr_t)sync_streams[i].name;
            lines[i].direction = sync_streams[i].direction == SYNC_DOWN ? "down" : "up";
            lines[i].sent = counts[i].sent;
            lines[i].received = counts[i].received;
            lines[i].applied = counts[i].applied;
            lines[i].already_applied = counts[i].already;
            lines[i].rejected = counts[i].rejected;
            pointers[i] = &lines[i];
        }
        status.started_at = started;
        status.finished_at = finished;
        status.exit_code = (uint32_t)exit_code;
        status.attempts = (uint32_t)attempts;
        status.n_streams = n;
        status.streams = pointers;
        *length = spona__v1__sync_status__get_packed_size(&status);
        packed = malloc(*length + 1);
        if (packed != NULL)
            spona__v1__sync_status__pack(&status, packed);
    }
    free(lines);
    free(pointers);
    return packed;
}
