/*
 * Decoding a Request frame without trusting it. Before protobuf-c sees the
 * bytes, a walk of the wire format by the message descriptors checks every
 * string field (valid UTF-8, no NUL: protobuf-c strings stop at the first NUL)
 * and caps every repeated field; then protobuf-c unpacks with an allocator
 * that charges a budget proportional to the frame, so no frame can make the
 * server allocate much more than its own size. Knows protobuf and bytes,
 * nothing about sockets or sessions. Error messages name fields by their
 * descriptor names and never repeat the client's bytes.
 */
#ifndef SPONA_DECODE_H
#define SPONA_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"

/* Elements any one repeated field of one message may hold. */
#define DECODE_MAX_REPEATED 1000u
/* A decoded request may cost this many times its frame, plus DECODE_BUDGET_EXTRA bytes. */
#define DECODE_BUDGET_FACTOR 8u
#define DECODE_BUDGET_EXTRA (64u * 1024u)
/* Submessages nested deeper than this are refused. */
#define DECODE_MAX_DEPTH 32

enum decode_outcome {
    DECODE_OK = 0,
    DECODE_MALFORMED,   /* a connection-level error (not a Request, or request id 0): result->status, result->message */
    DECODE_REFUSED,     /* a Request, but refused: result->status, result->message */
};

struct decode_result {
    spona_request *request; /* DECODE_OK: owned by the caller, free with envelope_free_request */
    uint64_t request_id;    /* as read from the wire, also when refused (0 when absent) */
    size_t cost;            /* DECODE_OK: bytes the decoded request holds */
    spona_status status;    /* DECODE_REFUSED */
    char message[200];      /* DECODE_REFUSED, DECODE_MALFORMED */
};

/* Decodes one frame body into a Request, checking strings, repeated fields and cost. */
enum decode_outcome decode_request(const uint8_t *body, size_t length,
                                   struct decode_result *result);

/*
 * Checks a message's wire bytes against its descriptor: structure, strings,
 * repeated counts, depth. Returns DECODE_OK, DECODE_MALFORMED or DECODE_REFUSED
 * (status INVALID_ARGUMENT), with the reason in message.
 */
enum decode_outcome decode_check_wire(const ProtobufCMessageDescriptor *descriptor,
                                      const uint8_t *bytes, size_t length, char *message,
                                      size_t message_size);

/* 1 when bytes are valid UTF-8 (shortest forms, no surrogates) without a NUL byte. */
int decode_valid_text(const uint8_t *bytes, size_t length);

/* The length of the longest prefix of bytes that is valid text (as above). */
size_t decode_text_prefix(const uint8_t *bytes, size_t length);

/* Cuts a NUL-terminated string at its first invalid sequence (e.g. a character cut short). */
void decode_cut_to_text(char *text);

/*
 * Unpacks with an allocator that refuses once live allocations would exceed
 * budget bytes. NULL on failure; *exhausted says whether the budget was the
 * reason. *cost gets the bytes the message holds. Free with protobuf-c's
 * default allocator (free_unpacked(message, NULL)).
 */
ProtobufCMessage *decode_unpack_budgeted(const ProtobufCMessageDescriptor *descriptor,
                                         const uint8_t *bytes, size_t length, size_t budget,
                                         int *exhausted, size_t *cost);

#endif
