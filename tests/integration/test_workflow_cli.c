/*
 * Integration test: the `spona` CLI of issue 13 against the real server (testgrad v2),
 * as the Centre for Social Work's case manager: local input (sex Ž, birth date
 * 15.05.1990, rural da, an outcome dated 1.4.2025.) reaches the server as
 * F/1990-05-15/true/2025-04-01; a date that is no calendar date is a usage error naming
 * the field, with nothing sent; `assess` without --on is dated today; the stage
 * suggestions are printed as prompts with the command to run.
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
#include <time.h>
#include <unistd.h>

#include "idata.h"

#define OK SPONA__V1__STATUS__OK

static struct itest_server server;
static struct spona_client *lead;
static char scratch[] = "/tmp/spona-workflow-cli-XXXXXX";

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "workflow_cli", NULL);
}

static int group_teardown(void **state)
{
    spona_client_close(lead);
    return itest_group_teardown(state);
}

/* Runs `spona ARGS` (a shell word list, quoted by the caller) as testgrad.csr's vlado;
 * its output (stdout and stderr) into out; returns its exit code. */
static int cli(char *out, size_t out_size, const char *args)
{
    char command[4096];
    snprintf(command, sizeof(command), "'%s' %s 2>&1", getenv("SPONA_CLI"), args);
    FILE *pipe = popen(command, "r");
    assert_non_null(pipe);
    size_t used = fread(out, 1, out_size - 1, pipe);
    out[used] = '\0';
    int status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The value of "key": "..." in JSON output (first occurrence), into value. */
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

static void test_setup(void **state)
{
    (void)state;
    assert_non_null(getenv("SPONA_CLI"));
    assert_non_null(mkdtemp(scratch));
    char path[1024], value[1200], password[128];
    snprintf(value, sizeof(value), "127.0.0.1:%s", server.port);
    setenv("SPONA_SERVER", value, 1);
    itest_state_path("pki/ca.crt", path, sizeof(path));
    setenv("SPONA_CA", path, 1);
    itest_state_path("pki/csr.crt", path, sizeof(path));
    setenv("SPONA_CERT", path, 1);
    itest_state_path("pki/csr.key", path, sizeof(path));
    setenv("SPONA_KEY", path, 1);
    snprintf(value, sizeof(value), "%s/session", scratch);
    setenv("SPONA_SESSION_FILE", value, 1);
    itest_password("vlado", password, sizeof(password));
    setenv("SPONA_PASSWORD", password, 1);
    char out[8192];
    if (cli(out, sizeof(out), "login --user vlado") != 0)
        fail_msg("spona login: %s", out);
    lead = idata_login(&server, "csr", "vlado");
}

/* A person registered through the CLI with local input; her id into person. */
static void test_local_input(void **state)
{
    (void)state;
    char out[8192], person[64];
    int code = cli(out, sizeof(out),
                   "--json person add --first-name Željka --last-name Lokalna --field sex=Ž"
                   " --field birth_date=15.05.1990 --field rural=da");
    if (code != 0)
        fail_msg("person add with local input: %s", out);
    json_value(out, "person_id", person, sizeof(person));
    spona_response *r = idata_person_get(lead, person);
    idata_expect_what(r, OK, "person_get");
    assert_string_equal(idata_field(r->person_get, "sex"), "F");
    assert_string_equal(idata_field(r->person_get, "birth_date"), "1990-05-15");
    assert_string_equal(idata_field(r->person_get, "rural"), "true");
    envelope_free_response(r);

    /* Cyrillic М and не, d.m.yyyy. */
    code = cli(out, sizeof(out),
               "--json person add --first-name Марко --last-name Локални --field sex=М"
               " --field birth_date=5.3.1988. --field rural=не");
    if (code != 0)
        fail_msg("person add with Cyrillic local input: %s", out);
    json_value(out, "person_id", person, sizeof(person));
    r = idata_person_get(lead, person);
    idata_expect_what(r, OK, "person_get");
    assert_string_equal(idata_field(r->person_get, "sex"), "M");
    assert_string_equal(idata_field(r->person_get, "birth_date"), "1988-03-05");
    assert_string_equal(idata_field(r->person_get, "rural"), "false");
    envelope_free_response(r);

    /* not a calendar date: refused by the CLI, naming the field */
    code = cli(out, sizeof(out),
               "person add --first-name Nije --last-name Datum --field birth_date=31.04.1990");
    assert_int_not_equal(code, 0);
    assert_non_null(strstr(out, "birth_date"));
    code = cli(out, sizeof(out),
               "person add --first-name Nije --last-name Spol --field sex=X");
    assert_int_not_equal(code, 0);
    assert_non_null(strstr(out, "sex"));
}

static void test_assess_today_and_suggestions(void **state)
{
    (void)state;
    char jmbg[14];
    idata_fresh_jmbg(jmbg);
    const char *pairs[] = {"first_name", "Prijedlog", "last_name", "Faze", "jmbg", jmbg, NULL};
    char *person = idata_person_create_ok(lead, pairs);
    char *case_id = idata_case_open_ok(lead, person);
    char out[8192], args[512], today[16];
    snprintf(args, sizeof(args), "assess %s --domain work_history=3", case_id);
    int code = cli(out, sizeof(out), args);
    if (code != 0)
        fail_msg("assess without --on: %s", out);
    time_t now = time(NULL);
    strftime(today, sizeof(today), "%Y-%m-%d", localtime(&now));
    assert_non_null(strstr(out, today));
    assert_non_null(strstr(out, "the case is in stage intake"));
    snprintf(args, sizeof(args), "suggested: move the case to stage assessment: "
                                 "`spona case advance %s --to assessment`", case_id);
    assert_non_null(strstr(out, args));

    snprintf(args, sizeof(args),
             "outcome %s --kind employed --on 1.4.2025. --employer 'Pekara Klas'"
             " --contract permanent --pathway integrated_case_management", case_id);
    code = cli(out, sizeof(out), args);
    if (code != 0)
        fail_msg("outcome with a local date: %s", out);
    assert_non_null(strstr(out, "employed on 2025-04-01"));
    snprintf(args, sizeof(args), "suggested: close the case with reason employed: "
                                 "`spona case close %s --reason employed`", case_id);
    assert_non_null(strstr(out, args));
    free(case_id);
    free(person);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setup),
        cmocka_unit_test(test_local_input),
        cmocka_unit_test(test_assess_today_and_suggestions),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
