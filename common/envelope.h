/*
 * Envelopes: turning Request/Response messages into frames and back.
 * Knows protobuf and the frame header; knows nothing about sockets or sessions.
 */
#ifndef SPONA_ENVELOPE_H
#define SPONA_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "spona.pb-c.h"

#define SPONA_PROTOCOL_VERSION 1u
#define SPONA_ALPN "spona/1"

typedef Spona__V1__Request spona_request;
typedef Spona__V1__Response spona_response;
typedef Spona__V1__Status spona_status;

/*
 * Packs any message into one frame (header + body). On success *frame is
 * malloc'd (caller frees) and 0 is returned; -1 on allocation failure or a
 * message larger than the frame format allows.
 */
int envelope_pack(const ProtobufCMessage *message, uint8_t **frame, size_t *frame_length);

/* Unpacks a frame body; NULL when the bytes are not a valid message. Free with the *_free below. */
spona_request *envelope_unpack_request(const uint8_t *body, size_t length);
spona_response *envelope_unpack_response(const uint8_t *body, size_t length);
void envelope_free_request(spona_request *request);
void envelope_free_response(spona_response *response);

/* The enum name of a status ("OK", "PERMISSION_DENIED", ...); never NULL. */
const char *envelope_status_name(spona_status status);

/* The name of a request body case ("ping", "login", ...); "none" or "unknown" otherwise. */
const char *envelope_body_name(int body_case);

#endif
