/*
 * Integration test: bad frames and bad requests on a live connection, as
 * docs/protocol.md ("Connection-level errors") lists them. Frame errors get
 * one Response with request id 0 and close the connection; a bad request in a
 * good frame gets its own id and the connection stays usable. After each bad
 * client a good client on another connection is still served.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "itest.h"

static struct itest_server server;

static int group_setup(void **state)
{
    *state = &server;
    /* these frames are sent before login: give them the full frame limit
       (test_hostile_frames checks the smaller limit before login) */
    return itest_server_start(&server, "frames", "[server]\nmax_frame_bytes_before_login = 65536\n");
}

/* Connects with a good certificate and writes bytes as they are. */
static struct spona_client *connect_and_send(const void *bytes, size_t length)
{
    struct spona_client *client = itest_connect_ok(&server, "csr");
    char err[256] = "";
    if (spona_client_send_raw(client, bytes, length, err, sizeof(err)) != 0)
        fail_msg("sending %zu raw bytes failed: %s", length, err);
    return client;
}

static void assert_message_starts(const spona_response *response, const char *prefix)
{
    if (strncmp(response->message, prefix, strlen(prefix)) != 0)
        fail_msg("message '%s' does not start with '%s'", response->message, prefix);
}

static void assert_ping_works(struct spona_client *client)
{
    spona_response *response = itest_ping(client, "ok?", 3);
    itest_assert_status(response, response->request_id, SPONA__V1__STATUS__OK);
    assert_int_equal(response->ping->payload.len, 3);
    envelope_free_response(response);
}

static void test_oversized_frame(void **state)
{
    /* only the header: the verdict must not wait for a body that never comes */
    uint8_t header[FRAME_HEADER_BYTES];
    frame_put_length(header, ITEST_MAX_FRAME_BYTES + 1);
    struct spona_client *client = connect_and_send(header, sizeof(header));
    spona_response *response = itest_receive(client);
    itest_assert_status(response, 0, SPONA__V1__STATUS__RESOURCE_EXHAUSTED);
    char expected[128];
    snprintf(expected, sizeof(expected), "frame of %u bytes exceeds the limit of %u",
             ITEST_MAX_FRAME_BYTES + 1, ITEST_MAX_FRAME_BYTES);
    assert_message_starts(response, expected);
    envelope_free_response(response);
    itest_assert_closed(client);
    spona_client_close(client);
    itest_assert_served(&server);
}

static void test_huge_declared_length(void **state)
{
    uint8_t header[FRAME_HEADER_BYTES] = {0xFF, 0xFF, 0xFF, 0xFF};
    struct spona_client *client = connect_and_send(header, sizeof(header));
    spona_response *response = itest_receive(client);
    itest_assert_status(response, 0, SPONA__V1__STATUS__RESOURCE_EXHAUSTED);
    assert_message_starts(response, "frame of 4294967295 bytes exceeds the limit of");
    envelope_free_response(response);
    itest_assert_closed(client);
    spona_client_close(client);
    itest_assert_served(&server);
}

static void test_frame_of_exactly_the_limit_is_read(void **state)
{
    /* a Request padded to exactly max_frame_bytes: within the limit, so it is decoded;
       its ping payload is over 1024 bytes, which is a request error, not a frame error */
    size_t payload_length = ITEST_MAX_FRAME_BYTES;
    uint8_t *payload = malloc(payload_length);
    assert_non_null(payload);
    memset(payload, 'L', payload_length);
    Spona__V1__PingRequest ping;
    spona__v1__ping_request__init(&ping);
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = 31;
    request.body_case = SPONA__V1__REQUEST__BODY_PING;
    request.ping = &ping;
    ping.payload.data = payload;
    /* grow the payload until the packed Request is exactly the limit */
    for (ping.payload.len = payload_length - 64; ping.payload.len < payload_length;
         ping.payload.len++)
        if (protobuf_c_message_get_packed_size(&request.base) == ITEST_MAX_FRAME_BYTES)
            break;
    assert_int_equal(protobuf_c_message_get_packed_size(&request.base), ITEST_MAX_FRAME_BYTES);

    uint8_t *frame = NULL;
    size_t frame_length = 0;
    itest_append_frame(&frame, &frame_length, &request);
    free(payload);
    struct spona_client *client = connect_and_send(frame, frame_length);
    free(frame);
    spona_response *response = itest_receive(client);
    itest_assert_status(response, 31, SPONA__V1__STATUS__INVALID_ARGUMENT);
    envelope_free_response(response);
    assert_ping_works(client);
    spona_client_close(client);
}

static void test_zero_length_frame(void **state)
{
    uint8_t header[FRAME_HEADER_BYTES] = {0, 0, 0, 0};
    struct spona_client *client = connect_and_send(header, sizeof(header));
    spona_response *response = itest_receive(client);
    itest_assert_status(response, 0, SPONA__V1__STATUS__INVALID_ARGUMENT);
    assert_message_starts(response, "empty frame");
    envelope_free_response(response);
    itest_assert_closed(client);
    spona_client_close(client);
    itest_assert_served(&server);
}

static void test_undecodable_frame(void **state)
{
    /* a well-formed frame whose body is not a Request */
    static const uint8_t garbage[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                      0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x13, 0x37, 0x42};
    uint8_t frame[FRAME_HEADER_BYTES + sizeof(garbage)];
    frame_put_length(frame, sizeof(garbage));
    memcpy(frame + FRAME_HEADER_BYTES, garbage, sizeof(garbage));
    assert_null(envelope_unpack_request(garbage, sizeof(garbage)));

    struct spona_client *client = connect_and_send(frame, sizeof(frame));
    spona_response *response = itest_receive(client);
    itest_assert_status(response, 0, SPONA__V1__STATUS__INVALID_ARGUMENT);
    assert_message_starts(response, "undecodable request");
    envelope_free_response(response);
    itest_assert_closed(client);
    spona_client_close(client);
    itest_assert_served(&server);
}

static void test_undecodable_after_good_request(void **state)
{
    /* a good ping, then garbage, in one write: the ping is answered, then the error */
    Spona__V1__PingRequest ping;
    spona__v1__ping_request__init(&ping);
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = 11;
    request.body_case = SPONA__V1__REQUEST__BODY_PING;
    request.ping = &ping;
    uint8_t *bytes = NULL;
    size_t length = 0;
    itest_append_frame(&bytes, &length, &request);
    static const uint8_t garbage[] = {0, 0, 0, 3, 0x08, 0x80, 0x80};
    uint8_t *grown = realloc(bytes, length + sizeof(garbage));
    assert_non_null(grown);
    bytes = grown;
    memcpy(bytes + length, garbage, sizeof(garbage));
    length += sizeof(garbage);

    struct spona_client *client = connect_and_send(bytes, length);
    free(bytes);
    spona_response *first = itest_receive(client);
    char err[256] = "";
    spona_response *second = spona_client_receive(client, err, sizeof(err));
    if (second == NULL) {
        char message[512];
        snprintf(message, sizeof(message),
                 "only one response (id %llu, %s, '%s'), then: %s; the ping (id 11) sent "
                 "before the undecodable frame was never answered",
                 (unsigned long long)first->request_id, envelope_status_name(first->status),
                 first->message, err);
        envelope_free_response(first);
        spona_client_close(client);
        fail_msg("%s", message);
    }
    /* either order is allowed on the wire; the ids tell them apart */
    spona_response *pong = first->request_id == 11 ? first : second;
    spona_response *error = first->request_id == 11 ? second : first;
    itest_assert_status(pong, 11, SPONA__V1__STATUS__OK);
    itest_assert_status(error, 0, SPONA__V1__STATUS__INVALID_ARGUMENT);
    assert_message_starts(error, "undecodable request");
    envelope_free_response(first);
    envelope_free_response(second);
    itest_assert_closed(client);
    spona_client_close(client);
    itest_assert_served(&server);
}

static void test_plain_text_garbage(void **state)
{
    /* someone speaks HTTP to us: "GET " read as a length is far over the limit */
    static const char http[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    struct spona_client *client = connect_and_send(http, sizeof(http) - 1);
    spona_response *response = itest_receive(client);
    itest_assert_status(response, 0, SPONA__V1__STATUS__RESOURCE_EXHAUSTED);
    envelope_free_response(response);
    itest_assert_closed(client);
    spona_client_close(client);
    itest_assert_served(&server);
}

static void test_request_without_body(void **state)
{
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = 4242;
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    uint8_t *frame = NULL;
    size_t frame_length = 0;
    itest_append_frame(&frame, &frame_length, &request);
    struct spona_client *client = connect_and_send(frame, frame_length);
    free(frame);
    spona_response *response = itest_receive(client);
    itest_assert_status(response, 4242, SPONA__V1__STATUS__INVALID_ARGUMENT);
    assert_message_starts(response, "request has no body");
    envelope_free_response(response);
    assert_ping_works(client);
    spona_client_close(client);
    itest_assert_served(&server);
}

static void test_unknown_request_kind(void **state)
{
    /* request_id 5, then field 99 (a body case v1 does not know) holding an empty message */
    static const uint8_t body[] = {0x08, 0x05, 0x9A, 0x06, 0x00};
    uint8_t frame[FRAME_HEADER_BYTES + sizeof(body)];
    frame_put_length(frame, sizeof(body));
    memcpy(frame + FRAME_HEADER_BYTES, body, sizeof(body));
    struct spona_client *client = connect_and_send(frame, sizeof(frame));
    spona_response *response = itest_receive(client);
    itest_assert_status(response, 5, SPONA__V1__STATUS__INVALID_ARGUMENT);
    envelope_free_response(response);
    assert_ping_works(client);
    spona_client_close(client);
    itest_assert_served(&server);
}

static void test_unsupported_protocol_version(void **state)
{
    Spona__V1__PingRequest ping;
    spona__v1__ping_request__init(&ping);
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = 21;
    request.protocol_version = 2;
    request.body_case = SPONA__V1__REQUEST__BODY_PING;
    request.ping = &ping;
    uint8_t *frame = NULL;
    size_t frame_length = 0;
    itest_append_frame(&frame, &frame_length, &request);
    struct spona_client *client = connect_and_send(frame, frame_length);
    free(frame);
    spona_response *response = itest_receive(client);
    itest_assert_status(response, 21, SPONA__V1__STATUS__INVALID_ARGUMENT);
    assert_message_starts(response, "unsupported protocol version");
    envelope_free_response(response);
    assert_ping_works(client);
    spona_client_close(client);
    itest_assert_served(&server);
}

static void test_frame_split_across_writes(void **state)
{
    Spona__V1__PingRequest ping;
    spona__v1__ping_request__init(&ping);
    ping.payload.data = (uint8_t *)(uintptr_t) "split in pieces";
    ping.payload.len = 15;
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = 99;
    request.body_case = SPONA__V1__REQUEST__BODY_PING;
    request.ping = &ping;
    uint8_t *frame = NULL;
    size_t frame_length = 0;
    itest_append_frame(&frame, &frame_length, &request);

    struct spona_client *client = itest_connect_ok(&server, "csr");
    char err[256] = "";
    /* two header bytes, the rest of the header, half the body, the rest */
    size_t cuts[] = {0, 2, FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + (frame_length - 4) / 2,
                     frame_length};
    for (size_t i = 0; i + 1 < sizeof(cuts) / sizeof(cuts[0]); i++) {
        if (spona_client_send_raw(client, frame + cuts[i], cuts[i + 1] - cuts[i], err,
                                  sizeof(err)) != 0)
            fail_msg("send: %s", err);
        itest_sleep_ms(50);
    }
    free(frame);
    spona_response *response = itest_receive(client);
    itest_assert_status(response, 99, SPONA__V1__STATUS__OK);
    assert_int_equal(response->ping->payload.len, 15);
    assert_memory_equal(response->ping->payload.data, "split in pieces", 15);
    envelope_free_response(response);
    spona_client_close(client);
}

static void test_truncated_frame_then_hang_up(void **state)
{
    /* half a frame, then the client goes away: the server must not mind */
    uint8_t partial[FRAME_HEADER_BYTES + 3];
    frame_put_length(partial, 100);
    memset(partial + FRAME_HEADER_BYTES, 0x08, 3);
    struct spona_client *client = connect_and_send(partial, sizeof(partial));
    itest_sleep_ms(50);
    spona_client_close(client);
    itest_assert_served(&server);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oversized_frame),
        cmocka_unit_test(test_huge_declared_length),
        cmocka_unit_test(test_frame_of_exactly_the_limit_is_read),
        cmocka_unit_test(test_zero_length_frame),
        cmocka_unit_test(test_undecodable_frame),
        cmocka_unit_test(test_undecodable_after_good_request),
        cmocka_unit_test(test_plain_text_garbage),
        cmocka_unit_test(test_request_without_body),
        cmocka_unit_test(test_unknown_request_kind),
        cmocka_unit_test(test_unsupported_protocol_version),
        cmocka_unit_test(test_frame_split_across_writes),
        cmocka_unit_test(test_truncated_frame_then_hang_up),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests_name("integration.frames", tests, group_setup,
                                       itest_group_teardown);
}
