/*
 * Worker threads (see worker.h). The queue is the only state shared with the
 * io threads, guarded by one mutex; everything else a worker touches is its
 * own database connection and the job it holds. The pool also owns what
 * logins share: the login rate limits and the hashing pool, where a login's
 * scrypt runs between its two steps on a worker (hash_pool.h).
 */
#include "worker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "audit_writer.h"
#include "db.h"
#include "hash_pool.h"
#include "log.h"
#include "login_limit.h"
#include "pipeline.h"
#include "statements.h"

struct worker {
    struct worker_pool *pool;
    pthread_t thread;
    struct db db;
    int started;
};

struct worker_pool {
    const struct server_config *config;
    pthread_mutex_t lock; /* guards head, tail, stopping */
    pthread_cond_t ready;
    struct job *head, *tail;
    int stopping;
    int count;
    struct worker *workers;
    struct hash_pool *hashing;
    struct login_limit *login_limit;
    struct audit_writer *audit; /* municipal mode: reads' records in batches */
};

static void *worker_main(void *arg)
{
    struct worker *worker = arg;
    struct worker_pool *pool = worker->pool;
    for (;;) {
        pthread_mutex_lock(&pool->lock);
        while (pool->head == NULL && !pool->stopping)
            pthread_cond_wait(&pool->ready, &pool->lock);
        struct job *job = pool->head;
        if (job == NULL) { /* stopping and nothing left */
            pthread_mutex_unlock(&pool->lock);
            break;
        }
        pool->head = job->next;
        if (pool->head == NULL)
            pool->tail = NULL;
        job->next = NULL;
        pthread_mutex_unlock(&pool->lock);

        job->hash_pool = pool->hashing;
        job->login_limit = pool->login_limit;
        job->audit_writer = pool->audit;
        struct job_deferred *hashed = job->deferred; /* a login back from the hashing pool */
        request_run(job, pool->config, &worker->db);
        if (job->deferred != NULL && job->deferred != hashed) {
            hash_pool_submit(pool->hashing, job); /* a step left: back here when hashed */
        } else if (job->audit_batch != NULL) {
            audit_writer_submit(pool->audit, job); /* home once its records committed */
        } else {
            job->deferred = NULL; /* set only when out of memory kept the step from running */
            job->complete(job);
        }
    }
    return NULL;
}

/* A job back from the hashing pool: queued again for its last step. */
static void worker_pool_resubmit(void *arg, struct job *job)
{
    worker_pool_submit(arg, job);
}

struct worker_pool *worker_pool_start(const struct server_config *config, int count, char *err,
                                      size_t err_size)
{
    struct worker_pool *pool = calloc(1, sizeof(*pool));
    if (pool == NULL)
        goto failed_alloc;
    pool->workers = calloc((size_t)count, sizeof(*pool->workers));
    if (pool->workers == NULL)
        goto failed_alloc;
    pool->config = config;
    pool->count = count;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->ready, NULL);

    for (int i = 0; i < count; i++) {
        struct worker *worker = &pool->workers[i];
        worker->pool = pool;
        const struct db_statement *const *tables =
            config->mode == SERVER_MODE_REGIONAL ? region_statement_tables : statement_tables;
        if (db_open(&worker->db, config->dsn, tables, err, err_size) != 0)
            goto failed;
    }
    pool->login_limit =
        login_limit_new(config->login_attempts_per_address,
                        config->login_attempts_per_institution, config->login_attempts_per_user);
    if (pool->login_limit == NULL) {
        snprintf(err, err_size, "out of memory");
        goto failed;
    }
    if (config->mode != SERVER_MODE_REGIONAL) {
        pool->audit = audit_writer_start(config, err, err_size);
        if (pool->audit == NULL)
            goto failed;
    }
    pool->hashing = hash_pool_start(hash_pool_threads(config->login_hash_threads),
                                    config->login_hash_queue, worker_pool_resubmit, pool, err,
                                    err_size);
    if (pool->hashing == NULL)
        goto failed;
    for (int i = 0; i < count; i++) {
        struct worker *worker = &pool->workers[i];
        if (pthread_create(&worker->thread, NULL, worker_main, worker) != 0) {
            snprintf(err, err_size, "cannot start worker thread");
            goto failed;
        }
        worker->started = 1;
    }
    return pool;

failed:
    worker_pool_stop(pool);
    return NULL;
failed_alloc:
    if (pool != NULL)
        free(pool);
    snprintf(err, err_size, "out of memory");
    return NULL;
}

void worker_pool_submit(struct worker_pool *pool, struct job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&pool->lock);
    if (pool->tail != NULL)
        pool->tail->next = job;
    else
        pool->head = job;
    pool->tail = job;
    pthread_cond_signal(&pool->ready);
    pthread_mutex_unlock(&pool->lock);
}

void worker_pool_stop(struct worker_pool *pool)
{
    if (pool == NULL)
        return;
    /* logins reserved or hashing come back to the queue first; new ones are refused */
    hash_pool_stop(pool->hashing);
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 1;
    pthread_cond_broadcast(&pool->ready);
    pthread_mutex_unlock(&pool->lock);
    for (int i = 0; i < pool->count; i++) {
        if (pool->workers[i].started)
            pthread_join(pool->workers[i].thread, NULL);
        db_close(&pool->workers[i].db);
    }
    audit_writer_stop(pool->audit); /* after the workers: appends what they queued */
    pthread_cond_destroy(&pool->ready);
    pthread_mutex_destroy(&pool->lock);
    hash_pool_free(pool->hashing);
    login_limit_free(pool->login_limit);
    free(pool->workers);
    free(pool);
}
