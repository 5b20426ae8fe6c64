/*
 * The worker pool: threads that each own one database connection and run the
 * jobs io threads hand them (request_run), then send each job home with
 * job->complete() (the io thread's io_thread_complete). Jobs are taken in FIFO order by whichever worker is free.
 */
#ifndef SPONA_WORKER_H
#define SPONA_WORKER_H

#include <stddef.h>

#include "config.h"
#include "job.h"

/* Opens `count` database connections and starts the threads; NULL and err on failure. */
struct worker_pool *worker_pool_start(const struct server_config *config, int count, char *err,
                                      size_t err_size);

/* Queues a job. Thread-safe. */
void worker_pool_submit(struct worker_pool *pool, struct job *job);

/* Runs what is queued, stops the threads, closes the connections, frees the pool. */
void worker_pool_stop(struct worker_pool *pool);

#endif
