/*
 * What the client library keeps between connections of one process: one TLS
 * context per configuration (CA file, certificate, key: loading them costs
 * milliseconds of CPU per connection otherwise) and, per server, the TLS
 * sessions the server gave us, so the next connection resumes instead of
 * making a full mutual-TLS handshake. A context is built again when one of its
 * files changed on disk (path, inode, size or modification time differ).
 *
 * TLS 1.3 sessions arrive after the handshake (NewSessionTicket, read with the
 * first response) and are good for one resumption each: a connection takes
 * the newest kept session of its server out of the pool, and the tickets the
 * server sends on it go back in. At most CLIENT_SESSIONS_PER_SERVER are kept.
 * One mutex guards everything; it is held for list walks, never for I/O.
 */
#include "client_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CLIENT_SESSIONS_PER_SERVER 8
#define CLIENT_CONTEXT_FILES 3

/* A file as it was when the context was built. */
struct client_file_stamp {
    char *path; /* NULL: not given */
    dev_t device;
    ino_t inode;
    off_t size;
    struct timespec modified;
};

/* The sessions kept for one server (host, port and name checked) of one context. */
struct client_session_pool {
    struct client_session_pool *next;
    char *server; /* "host\nport\nname" */
    SSL_SESSION *kept[CLIENT_SESSIONS_PER_SERVER]; /* oldest first */
    int count;
};

struct client_context_entry {
    struct client_context_entry *next;
    struct client_file_stamp files[CLIENT_CONTEXT_FILES]; /* CA, certificate, key */
    SSL_CTX *ctx;
    struct client_session_pool *pools;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct client_context_entry *cache_entries;

/* Reads the stamp of path (NULL is a stamp too). -1 when the file cannot be seen. */
static int stamp_read(const char *path, struct client_file_stamp *out)
{
    memset(out, 0, sizeof(*out));
    if (path == NULL)
        return 0;
    struct stat info;
    if (stat(path, &info) != 0)
        return -1;
    out->device = info.st_dev;
    out->inode = info.st_ino;
    out->size = info.st_size;
    out->modified = info.st_mtim;
    return 0;
}

static int stamp_equal(const struct client_file_stamp *a, const char *path,
                       const struct client_file_stamp *b)
{
    if ((a->path == NULL) != (path == NULL))
        return 0;
    if (path != NULL && strcmp(a->path, path) != 0)
        return 0;
    return a->device == b->device && a->inode == b->inode && a->size == b->size &&
           a->modified.tv_sec == b->modified.tv_sec && a->modified.tv_nsec == b->modified.tv_nsec;
}

static void pool_free(struct client_session_pool *pool)
{
    for (int i = 0; i < pool->count; i++)
        SSL_SESSION_free(pool->kept[i]);
    free(pool->server);
    free(pool);
}

/* Drops the cache's hold on an entry; connections using its context keep theirs. */
static void entry_free(struct client_context_entry *entry)
{
    while (entry->pools != NULL) {
        struct client_session_pool *pool = entry->pools;
        entry->pools = pool->next;
        pool_free(pool);
    }
    for (int i = 0; i < CLIENT_CONTEXT_FILES; i++)
        free(entry->files[i].path);
    SSL_CTX_free(entry->ctx);
    free(entry);
}

static struct client_context_entry *entry_of_ctx(SSL_CTX *ctx)
{
    for (struct client_context_entry *entry = cache_entries; entry != NULL; entry = entry->next)
        if (entry->ctx == ctx)
            return entry;
    return NULL;
}

static struct client_session_pool *pool_find(struct client_context_entry *entry,
                                             const char *server)
{
    for (struct client_session_pool *pool = entry->pools; pool != NULL; pool = pool->next)
        if (strcmp(pool->server, server) == 0)
            return pool;
    return NULL;
}

/* OpenSSL hands over a new session (a ticket arrived): keep it for the next connection. */
static int client_cache_new_session(SSL *ssl, SSL_SESSION *session)
{
    const char *server = SSL_get_app_data(ssl);
    if (server == NULL || !SSL_SESSION_is_resumable(session))
        return 0;
    int kept = 0;
    pthread_mutex_lock(&cache_lock);
    struct client_context_entry *entry = entry_of_ctx(SSL_get_SSL_CTX(ssl));
    struct client_session_pool *pool = entry != NULL ? pool_find(entry, server) : NULL;
    if (entry != NULL && pool == NULL && (pool = calloc(1, sizeof(*pool))) != NULL) {
        pool->server = strdup(server);
        if (pool->server == NULL) {
            free(pool);
            pool = NULL;
        } else {
            pool->next = entry->pools;
            entry->pools = pool;
        }
    }
    if (pool != NULL) {
        if (pool->count == CLIENT_SESSIONS_PER_SERVER) { /* the oldest makes room */
            SSL_SESSION_free(pool->kept[0]);
            memmove(pool->kept, pool->kept + 1, sizeof(pool->kept[0]) * (size_t)(pool->count - 1));
            pool->count--;
        }
        pool->kept[pool->count++] = session;
        kept = 1;
    }
    pthread_mutex_unlock(&cache_lock);
    return kept; /* 1: the reference is ours now */
}

/* The context for these files: the cached one, or a new one. Caller holds cache_lock. */
static SSL_CTX *context_lookup(const char *const paths[CLIENT_CONTEXT_FILES],
                               const struct client_file_stamp stamps[CLIENT_CONTEXT_FILES])
{
    struct client_context_entry **link = &cache_entries;
    while (*link != NULL) {
        struct client_context_entry *entry = *link;
        int same_paths = 1, same_files = 1;
        for (int i = 0; i < CLIENT_CONTEXT_FILES; i++) {
            const char *cached = entry->files[i].path;
            same_paths &= (cached == NULL) == (paths[i] == NULL) &&
                          (cached == NULL || strcmp(cached, paths[i]) == 0);
            same_files &= stamp_equal(&entry->files[i], paths[i], &stamps[i]);
        }
        if (same_files) {
            SSL_CTX_up_ref(entry->ctx);
            return entry->ctx;
        }
        if (same_paths) { /* a file changed on disk: forget the old context */
            *link = entry->next;
            entry_free(entry);
            continue;
        }
        link = &entry->next;
    }
    return NULL;
}

/* Keeps ctx for later connections; on failure it is simply not cached. Holds cache_lock. */
static void context_remember(SSL_CTX *ctx, const char *const paths[CLIENT_CONTEXT_FILES],
                             const struct client_file_stamp stamps[CLIENT_CONTEXT_FILES])
{
    struct client_context_entry *entry = calloc(1, sizeof(*entry));
    if (entry == NULL)
        return;
    for (int i = 0; i < CLIENT_CONTEXT_FILES; i++) {
        entry->files[i] = stamps[i];
        entry->files[i].path = paths[i] != NULL ? strdup(paths[i]) : NULL;
        if (paths[i] != NULL && entry->files[i].path == NULL) {
            entry_free(entry);
            return;
        }
    }
    SSL_CTX_up_ref(ctx);
    entry->ctx = ctx;
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, client_cache_new_session);
    entry->next = cache_entries;
    cache_entries = entry;
}

SSL_CTX *client_cache_context(const struct spona_client_options *options, char *err,
                              size_t err_size)
{
    const char *key = options->key_file != NULL ? options->key_file : options->cert_file;
    const char *paths[CLIENT_CONTEXT_FILES] = {options->ca_file, options->cert_file, key};
    struct client_file_stamp stamps[CLIENT_CONTEXT_FILES];
    int cacheable = !(options->tls_reuse & SPONA_CLIENT_FRESH_CONTEXT);
    for (int i = 0; i < CLIENT_CONTEXT_FILES; i++)
        if (stamp_read(paths[i], &stamps[i]) != 0)
            cacheable = 0; /* building it says what is wrong with the file */
    if (!cacheable)
        return client_tls_context_new(options, err, err_size);
    pthread_mutex_lock(&cache_lock);
    SSL_CTX *ctx = context_lookup(paths, stamps);
    pthread_mutex_unlock(&cache_lock);
    if (ctx != NULL)
        return ctx;
    ctx = client_tls_context_new(options, err, err_size); /* slow: outside the lock */
    if (ctx == NULL)
        return NULL;
    pthread_mutex_lock(&cache_lock);
    SSL_CTX *raced = context_lookup(paths, stamps); /* another thread built it meanwhile */
    if (raced == NULL)
        context_remember(ctx, paths, stamps);
    pthread_mutex_unlock(&cache_lock);
    if (raced != NULL) {
        SSL_CTX_free(ctx);
        return raced;
    }
    return ctx;
}

char *client_cache_server_key(const char *host, const char *port, const char *name)
{
    size_t length = strlen(host) + strlen(port) + strlen(name) + 3;
    char *key = malloc(length);
    if (key != NULL)
        snprintf(key, length, "%s\n%s\n%s", host, port, name);
    return key;
}

void client_cache_offer_session(SSL *ssl, char *server, int offer)
{
    SSL_SESSION *session = NULL;
    SSL_set_app_data(ssl, server); /* where client_cache_new_session keeps its tickets */
    pthread_mutex_lock(&cache_lock);
    struct client_context_entry *entry = entry_of_ctx(SSL_get_SSL_CTX(ssl));
    struct client_session_pool *pool = entry != NULL ? pool_find(entry, server) : NULL;
    if (offer && pool != NULL && pool->count > 0)
        session = pool->kept[--pool->count]; /* the newest; each is good for one resumption */
    pthread_mutex_unlock(&cache_lock);
    if (session != NULL) {
        (void)SSL_set_session(ssl, session); /* takes its own reference */
        SSL_SESSION_free(session);
    }
}

void client_cache_clear(void)
{
    pthread_mutex_lock(&cache_lock);
    while (cache_entries != NULL) {
        struct client_context_entry *entry = cache_entries;
        cache_entries = entry->next;
        entry_free(entry);
    }
    pthread_mutex_unlock(&cache_lock);
}
