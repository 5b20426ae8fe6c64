/*
 * Integration test: the Prijedor demo pilot (issue 5, docs/demo.md) loaded by the
 * shipped loader deploy/demo-prijedor.sh, through the `spona` CLI and the server's own
 * API, into the harness's prijedor (after integration.prijedor has imported its
 * protocol). Then:
 *  - the lead agency's report grows by exactly the pilot: 60 persons in case
 *    management across the four priority groups, 10 employed, 6 through integrated
 *    case management and 4 through social entrepreneurship, and one-time-assistance
 *    recipients in the years of the stories;
 *  - the coordinator's report (the last ended quarter, released) shows no count from
 *    1 to 4 and no linked set with a single hidden cell;
 *  - `spona report --pdf` as the lead writes the printable report, which pdftotext
 *    reads back with the pilot's figures and pdftoppm renders to a non-empty image
 *    (SPONA_DEMO_PDF=PATH keeps a copy to look at);
 *  - a second run of the loader changes nothing.
 * The loader finds the harness certificates under the names it expects
 * (pki/<institution code>.crt) through symbolic links in a scratch directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idata.h"

#define OK SPONA__V1__STATUS__OK

static struct itest_server server;
static struct spona_client *lead, *city;
static spona_response *baseline, *loaded;
static char scratch[] = "/tmp/spona-demo-test.XXXXXX";

static const char *const institutions[] = {
    "prijedor.grad", "prijedor.csr",   "prijedor.zzz",  "prijedor.skola",
    "prijedor.komora", "prijedor.preda", "prijedor.hleb",
};

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "demo", NULL);
}

static int group_teardown(void **state)
{
    spona_client_close(lead);
    spona_client_close(city);
    if (baseline != NULL)
        envelope_free_response(baseline);
    if (loaded != NULL)
        envelope_free_response(loaded);
    char command[128];
    snprintf(command, sizeof(command), "rm -rf '%s'", scratch);
    if (strncmp(scratch, "/tmp/spona-demo-test.", 21) == 0 && system(command) != 0)
        fprintf(stderr, "could not remove %s\n", scratch);
    return itest_group_teardown(state);
}

static spona_response *report(struct spona_client *client)
{
    Spona__V1__ReportRequest body;
    spona__v1__report_request__init(&body);
    body.from = "";
    body.to = "";
    spona_request request;
    spona__v1__request__init(&request);
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_REPORT;
    request.report = &body;
    spona_response *r = idata_call(client, &request);
    idata_expect(r, OK);
    assert_int_equal(r->body_case, SPONA__V1__RESPONSE__BODY_REPORT);
    assert_string_equal(r->report->municipality_code, "prijedor");
    return r;
}

/* The lead's report before the pilot: none (counts 0) while it leads no case yet, since
 * live figures are only over the cases a lead agency leads (docs/reports.md). */
static spona_response *report_before(struct spona_client *client)
{
    Spona__V1__ReportRequest body;
    spona__v1__report_request__init(&body);
    body.from = "";
    body.to = "";
    spona_request request;
    spona__v1__request__init(&request);
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_REPORT;
    request.report = &body;
    spona_response *r = idata_call(client, &request);
    if (r->status == SPONA__V1__STATUS__PERMISSION_DENIED && r->message != NULL &&
        strstr(r->message, "leads no case") != NULL) {
        envelope_free_response(r);
        return NULL;
    }
    envelope_free_response(r);
    return report(client);
}

static long count(const spona_response *r, const char *indicator, const char *breakdown)
{
    if (r == NULL)
        return 0;
    for (size_t i = 0; i < r->report->n_rows; i++)
        if (strcmp(r->report->rows[i]->indicator, indicator) == 0 &&
            strcmp(r->report->rows[i]->breakdown, breakdown) == 0)
            return strtol(r->report->rows[i]->value, NULL, 10);
    return 0;
}

static long added(const char *indicator, const char *breakdown)
{
    return count(loaded, indicator, breakdown) - count(baseline, indicator, breakdown);
}

/* Runs the loader (its environment given to it alone, through env(1)); asserts exit 0. */
static void run_loader(void)
{
    const char *cli = getenv("SPONA_CLI");
    assert_non_null(cli);
    char loader[1024], address[64], server_env[96], cli_env[1100], dev_env[128];
    snprintf(loader, sizeof(loader), "%s/../../deploy/demo-prijedor.sh",
             getenv("SPONA_TEST_HARNESS"));
    snprintf(address, sizeof(address), "127.0.0.1:%s", server.port);
    snprintf(server_env, sizeof(server_env), "SPONA_SERVER=%s", address);
    snprintf(cli_env, sizeof(cli_env), "SPONA_CLI_BIN=%s", cli);
    snprintf(dev_env, sizeof(dev_env), "SPONA_DEV_DIR=%s", scratch);
    const char *argv[] = {"/usr/bin/env", server_env, cli_env, dev_env,
                          "SPONA_DEMO_PASSWORD=prijedor-lozinka-42", "/bin/bash", loader, NULL};
    assert_int_equal(itest_run(argv), 0);
}

/* A demo user of the harness's prijedor (tests/harness/pg.sh: one password for all). */
static struct spona_client *login(const char *cert, const char *username)
{
    struct spona_client *client = itest_connect_ok(&server, cert);
    spona_response *r = itest_login(client, username, "prijedor-lozinka-42");
    idata_expect(r, OK);
    envelope_free_response(r);
    return client;
}

static void test_setup(void **state)
{
    (void)state;
    assert_non_null(mkdtemp(scratch));
    char dir[1024], target[1024], link[1200];
    snprintf(dir, sizeof(dir), "%s/pki", scratch);
    assert_int_equal(mkdir(dir, 0700), 0);
    itest_state_path("pki/ca.crt", target, sizeof(target));
    snprintf(link, sizeof(link), "%s/ca.crt", dir);
    assert_int_equal(symlink(target, link), 0);
    for (size_t i = 0; i < sizeof(institutions) / sizeof(institutions[0]); i++) {
        /* the harness names prijedor.csr's certificate prijedor-csr */
        char name[64];
        snprintf(name, sizeof(name), "%s", institutions[i]);
        name[strlen("prijedor")] = '-';
        for (int k = 0; k < 2; k++) {
            const char *ext = k == 0 ? "crt" : "key";
            char relative[128];
            snprintf(relative, sizeof(relative), "pki/%s.%s", name, ext);
            itest_state_path(relative, target, sizeof(target));
            snprintf(link, sizeof(link), "%s/%s.%s", dir, institutions[i], ext);
            assert_int_equal(symlink(target, link), 0);
        }
    }
    lead = login("prijedor-csr", "ana.csr");
    city = login("prijedor-grad", "dragana.grad");
    baseline = report_before(lead);
}

/* The pilot as the lead agency's report gives it. */
static void test_pilot_figures(void **state)
{
    (void)state;
    run_loader();
    loaded = report(lead);
    assert_int_equal(added("persons_in_case_management", "all"), 60);
    assert_int_equal(added("employed", "all"), 10);
    assert_int_equal(added("employed", "pathway:integrated_case_management"), 6);
    assert_int_equal(added("employed", "pathway:social_entrepreneurship"), 4);
    assert_int_equal(added("employed", "pathway:other"), 0);
    /* all four priority groups are there, and the sexes add up */
    static const char *const groups[] = {
        "group:women_domestic_violence", "group:rural_one_time_assistance",
        "group:persons_with_disabilities", "group:youth_leaving_care"};
    for (size_t i = 0; i < 4; i++)
        assert_true(added("persons_in_case_management", groups[i]) > 0);
    assert_int_equal(added("persons_in_case_management", "sex:F") +
                         added("persons_in_case_management", "sex:M") +
                         added("persons_in_case_management", "sex:unknown"),
                     60);
    long one_time = 0;
    for (size_t i = 0; i < loaded->report->n_rows; i++)
        if (strcmp(loaded->report->rows[i]->indicator, "one_time_assistance_recipients") == 0)
            one_time += added("one_time_assistance_recipients", loaded->report->rows[i]->breakdown);
    assert_true(one_time > 0);
}

/* The coordinator's view: the last ended quarter, released, nothing from 1 to 4. */
static void test_coordinator_view(void **state)
{
    (void)state;
    spona_response *r = report(city);
    assert_true(r->report->suppressed_view);
    assert_true(strlen(r->report->released_at) > 0);
    for (size_t i = 0; i < r->report->n_rows; i++) {
        const char *value = r->report->rows[i]->value;
        char *end;
        long n = strtol(value, &end, 10);
        if (*value != '\0' && (*end == '\0' || *end == '.') && n >= 1 && n <= 4) {
            print_error("coordinator sees %s/%s = %s\n", r->report->rows[i]->indicator,
                        r->report->rows[i]->breakdown, value);
            fail();
        }
    }
    envelope_free_response(r);
}

/* The printable report of the pilot, through the CLI, read back and rendered. */
static void test_printable_report(void **state)
{
    (void)state;
    char script[2048];
    snprintf(script, sizeof(script),
             "set -e; d='%s'; cli=\"$SPONA_CLI\"\n"
             "export SPONA_SERVER=127.0.0.1:%s SPONA_CA=$d/pki/ca.crt\n"
             "export SPONA_CERT=$d/pki/prijedor.csr.crt SPONA_KEY=$d/pki/prijedor.csr.key\n"
             "export SPONA_SESSION_FILE=$d/pdf-session SPONA_PASSWORD=prijedor-lozinka-42\n"
             "\"$cli\" login --user ana.csr >/dev/null\n"
             "\"$cli\" --lang en report --pdf $d/pilot.pdf | grep -qx \"wrote $d/pilot.pdf\"\n"
             "pdftotext -layout $d/pilot.pdf $d/pilot.txt\n"
             "pdftoppm -png -r 50 -f 1 -l 1 $d/pilot.pdf $d/page\n"
             "test -s $d/page-1.png\n"
             "if [ -n \"${SPONA_DEMO_PDF:-}\" ]; then cp $d/pilot.pdf \"$SPONA_DEMO_PDF\"; fi\n",
             scratch, server.port);
    const char *argv[] = {"/bin/bash", "-c", script, NULL};
    assert_int_equal(itest_run(argv), 0);
    char path[256];
    snprintf(path, sizeof(path), "%s/pilot.txt", scratch);
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    static char text[1 << 20];
    size_t length = fread(text, 1, sizeof(text) - 1, file);
    fclose(file);
    text[length] = '\0';
    /* the table pages list every row; the pilot's employed by pathway among them */
    char want[64];
    snprintf(want, sizeof(want), "%ld", count(loaded, "employed", "all"));
    /* by the names a reader knows (docs/documents.md), not by codes */
    assert_non_null(strstr(text, "Prijedor"));
    assert_non_null(strstr(text, "social entrepreneurship"));
    assert_non_null(strstr(text, "One-time assistance recipients"));
    assert_null(strstr(text, "one_time_assistance_recipients"));
    assert_null(strstr(text, "pathway:"));
    assert_non_null(strstr(text, want));
    assert_non_null(strstr(text, "page 2 of"));
}

/* A second run leaves everything as it was. */
static void test_second_run_changes_nothing(void **state)
{
    (void)state;
    run_loader();
    spona_response *again = report(lead);
    assert_int_equal(again->report->n_rows, loaded->report->n_rows);
    for (size_t i = 0; i < again->report->n_rows; i++)
        assert_string_equal(again->report->rows[i]->value, loaded->report->rows[i]->value);
    envelope_free_response(again);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setup),
        cmocka_unit_test(test_pilot_figures),
        cmocka_unit_test(test_coordinator_view),
        cmocka_unit_test(test_printable_report),
        cmocka_unit_test(test_second_run_changes_nothing),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
