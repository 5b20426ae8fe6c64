/*
 * A client connection: its TLS stream, the frames read from it, its queue of
 * requests (run one at a time, in arrival order), its installation and session.
 * Lives on one io thread and is touched by no other. The connection layer
 * decides nothing about access: it hands requests to dispatch and writes back
 * what comes out.
 */
#ifndef SPONA_CONN_H
#define SPONA_CONN_H

#include <event2/util.h>
#include <sys/socket.h>

#include "server.h"

/* Got a new socket from accept(): wrap it in TLS and start the handshake. */
void conn_accept(struct io_thread *io, evutil_socket_t fd, const struct sockaddr *address,
                 int address_length);

/* A job is back from a worker (or was run inline): apply it and send its response. */
void conn_job_done(struct job *job);

/* Frees a job whose io thread has stopped, and its connection if that was waiting for it. */
void conn_job_discard(struct job *job);

/*
 * Called periodically by the io thread: drops handshakes past their deadline,
 * closes connections with a frame unfinished past frame_timeout_seconds or
 * without a request for idle_timeout_seconds.
 */
void conn_sweep(struct io_thread *io);

/* Server is stopping: each connection finishes what it received, then closes. */
void conn_drain_all(struct io_thread *io);

/* Grace period is over (or the thread is gone): close every connection now. */
void conn_close_all(struct io_thread *io);

#endif
