/*
 * spona-bench's figures per operation: the latencies of the answered requests,
 * the errors, and the report (requests/s, p50/p99/p99.9, max; text or JSON).
 */
#ifndef SPONA_BENCH_OPS_STATS_H
#define SPONA_BENCH_OPS_STATS_H

#include "ops.h"

struct ops_samples {
    double *ms;    /* latency of each answered request, in arrival order */
    long count;
    long capacity;
    long errors;   /* answered with a status other than OK */
};

/* Records one latency; 0, or -1 when out of memory. */
int ops_samples_add(struct ops_samples *samples, double ms);

/* Appends src to dst (latencies and errors); 0, or -1 when out of memory. */
int ops_samples_merge(struct ops_samples *dst, const struct ops_samples *src);

void ops_samples_free(struct ops_samples *samples);

/* What the report says about the run besides the samples. */
struct ops_run {
    const char *server;
    long connections, failed_connections, pipeline, lost;
    double elapsed_seconds;
    int json;
};

/* Sorts the samples and prints one line (or JSON member) per operation that ran,
 * and the total. */
void ops_report(const struct ops_run *run, struct ops_samples samples[OPS_COUNT]);

#endif
