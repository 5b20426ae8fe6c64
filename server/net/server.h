/*
 * The objects shared by the server's threads and the rules of who touches what:
 *
 *   main thread    parses config, binds listeners, starts threads, then waits for
 *                  signals (SIGHUP: tls_reload; SIGTERM/SIGINT: graceful stop).
 *   io threads     one event_base each, with its own SO_REUSEPORT listener; own their
 *                  connections entirely (sockets, TLS, framing, request queues).
 *   worker threads one PostgreSQL connection each; run jobs that need the database
 *                  (or slow CPU work such as scrypt). A worker never touches a
 *                  connection: it reads the snapshot in its job and writes results
 *                  back into the job, which goes home to its io thread.
 */
#ifndef SPONA_SERVER_H
#define SPONA_SERVER_H

#include <pthread.h>
#include <stdint.h>

#include "config.h"
#include "envelope.h"
#include "job.h"

struct event_base;
struct event;
struct evconnlistener;
struct conn;
struct request_kind;
struct tls_context;
struct worker_pool;

struct io_thread {
    struct server *server;
    int index;
    pthread_t thread;
    struct event_base *base;
    struct evconnlistener *listener;
    struct event *done_event;     /* jobs came back from workers */
    struct event *shutdown_event; /* main thread asks us to stop */
    struct event *grace_timer;    /* force-close after the grace period */
    pthread_mutex_t done_lock;    /* guards done_head/done_tail only */
    struct job *done_head, *done_tail;
    struct conn *connections; /* list of live connections */
    int connection_count;
    int draining;
};

struct server {
    struct server_config config;
    struct tls_context *tls;
    struct worker_pool *workers;
    struct io_thread *io_threads;
    int io_thread_count;
};

#endif
