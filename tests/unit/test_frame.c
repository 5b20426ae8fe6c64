/*
 * Unit tests of the framing layer (common/frame.c): frame_check on raw bytes
 * and the frame_reader fed the way TCP delivers them — one byte at a time,
 * several frames at once, cut anywhere — plus the limits (zero, exactly the
 * maximum, one byte over, a header that already says "too large").
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "frame.h"

#define TEST_MAX 64u

/* Writes header + body into out; returns the frame length. */
static size_t make_frame(uint8_t *out, const void *body, uint32_t length)
{
    frame_put_length(out, length);
    if (length > 0)
        memcpy(out + FRAME_HEADER_BYTES, body, length);
    return FRAME_HEADER_BYTES + length;
}

static void test_length_is_big_endian(void **state)
{
    uint8_t header[FRAME_HEADER_BYTES];
    frame_put_length(header, 0x01020304u);
    assert_int_equal(header[0], 0x01);
    assert_int_equal(header[1], 0x02);
    assert_int_equal(header[2], 0x03);
    assert_int_equal(header[3], 0x04);
    assert_int_equal(frame_get_length(header), 0x01020304u);

    frame_put_length(header, 0xFFFFFFFFu);
    assert_int_equal(frame_get_length(header), 0xFFFFFFFFu);
    frame_put_length(header, 0);
    assert_int_equal(frame_get_length(header), 0);
}

static void test_check_short_header_needs_more(void **state)
{
    uint8_t data[FRAME_HEADER_BYTES] = {0, 0, 0, 5};
    uint32_t length = 12345;
    for (size_t avail = 0; avail < FRAME_HEADER_BYTES; avail++)
        assert_int_equal(frame_check(data, avail, TEST_MAX, &length), FRAME_NEED_MORE);
}

static void test_check_truncated_body_needs_more(void **state)
{
    uint8_t data[FRAME_HEADER_BYTES + 10];
    make_frame(data, "0123456789", 10);
    uint32_t length = 0;
    /* header only, then every partial body length */
    for (size_t avail = FRAME_HEADER_BYTES; avail < sizeof(data); avail++)
        assert_int_equal(frame_check(data, avail, TEST_MAX, &length), FRAME_NEED_MORE);
    assert_int_equal(frame_check(data, sizeof(data), TEST_MAX, &length), FRAME_COMPLETE);
    assert_int_equal(length, 10);
}

static void test_check_zero_length_is_empty(void **state)
{
    uint8_t data[FRAME_HEADER_BYTES] = {0, 0, 0, 0};
    uint32_t length = 99;
    assert_int_equal(frame_check(data, sizeof(data), TEST_MAX, &length), FRAME_EMPTY);
    assert_int_equal(length, 0);
}

static void test_check_oversized_header_before_body(void **state)
{
    /* only the header is there: the verdict must not wait for the body */
    uint8_t data[FRAME_HEADER_BYTES];
    uint32_t length = 0;
    frame_put_length(data, TEST_MAX + 1);
    assert_int_equal(frame_check(data, sizeof(data), TEST_MAX, &length), FRAME_TOO_LARGE);
    assert_int_equal(length, TEST_MAX + 1);

    frame_put_length(data, 0xFFFFFFFFu);
    assert_int_equal(frame_check(data, sizeof(data), TEST_MAX, &length), FRAME_TOO_LARGE);
    assert_int_equal(length, 0xFFFFFFFFu);

    frame_put_length(data, 0xFFFFFFFFu);
    assert_int_equal(frame_check(data, sizeof(data), FRAME_DEFAULT_MAX_BYTES, &length),
                     FRAME_TOO_LARGE);
}

static void test_check_exactly_max_is_accepted(void **state)
{
    uint8_t data[FRAME_HEADER_BYTES + TEST_MAX];
    uint8_t body[TEST_MAX];
    memset(body, 'x', sizeof(body));
    make_frame(data, body, TEST_MAX);
    uint32_t length = 0;
    /* while the body is incomplete a maximal frame is "need more", never "too large" */
    assert_int_equal(frame_check(data, FRAME_HEADER_BYTES, TEST_MAX, &length), FRAME_NEED_MORE);
    assert_int_equal(frame_check(data, sizeof(data) - 1, TEST_MAX, &length), FRAME_NEED_MORE);
    assert_int_equal(frame_check(data, sizeof(data), TEST_MAX, &length), FRAME_COMPLETE);
    assert_int_equal(length, TEST_MAX);
}

static void test_check_ignores_bytes_after_frame(void **state)
{
    uint8_t data[64];
    size_t n = make_frame(data, "abc", 3);
    memset(data + n, 0xEE, sizeof(data) - n);
    uint32_t length = 0;
    assert_int_equal(frame_check(data, sizeof(data), TEST_MAX, &length), FRAME_COMPLETE);
    assert_int_equal(length, 3);
}

/* Three frames of different sizes back to back; returns the stream length. */
static size_t make_stream(uint8_t *out)
{
    size_t n = 0;
    n += make_frame(out + n, "a", 1);
    n += make_frame(out + n, "hello, frame", 12);
    uint8_t big[TEST_MAX];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)i;
    n += make_frame(out + n, big, TEST_MAX);
    return n;
}

static void check_stream_frame(int index, const uint8_t *body, uint32_t length)
{
    switch (index) {
    case 0:
        assert_int_equal(length, 1);
        assert_memory_equal(body, "a", 1);
        break;
    case 1:
        assert_int_equal(length, 12);
        assert_memory_equal(body, "hello, frame", 12);
        break;
    case 2:
        assert_int_equal(length, TEST_MAX);
        for (uint32_t i = 0; i < length; i++)
            assert_int_equal(body[i], (uint8_t)i);
        break;
    default:
        fail_msg("unexpected frame %d", index);
    }
}

static void test_reader_byte_by_byte(void **state)
{
    uint8_t stream[3 * FRAME_HEADER_BYTES + 1 + 12 + TEST_MAX];
    size_t n = make_stream(stream);
    assert_int_equal(n, sizeof(stream));

    struct frame_reader reader;
    frame_reader_init(&reader, TEST_MAX);
    const uint8_t *body = NULL;
    uint32_t length = 0;
    int frames = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(frame_reader_feed(&reader, stream + i, 1), 0);
        enum frame_result result = frame_reader_next(&reader, &body, &length);
        if (result == FRAME_COMPLETE) {
            check_stream_frame(frames, body, length);
            frames++;
            assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_NEED_MORE);
        } else {
            assert_int_equal(result, FRAME_NEED_MORE);
        }
    }
    assert_int_equal(frames, 3);
    frame_reader_free(&reader);
}

static void test_reader_coalesced(void **state)
{
    uint8_t stream[3 * FRAME_HEADER_BYTES + 1 + 12 + TEST_MAX];
    size_t n = make_stream(stream);

    struct frame_reader reader;
    frame_reader_init(&reader, TEST_MAX);
    assert_int_equal(frame_reader_feed(&reader, stream, n), 0);
    const uint8_t *body = NULL;
    uint32_t length = 0;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_COMPLETE);
        check_stream_frame(i, body, length);
    }
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_NEED_MORE);
    frame_reader_free(&reader);
}

/* Chunks that cut headers and bodies at every possible place, frames taken as they come. */
static void test_reader_split_and_coalesced_chunks(void **state)
{
    uint8_t stream[3 * FRAME_HEADER_BYTES + 1 + 12 + TEST_MAX];
    size_t n = make_stream(stream);

    for (size_t chunk = 1; chunk <= n; chunk++) {
        struct frame_reader reader;
        frame_reader_init(&reader, TEST_MAX);
        const uint8_t *body = NULL;
        uint32_t length = 0;
        int frames = 0;
        for (size_t offset = 0; offset < n; offset += chunk) {
            size_t take = n - offset < chunk ? n - offset : chunk;
            assert_int_equal(frame_reader_feed(&reader, stream + offset, take), 0);
            while (frame_reader_next(&reader, &body, &length) == FRAME_COMPLETE)
                check_stream_frame(frames++, body, length);
        }
        assert_int_equal(frames, 3);
        frame_reader_free(&reader);
    }
}

/* Many frames through one reader: the buffer is reused and grows only as needed. */
static void test_reader_long_stream(void **state)
{
    struct frame_reader reader;
    frame_reader_init(&reader, FRAME_DEFAULT_MAX_BYTES);
    uint8_t frame[FRAME_HEADER_BYTES + 200];
    uint32_t seed = 12345;
    int sent = 0, received = 0;
    for (int round = 0; round < 2000; round++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t size = 1 + (seed >> 16) % 200;
        uint8_t body[200];
        memset(body, (uint8_t)sent, size);
        size_t n = make_frame(frame, body, size);
        /* feed it in two pieces cut at a pseudo-random place */
        size_t cut = (seed >> 8) % n;
        assert_int_equal(frame_reader_feed(&reader, frame, cut), 0);
        assert_int_equal(frame_reader_feed(&reader, frame + cut, n - cut), 0);
        sent++;
        const uint8_t *got;
        uint32_t length;
        while (frame_reader_next(&reader, &got, &length) == FRAME_COMPLETE) {
            assert_int_equal(length, size);
            assert_int_equal(got[0], (uint8_t)received);
            assert_int_equal(got[length - 1], (uint8_t)received);
            received++;
        }
    }
    assert_int_equal(received, sent);
    assert_true(reader.cap <= 4096);
    frame_reader_free(&reader);
}

static void test_reader_oversized_on_header_alone(void **state)
{
    struct frame_reader reader;
    frame_reader_init(&reader, TEST_MAX);
    uint8_t header[FRAME_HEADER_BYTES];
    frame_put_length(header, TEST_MAX + 1);
    const uint8_t *body = NULL;
    uint32_t length = 0;
    /* first three header bytes: not decided yet */
    assert_int_equal(frame_reader_feed(&reader, header, 3), 0);
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_NEED_MORE);
    assert_int_equal(frame_reader_feed(&reader, header + 3, 1), 0);
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_TOO_LARGE);
    assert_int_equal(length, TEST_MAX + 1);
    frame_reader_free(&reader);
}

static void test_reader_oversized_after_good_frame(void **state)
{
    struct frame_reader reader;
    frame_reader_init(&reader, TEST_MAX);
    uint8_t stream[FRAME_HEADER_BYTES * 2 + 2];
    size_t n = make_frame(stream, "ok", 2);
    frame_put_length(stream + n, 1000000);
    n += FRAME_HEADER_BYTES;
    assert_int_equal(frame_reader_feed(&reader, stream, n), 0);
    const uint8_t *body = NULL;
    uint32_t length = 0;
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_COMPLETE);
    assert_int_equal(length, 2);
    assert_memory_equal(body, "ok", 2);
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_TOO_LARGE);
    assert_int_equal(length, 1000000);
    frame_reader_free(&reader);
}

static void test_reader_zero_length(void **state)
{
    struct frame_reader reader;
    frame_reader_init(&reader, TEST_MAX);
    uint8_t stream[FRAME_HEADER_BYTES * 2 + 1];
    size_t n = make_frame(stream, "z", 1);
    n += make_frame(stream + n, NULL, 0);
    assert_int_equal(frame_reader_feed(&reader, stream, n), 0);
    const uint8_t *body = NULL;
    uint32_t length = 99;
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_COMPLETE);
    assert_int_equal(length, 1);
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_EMPTY);
    assert_int_equal(length, 0);
    frame_reader_free(&reader);
}

static void test_reader_truncated(void **state)
{
    struct frame_reader reader;
    frame_reader_init(&reader, TEST_MAX);
    uint8_t frame[FRAME_HEADER_BYTES + 5];
    make_frame(frame, "12345", 5);
    const uint8_t *body = NULL;
    uint32_t length = 0;

    /* nothing at all, then half a header */
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_NEED_MORE);
    assert_int_equal(frame_reader_feed(&reader, frame, 2), 0);
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_NEED_MORE);
    /* header only */
    assert_int_equal(frame_reader_feed(&reader, frame + 2, 2), 0);
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_NEED_MORE);
    /* partial body */
    assert_int_equal(frame_reader_feed(&reader, frame + 4, 4), 0);
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_NEED_MORE);
    /* asking again without new bytes changes nothing */
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_NEED_MORE);
    /* last byte */
    assert_int_equal(frame_reader_feed(&reader, frame + 8, 1), 0);
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_COMPLETE);
    assert_int_equal(length, 5);
    assert_memory_equal(body, "12345", 5);
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_NEED_MORE);
    frame_reader_free(&reader);
}

static void test_reader_exactly_max(void **state)
{
    struct frame_reader reader;
    frame_reader_init(&reader, TEST_MAX);
    uint8_t frame[FRAME_HEADER_BYTES + TEST_MAX + 1];
    uint8_t body_in[TEST_MAX + 1];
    memset(body_in, 'm', sizeof(body_in));
    size_t n = make_frame(frame, body_in, TEST_MAX);
    assert_int_equal(frame_reader_feed(&reader, frame, n), 0);
    const uint8_t *body = NULL;
    uint32_t length = 0;
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_COMPLETE);
    assert_int_equal(length, TEST_MAX);
    assert_memory_equal(body, body_in, TEST_MAX);
    frame_reader_free(&reader);

    /* one byte more is refused */
    frame_reader_init(&reader, TEST_MAX);
    n = make_frame(frame, body_in, TEST_MAX + 1);
    assert_int_equal(frame_reader_feed(&reader, frame, n), 0);
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_TOO_LARGE);
    assert_int_equal(length, TEST_MAX + 1);
    frame_reader_free(&reader);
}

static void test_reader_free_twice_and_empty_feed(void **state)
{
    struct frame_reader reader;
    frame_reader_init(&reader, TEST_MAX);
    assert_int_equal(frame_reader_feed(&reader, "", 0), 0);
    const uint8_t *body = NULL;
    uint32_t length = 0;
    assert_int_equal(frame_reader_next(&reader, &body, &length), FRAME_NEED_MORE);
    frame_reader_free(&reader);
    frame_reader_free(&reader);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_length_is_big_endian),
        cmocka_unit_test(test_check_short_header_needs_more),
        cmocka_unit_test(test_check_truncated_body_needs_more),
        cmocka_unit_test(test_check_zero_length_is_empty),
        cmocka_unit_test(test_check_oversized_header_before_body),
        cmocka_unit_test(test_check_exactly_max_is_accepted),
        cmocka_unit_test(test_check_ignores_bytes_after_frame),
        cmocka_unit_test(test_reader_byte_by_byte),
        cmocka_unit_test(test_reader_coalesced),
        cmocka_unit_test(test_reader_split_and_coalesced_chunks),
        cmocka_unit_test(test_reader_long_stream),
        cmocka_unit_test(test_reader_oversized_on_header_alone),
        cmocka_unit_test(test_reader_oversized_after_good_frame),
        cmocka_unit_test(test_reader_zero_length),
        cmocka_unit_test(test_reader_truncated),
        cmocka_unit_test(test_reader_exactly_max),
        cmocka_unit_test(test_reader_free_twice_and_empty_feed),
    };
    return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
