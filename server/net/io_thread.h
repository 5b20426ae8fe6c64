/*
 * Event-loop threads: each owns an event_base, an SO_REUSEPORT listener on
 * the configured address, and the connections accepted on it. Workers send
 * finished jobs back through io_thread_complete.
 */
#ifndef SPONA_IO_THREAD_H
#define SPONA_IO_THREAD_H

#include <stddef.h>

#include "server.h"

/* Creates the event base and binds the listener (in the calling thread). */
int io_thread_init(struct io_thread *io, struct server *server, int index, char *err,
                   size_t err_size);

/* Runs the loop in a new thread. */
int io_thread_start(struct io_thread *io);

/* Asks the thread to stop accepting and drain its connections. Thread-safe. */
void io_thread_request_stop(struct io_thread *io);

/* After the thread and the workers have stopped: free what is left. */
void io_thread_cleanup(struct io_thread *io);

/* Frees a job and what it owns (not its connection). */
void job_free(struct job *job);

/* Called by a worker: hands a finished job back to its io thread. Thread-safe. */
void io_thread_complete(struct job *job);

#endif
