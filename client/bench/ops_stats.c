/*
 * spona-bench's figures per operation (see ops_stats.h).
 */
#include "ops_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

static int ops_samples_reserve(struct ops_samples *samples, long more)
{
    if (samples->count + more <= samples->capacity)
        return 0;
    long capacity = samples->capacity > 0 ? samples->capacity : 1024;
    while (capacity < samples->count + more)
        capacity *= 2;
    double *grown = realloc(samples->ms, (size_t)capacity * sizeof(double));
    if (grown == NULL)
        return -1;
    samples->ms = grown;
    samples->capacity = capacity;
    return 0;
}

int ops_samples_add(struct ops_samples *samples, double ms)
{
    if (ops_samples_reserve(samples, 1) != 0)
        return -1;
    samples->ms[samples->count++] = ms;
    return 0;
}

int ops_samples_merge(struct ops_samples *dst, const struct ops_samples *src)
{
    if (src->count > 0 && ops_samples_reserve(dst, src->count) != 0)
        return -1;
    if (src->count > 0)
        memcpy(dst->ms + dst->count, src->ms, (size_t)src->count * sizeof(double));
    dst->count += src->count;
    dst->errors += src->errors;
    return 0;
}

void ops_samples_free(struct ops_samples *samples)
{
    free(samples->ms);
    memset(samples, 0, sizeof(*samples));
}

/* One operation's figures (samples sorted), as text or a JSON member. */
static void ops_report_line(const struct ops_run *run, const char *name,
                            const struct ops_samples *s, int first)
{
    double rate = run->elapsed_seconds > 0 ? (double)s->count / run->elapsed_seconds : 0;
    double p50 = 0, p99 = 0, p999 = 0, max = 0; /* none answered OK: only errors */
    if (s->count > 0) {
        p50 = bench_nearest_rank(s->ms, s->count, 0.50);
        p99 = bench_nearest_rank(s->ms, s->count, 0.99);
        p999 = bench_nearest_rank(s->ms, s->count, 0.999);
        max = s->ms[s->count - 1];
    }
    if (run->json)
        printf("%s\"%s\":{\"requests\":%ld,\"errors\":%ld,\"requests_per_second\":%.1f,"
               "\"latency_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"p99_9\":%.3f,\"max\":%.3f}}",
               first ? "" : ",", name, s->count, s->errors, rate, p50, p99, p999, max);
    else
        printf("%-14s %9ld %7ld %11.1f %9.3f %9.3f %9.3f %9.3f\n", name, s->count, s->errors,
               rate, p50, p99, p999, max);
}

void ops_report(const struct ops_run *run, struct ops_samples samples[OPS_COUNT])
{
    struct ops_samples all;
    memset(&all, 0, sizeof(all));
    for (int op = 0; op < OPS_COUNT; op++) {
        if (samples[op].count > 0) /* qsort wants a real array even for none */
            qsort(samples[op].ms, (size_t)samples[op].count, sizeof(double),
                  bench_compare_latency);
        if (ops_samples_merge(&all, &samples[op]) != 0)
            all.count = 0; /* out of memory: no total line */
    }
    if (all.count > 0)
        qsort(all.ms, (size_t)all.count, sizeof(double), bench_compare_latency);
    if (run->json)
        printf("{\"server\":\"%s\",\"connections\":%ld,\"failed_connections\":%ld,"
               "\"pipeline\":%ld,\"lost\":%ld,\"elapsed_seconds\":%.6f,\"operations\":{",
               run->server, run->connections, run->failed_connections, run->pipeline,
               run->lost, run->elapsed_seconds);
    else
        printf("server %s, %ld connections (failed %ld), pipeline depth %ld, %.3f s, "
               "lost %ld\n%-14s %9s %7s %11s %9s %9s %9s %9s\n",
               run->server, run->connections, run->failed_connections, run->pipeline,
               run->elapsed_seconds, run->lost, "operation", "answered", "errors", "requests/s",
               "p50 ms", "p99 ms", "p99.9 ms", "max ms");
    int first = 1;
    for (int op = 0; op < OPS_COUNT; op++) {
        if (samples[op].count == 0 && samples[op].errors == 0)
            continue;
        ops_report_line(run, ops_name(op), &samples[op], first);
        first = 0;
    }
    if (all.count > 0 || all.errors > 0)
        ops_report_line(run, "all", &all, first);
    if (run->json)
        printf("}}\n");
    ops_samples_free(&all);
}
