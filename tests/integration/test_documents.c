/*
 * Integration test: the printed documents in every language against the real server
 * (docs/documents.md). A server of its own on the harness's prijedor (its protocol
 * imported by integration.prijedor); tests/i18n/documents.sh writes the plan to sign,
 * the report, the protocol and the disclosures letter as the lead agency's case
 * manager in en, bs, hr, sr-Latn and sr-Cyrl, renders each with pdftoppm and reads it
 * back with pdftotext. The script's exit status is the verdict.
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
    return itest_server_start(&server, "documents", NULL);
}

static void test_documents(void **state)
{
    (void)state;
    assert_int_equal(itest_run_cli_script(&server, "SPONA_DOCS_SCRIPT"), 0);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_documents),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, itest_group_teardown);
}
