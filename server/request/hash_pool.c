/*
 * The hashing pool (see hash_pool.h). One mutex guards the queue and the count
 * of places taken; a job holds its place from hash_pool_reserve until its step
 * has run (given back before the job goes back to the worker queue, so a client
 * that retries on the answer finds the place free).
 */
#include "hash_pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct hash_pool {
    pthread_mutex_t lock; /* guards head, tail, taken, stopping */
    pthread_cond_t ready; /* a job was queued, a place given back, or stopping */
    struct job *head, *tail;
    int taken;    /* places reserved: queued, running, or about to be submitted */
    int capacity; /* threads + queue */
    int stopping;
    hash_pool_done done;
    void *done_arg;
    int count;
    pthread_t *threads;
};

static void hash_pool_give_back(struct hash_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->taken--;
    pthread_cond_broadcast(&pool->ready); /* a stopping pool may now be empty */
    pthread_mutex_unlock(&pool->lock);
}

static void *hash_pool_main(void *arg)
{
    struct hash_pool *pool = arg;
    for (;;) {
        pthread_mutex_lock(&pool->lock);
        while (pool->head == NULL && !(pool->stopping && pool->taken == 0))
            pthread_cond_wait(&pool->ready, &pool->lock);
        struct job *job = pool->head;
        if (job == NULL) { /* stopping, nothing reserved or queued */
            pthread_mutex_unlock(&pool->lock);
            break;
        }
        pool->head = job->next;
        if (pool->head == NULL)
            pool->tail = NULL;
        job->next = NULL;
        pthread_mutex_unlock(&pool->lock);

        job->deferred->run(job->deferred);
        hash_pool_give_back(pool); /* before the answer can reach the client */
        pool->done(pool->done_arg, job);
    }
    return NULL;
}

int hash_pool_threads(int configured)
{
    if (configured > 0)
        return configured;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores >= 4 ? (int)(cores / 2) : 1;
}

struct hash_pool *hash_pool_start(int threads, int queue_max, hash_pool_done done, void *arg,
                                  char *err, size_t err_size)
{
    struct hash_pool *pool = calloc(1, sizeof(*pool));
    if (threads < 1)
        threads = 1;
    if (pool == NULL || (pool->threads = calloc((size_t)threads, sizeof(pthread_t))) == NULL) {
        free(pool);
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->ready, NULL);
    pool->capacity = threads + (queue_max > 0 ? queue_max : 0);
    pool->done = done;
    pool->done_arg = arg;
    for (; pool->count < threads; pool->count++) {
        if (pthread_create(&pool->threads[pool->count], NULL, hash_pool_main, pool) != 0) {
            snprintf(err, err_size, "cannot start a password hashing thread");
            hash_pool_stop(pool);
            hash_pool_free(pool);
            return NULL;
        }
    }
    return pool;
}

int hash_pool_reserve(struct hash_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    int ok = !pool->stopping && pool->taken < pool->capacity;
    if (ok)
        pool->taken++;
    pthread_mutex_unlock(&pool->lock);
    return ok ? 0 : -1;
}

void hash_pool_release(struct hash_pool *pool)
{
    hash_pool_give_back(pool);
}

void hash_pool_submit(struct hash_pool *pool, struct job *job)
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

void hash_pool_stop(struct hash_pool *pool)
{
    if (pool == NULL)
        return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 1;
    pthread_cond_broadcast(&pool->ready);
    pthread_mutex_unlock(&pool->lock);
    for (int i = 0; i < pool->count; i++)
        pthread_join(pool->threads[i], NULL);
    pool->count = 0;
}

void hash_pool_free(struct hash_pool *pool)
{
    if (pool == NULL)
        return;
    pthread_cond_destroy(&pool->ready);
    pthread_mutex_destroy(&pool->lock);
    free(pool->threads);
    free(pool);
}
