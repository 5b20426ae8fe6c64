/*
 * Integration test: pipelining. Requests sent without waiting are all
 * answered, matched by request id (in any order); requests of one connection
 * run in the order they arrived, so login followed by whoami in one write
 * works, and so does a whole login/whoami/logout/whoami sequence.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define PIPELINED 100
#define FIRST_ID 1000

static struct itest_server server;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "pipelining", NULL);
}

static void test_hundred_pipelined_pings(void **state)
{
    struct spona_client *client = itest_connect_ok(&server, "csr");
    char err[256] = "";
    for (int i = 0; i < PIPELINED; i++) {
        char payload[32];
        int length = snprintf(payload, sizeof(payload), "ping %d", FIRST_ID + i);
        Spona__V1__PingRequest ping;
        spona__v1__ping_request__init(&ping);
        ping.payload.data = (uint8_t *)payload;
        ping.payload.len = (size_t)length;
        spona_request request;
        spona__v1__request__init(&request);
        request.request_id = FIRST_ID + (uint64_t)i;
        request.body_case = SPONA__V1__REQUEST__BODY_PING;
        request.ping = &ping;
        uint64_t id = spona_client_send(client, &request, err, sizeof(err));
        if (id != FIRST_ID + (uint64_t)i)
            fail_msg("sending ping %d: got id %llu: %s", i, (unsigned long long)id, err);
    }

    int seen[PIPELINED] = {0};
    for (int i = 0; i < PIPELINED; i++) {
        spona_response *response = itest_receive(client);
        uint64_t id = response->request_id;
        if (id < FIRST_ID || id >= FIRST_ID + PIPELINED)
            fail_msg("response %d carries id %llu, which was never sent (%s: '%s')", i,
                     (unsigned long long)id, envelope_status_name(response->status),
                     response->message);
        if (seen[id - FIRST_ID]++)
            fail_msg("id %llu answered twice", (unsigned long long)id);
        itest_assert_status(response, id, SPONA__V1__STATUS__OK);
        char expected[32];
        int length = snprintf(expected, sizeof(expected), "ping %llu", (unsigned long long)id);
        assert_int_equal(response->ping->payload.len, (size_t)length);
        assert_memory_equal(response->ping->payload.data, expected, (size_t)length);
        envelope_free_response(response);
    }
    for (int i = 0; i < PIPELINED; i++)
        assert_int_equal(seen[i], 1);

    /* and the connection is fine afterwards */
    spona_response *response = itest_ping(client, "after", 5);
    itest_assert_status(response, response->request_id, SPONA__V1__STATUS__OK);
    envelope_free_response(response);
    spona_client_close(client);
}

static void append_login(uint8_t **bytes, size_t *length, uint64_t id, const char *username)
{
    char password[128];
    itest_password(username, password, sizeof(password));
    Spona__V1__LoginRequest login;
    spona__v1__login_request__init(&login);
    login.username = (char *)(uintptr_t)username;
    login.password = password;
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = id;
    request.body_case = SPONA__V1__REQUEST__BODY_LOGIN;
    request.login = &login;
    itest_append_frame(bytes, length, &request);
}

static void append_whoami(uint8_t **bytes, size_t *length, uint64_t id)
{
    Spona__V1__WhoAmIRequest whoami;
    spona__v1__who_am_irequest__init(&whoami);
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = id;
    request.body_case = SPONA__V1__REQUEST__BODY_WHOAMI;
    request.whoami = &whoami;
    itest_append_frame(bytes, length, &request);
}

static void append_logout(uint8_t **bytes, size_t *length, uint64_t id)
{
    Spona__V1__LogoutRequest logout;
    spona__v1__logout_request__init(&logout);
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = id;
    request.body_case = SPONA__V1__REQUEST__BODY_LOGOUT;
    request.logout = &logout;
    itest_append_frame(bytes, length, &request);
}

/* Receives count responses and files them by id (1..count). */
static void receive_by_id(struct spona_client *client, spona_response **by_id, int count)
{
    for (int i = 0; i < count; i++) {
        spona_response *response = itest_receive(client);
        uint64_t id = response->request_id;
        if (id < 1 || id > (uint64_t)count || by_id[id - 1] != NULL)
            fail_msg("unexpected or repeated id %llu (%s: '%s')", (unsigned long long)id,
                     envelope_status_name(response->status), response->message);
        by_id[id - 1] = response;
    }
}

static void test_login_and_whoami_in_one_write(void **state)
{
    uint8_t *bytes = NULL;
    size_t length = 0;
    append_login(&bytes, &length, 1, "piper");
    append_whoami(&bytes, &length, 2);

    struct spona_client *client = itest_connect_ok(&server, "csr");
    char err[256] = "";
    if (spona_client_send_raw(client, bytes, length, err, sizeof(err)) != 0)
        fail_msg("send: %s", err);
    free(bytes);

    spona_response *by_id[2] = {NULL, NULL};
    receive_by_id(client, by_id, 2);
    itest_assert_status(by_id[0], 1, SPONA__V1__STATUS__OK);
    assert_int_equal(by_id[0]->body_case, SPONA__V1__RESPONSE__BODY_LOGIN);
    itest_assert_status(by_id[1], 2, SPONA__V1__STATUS__OK);
    assert_int_equal(by_id[1]->body_case, SPONA__V1__RESPONSE__BODY_WHOAMI);
    assert_string_equal(by_id[1]->whoami->username, "piper");
    assert_string_equal(by_id[1]->whoami->session_id, by_id[0]->login->session_id);
    envelope_free_response(by_id[0]);
    envelope_free_response(by_id[1]);
    spona_client_close(client);
}

static void test_session_sequence_in_one_write(void **state)
{
    /* whoami, login, whoami, logout, whoami: only the middle whoami has a session */
    uint8_t *bytes = NULL;
    size_t length = 0;
    append_whoami(&bytes, &length, 1);
    append_login(&bytes, &length, 2, "piper");
    append_whoami(&bytes, &length, 3);
    append_logout(&bytes, &length, 4);
    append_whoami(&bytes, &length, 5);

    struct spona_client *client = itest_connect_ok(&server, "csr");
    char err[256] = "";
    if (spona_client_send_raw(client, bytes, length, err, sizeof(err)) != 0)
        fail_msg("send: %s", err);
    free(bytes);

    spona_response *by_id[5] = {NULL};
    receive_by_id(client, by_id, 5);
    itest_assert_status(by_id[0], 1, SPONA__V1__STATUS__UNAUTHENTICATED);
    itest_assert_status(by_id[1], 2, SPONA__V1__STATUS__OK);
    itest_assert_status(by_id[2], 3, SPONA__V1__STATUS__OK);
    assert_string_equal(by_id[2]->whoami->username, "piper");
    itest_assert_status(by_id[3], 4, SPONA__V1__STATUS__OK);
    itest_assert_status(by_id[4], 5, SPONA__V1__STATUS__UNAUTHENTICATED);
    for (int i = 0; i < 5; i++)
        envelope_free_response(by_id[i]);
    spona_client_close(client);
}

static void test_pipelined_connections_in_parallel(void **state)
{
    /* several connections each with requests outstanding at the same time */
    enum { CONNECTIONS = 8, EACH = 20 };
    struct spona_client *clients[CONNECTIONS];
    char err[256] = "";
    for (int c = 0; c < CONNECTIONS; c++) {
        clients[c] = itest_connect_ok(&server, c % 2 ? "zzz" : "csr");
        for (int i = 1; i <= EACH; i++) {
            Spona__V1__PingRequest ping;
            spona__v1__ping_request__init(&ping);
            uint8_t mark[2] = {(uint8_t)c, (uint8_t)i};
            ping.payload.data = mark;
            ping.payload.len = sizeof(mark);
            spona_request request;
            spona__v1__request__init(&request);
            request.request_id = (uint64_t)i;
            request.body_case = SPONA__V1__REQUEST__BODY_PING;
            request.ping = &ping;
            if (spona_client_send(clients[c], &request, err, sizeof(err)) != (uint64_t)i)
                fail_msg("send: %s", err);
        }
    }
    for (int c = 0; c < CONNECTIONS; c++) {
        int seen[EACH + 1] = {0};
        for (int i = 0; i < EACH; i++) {
            spona_response *response = itest_receive(clients[c]);
            uint64_t id = response->request_id;
            assert_in_range(id, 1, EACH);
            assert_int_equal(seen[id]++, 0);
            itest_assert_status(response, id, SPONA__V1__STATUS__OK);
            /* the answer belongs to this connection */
            assert_int_equal(response->ping->payload.len, 2);
            assert_int_equal(response->ping->payload.data[0], c);
            assert_int_equal(response->ping->payload.data[1], id);
            envelope_free_response(response);
        }
        spona_client_close(clients[c]);
    }
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hundred_pipelined_pings),
        cmocka_unit_test(test_login_and_whoami_in_one_write),
        cmocka_unit_test(test_session_sequence_in_one_write),
        cmocka_unit_test(test_pipelined_connections_in_parallel),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests_name("integration.pipelining", tests, group_setup,
                                       itest_group_teardown);
}
