/*
 * A request's transaction: begun with the caller's municipality, institution
 * and user set for row-level security (spona.municipality_id, ...), committed
 * or rolled back by the pipeline (pipeline.c). Only the request layer calls
 * these; a handler runs inside the transaction the pipeline opened.
 */
#ifndef SPONA_TRANSACTION_H
#define SPONA_TRANSACTION_H

#include "request.h"

/* Starts the transaction and sets the identity, in one round trip with the protocol
 * version in force (ctx->version_in_force) and the session's touch (ctx->session_alive).
 * OK, or UNAVAILABLE with ctx->message set (then no transaction is open). */
spona_status request_begin(struct request_context *ctx);

/* Commits; returns OK or an error status with ctx->message set (then rolled back). */
spona_status request_commit(struct request_context *ctx);

/* Rolls back (safe when no transaction is open). */
void request_rollback(struct request_context *ctx);

#endif
