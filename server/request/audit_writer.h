/*
 * The audit writer: one thread with its own database connection that appends the
 * audit records of many read requests in one call and one commit (group commit,
 * sql/057's spona_audit_append_batch) and only then sends each of those requests'
 * answers home. A request whose batch failed gets an error, never its answer.
 * Writes do not come here: their records commit with their changes (pipeline.c).
 */
#ifndef SPONA_AUDIT_WRITER_H
#define SPONA_AUDIT_WRITER_H

#include <stddef.h>

#include "config.h"
#include "job.h"

/* Most records' jobs taken into one batch. */
#define AUDIT_WRITER_BATCH_MAX 256

struct audit_writer;

/* Opens the connection and starts the thread; NULL and err on failure. */
struct audit_writer *audit_writer_start(const struct server_config *config, char *err,
                                        size_t err_size);

/*
 * Queues job, whose answer is packed in job->frame and whose records wait in
 * job->audit_batch (audit_batch_json): the writer frees them and calls
 * job->complete(job) once they are committed, or after replacing the frame with an
 * error when they could not be. Thread-safe.
 */
void audit_writer_submit(struct audit_writer *writer, struct job *job);

/* Appends what is queued, stops the thread, closes the connection, frees the writer. */
void audit_writer_stop(struct audit_writer *writer);

#endif
