/*
 * Integration test: SIGTERM with requests in flight. Twenty pipelined
 * requests, a third of them logins of the `slow` user (stored with scrypt
 * log2_n 15, so each wrong password costs real time), are in the server when
 * SIGTERM arrives. Every one gets its answer, then the connection closes, an
 * idle connection is closed too, no new client is served, and the server
 * exits 0. This server runs with max_failed_logins high enough that the
 * wrong passwords never lock the account (a locked account might skip scrypt).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "itest.h"

#define REQUESTS 20

static struct itest_server server;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "sigterm", "[auth]\nmax_failed_logins = 1000\n");
}

static int is_login(uint64_t id)
{
    return id % 3 == 2;
}

/* One write holding all requests, so the server has every one of them before the signal. */
static void build_batch(uint8_t **bytes, size_t *length, char payloads[REQUESTS + 1][16])
{
    for (uint64_t id = 1; id <= REQUESTS; id++) {
        spona_request request;
        spona__v1__request__init(&request);
        request.request_id = id;
        Spona__V1__LoginRequest login;
        Spona__V1__PingRequest ping;
        if (is_login(id)) {
            spona__v1__login_request__init(&login);
            login.username = (char *)(uintptr_t) "slow";
            login.password = (char *)(uintptr_t) "definitely not the password";
            request.body_case = SPONA__V1__REQUEST__BODY_LOGIN;
            request.login = &login;
        } else {
            spona__v1__ping_request__init(&ping);
            int n = snprintf(payloads[id], 16, "in flight %d", (int)id);
            ping.payload.data = (uint8_t *)payloads[id];
            ping.payload.len = (size_t)n;
            request.body_case = SPONA__V1__REQUEST__BODY_PING;
            request.ping = &ping;
        }
        itest_append_frame(bytes, length, &request);
    }
}

static void check_answer(const spona_response *response, char payloads[REQUESTS + 1][16],
                         int *seen)
{
    uint64_t id = response->request_id;
    if (id < 1 || id > REQUESTS)
        fail_msg("a response with id %llu (%s: '%s') for no request of ours",
                 (unsigned long long)id, envelope_status_name(response->status),
                 response->message);
    if (seen[id]++)
        fail_msg("id %llu answered twice", (unsigned long long)id);
    if (is_login(id)) {
        itest_assert_status(response, id, SPONA__V1__STATUS__UNAUTHENTICATED);
        assert_string_equal(response->message, ITEST_LOGIN_FAILED);
    } else {
        itest_assert_status(response, id, SPONA__V1__STATUS__OK);
        assert_int_equal(response->ping->payload.len, strlen(payloads[id]));
        assert_memory_equal(response->ping->payload.data, payloads[id],
                            strlen(payloads[id]));
    }
}

/* 1 when a brand-new client gets a ping answered OK. */
static int new_client_served(void)
{
    char err[256] = "";
    struct spona_client *client = itest_connect(&server, "csr", 3000, err, sizeof(err));
    if (client == NULL)
        return 0;
    spona_request request;
    Spona__V1__PingRequest ping;
    spona__v1__request__init(&request);
    spona__v1__ping_request__init(&ping);
    request.body_case = SPONA__V1__REQUEST__BODY_PING;
    request.ping = &ping;
    spona_response *response = spona_client_call(client, &request, err, sizeof(err));
    int served = response != NULL && response->status == SPONA__V1__STATUS__OK;
    envelope_free_response(response);
    spona_client_close(client);
    return served;
}

static void test_sigterm_with_requests_in_flight(void **state)
{
    /* an idle, logged-in connection that the shutdown must close too */
    struct spona_client *idle = itest_connect_ok(&server, "zzz");
    char *token = itest_login_ok(idle, "zoran");
    free(token);

    char payloads[REQUESTS + 1][16];
    memset(payloads, 0, sizeof(payloads));
    uint8_t *bytes = NULL;
    size_t length = 0;
    build_batch(&bytes, &length, payloads);

    struct spona_client *busy = itest_connect_ok(&server, "csr");
    char err[256] = "";
    if (spona_client_send_raw(busy, bytes, length, err, sizeof(err)) != 0)
        fail_msg("send: %s", err);
    free(bytes);

    /* the first answer proves the server is working through the batch: now stop it */
    int seen[REQUESTS + 1] = {0};
    spona_response *response = itest_receive(busy);
    assert_int_equal(kill(server.pid, SIGTERM), 0);
    check_answer(response, payloads, seen);
    envelope_free_response(response);

    for (int received = 1; received < REQUESTS; received++) {
        response = itest_receive(busy);
        check_answer(response, payloads, seen);
        envelope_free_response(response);
        if (received == 2 && new_client_served())
            fail_msg("a new client was served after SIGTERM");
    }
    for (int id = 1; id <= REQUESTS; id++)
        assert_int_equal(seen[id], 1);

    itest_assert_closed(busy);
    spona_client_close(busy);
    itest_assert_closed(idle);
    spona_client_close(idle);

    int status = itest_server_wait(&server, 30000);
    if (status == -1)
        fail_msg("spona-server did not exit within 30 s of SIGTERM");
    if (!WIFEXITED(status))
        fail_msg("spona-server was killed by signal %d after SIGTERM", WTERMSIG(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigterm_with_requests_in_flight),
    };
    return cmocka_run_group_tests_name("integration.sigterm", tests, group_setup,
                                       itest_group_teardown);
}
