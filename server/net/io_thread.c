/*
 * Event-loop threads (see io_thread.h): accept, completions coming back from
 * workers, graceful stop. The done list is the only thing other threads touch,
 * under done_lock.
 */
#include "io_thread.h"

#include <event2/event.h>
#include <errno.h>
#include <event2/listener.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "log.h"
#include "refusal_log.h"

#define LISTEN_BACKLOG 512
#define JANITOR_INTERVAL_MS 250

void job_free(struct job *job)
{
    if (job == NULL)
        return;
    envelope_free_request(job->request);
    free(job->frame);
    free(job);
}

static struct job *io_thread_take_done(struct io_thread *io)
{
    pthread_mutex_lock(&io->done_lock);
    struct job *jobs = io->done_head;
    io->done_head = io->done_tail = NULL;
    pthread_mutex_unlock(&io->done_lock);
    return jobs;
}

void io_thread_complete(struct job *job)
{
    struct io_thread *io = job->home;
    job->next = NULL;
    pthread_mutex_lock(&io->done_lock);
    if (io->done_tail != NULL)
        io->done_tail->next = job;
    else
        io->done_head = job;
    io->done_tail = job;
    pthread_mutex_unlock(&io->done_lock);
    event_active(io->done_event, EV_READ, 0);
}

static void io_thread_done_cb(evutil_socket_t fd, short what, void *arg)
{
    struct io_thread *io = arg;
    struct job *job = io_thread_take_done(io);
    while (job != NULL) {
        struct job *next = job->next;
        conn_job_done(job);
        job = next;
    }
}

static void io_thread_accept_cb(struct evconnlistener *listener, evutil_socket_t fd,
                                struct sockaddr *address, int address_length, void *arg)
{
    conn_accept(arg, fd, address, address_length);
}

static void io_thread_accept_error_cb(struct evconnlistener *listener, void *arg)
{
    int error = EVUTIL_SOCKET_ERROR();
    log_error("accept failed: %s", evutil_socket_error_to_string(error));
}

/* Periodic: deadlines of handshakes and frames, idle connections, refusal log summaries. */
static void io_thread_janitor_cb(evutil_socket_t fd, short what, void *arg)
{
    struct io_thread *io = arg;
    conn_sweep(io);
    if (io->index == 0)
        refusal_log_flush(io->server->refusals);
}

static void io_thread_grace_cb(evutil_socket_t fd, short what, void *arg)
{
    struct io_thread *io = arg;
    conn_close_all(io);
    event_base_loopbreak(io->base);
}

static void io_thread_shutdown_cb(evutil_socket_t fd, short what, void *arg)
{
    struct io_thread *io = arg;
    if (io->draining)
        return;
    io->draining = 1;
    if (io->listener != NULL) {
        evconnlistener_free(io->listener);
        io->listener = NULL;
    }
    struct timeval grace = {io->server->config.shutdown_grace_seconds, 0};
    evtimer_add(io->grace_timer, &grace);
    conn_drain_all(io);
    if (io->connection_count == 0)
        event_base_loopbreak(io->base);
}

/*
 * SO_REUSEPORT would let us share a port with any other process of the same user
 * and split its clients with it; a plain bind first makes "address in use" an error.
 */
static int io_thread_probe_address(const struct addrinfo *address, char *err, size_t err_size)
{
    evutil_socket_t fd = socket(address->ai_family, SOCK_STREAM, 0);
    if (fd < 0)
        return 0; /* the real bind will say what is wrong */
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)); /* TIME_WAIT is fine */
    int rc = bind(fd, address->ai_addr, address->ai_addrlen);
    int error = EVUTIL_SOCKET_ERROR();
    evutil_closesocket(fd);
    if (rc != 0 && error == EADDRINUSE) {
        snprintf(err, err_size, "address already in use: another process listens there");
        return -1;
    }
    return 0;
}

static int io_thread_listen(struct io_thread *io, char *err, size_t err_size)
{
    const struct server_config *config = &io->server->config;
    struct addrinfo hints, *addresses = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(config->listen_host, config->listen_port, &hints, &addresses);
    if (rc != 0) {
        snprintf(err, err_size, "listen address %s:%s: %s", config->listen_host,
                 config->listen_port, gai_strerror(rc));
        return -1;
    }
    if (io->index == 0 && io_thread_probe_address(addresses, err, err_size) != 0) {
        char reason[256];
        snprintf(reason, sizeof(reason), "%s", err);
        snprintf(err, err_size, "cannot listen on %s:%s: %s", config->listen_host,
                 config->listen_port, reason);
        freeaddrinfo(addresses);
        return -1;
    }
    unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE |
                     LEV_OPT_REUSEABLE_PORT;
    io->listener = evconnlistener_new_bind(io->base, io_thread_accept_cb, io, flags,
                                           LISTEN_BACKLOG, addresses->ai_addr,
                                           (int)addresses->ai_addrlen);
    freeaddrinfo(addresses);
    if (io->listener == NULL) {
        snprintf(err, err_size, "cannot listen on %s:%s: %s", config->listen_host,
                 config->listen_port, evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        return -1;
    }
    evconnlistener_set_error_cb(io->listener, io_thread_accept_error_cb);
    return 0;
}

int io_thread_init(struct io_thread *io, struct server *server, int index, char *err,
                   size_t err_size)
{
    memset(io, 0, sizeof(*io));
    io->server = server;
    io->index = index;
    pthread_mutex_init(&io->done_lock, NULL);
    io->base = event_base_new();
    if (io->base == NULL) {
        snprintf(err, err_size, "cannot create an event base");
        return -1;
    }
    io->done_event = event_new(io->base, -1, 0, io_thread_done_cb, io);
    io->shutdown_event = event_new(io->base, -1, 0, io_thread_shutdown_cb, io);
    io->grace_timer = evtimer_new(io->base, io_thread_grace_cb, io);
    io->janitor = event_new(io->base, -1, EV_PERSIST, io_thread_janitor_cb, io);
    if (io->done_event == NULL || io->shutdown_event == NULL || io->grace_timer == NULL ||
        io->janitor == NULL) {
        snprintf(err, err_size, "cannot create events");
        return -1;
    }
    struct timeval interval = {0, JANITOR_INTERVAL_MS * 1000};
    event_add(io->janitor, &interval);
    return io_thread_listen(io, err, err_size);
}

static void *io_thread_main(void *arg)
{
    struct io_thread *io = arg;
    event_base_loop(io->base, EVLOOP_NO_EXIT_ON_EMPTY);
    return NULL;
}

int io_thread_start(struct io_thread *io)
{
    return pthread_create(&io->thread, NULL, io_thread_main, io) == 0 ? 0 : -1;
}

void io_thread_request_stop(struct io_thread *io)
{
    event_active(io->shutdown_event, EV_READ, 0);
}

void io_thread_cleanup(struct io_thread *io)
{
    struct job *job = io_thread_take_done(io);
    while (job != NULL) {
        struct job *next = job->next;
        conn_job_discard(job);
        job = next;
    }
    conn_close_all(io);
    if (io->listener != NULL)
        evconnlistener_free(io->listener);
    if (io->done_event != NULL)
        event_free(io->done_event);
    if (io->shutdown_event != NULL)
        event_free(io->shutdown_event);
    if (io->grace_timer != NULL)
        event_free(io->grace_timer);
    if (io->janitor != NULL)
        event_free(io->janitor);
    if (io->base != NULL)
        event_base_free(io->base);
    pthread_mutex_destroy(&io->done_lock);
}
