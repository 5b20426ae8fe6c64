/*
 * Login rate limits (see login_limit.h): three tables of token buckets behind
 * one mutex. A table is a plain array searched by a hash of the key and then
 * the key itself; it is small (LOGIN_LIMIT_BUCKETS) and searched only on login.
 */
#include "login_limit.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOGIN_LIMIT_BUCKETS 4096
#define LOGIN_LIMIT_KEY 192 /* an institution id, a newline and a username of up to 128 bytes */

struct bucket {
    uint64_t hash;
    double tokens;
    double updated; /* seconds, monotonic */
    int used;
    long refused; /* attempts refused since it last let one through */
    char key[LOGIN_LIMIT_KEY];
};

struct bucket_table {
    double per_second;
    double capacity; /* a minute's attempts */
    struct bucket *buckets;
};

struct login_limit {
    pthread_mutex_t lock; /* guards every table */
    struct bucket_table tables[3]; /* address, institution, user */
};

static double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static uint64_t key_hash(const char *key)
{
    uint64_t hash = 1469598103934665603u; /* FNV-1a; the key itself is compared too */
    for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++)
        hash = (hash ^ *p) * 1099511628211u;
    return hash;
}

static void bucket_refill(const struct bucket_table *table, struct bucket *bucket, double now)
{
    bucket->tokens += (now - bucket->updated) * table->per_second;
    if (bucket->tokens > table->capacity)
        bucket->tokens = table->capacity;
    bucket->updated = now;
}

/* The bucket of key, refilled to now; a new (full) one when there is none. */
static struct bucket *bucket_find(struct bucket_table *table, const char *key, double now)
{
    uint64_t hash = key_hash(key);
    struct bucket *free_slot = NULL, *fullest = NULL;
    for (int i = 0; i < LOGIN_LIMIT_BUCKETS; i++) {
        struct bucket *bucket = &table->buckets[i];
        if (!bucket->used) {
            if (free_slot == NULL)
                free_slot = bucket;
            continue;
        }
        if (bucket->hash == hash && strcmp(bucket->key, key) == 0) {
            bucket_refill(table, bucket, now);
            return bucket;
        }
        if (fullest == NULL ||
            bucket->tokens + (now - bucket->updated) * table->per_second >
                fullest->tokens + (now - fullest->updated) * table->per_second)
            fullest = bucket;
    }
    struct bucket *bucket = free_slot != NULL ? free_slot : fullest;
    bucket->used = 1;
    bucket->hash = hash;
    bucket->tokens = table->capacity;
    bucket->updated = now;
    bucket->refused = 0;
    snprintf(bucket->key, sizeof(bucket->key), "%s", key);
    return bucket;
}

struct login_limit *login_limit_new(int per_address, int per_institution, int per_user)
{
    struct login_limit *limit = calloc(1, sizeof(*limit));
    if (limit == NULL)
        return NULL;
    pthread_mutex_init(&limit->lock, NULL);
    int per_minute[3] = {per_address, per_institution, per_user};
    for (int i = 0; i < 3; i++) {
        struct bucket_table *table = &limit->tables[i];
        table->capacity = per_minute[i] > 0 ? per_minute[i] : 1;
        table->per_second = table->capacity / 60.0;
        table->buckets = calloc(LOGIN_LIMIT_BUCKETS, sizeof(*table->buckets));
        if (table->buckets == NULL) {
            login_limit_free(limit);
            return NULL;
        }
    }
    return limit;
}

void login_limit_free(struct login_limit *limit)
{
    if (limit == NULL)
        return;
    for (int i = 0; i < 3; i++)
        free(limit->tables[i].buckets);
    pthread_mutex_destroy(&limit->lock);
    free(limit);
}

enum login_limit_scope login_limit_take(struct login_limit *limit, const char *address,
                                        const char *institution_id, const char *username,
                                        int *retry_seconds, long *refused)
{
    char user_key[LOGIN_LIMIT_KEY];
    snprintf(user_key, sizeof(user_key), "%s\n%s", institution_id, username);
    const char *keys[3] = {address, institution_id, user_key};
    struct bucket *buckets[3];
    pthread_mutex_lock(&limit->lock);
    double now = now_seconds();
    for (int i = 0; i < 3; i++) {
        buckets[i] = bucket_find(&limit->tables[i], keys[i], now);
        if (buckets[i]->tokens < 1.0) {
            double wait = (1.0 - buckets[i]->tokens) / limit->tables[i].per_second;
            *refused = ++buckets[i]->refused;
            pthread_mutex_unlock(&limit->lock);
            int seconds = (int)wait;
            *retry_seconds = seconds < wait ? seconds + 1 : seconds > 0 ? seconds : 1;
            return (enum login_limit_scope)(LOGIN_LIMIT_ADDRESS + i);
        }
    }
    for (int i = 0; i < 3; i++) {
        buckets[i]->tokens -= 1.0;
        buckets[i]->refused = 0;
    }
    pthread_mutex_unlock(&limit->lock);
    return LOGIN_LIMIT_OK;
}

void login_limit_address(const char *peer, char *out, size_t out_size)
{
    const char *end;
    if (peer[0] == '[') {
        peer++;
        end = strchr(peer, ']');
    } else {
        end = strrchr(peer, ':');
    }
    size_t length = end != NULL ? (size_t)(end - peer) : strlen(peer);
    char host[INET6_ADDRSTRLEN + 1];
    snprintf(host, sizeof(host), "%.*s", (int)length, peer);
    unsigned char v6[16];
    char network[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET6, host, v6) == 1) {
        /* one IPv6 host is given a /64: its addresses are one bucket */
        memset(v6 + 8, 0, 8);
        if (inet_ntop(AF_INET6, v6, network, sizeof(network)) != NULL) {
            snprintf(out, out_size, "%s/64", network);
            return;
        }
    }
    snprintf(out, out_size, "%s", host);
}
