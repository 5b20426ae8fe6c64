/*
 * Framing: a frame is a 4-byte big-endian length followed by that many bytes.
 * This layer knows bytes and lengths, nothing about messages or sockets; the
 * server checks frames in its evbuffers with frame_check(), the client library
 * accumulates socket bytes in a frame_reader.
 */
#ifndef SPONA_FRAME_H
#define SPONA_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_HEADER_BYTES 4u
#define FRAME_DEFAULT_MAX_BYTES (1024u * 1024u)

enum frame_result {
    FRAME_COMPLETE = 0,   /* a whole frame is available */
    FRAME_NEED_MORE = 1,  /* header or body not yet complete */
    FRAME_TOO_LARGE = -1, /* declared length exceeds the limit */
    FRAME_EMPTY = -2,     /* declared length is zero */
};

/* Reads a big-endian length from 4 bytes. */
uint32_t frame_get_length(const uint8_t header[FRAME_HEADER_BYTES]);

/* Writes a big-endian length into 4 bytes. */
void frame_put_length(uint8_t header[FRAME_HEADER_BYTES], uint32_t length);

/*
 * Looks at `avail` contiguous bytes at `data` (may be fewer than the header).
 * On FRAME_COMPLETE, *body_length is the message length; on FRAME_TOO_LARGE and
 * FRAME_EMPTY it is the declared length, so errors can name it. The header is
 * checked as soon as it is there, before the body arrives.
 */
enum frame_result frame_check(const uint8_t *data, size_t avail, uint32_t max_body,
                              uint32_t *body_length);

/* Accumulates stream bytes and hands out whole frames. */
struct frame_reader {
    uint8_t *buf;
    size_t len;      /* bytes held */
    size_t cap;      /* bytes allocated */
    size_t consumed; /* bytes of buf already handed out */
    uint32_t max_body;
};

void frame_reader_init(struct frame_reader *reader, uint32_t max_body);
void frame_reader_free(struct frame_reader *reader);

/* Appends bytes read from the stream. Returns 0, or -1 when out of memory. */
int frame_reader_feed(struct frame_reader *reader, const void *data, size_t len);

/*
 * Returns the next frame. On FRAME_COMPLETE, *body points into the reader
 * (borrowed, valid until the next feed or next call) and *body_length is its size.
 * After FRAME_TOO_LARGE or FRAME_EMPTY the stream cannot be resynchronised.
 */
enum frame_result frame_reader_next(struct frame_reader *reader, const uint8_t **body,
                                    uint32_t *body_length);

#endif
