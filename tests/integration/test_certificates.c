/*
 * Integration test: who may connect. Certificates the TLS layer must refuse
 * (none, another CA, expired, revoked) never get a Response; valid
 * certificates of an unregistered or a disabled installation get one
 * Response with request id 0 and UNAUTHENTICATED naming the CN, then the
 * connection closes. After each bad client a good one is still served.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "itest.h"

static struct itest_server server;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "certificates", NULL);
}

static void assert_refused(const char *cert)
{
    char detail[512] = "";
    if (!itest_is_refused(&server, cert, detail, sizeof(detail)))
        fail_msg("certificate '%s' was not refused: %s", cert ? cert : "(none)", detail);
    print_message("certificate '%s' refused (%s)\n", cert ? cert : "(none)", detail);
    itest_assert_served(&server);
}

static void test_good_certificate_accepted(void **state)
{
    itest_assert_served(&server);
}

static void test_no_client_certificate(void **state)
{
    assert_refused(NULL);
}

static void test_certificate_of_another_ca(void **state)
{
    assert_refused("otherca");
}

static void test_expired_certificate(void **state)
{
    assert_refused("expired");
}

static void test_revoked_certificate(void **state)
{
    assert_refused("revoked");
}

/* A valid certificate whose installation may not use the server. */
static void assert_installation_refused(const char *cert, const char *cn, const char *says)
{
    struct spona_client *client = itest_connect_ok(&server, cert);
    /* ask something: the answer must be the refusal, never the ping */
    Spona__V1__PingRequest ping;
    spona__v1__ping_request__init(&ping);
    spona_request request;
    spona__v1__request__init(&request);
    request.request_id = 7;
    request.body_case = SPONA__V1__REQUEST__BODY_PING;
    request.ping = &ping;
    char err[256] = "";
    if (spona_client_send(client, &request, err, sizeof(err)) == 0)
        print_message("send failed (the server may have closed first): %s\n", err);

    spona_response *response = itest_receive(client);
    itest_assert_status(response, 0, SPONA__V1__STATUS__UNAUTHENTICATED);
    if (strstr(response->message, cn) == NULL)
        fail_msg("message '%s' does not name the installation '%s'", response->message, cn);
    if (strstr(response->message, says) == NULL)
        fail_msg("message '%s' does not say '%s'", response->message, says);
    envelope_free_response(response);
    itest_assert_closed(client);
    spona_client_close(client);

    itest_assert_served(&server);
}

static void test_unregistered_installation(void **state)
{
    assert_installation_refused("unknown", "testgrad.unknown", "not a registered institution");
}

static void test_disabled_institution(void **state)
{
    assert_installation_refused("off", "testgrad.off", "disabled institution");
}

static void test_each_refusal_again_in_a_row(void **state)
{
    /* the server keeps no bad state from refusals: all of them once more */
    static const char *const refused[] = {"otherca", "expired", "revoked"};
    assert_refused(NULL);
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        assert_refused(refused[i]);
    assert_installation_refused("unknown", "testgrad.unknown", "not a registered institution");
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_certificate_accepted),
        cmocka_unit_test(test_no_client_certificate),
        cmocka_unit_test(test_certificate_of_another_ca),
        cmocka_unit_test(test_expired_certificate),
        cmocka_unit_test(test_revoked_certificate),
        cmocka_unit_test(test_unregistered_installation),
        cmocka_unit_test(test_disabled_institution),
        cmocka_unit_test(test_each_refusal_again_in_a_row),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests_name("integration.certificates", tests, group_setup,
                                       itest_group_teardown);
}
