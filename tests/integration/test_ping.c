/*
 * Integration test: Ping against the real server. The payload comes back
 * byte for byte, the server says its version, protocol and time, and the
 * 1024-byte payload limit is enforced without closing the connection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "itest.h"

static struct itest_server server;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "ping", NULL);
}

static void test_ping_echoes_payload(void **state)
{
    static const uint8_t payload[] = {'z', 'd', 'r', 'a', 'v', 'o', 0x00, 0xFF, 0x7F, '!'};
    struct spona_client *client = itest_connect_ok(&server, "csr");
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t now_ms = (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;

    spona_response *response = itest_ping(client, payload, sizeof(payload));
    itest_assert_status(response, response->request_id, SPONA__V1__STATUS__OK);
    assert_true(response->request_id != 0);
    assert_int_equal(response->body_case, SPONA__V1__RESPONSE__BODY_PING);
    assert_int_equal(response->ping->payload.len, sizeof(payload));
    assert_memory_equal(response->ping->payload.data, payload, sizeof(payload));
    assert_non_null(response->ping->server_version);
    assert_true(strlen(response->ping->server_version) > 0);
    assert_int_equal(response->ping->protocol_version, SPONA_PROTOCOL_VERSION);
    /* the server's clock is ours: same machine */
    assert_in_range(response->ping->server_time_unix_ms, now_ms - 60000, now_ms + 60000);
    envelope_free_response(response);
    spona_client_close(client);
}

static void test_ping_keeps_request_id(void **state)
{
    struct spona_client *client = itest_connect_ok(&server, "csr");
    Spona__V1__PingRequest ping;
    spona__v1__ping_request__init(&ping);
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = UINT64_C(0x123456789ABCDEF0);
    request.body_case = SPONA__V1__REQUEST__BODY_PING;
    request.ping = &ping;
    char err[256] = "";
    spona_response *response = spona_client_call(client, &request, err, sizeof(err));
    if (response == NULL)
        fail_msg("no response: %s", err);
    itest_assert_status(response, UINT64_C(0x123456789ABCDEF0), SPONA__V1__STATUS__OK);
    assert_int_equal(response->ping->payload.len, 0);
    envelope_free_response(response);
    spona_client_close(client);
}

static void test_ping_payload_limit(void **state)
{
    uint8_t payload[1025];
    memset(payload, 'p', sizeof(payload));
    struct spona_client *client = itest_connect_ok(&server, "csr");

    spona_response *response = itest_ping(client, payload, 1024);
    itest_assert_status(response, response->request_id, SPONA__V1__STATUS__OK);
    assert_int_equal(response->ping->payload.len, 1024);
    envelope_free_response(response);

    response = itest_ping(client, payload, 1025);
    itest_assert_status(response, response->request_id, SPONA__V1__STATUS__INVALID_ARGUMENT);
    envelope_free_response(response);

    /* a bad field is not a bad frame: the connection stays */
    response = itest_ping(client, "after", 5);
    itest_assert_status(response, response->request_id, SPONA__V1__STATUS__OK);
    envelope_free_response(response);
    spona_client_close(client);
}

static void test_ping_from_every_registered_installation(void **state)
{
    /* Ping needs no session, only a registered, enabled installation */
    static const char *const certs[] = {"csr", "zzz"};
    for (size_t i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
        struct spona_client *client = itest_connect_ok(&server, certs[i]);
        spona_response *response = itest_ping(client, "x", 1);
        itest_assert_status(response, response->request_id, SPONA__V1__STATUS__OK);
        envelope_free_response(response);
        spona_client_close(client);
    }
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ping_echoes_payload),
        cmocka_unit_test(test_ping_keeps_request_id),
        cmocka_unit_test(test_ping_payload_limit),
        cmocka_unit_test(test_ping_from_every_registered_installation),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests_name("integration.ping", tests, group_setup,
                                       itest_group_teardown);
}
