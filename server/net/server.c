/*
 * Running the server: set up TLS, the worker pool and the io threads, then
 * wait for signals in the main thread (SIGHUP reloads TLS files, SIGTERM and
 * SIGINT stop gracefully) and tear everything down in order.
 */
#include "server_run.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "institution_count.h"
#include "io_thread.h"
#include "log.h"
#include "refusal_log.h"
#include "tls.h"
#include "worker.h"

static int write_pid_file(const char *path)
{
    if (path[0] == '\0')
        return 0;
    FILE *file = fopen(path, "w");
    if (file == NULL) {
        log_error("cannot write pid file %s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(file, "%ld\n", (long)getpid());
    fclose(file);
    return 0;
}

static int io_thread_count(const struct server_config *config)
{
    if (config->io_threads > 0)
        return config->io_threads;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (int)cores : 1;
}

/* Waits for signals; returns when asked to stop. */
static void server_wait_for_signals(struct server *server, const sigset_t *signals)
{
    for (;;) {
        int signal_number = 0;
        if (sigwait(signals, &signal_number) != 0)
            continue;
        if (signal_number == SIGHUP) {
            char err[512];
            if (tls_context_reload(server->tls, &server->config, err, sizeof(err)) == 0)
                log_info("SIGHUP: reloaded certificate, key, CA bundle and CRL");
            else
                log_error("SIGHUP: reload failed, keeping the old TLS settings: %s", err);
            continue;
        }
        log_info("%s: stopping; finishing requests in flight (grace %d s)",
                 signal_number == SIGTERM ? "SIGTERM" : "SIGINT",
                 server->config.shutdown_grace_seconds);
        return;
    }
}

/* TLS context, database workers and io threads (not started). 0, or -1 logged. */
static int server_prepare(struct server *server)
{
    char err[512];
    if (evthread_use_pthreads() != 0) {
        log_error("libevent has no pthreads support");
        return -1;
    }
    server->refusals = refusal_log_new();
    server->institutions = institution_count_new();
    if (server->refusals == NULL || server->institutions == NULL) {
        log_error("out of memory");
        return -1;
    }
    server->tls = tls_context_new(&server->config, err, sizeof(err));
    if (server->tls == NULL) {
        log_error("%s", err);
        return -1;
    }
    server->workers = worker_pool_start(&server->config, server->config.workers, err,
                                        sizeof(err));
    if (server->workers == NULL) {
        log_error("%s", err);
        return -1;
    }
    server->io_thread_count = io_thread_count(&server->config);
    server->io_threads = calloc((size_t)server->io_thread_count, sizeof(*server->io_threads));
    if (server->io_threads == NULL)
        return -1;
    for (int i = 0; i < server->io_thread_count; i++) {
        if (io_thread_init(&server->io_threads[i], server, i, err, sizeof(err)) != 0) {
            log_error("%s", err);
            server->io_thread_count = i + 1;
            return -1;
        }
    }
    return 0;
}

/* Frees what server_prepare made, after the io threads have stopped. */
static void server_release(struct server *server)
{
    worker_pool_stop(server->workers); /* runs what is queued, then stops */
    if (server->io_threads != NULL) {
        for (int i = 0; i < server->io_thread_count; i++)
            io_thread_cleanup(&server->io_threads[i]);
        free(server->io_threads);
    }
    tls_context_free(server->tls);
    institution_count_free(server->institutions);
    refusal_log_free(server->refusals);
}

int server_run(const struct server_config *config)
{
    int status = 1;
    int started = 0;
    int pid_written = 0;
    struct server *server = calloc(1, sizeof(*server));
    if (server == NULL)
        return 1;
    server->config = *config;

    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGHUP);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, NULL); /* inherited by every thread we start */
    signal(SIGPIPE, SIG_IGN);

    if (server_prepare(server) == 0) {
        /* before the first connection is served: whoever sees an answer sees the pid file */
        pid_written = write_pid_file(server->config.pid_file) == 0 &&
                      server->config.pid_file[0] != '\0';
        for (; started < server->io_thread_count; started++)
            if (io_thread_start(&server->io_threads[started]) != 0) {
                log_error("cannot start io thread %d", started);
                break;
            }
    }
    if (started > 0 && started == server->io_thread_count) {
        log_info("spona-server %s listening on %s:%s (%d io threads, %d database workers)",
                 SPONA_VERSION, server->config.listen_host, server->config.listen_port,
                 server->io_thread_count, server->config.workers);
        server_wait_for_signals(server, &signals);
        status = 0;
    }
    for (int i = 0; i < started; i++)
        io_thread_request_stop(&server->io_threads[i]);
    for (int i = 0; i < started; i++)
        pthread_join(server->io_threads[i].thread, NULL);
    server_release(server);
    if (pid_written)
        unlink(server->config.pid_file);
    free(server);
    libevent_global_shutdown();
    if (status == 0)
        log_info("stopped");
    return status;
}
