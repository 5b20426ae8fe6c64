/*
 * Integration test: the case worker's day of issue 13 through the CLI in Bosnian and
 * Serbian Cyrillic, against a server of its own on the harness's prijedor (its protocol
 * imported by integration.prijedor). tests/i18n/journey.sh runs it as the Centre's case
 * manager ana.csr (two desks) and the employment bureau's milan.zzz, typing no UUID and
 * no version, and checks every rule of the day and that no output line is English.
 * The script's exit status is the verdict.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "itest.h"

static struct itest_server server;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "journey", NULL);
}

static void test_case_worker_day(void **state)
{
    (void)state;
    assert_int_equal(itest_run_cli_script(&server, "SPONA_JOURNEY_SCRIPT"), 0);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_worker_day),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, itest_group_teardown);
}
