/*
 * Integration test: the CLI in Bosnian and Serbian Cyrillic against the real server
 * (docs/i18n.md). A server of its own on the harness's prijedor (its protocol imported
 * by integration.prijedor); tests/i18n/cli_languages.sh runs the commands as the lead
 * agency's case manager with --lang bs and --lang sr-Cyrl and checks what they print:
 * no word of a list of English words, Cyrillic in sr-Cyrl, labels of codes, and a
 * refusal translated from its error code. The script's exit status is the verdict.
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
    return itest_server_start(&server, "i18n_cli", NULL);
}

static void test_cli_languages(void **state)
{
    (void)state;
    assert_int_equal(itest_run_cli_script(&server, "SPONA_I18N_SCRIPT"), 0);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_languages),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, itest_group_teardown);
}
