/*
 * ctest fixture (spona_protocol), run as an integration test: the coordinator of
 * testgrad imports the test protocol through the API, version 1
 * (tests/integration/protocols/testgrad-v1.yaml) and then its amendment, version 2.
 * Idempotent: versions already stored are left alone. The personal-data tests that
 * require this fixture run on version 2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "idata.h"

static struct itest_server server;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "protocol_setup", NULL);
}

static void test_import_testgrad_protocol(void **state)
{
    (void)state;
    struct spona_client *coordinator = idata_login(&server, "grad", "goran");
    idata_protocol_ensure(&server, coordinator, "testgrad", 2);
    spona_response *show = idata_protocol_show(coordinator, 0);
    idata_expect(show, SPONA__V1__STATUS__OK);
    assert_int_equal(show->protocol_show->version, 2);
    assert_true(show->protocol_show->n_versions >= 2);
    assert_int_equal(show->protocol_show->versions[0], 1);
    assert_int_equal(show->protocol_show->versions[1], 2);
    envelope_free_response(show);
    spona_client_close(coordinator);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_testgrad_protocol),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, itest_group_teardown);
}
