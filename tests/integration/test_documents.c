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
    const char *cli = getenv("SPONA_CLI");
    const char *script = getenv("SPONA_DOCS_SCRIPT");
    assert_non_null(cli);
    assert_non_null(script);
    char address[64], server_env[96], cli_env[1100], ca_env[1100], cert_env[1100],
        key_env[1100], ca[1024], cert[1024], key[1024];
    snprintf(address, sizeof(address), "127.0.0.1:%s", server.port);
    snprintf(server_env, sizeof(server_env), "SPONA_SERVER=%s", address);
    snprintf(cli_env, sizeof(cli_env), "SPONA_CLI=%s", cli);
    itest_state_path("pki/ca.crt", ca, sizeof(ca));
    itest_state_path("pki/prijedor-csr.crt", cert, sizeof(cert));
    itest_state_path("pki/prijedor-csr.key", key, sizeof(key));
    snprintf(ca_env, sizeof(ca_env), "SPONA_CA=%s", ca);
    snprintf(cert_env, sizeof(cert_env), "SPONA_CERT=%s", cert);
    snprintf(key_env, sizeof(key_env), "SPONA_KEY=%s", key);
    const char *argv[] = { "/usr/bin/env", server_env, cli_env, ca_env, cert_env, key_env,
                           "SPONA_PASSWORD=prijedor-lozinka-42", "/bin/bash", script, NULL };
    assert_int_equal(itest_run(argv), 0);
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
