/*
 * Framing of the Spona stream (see frame.h). Pure byte handling: no sockets,
 * no protobuf, no allocation beyond the reader's own buffer.
 */
#include "frame.h"

#include <stdlib.h>
#include <string.h>

uint32_t frame_get_length(const uint8_t header[FRAME_HEADER_BYTES])
{
    return ((uint32_t)header[0] << 24) | ((uint32_t)header[1] << 16) |
           ((uint32_t)header[2] << 8) | (uint32_t)header[3];
}

void frame_put_length(uint8_t header[FRAME_HEADER_BYTES], uint32_t length)
{
    header[0] = (uint8_t)(length >> 24);
    header[1] = (uint8_t)(length >> 16);
    header[2] = (uint8_t)(length >> 8);
    header[3] = (uint8_t)length;
}

enum frame_result frame_check(const uint8_t *data, size_t avail, uint32_t max_body,
                              uint32_t *body_length)
{
    if (avail < FRAME_HEADER_BYTES)
        return FRAME_NEED_MORE;
    uint32_t length = frame_get_length(data);
    *body_length = length;
    if (length == 0)
        return FRAME_EMPTY;
    if (length > max_body)
        return FRAME_TOO_LARGE;
    if (avail - FRAME_HEADER_BYTES < length)
        return FRAME_NEED_MORE;
    return FRAME_COMPLETE;
}

void frame_reader_init(struct frame_reader *reader, uint32_t max_body)
{
    memset(reader, 0, sizeof(*reader));
    reader->max_body = max_body;
}

void frame_reader_free(struct frame_reader *reader)
{
    free(reader->buf);
    memset(reader, 0, sizeof(*reader));
}

int frame_reader_feed(struct frame_reader *reader, const void *data, size_t len)
{
    if (len == 0)
        return 0;
    if (reader->consumed > 0) {
        /* drop what was handed out before growing */
        memmove(reader->buf, reader->buf + reader->consumed, reader->len - reader->consumed);
        reader->len -= reader->consumed;
        reader->consumed = 0;
    }
    if (len > SIZE_MAX - reader->len)
        return -1;
    if (reader->len + len > reader->cap) {
        size_t cap = reader->cap ? reader->cap : 4096;
        while (cap < reader->len + len)
            cap *= 2;
        uint8_t *grown = realloc(reader->buf, cap);
        if (grown == NULL)
            return -1;
        reader->buf = grown;
        reader->cap = cap;
    }
    memcpy(reader->buf + reader->len, data, len);
    reader->len += len;
    return 0;
}

enum frame_result frame_reader_next(struct frame_reader *reader, const uint8_t **body,
                                    uint32_t *body_length)
{
    size_t avail = reader->len - reader->consumed;
    if (avail == 0)
        return FRAME_NEED_MORE;
    const uint8_t *start = reader->buf + reader->consumed;
    enum frame_result result = frame_check(start, avail, reader->max_body, body_length);
    if (result != FRAME_COMPLETE)
        return result;
    *body = start + FRAME_HEADER_BYTES;
    reader->consumed += FRAME_HEADER_BYTES + *body_length;
    return FRAME_COMPLETE;
}
