/*
 * Retried writes are applied once: a write request that carries an
 * idempotency key (a client-chosen UUID) has its successful response stored
 * under (user, key); the same key again gets the stored response, with the new
 * request id, instead of a second effect (docs/cases.md, "Concurrency and
 * retries"). Used by dispatch around write handlers only.
 */
#ifndef SPONA_IDEMPOTENCY_H
#define SPONA_IDEMPOTENCY_H

#include "request.h"

/*
 * Looks the key up in the open transaction (the pipeline's, after its gates: a
 * retry's answer goes only to a caller who may still act on the subject). Returns
 * OK with *replayed set to a copy of the stored response (caller frees with
 * spona__v1__response__free_unpacked) or NULL when the key is new; INVALID_ARGUMENT
 * when the key is not a UUID; CONFLICT when it was used for another kind of request;
 * UNAVAILABLE/INTERNAL on database errors.
 */
spona_status idempotency_lookup(struct request_context *ctx, const spona_request *request,
                                spona_response **replayed);

/*
 * Ends a keyed write whose handler succeeded, in the pipeline's transaction: stores a successful answer under the key in the handler's transaction and commits
 * both. When another request with the same key stored its answer first (they ran at
 * the same time), rolls this one back and answers with that one instead (*response
 * replaced). Returns the status to answer with: the handler's, or UNAVAILABLE/INTERNAL
 * with ctx->message set when nothing could be saved (then nothing was).
 */
spona_status idempotency_finish(struct request_context *ctx, const spona_request *request,
                                spona_status status, spona_response **response);

#endif
