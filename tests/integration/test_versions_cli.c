/*
 * Integration test: versions without bookkeeping (issue 13, docs/cli.md "Versions").
 * The `spona` CLI's journey person update -> case advance -> plan change -> referral
 * accept -> complete as the Centre for Social Work's vesna and the Employment Bureau's
 * zana, with no --version typed: each write uses the version the CLI last showed or
 * wrote, and prints the new one. Then conflicts between two users told in words (who
 * changed the record, and what): the plan changed by the partner, the case moved by a
 * colleague, the person changed by a colleague (the categories written); --fresh takes
 * the current version; a record never shown (case show shows its person) is a usage
 * error that names --fresh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idata.h"

static struct itest_server server;
static char scratch[] = "/tmp/spona-versions-cli-XXXXXX";
static char person[64], case_id[64], referral[64];

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "versions_cli", NULL);
}

/* Runs `spona ARGS` as user (certificate cert, own session file); output (stdout and
 * stderr) into out; returns the exit code. */
static int cli_as(const char *cert, const char *user, char *out, size_t out_size,
                  const char *format, ...)
{
    char args[2048], command[8192], ca[1024], crt[1024], key[1024], file[16];
    va_list list;
    va_start(list, format);
    vsnprintf(args, sizeof(args), format, list);
    va_end(list);
    itest_state_path("pki/ca.crt", ca, sizeof(ca));
    snprintf(file, sizeof(file), "pki/%s.crt", cert);
    itest_state_path(file, crt, sizeof(crt));
    snprintf(file, sizeof(file), "pki/%s.key", cert);
    itest_state_path(file, key, sizeof(key));
    char password[128];
    itest_password(user, password, sizeof(password));
    snprintf(command, sizeof(command),
             "SPONA_SERVER=127.0.0.1:%s SPONA_CA='%s' SPONA_CERT='%s' SPONA_KEY='%s'"
             " SPONA_SESSION_FILE='%s/%s.session' SPONA_PASSWORD='%s' SPONA_LANG=en '%s' %s 2>&1",
             server.port, ca, crt, key, scratch, user, password, getenv("SPONA_CLI"), args);
    FILE *pipe = popen(command, "r");
    assert_non_null(pipe);
    size_t used = fread(out, 1, out_size - 1, pipe);
    out[used] = '\0';
    int status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The string value of "key" in JSON output (first occurrence), into value. */
static void json_value(const char *json, const char *key, char *value, size_t size)
{
    char pattern[128];
    snprintf(pattern, sizeof(pattern), "\"%s\":", key);
    const char *at = strstr(json, pattern);
    if (at == NULL)
        fail_msg("no %s in: %s", key, json);
    at = strchr(at + strlen(pattern), '"');
    assert_non_null(at);
    const char *end = strchr(at + 1, '"');
    assert_non_null(end);
    snprintf(value, size, "%.*s", (int)(end - at - 1), at + 1);
}

/* Asserts that output has needle. */
static void expect_text(const char *output, const char *needle)
{
    if (strstr(output, needle) == NULL)
        fail_msg("expected '%s' in: %s", needle, output);
}

#define RUN_OK(cert, user, ...)                                                            \
    do {                                                                                   \
        int code_ = cli_as(cert, user, out, sizeof(out), __VA_ARGS__);                     \
        if (code_ != 0)                                                                    \
            fail_msg("exit %d: %s", code_, out);                                           \
    } while (0)

static void test_login(void **state)
{
    (void)state;
    char out[8192];
    assert_non_null(getenv("SPONA_CLI"));
    assert_non_null(mkdtemp(scratch));
    RUN_OK("csr", "vesna", "login --user vesna");
    RUN_OK("csr", "vlado", "login --user vlado");
    RUN_OK("zzz", "zana", "login --user zana");
}

/* person update -> case advance -> plan change -> referral accept -> complete. */
static void test_journey_without_versions(void **state)
{
    (void)state;
    char out[8192];
    RUN_OK("csr", "vesna", "--json person add --first-name Vera --last-name Verzijić");
    json_value(out, "person_id", person, sizeof(person));
    RUN_OK("csr", "vesna", "person update %s --first-name Verica", person);
    expect_text(out, "now version 2");
    RUN_OK("csr", "vesna", "--json case open %s --reason 'versions'", person);
    json_value(out, "case_id", case_id, sizeof(case_id));
    RUN_OK("csr", "vesna", "case advance %s --to assessment", case_id);
    expect_text(out, "now version 2");
    RUN_OK("csr", "vesna", "plan add-goal %s --text 'posao do kraja godine'", case_id);
    expect_text(out, "now version 1");
    RUN_OK("csr", "vesna",
           "plan add-measure %s --kind job_search_support --text 'prijava na biro'"
           " --responsible testgrad.zzz",
           case_id);
    expect_text(out, "now version 2");
    RUN_OK("csr", "vesna", "--json refer %s --to testgrad.zzz --measure 'measure 1: prijava'",
           case_id);
    json_value(out, "referral_id", referral, sizeof(referral));

    /* the Bureau: its inbox shows the referral's version, accept prints the new one */
    RUN_OK("zzz", "zana", "inbox --open");
    expect_text(out, referral);
    RUN_OK("zzz", "zana", "referral accept %s", referral);
    expect_text(out, "now version 2");
}

/* The partner changes the plan; the lead's remembered version is stale: told who and what. */
static void test_plan_conflict_in_words(void **state)
{
    (void)state;
    char out[8192];
    RUN_OK("zzz", "zana", "plan show %s", case_id);
    RUN_OK("zzz", "zana", "plan set-status %s --measure 1=in_progress", case_id);
    expect_text(out, "now version 3");
    int code = cli_as("csr", "vesna", out, sizeof(out), "plan add-goal %s --text 'još jedan'",
                      case_id);
    assert_int_equal(code, 5);
    expect_text(out, "current version is 3");
    expect_text(out, "changed by zana (testgrad.zzz) at ");
    expect_text(out, "a new version of the plan was saved");
    /* --json: the same as code and params */
    code = cli_as("csr", "vesna", out, sizeof(out), "--json plan add-goal %s --text x", case_id);
    assert_int_equal(code, 5);
    expect_text(out, "\"code\":\"version_conflict\"");
    expect_text(out, "\"by_user\":\"zana\"");
    expect_text(out, "\"change\":\"plan_changed\"");
    /* --fresh: the current version read first */
    RUN_OK("csr", "vesna", "plan add-goal %s --text 'još jedan' --fresh", case_id);
    expect_text(out, "now version 4");
    /* and the partner completes its referral without typing a version */
    RUN_OK("zzz", "zana", "referral complete %s --result 'registered'", referral);
    expect_text(out, "now version 3");
}

/* Two users of the Centre: vlado's case is stale after vesna moved it. */
static void test_case_conflict_between_colleagues(void **state)
{
    (void)state;
    char out[8192];
    RUN_OK("csr", "vlado", "case show %s", case_id);
    RUN_OK("csr", "vesna", "case advance %s --to planning", case_id);
    expect_text(out, "now version 3");
    int code = cli_as("csr", "vlado", out, sizeof(out), "case advance %s --to implementation",
                      case_id);
    assert_int_equal(code, 5);
    expect_text(out, "changed by vesna (testgrad.csr) at ");
    expect_text(out, "the stage moved from assessment to planning");
    /* --version N still works, and the person never shown by vlado needs a look first */
    RUN_OK("csr", "vlado", "case advance %s --to implementation --version 3", case_id);
    expect_text(out, "now version 4");
    char other[64];
    RUN_OK("csr", "vesna", "--json person add --first-name Nova --last-name Osoba");
    json_value(out, "person_id", other, sizeof(other));
    code = cli_as("csr", "vlado", out, sizeof(out), "person update %s --first-name Novka", other);
    assert_int_equal(code, 1);
    expect_text(out, "--fresh");
    RUN_OK("csr", "vlado", "person update %s --first-name Novka --fresh", other);
    expect_text(out, "now version 2");
    /* a person's conflict names the categories changed (identity: vlado may read it) */
    RUN_OK("csr", "vlado", "person show %s", person);
    RUN_OK("csr", "vesna", "person show %s", person);
    RUN_OK("csr", "vesna", "person update %s --last-name Verzić", person);
    code = cli_as("csr", "vlado", out, sizeof(out), "person update %s --first-name V", person);
    assert_int_equal(code, 5);
    expect_text(out, "changed by vesna (testgrad.csr) at ");
    expect_text(out, "data changed: ");
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login),
        cmocka_unit_test(test_journey_without_versions),
        cmocka_unit_test(test_plan_conflict_in_words),
        cmocka_unit_test(test_case_conflict_between_colleagues),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, itest_group_teardown);
}
