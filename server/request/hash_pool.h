/*
 * The hashing pool: a few threads, apart from the database workers, that run
 * the slow step of a job (a login's scrypt), so that a flood of logins never
 * holds a database worker and other users' requests keep being answered.
 *
 * A worker reserves a place (hash_pool_reserve) before a login starts; when
 * none is left the login is refused at once, never queued without bound. The
 * handler then leaves its step in job->deferred, the worker hands the job here
 * (hash_pool_submit), a hashing thread runs the step and gives the job back to
 * the worker queue (the done callback), where the handler finishes it.
 */
#ifndef SPONA_HASH_POOL_H
#define SPONA_HASH_POOL_H

#include <stddef.h>

#include "job.h"

/* The slow step of a job; embedded first in the handler's own state. */
struct job_deferred {
    void (*run)(struct job_deferred *self); /* on a hashing thread; no database */
};

struct hash_pool;

/* Called on a hashing thread with a job whose step has run: hands it back to a worker. */
typedef void (*hash_pool_done)(void *arg, struct job *job);

/*
 * Starts threads (at least 1) that take at most threads + queue_max jobs at a
 * time (running or waiting). NULL and err on failure.
 */
struct hash_pool *hash_pool_start(int threads, int queue_max, hash_pool_done done, void *arg,
                                  char *err, size_t err_size);

/* Takes a place for one job: 0, or -1 when every place is taken or the pool is stopping. */
int hash_pool_reserve(struct hash_pool *pool);

/* Gives back a place reserved and not used. */
void hash_pool_release(struct hash_pool *pool);

/* Queues a job (job->deferred set) on a place reserved for it. Thread-safe. */
void hash_pool_submit(struct hash_pool *pool, struct job *job);

/* The number of threads for a configured count (0: half the cores, at least 1). */
int hash_pool_threads(int configured);

/* Refuses new places from now on, runs every job reserved or queued, stops the threads. */
void hash_pool_stop(struct hash_pool *pool);

/* Frees a stopped pool (NULL: nothing). */
void hash_pool_free(struct hash_pool *pool);

#endif
