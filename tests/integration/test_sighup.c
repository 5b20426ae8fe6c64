/*
 * Integration test: SIGHUP reloads certificates and the CRL without dropping
 * anyone. A logged-in connection made before the signal keeps its session;
 * the `hup` certificate, accepted before, is revoked (tests/harness/pki.sh
 * revoke) and after SIGHUP is refused; good clients are still served.
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

#include "itest.h"

#define RELOAD_WAIT_MS 15000

static struct itest_server server;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "sighup", NULL);
}

static void assert_whoami(struct spona_client *client, const char *username,
                          const char *session_id)
{
    spona_response *response = itest_whoami(client);
    itest_assert_status(response, response->request_id, SPONA__V1__STATUS__OK);
    assert_string_equal(response->whoami->username, username);
    if (session_id != NULL)
        assert_string_equal(response->whoami->session_id, session_id);
    envelope_free_response(response);
}

static void test_reload_keeps_sessions_and_applies_crl(void **state)
{
    /* a logged-in connection from before the reload */
    struct spona_client *established = itest_connect_ok(&server, "csr");
    char *token = itest_login_ok(established, "hup");
    spona_response *before = itest_whoami(established);
    itest_assert_status(before, before->request_id, SPONA__V1__STATUS__OK);
    char session_id[64];
    snprintf(session_id, sizeof(session_id), "%s", before->whoami->session_id);
    envelope_free_response(before);

    /* the hup certificate works now */
    struct spona_client *hup = itest_connect_ok(&server, "hup");
    spona_response *pong = itest_ping(hup, "before", 6);
    itest_assert_status(pong, pong->request_id, SPONA__V1__STATUS__OK);
    envelope_free_response(pong);
    spona_client_close(hup);

    /* revoke it, then tell the server */
    char pki[1024];
    itest_state_path("pki", pki, sizeof(pki));
    assert_int_equal(itest_harness("pki.sh", "revoke", pki, "hup", NULL), 0);
    assert_int_equal(kill(server.pid, SIGHUP), 0);

    /* the reload is asynchronous: wait until the CRL bites */
    char detail[512] = "";
    int refused = 0;
    int waited = 0;
    while (waited < RELOAD_WAIT_MS) {
        if (itest_is_refused(&server, "hup", detail, sizeof(detail))) {
            refused = 1;
            break;
        }
        itest_sleep_ms(200);
        waited += 200;
    }
    if (!refused)
        fail_msg("the revoked certificate is still accepted %d ms after SIGHUP: %s",
                 RELOAD_WAIT_MS, detail);
    print_message("after SIGHUP the revoked certificate is refused (%s)\n", detail);

    /* the established connection and its session survived the reload */
    assert_whoami(established, "hup", session_id);
    pong = itest_ping(established, "after", 5);
    itest_assert_status(pong, pong->request_id, SPONA__V1__STATUS__OK);
    envelope_free_response(pong);

    /* new connections with good certificates, and the session resumed on one of them */
    itest_assert_served(&server);
    struct spona_client *again = itest_connect_ok(&server, "csr");
    spona_response *resumed = itest_resume(again, token);
    itest_assert_status(resumed, resumed->request_id, SPONA__V1__STATUS__OK);
    assert_string_equal(resumed->resume->session_id, session_id);
    envelope_free_response(resumed);
    spona_client_close(again);

    spona_client_close(established);
    free(token);
}

static void test_second_reload_changes_nothing(void **state)
{
    struct spona_client *established = itest_connect_ok(&server, "zzz");
    char *token = itest_login_ok(established, "zoran");
    free(token);
    assert_int_equal(kill(server.pid, SIGHUP), 0);
    itest_sleep_ms(500);
    assert_whoami(established, "zoran", NULL);
    spona_client_close(established);
    itest_assert_served(&server);

    char detail[512] = "";
    if (!itest_is_refused(&server, "hup", detail, sizeof(detail)))
        fail_msg("the revoked certificate is accepted again after a second SIGHUP: %s", detail);
    if (!itest_is_refused(&server, "revoked", detail, sizeof(detail)))
        fail_msg("revoked.crt is accepted after SIGHUP: %s", detail);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reload_keeps_sessions_and_applies_crl),
        cmocka_unit_test(test_second_reload_changes_nothing),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests_name("integration.sighup", tests, group_setup,
                                       itest_group_teardown);
}
