/*
 * Rate-limited refusal lines (see refusal_log.h). One mutex guards the counts;
 * it is taken once per refusal, which is cheap next to the accept or the TLS
 * work that came before it. Lines are written outside the lock.
 */
#include "refusal_log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"

struct refusal_window {
    time_t started; /* 0: no window open */
    unsigned long counted;
};

struct refusal_log {
    pthread_mutex_t lock;
    struct refusal_window windows[REFUSAL_KIND_COUNT];
};

/* What a summary line says happened, and how loud it is. */
static const struct {
    const char *what;
    enum log_level level;
} refusal_kinds[REFUSAL_KIND_COUNT] = {
    [REFUSAL_OVER_MAX_CONNECTIONS] = {"connections refused over max_connections", LOG_LEVEL_WARN},
    [REFUSAL_SHUTTING_DOWN] = {"connections refused while shutting down", LOG_LEVEL_INFO},
    [REFUSAL_HANDSHAKE_DROPPED] = {"unfinished handshakes dropped to make room (max_handshakes)",
                                   LOG_LEVEL_WARN},
    [REFUSAL_HANDSHAKE_TIMEOUT] = {"handshakes timed out (handshake_timeout_seconds)",
                                   LOG_LEVEL_WARN},
    [REFUSAL_HANDSHAKE_FAILED] = {"TLS handshakes failed", LOG_LEVEL_WARN},
    [REFUSAL_OVER_INSTITUTION] = {"connections refused over max_connections_per_institution",
                                  LOG_LEVEL_WARN},
    [REFUSAL_FRAME_TIMEOUT] = {"connections closed with a frame unfinished "
                               "(frame_timeout_seconds)",
                               LOG_LEVEL_WARN},
    [REFUSAL_IDLE] = {"idle connections closed (idle_timeout_seconds)", LOG_LEVEL_INFO},
    [REFUSAL_BAD_FRAME] = {"connections closed for a bad frame (oversized, empty or undecodable)",
                           LOG_LEVEL_WARN},
};

static time_t refusal_log_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec + 1; /* never 0, which means "no window" */
}

static void refusal_log_summary(enum refusal_kind kind, unsigned long counted, time_t seconds)
{
    log_write(refusal_kinds[kind].level, __func__, "%lu more %s in the last %lld s", counted,
              refusal_kinds[kind].what, (long long)seconds);
}

struct refusal_log *refusal_log_new(void)
{
    struct refusal_log *log = calloc(1, sizeof(*log));
    if (log != NULL)
        pthread_mutex_init(&log->lock, NULL);
    return log;
}

void refusal_log_note(struct refusal_log *log, enum refusal_kind kind, const char *peer,
                      const char *detail)
{
    time_t now = refusal_log_now();
    unsigned long ended_count = 0;
    time_t ended_length = 0;
    int write_line = 0;
    pthread_mutex_lock(&log->lock);
    struct refusal_window *window = &log->windows[kind];
    if (window->started != 0 && now - window->started < REFUSAL_LOG_WINDOW_SECONDS) {
        window->counted++;
    } else {
        ended_count = window->counted;
        ended_length = now - window->started;
        window->started = now;
        window->counted = 0;
        write_line = 1;
    }
    pthread_mutex_unlock(&log->lock);
    if (ended_count > 0)
        refusal_log_summary(kind, ended_count, ended_length);
    if (write_line)
        log_write(refusal_kinds[kind].level, __func__, "%s: %s", peer, detail);
}

void refusal_log_flush(struct refusal_log *log)
{
    time_t now = refusal_log_now();
    unsigned long counted[REFUSAL_KIND_COUNT] = {0};
    time_t length[REFUSAL_KIND_COUNT] = {0};
    pthread_mutex_lock(&log->lock);
    for (int kind = 0; kind < REFUSAL_KIND_COUNT; kind++) {
        struct refusal_window *window = &log->windows[kind];
        if (window->started == 0 || now - window->started < REFUSAL_LOG_WINDOW_SECONDS)
            continue;
        counted[kind] = window->counted;
        length[kind] = now - window->started;
        window->started = 0;
        window->counted = 0;
    }
    pthread_mutex_unlock(&log->lock);
    for (int kind = 0; kind < REFUSAL_KIND_COUNT; kind++)
        if (counted[kind] > 0)
            refusal_log_summary((enum refusal_kind)kind, counted[kind], length[kind]);
}

void refusal_log_free(struct refusal_log *log)
{
    if (log == NULL)
        return;
    time_t now = refusal_log_now();
    for (int kind = 0; kind < REFUSAL_KIND_COUNT; kind++)
        if (log->windows[kind].counted > 0)
            refusal_log_summary((enum refusal_kind)kind, log->windows[kind].counted,
                                now - log->windows[kind].started);
    pthread_mutex_destroy(&log->lock);
    free(log);
}
