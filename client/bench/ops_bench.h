/*
 * spona-bench with --op: the operations people do (read a person, read a case,
 * search by name, add a note, a mix) over N logged-in connections, with
 * requests/s and p50/p99/p99.9 per operation (docs/performance.md).
 */
#ifndef SPONA_BENCH_OPS_BENCH_H
#define SPONA_BENCH_OPS_BENCH_H

/* 1 when the command line asks for operations (--op or --ids), not the ping benchmark. */
int ops_bench_wanted(int argc, char **argv);

/* Runs the operations benchmark; the exit code (0 all OK, 1 usage, 2 errors). */
int ops_bench_main(int argc, char **argv);

#endif
