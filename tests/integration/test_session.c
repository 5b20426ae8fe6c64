/*
 * Integration test: sessions. Requests that need a session are refused
 * without one and after logout; a session token resumes the same identity on
 * a new connection of the same installation, and nowhere else; closing a
 * connection does not end its session, logout does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define NEEDS_SESSION "log in"
#define RESUME_FAILED "session expired or unknown"

static struct itest_server server;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "session", NULL);
}

static void assert_unauthenticated(spona_response *response, const char *says)
{
    itest_assert_status(response, response->request_id, SPONA__V1__STATUS__UNAUTHENTICATED);
    if (strstr(response->message, says) == NULL)
        fail_msg("message '%s' does not say '%s'", response->message, says);
    envelope_free_response(response);
}

static void test_whoami_without_session(void **state)
{
    struct spona_client *client = itest_connect_ok(&server, "csr");
    assert_unauthenticated(itest_whoami(client), NEEDS_SESSION);
    assert_unauthenticated(itest_logout(client), NEEDS_SESSION);
    /* refusals do not end the connection */
    spona_response *ping = itest_ping(client, "x", 1);
    itest_assert_status(ping, ping->request_id, SPONA__V1__STATUS__OK);
    envelope_free_response(ping);
    spona_client_close(client);
}

static void test_logout_then_whoami(void **state)
{
    struct spona_client *client = itest_connect_ok(&server, "csr");
    char *token = itest_login_ok(client, "sesh");
    spona_response *logout = itest_logout(client);
    itest_assert_status(logout, logout->request_id, SPONA__V1__STATUS__OK);
    assert_int_equal(logout->body_case, SPONA__V1__RESPONSE__BODY_LOGOUT);
    envelope_free_response(logout);
    assert_unauthenticated(itest_whoami(client), NEEDS_SESSION);
    spona_client_close(client);

    /* the session ended for good: its token no longer resumes */
    client = itest_connect_ok(&server, "csr");
    assert_unauthenticated(itest_resume(client, token), RESUME_FAILED);
    assert_unauthenticated(itest_whoami(client), NEEDS_SESSION);
    spona_client_close(client);
    free(token);
}

static void test_resume_on_new_connection(void **state)
{
    struct spona_client *first = itest_connect_ok(&server, "csr");
    char *token = itest_login_ok(first, "sesh");
    spona_response *before = itest_whoami(first);
    itest_assert_status(before, before->request_id, SPONA__V1__STATUS__OK);
    /* closing the connection detaches the session without ending it */
    spona_client_close(first);

    struct spona_client *second = itest_connect_ok(&server, "csr");
    spona_response *resumed = itest_resume(second, token);
    itest_assert_status(resumed, resumed->request_id, SPONA__V1__STATUS__OK);
    assert_int_equal(resumed->body_case, SPONA__V1__RESPONSE__BODY_RESUME);
    assert_string_equal(resumed->resume->session_id, before->whoami->session_id);
    assert_string_equal(resumed->resume->user_id, before->whoami->user_id);
    assert_string_equal(resumed->resume->username, "sesh");
    assert_string_equal(resumed->resume->institution_code, "testgrad.csr");
    assert_string_equal(resumed->resume->installation, "testgrad.csr");
    envelope_free_response(resumed);

    spona_response *after = itest_whoami(second);
    itest_assert_status(after, after->request_id, SPONA__V1__STATUS__OK);
    assert_string_equal(after->whoami->session_id, before->whoami->session_id);
    assert_string_equal(after->whoami->username, "sesh");
    assert_string_equal(after->whoami->municipality_code, "testgrad");
    envelope_free_response(after);

    /* a connection with a session cannot resume (another or the same one) */
    spona_response *again = itest_resume(second, token);
    itest_assert_status(again, again->request_id, SPONA__V1__STATUS__FAILED_PRECONDITION);
    envelope_free_response(again);

    spona_response *logout = itest_logout(second);
    itest_assert_status(logout, logout->request_id, SPONA__V1__STATUS__OK);
    envelope_free_response(logout);
    envelope_free_response(before);
    spona_client_close(second);
    free(token);
}

static void test_resume_from_another_installation(void **state)
{
    struct spona_client *csr = itest_connect_ok(&server, "csr");
    char *token = itest_login_ok(csr, "sesh");

    struct spona_client *zzz = itest_connect_ok(&server, "zzz");
    assert_unauthenticated(itest_resume(zzz, token), RESUME_FAILED);
    assert_unauthenticated(itest_whoami(zzz), NEEDS_SESSION);
    spona_client_close(zzz);

    /* the refused attempt did not harm the session where it belongs */
    spona_response *whoami = itest_whoami(csr);
    itest_assert_status(whoami, whoami->request_id, SPONA__V1__STATUS__OK);
    assert_string_equal(whoami->whoami->username, "sesh");
    envelope_free_response(whoami);
    spona_client_close(csr);
    free(token);
}

static void test_resume_with_unknown_tokens(void **state)
{
    static const char *const tokens[] = {
        "",
        "not-a-token",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "0000000000000000000000000000000000000000000000000000000000000000",
    };
    struct spona_client *client = itest_connect_ok(&server, "csr");
    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
        spona_response *response = itest_resume(client, tokens[i]);
        if (response->status != SPONA__V1__STATUS__UNAUTHENTICATED &&
            response->status != SPONA__V1__STATUS__INVALID_ARGUMENT)
            fail_msg("resume with token '%s' answered %s: '%s'", tokens[i],
                     envelope_status_name(response->status), response->message);
        assert_int_equal(response->body_case, SPONA__V1__RESPONSE__BODY__NOT_SET);
        envelope_free_response(response);
    }
    assert_unauthenticated(itest_whoami(client), NEEDS_SESSION);
    spona_client_close(client);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whoami_without_session),
        cmocka_unit_test(test_logout_then_whoami),
        cmocka_unit_test(test_resume_on_new_connection),
        cmocka_unit_test(test_resume_from_another_installation),
        cmocka_unit_test(test_resume_with_unknown_tokens),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests_name("integration.session", tests, group_setup,
                                       itest_group_teardown);
}
