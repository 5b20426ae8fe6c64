/*
 * Fuzzer: a stream of length-prefixed frames (common/frame.h), read the way
 * server/net/conn.c reads its input buffer: the header is checked with
 * frame_check() as soon as its 4 bytes are there (against the limit before or
 * after login), the body waits until it is complete, then decode_request()
 * takes it. The same stream, fed in chunks to the client's frame_reader, must
 * give the same frames and stop at the same place.
 *
 * Input: byte 0 picks the limit (bit 0: logged in) and the chunk size for the
 * reader (bits 1-7); the rest is the stream.
 */
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "frame.h"
#include "fuzz_check.h"

/* Small limits, so fuzzed inputs reach both sides of them. */
#define LIMIT_BEFORE_LOGIN 512u
#define LIMIT_AFTER_LOGIN 4096u
#define MAX_FRAMES 64

struct frames {
    size_t count;
    size_t offset[MAX_FRAMES]; /* of the body in the stream */
    uint32_t length[MAX_FRAMES];
    enum frame_result end;     /* why the stream stopped giving frames */
};

/* conn_read_frames: header first, then the whole frame, then the decoder. */
static void server_read(const uint8_t *stream, size_t size, uint32_t limit, struct frames *out)
{
    size_t at = 0;
    out->count = 0;
    out->end = FRAME_NEED_MORE;
    while (out->count < MAX_FRAMES) {
        size_t avail = size - at;
        uint32_t length = 0;
        if (avail < FRAME_HEADER_BYTES)
            return;
        enum frame_result header = frame_check(stream + at, FRAME_HEADER_BYTES, limit, &length);
        FUZZ_ASSERT(header != FRAME_COMPLETE); /* 4 bytes are never a whole frame */
        if (header == FRAME_TOO_LARGE || header == FRAME_EMPTY) {
            FUZZ_ASSERT(header == FRAME_EMPTY ? length == 0 : length > limit);
            out->end = header;
            return;
        }
        if (avail < FRAME_HEADER_BYTES + (size_t)length)
            return;
        uint32_t whole = 0;
        FUZZ_ASSERT(frame_check(stream + at, avail, limit, &whole) == FRAME_COMPLETE);
        FUZZ_ASSERT(whole == length && length <= limit);
        (void)fuzz_check_decode(stream + at + FRAME_HEADER_BYTES, length, -1);
        out->offset[out->count] = at + FRAME_HEADER_BYTES;
        out->length[out->count++] = length;
        at += FRAME_HEADER_BYTES + (size_t)length;
    }
}

/* The client library's reader, fed chunk bytes at a time. */
static void client_read(const uint8_t *stream, size_t size, uint32_t limit, size_t chunk,
                        const struct frames *expected)
{
    struct frame_reader reader;
    frame_reader_init(&reader, limit);
    size_t fed = 0, count = 0;
    enum frame_result result = FRAME_NEED_MORE;
    for (;;) {
        const uint8_t *body = NULL;
        uint32_t length = 0;
        result = frame_reader_next(&reader, &body, &length);
        if (result == FRAME_COMPLETE) {
            FUZZ_ASSERT(count < expected->count && length == expected->length[count]);
            FUZZ_ASSERT(memcmp(body, stream + expected->offset[count], length) == 0);
            if (++count == MAX_FRAMES)
                break;
            continue;
        }
        if (result != FRAME_NEED_MORE || fed == size)
            break;
        size_t take = size - fed < chunk ? size - fed : chunk;
        FUZZ_ASSERT(frame_reader_feed(&reader, stream + fed, take) == 0);
        fed += take;
    }
    FUZZ_ASSERT(count == expected->count);
    if (count < MAX_FRAMES)
        FUZZ_ASSERT(result == expected->end);
    frame_reader_free(&reader);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint32_t limit = (data[0] & 1) ? LIMIT_AFTER_LOGIN : LIMIT_BEFORE_LOGIN;
    size_t chunk = 1 + (data[0] >> 1);
    struct frames frames;
    server_read(data + 1, size - 1, limit, &frames);
    client_read(data + 1, size - 1, limit, chunk, &frames);
    return 0;
}
