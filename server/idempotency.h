/*
 * Retried writes are applied once: a write request that carries an
 * idempotency key (a client-chosen UUID) has its successful response stored
 * under (user, key); the same key again gets the stored response, with the new
 * request id, instead of a second effect (docs/cases.md, "Concurrency and
 * retries"). Used by dispatch around write handlers only.
 */
#ifndef SPONA_IDEMPOTENCY_H
#define SPONA_IDEMPOTENCY_H

#include "dispatch.h"

/*
 * Looks the key up. Returns OK with *replayed set to a copy of the stored
 * response (caller frees with spona__v1__response__free_unpacked) or NULL when
 * the key is new; INVALID_ARGUMENT when the key is not a UUID; CONFLICT when it
 * was used for another kind of request; UNAVAILABLE/INTERNAL on database errors.
 */
spona_status idempotency_replay(struct request_context *ctx, const spona_request *request,
                                 spona_response **replayed);

/* Stores a successful response under the request's key (best effort; logs failures). */
void idempotency_store(struct request_context *ctx, const spona_request *request,
                       const spona_response *response);

#endif
