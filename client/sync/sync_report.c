/*
 * The reconciliation report of a spona-sync run (see sync_report.h).
 */
#include "sync_report.h"

#include <stdio.h>

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
