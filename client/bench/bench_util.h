/*
 * What the request benchmarks share (spona-search-bench, spona-report-bench):
 * options from flags or the environment, numbers in a range, a loopback-only
 * server address, connecting and logging in, and latency figures (nearest-rank
 * percentiles).
 */
#ifndef SPONA_BENCH_UTIL_H
#define SPONA_BENCH_UTIL_H

#include <stddef.h>

/* The flag's value, else the environment variable's; NULL when neither is set. */
const char *bench_option_or_env(const char *value, const char *variable);

/* text as a number in [min, max], or -1 after saying "PROGRAM: WHAT must be MIN..MAX". */
long bench_parse_long(const char *program, const char *text, long min, long max,
                      const char *what);

/* HOST:PORT into host and port; the host must be a loopback address (or localhost).
 * 0, or -1 after saying why on stderr. */
int bench_loopback_server(const char *program, const char *server, char *host,
                          size_t host_size, char *port, size_t port_size);

struct spona_client;

/* A connection to host:port with the CA, certificate and key files, logged in as user;
 * NULL after saying why on stderr ("PROGRAM: ..."). */
struct spona_client *bench_connect_login(const char *program, const char *host,
                                         const char *port, const char *ca_file,
                                         const char *cert_file, const char *key_file,
                                         const char *user, const char *password);

/* qsort comparison of doubles, ascending. */
int bench_compare_latency(const void *a, const void *b);

/* The nearest-rank percentile (fraction 0.5 for p50) of sorted[0..count). */
double bench_nearest_rank(const double *sorted, long count, double fraction);

/* Seconds on the monotonic clock. */
double bench_now_seconds(void);

#endif
