/*
 * The regional pipeline: the path of every row of the request table marked
 * REQUEST_REGIONAL (docs/region.md), on a regional server's own database. It
 * needs a session of a regional administrator (installation role
 * regional_admin; a sync row, a municipality's sync identity without a session),
 * opens the transaction with the session check, runs the
 * handler (its writes under a savepoint), appends the region's own audit record
 * (region_audit, hash-chained; refusals too) and commits. It shares nothing with
 * the municipal pipeline's protocol, subject and policy steps.
 */
#ifndef SPONA_REGION_PIPELINE_H
#define SPONA_REGION_PIPELINE_H

#include "request.h"

/* The role of the region's own institution whose users may make regional requests. */
#define REGION_ADMIN_ROLE "regional_admin"
/* The role of a connection identified by a municipality's sync certificate: only the
 * REQUEST_SYNC rows, and those only to it. */
#define REGION_SYNC_ROLE "sync"

/* Answers a regional request (ctx->kind has REQUEST_REGIONAL): the status, response's
 * body filled when OK. */
spona_status region_answer(struct request_context *ctx, spona_response *response);

/* Sets what the request acts on (a code, a serial) for its audit record; NULL: nothing. */
void region_set_object(struct request_context *ctx, const char *object);

#endif
