/*
 * What the network layer sees of the request layer: find a request kind, run a
 * job through the pipeline, pack an error frame. Nothing here names a policy, a
 * handler or a table of the database (request.h is for handlers).
 */
#ifndef SPONA_PIPELINE_H
#define SPONA_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "job.h"

struct db;
struct request_kind;

/* The row for a request kind, or NULL when the kind is unknown. */
const struct request_kind *request_lookup(int body_case);

/* 1 when a server in mode (enum server_mode) serves kind: deny by default, a row is
 * municipal unless it says regional (or both, the session rows). */
int request_served(const struct request_kind *kind, int mode);

/* 1 when kind runs on the io thread (ping), 0 when on a database worker. */
int request_kind_inline(const struct request_kind *kind);

/* The pseudo-request that identifies a new connection's installation. */
extern const struct request_kind request_identify;

/*
 * Runs job->kind for job through the pipeline and leaves the response frame in
 * job->frame (none when identification succeeds). db is NULL inline.
 */
void request_run(struct job *job, const struct server_config *config, struct db *db);

/* Packs a response with only a status and message. Returns 0, or -1 when out of memory. */
int request_error_frame(uint64_t request_id, spona_status status, const char *message,
                        uint8_t **frame, size_t *frame_length);

#endif
