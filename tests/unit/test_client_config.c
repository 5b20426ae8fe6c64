/*
 * Unit test of client/lib/client_config.c, the settings the spona CLI and spona-desktop
 * share (docs/cli.md, "Settings"): a config file's [client] keys with paths relative to
 * the file, the environment over the file, given values over the environment, the
 * defaults (server, session file under XDG_STATE_HOME), other programs' sections
 * ignored, and the refusals: an unknown key with its line, a missing named file, a bad
 * server address.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_config.h"

static char directory[] = "/tmp/spona-client-config.XXXXXX";
static char file[256];

static const char *const variables[] = { "SPONA_CONFIG", "SPONA_SERVER", "SPONA_CA",
                                         "SPONA_CERT",   "SPONA_KEY",    "SPONA_USER",
                                         "SPONA_SESSION_FILE" };

static void write_file(const char *text)
{
    FILE *out = fopen(file, "w");
    assert_non_null(out);
    fputs(text, out);
    fclose(out);
}

static int setup(void **state)
{
    for (size_t i = 0; i < sizeof(variables) / sizeof(variables[0]); i++)
        unsetenv(variables[i]);
    setenv("XDG_STATE_HOME", directory, 1);
    setenv("XDG_CONFIG_HOME", directory, 1);
    return 0;
}

static void file_relative_paths_and_defaults(void **state)
{
    write_file("[other]\nanything = 1\n[client]\nca = pki/ca.crt\ncert = /abs/c.crt\n"
               "user = ana\n");
    struct spona_config config;
    const struct spona_config_given given = { .config_file = file };
    char err[256] = "";
    assert_int_equal(spona_config_load(&config, &given, err, sizeof(err)), 0);
    char expected[320];
    snprintf(expected, sizeof(expected), "%s/pki/ca.crt", directory);
    assert_string_equal(config.ca_file, expected);
    assert_string_equal(config.cert_file, "/abs/c.crt");
    assert_null(config.key_file);
    assert_string_equal(config.user, "ana");
    assert_string_equal(config.server, SPONA_CONFIG_DEFAULT_SERVER);
    assert_string_equal(config.host, "127.0.0.1");
    assert_string_equal(config.port, "7443");
    snprintf(expected, sizeof(expected), "%s/spona/session", directory);
    assert_string_equal(config.session_file, expected);
    assert_string_equal(config.config_file, file);
    spona_config_free(&config);
}

static void given_over_environment_over_file(void **state)
{
    write_file("[client]\nserver = file.example:1\nuser = from_file\nkey = k.pem\n");
    setenv("SPONA_CONFIG", file, 1);
    setenv("SPONA_SERVER", "[::1]:9443", 1);
    setenv("SPONA_USER", "from_env", 1);
    struct spona_config config;
    const struct spona_config_given given = { .user = "given" };
    char err[256] = "";
    assert_int_equal(spona_config_load(&config, &given, err, sizeof(err)), 0);
    assert_string_equal(config.user, "given");
    assert_string_equal(config.host, "::1");
    assert_string_equal(config.port, "9443");
    char expected[320];
    snprintf(expected, sizeof(expected), "%s/k.pem", directory);
    assert_string_equal(config.key_file, expected);
    spona_config_free(&config);
    unsetenv("SPONA_CONFIG");
    unsetenv("SPONA_SERVER");
    unsetenv("SPONA_USER");
}

static void refusals(void **state)
{
    struct spona_config config;
    char err[256] = "";
    write_file("[client]\nserver = a:1\n\nbogus = 2\n");
    const struct spona_config_given given = { .config_file = file };
    assert_int_equal(spona_config_load(&config, &given, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "line 4: unknown key 'bogus' in [client]"));
    spona_config_free(&config);

    const struct spona_config_given missing = { .config_file = "/nonexistent/spona.conf" };
    assert_int_equal(spona_config_load(&config, &missing, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/spona.conf"));
    spona_config_free(&config);

    const struct spona_config_given bad = { .config_file = "/dev/null", .server = "a:b:c" };
    assert_int_equal(spona_config_load(&config, &bad, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "invalid server address 'a:b:c'"));
    spona_config_free(&config);
}

int main(void)
{
    if (mkdtemp(directory) == NULL)
        return 1;
    snprintf(file, sizeof(file), "%s/client.conf", directory);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(file_relative_paths_and_defaults, setup),
        cmocka_unit_test_setup(given_over_environment_over_file, setup),
        cmocka_unit_test_setup(refusals, setup),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(file);
    rmdir(directory);
    return failed;
}
