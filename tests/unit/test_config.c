/*
 * Unit tests of the server's configuration (server/config.c): the documented
 * defaults, the example file in deploy/ (whose values are the defaults), the
 * errors that name a line, integer and listen-address values, and
 * config_validate's required keys. No server, network or database involved.
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

#include "config.h"
#include "log.h"

#ifndef SPONA_CONFIG_EXAMPLE
#error "SPONA_CONFIG_EXAMPLE must name deploy/spona-server.conf.example"
#endif

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL)
        fail_msg("'%s' does not contain '%s'", haystack, needle);
}

/* Parses text over the defaults; returns config_parse_string's result. */
static int parse(struct server_config *config, const char *text, char *err, size_t err_size)
{
    config_defaults(config);
    err[0] = '\0';
    return config_parse_string(config, text, err, err_size);
}

static void test_defaults(void **state)
{
    struct server_config config;
    config_defaults(&config);
    assert_string_equal(config.listen_host, "127.0.0.1");
    assert_string_equal(config.listen_port, "7443");
    assert_int_equal(config.io_threads, 0);
    assert_int_equal(config.workers, 4);
    assert_int_equal(config.max_frame_bytes, 1048576);
    assert_int_equal(config.max_connections, 1024);
    assert_int_equal(config.max_connections_per_institution, 256);
    assert_int_equal(config.max_handshakes, 128);
    assert_int_equal(config.max_handshakes_per_address, 32);
    assert_int_equal(config.handshake_timeout_seconds, 10);
    assert_int_equal(config.frame_timeout_seconds, 10);
    assert_int_equal(config.idle_timeout_seconds, 600);
    assert_int_equal(config.max_pipelined, 256);
    assert_int_equal(config.shutdown_grace_seconds, 10);
    assert_string_equal(config.pid_file, "");
    assert_string_equal(config.certificate, "server.crt");
    assert_string_equal(config.private_key, "server.key");
    assert_string_equal(config.client_ca_file, "ca.crt");
    assert_string_equal(config.crl_file, "");
    assert_int_equal(config.session_cache_size, 8192);
    assert_int_equal(config.session_timeout_seconds, 3600);
    assert_string_equal(config.dsn, "dbname=spona user=spona_app");
    assert_string_equal(config.admin_dsn, "dbname=spona user=spona_owner");
    assert_string_equal(config.migrations_dir, "sql");
    assert_int_equal(config.max_failed_logins, 5);
    assert_int_equal(config.lockout_seconds, 900);
    assert_int_equal(config.session_idle_seconds, 1800);
    assert_int_equal(config.session_max_seconds, 43200);
    assert_int_equal(config.scrypt_log2_n, 15);
    assert_int_equal(config.login_attempts_per_address, 30);
    assert_int_equal(config.login_attempts_per_institution, 300);
    assert_int_equal(config.login_attempts_per_user, 10);
    assert_int_equal(config.login_hash_threads, 0);
    assert_int_equal(config.login_hash_queue, 16);
    assert_int_equal(config.log_level, LOG_LEVEL_INFO);
    assert_int_equal(config.log_syslog, 0);

    char err[256] = "";
    assert_int_equal(config_validate(&config, err, sizeof(err)), 0);
}

/* The example documents every key with its default: loading it changes nothing. */
static void test_example_file_is_the_defaults(void **state)
{
    struct server_config defaults, loaded;
    config_defaults(&defaults);
    config_defaults(&loaded);
    char err[512] = "";
    if (config_load(&loaded, SPONA_CONFIG_EXAMPLE, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_int_equal(config_validate(&loaded, err, sizeof(err)), 0);
    assert_string_equal(loaded.listen_host, defaults.listen_host);
    assert_string_equal(loaded.listen_port, defaults.listen_port);
    assert_int_equal(loaded.workers, defaults.workers);
    assert_int_equal(loaded.max_frame_bytes, defaults.max_frame_bytes);
    assert_int_equal(loaded.scrypt_log2_n, defaults.scrypt_log2_n);
    assert_string_equal(loaded.dsn, defaults.dsn);
    assert_int_equal(loaded.log_level, defaults.log_level);
    assert_memory_equal(&loaded, &defaults, sizeof(loaded));
}

static void test_full_file_sets_every_key(void **state)
{
    static const char text[] = "[server]\n"
                               "listen = 0.0.0.0:9000\n"
                               "io_threads = 2\n"
                               "workers = 3\n"
                               "max_frame_bytes = 65536\n"
                               "max_connections = 10\n"
                               "max_pipelined = 20\n"
                               "shutdown_grace_seconds = 5\n"
                               "pid_file = /run/spona.pid\n"
                               "[tls]\n"
                               "certificate = /etc/spona/server.crt\n"
                               "private_key = /etc/spona/server.key\n"
                               "client_ca_file = /etc/spona/ca.crt\n"
                               "crl_file = /etc/spona/crl.pem\n"
                               "session_cache_size = 0\n"
                               "session_timeout_seconds = 600\n"
                               "[database]\n"
                               "dsn = host=127.0.0.1 port=5433 dbname=spona user=spona_app\n"
                               "admin_dsn = host=127.0.0.1 port=5433 dbname=spona user=spona_owner\n"
                               "migrations_dir = /usr/share/spona/sql\n"
                               "[auth]\n"
                               "max_failed_logins = 3\n"
                               "lockout_seconds = 60\n"
                               "session_idle_seconds = 600\n"
                               "session_max_seconds = 3600\n"
                               "scrypt_log2_n = 10\n"
                               "login_attempts_per_address = 7\n"
                               "login_attempts_per_institution = 70\n"
                               "login_attempts_per_user = 3\n"
                               "login_hash_threads = 2\n"
                               "login_hash_queue = 5\n"
                               "[log]\n"
                               "level = debug\n"
                               "syslog = true\n";
    struct server_config config;
    char err[256];
    if (parse(&config, text, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_string_equal(config.listen_host, "0.0.0.0");
    assert_string_equal(config.listen_port, "9000");
    assert_int_equal(config.io_threads, 2);
    assert_int_equal(config.workers, 3);
    assert_int_equal(config.max_frame_bytes, 65536);
    assert_int_equal(config.max_connections, 10);
    assert_int_equal(config.max_pipelined, 20);
    assert_int_equal(config.shutdown_grace_seconds, 5);
    assert_string_equal(config.pid_file, "/run/spona.pid");
    assert_string_equal(config.certificate, "/etc/spona/server.crt");
    assert_string_equal(config.private_key, "/etc/spona/server.key");
    assert_string_equal(config.client_ca_file, "/etc/spona/ca.crt");
    assert_string_equal(config.crl_file, "/etc/spona/crl.pem");
    assert_int_equal(config.session_cache_size, 0);
    assert_int_equal(config.session_timeout_seconds, 600);
    assert_string_equal(config.dsn, "host=127.0.0.1 port=5433 dbname=spona user=spona_app");
    assert_string_equal(config.admin_dsn,
                        "host=127.0.0.1 port=5433 dbname=spona user=spona_owner");
    assert_string_equal(config.migrations_dir, "/usr/share/spona/sql");
    assert_int_equal(config.max_failed_logins, 3);
    assert_int_equal(config.lockout_seconds, 60);
    assert_int_equal(config.session_idle_seconds, 600);
    assert_int_equal(config.session_max_seconds, 3600);
    assert_int_equal(config.scrypt_log2_n, 10);
    assert_int_equal(config.login_attempts_per_address, 7);
    assert_int_equal(config.login_attempts_per_institution, 70);
    assert_int_equal(config.login_attempts_per_user, 3);
    assert_int_equal(config.login_hash_threads, 2);
    assert_int_equal(config.login_hash_queue, 5);
    assert_int_equal(config.log_level, LOG_LEVEL_DEBUG);
    assert_int_equal(config.log_syslog, 1);
    assert_int_equal(config_validate(&config, err, sizeof(err)), 0);
}

static void test_unknown_section_names_line(void **state)
{
    struct server_config config;
    char err[256];
    assert_int_equal(parse(&config, "[server]\nworkers = 2\n\n[bogus]\nkey = 1\n", err,
                           sizeof(err)),
                     -1);
    assert_contains(err, "line 5");
    assert_contains(err, "bogus");
}

static void test_unknown_key_names_line(void **state)
{
    struct server_config config;
    char err[256];
    assert_int_equal(parse(&config, "[server]\nworkers = 2\nwokrers = 3\n", err, sizeof(err)),
                     -1);
    assert_contains(err, "line 3");
    assert_contains(err, "wokrers");

    /* a key valid in one section is unknown in another */
    assert_int_equal(parse(&config, "[tls]\nworkers = 2\n", err, sizeof(err)), -1);
    assert_contains(err, "line 2");

    /* a key before any section */
    assert_int_equal(parse(&config, "workers = 2\n", err, sizeof(err)), -1);
    assert_contains(err, "line 1");
}

static void test_syntax_error_names_line(void **state)
{
    struct server_config config;
    char err[256];
    assert_int_equal(parse(&config, "[server]\nworkers = 2\nthis line has no equals sign\n",
                           err, sizeof(err)),
                     -1);
    assert_contains(err, "line 3");
}

static void test_bad_integers(void **state)
{
    static const struct {
        const char *text;
        const char *line;
    } cases[] = {
        {"[server]\nworkers = abc\n", "line 2"},
        {"[server]\nworkers = 12abc\n", "line 2"},
        {"[server]\nworkers =\n", "line 2"},
        {"[server]\nworkers = 0\n", "line 2"},
        {"[server]\nworkers = -1\n", "line 2"},
        {"[server]\nio_threads = 65\n", "line 2"},
        {"[server]\n\nmax_frame_bytes = 99999999999999999999999\n", "line 3"},
        {"[server]\nmax_frame_bytes = 4294967296\n", "line 2"},
        {"[server]\nmax_frame_bytes = 1.5\n", "line 2"},
        {"[auth]\nscrypt_log2_n = 9\n", "line 2"},
        {"[auth]\nscrypt_log2_n = 21\n", "line 2"},
        {"[auth]\nlogin_attempts_per_address = 0\n", "line 2"},
        {"[auth]\nlogin_hash_threads = -1\n", "line 2"},
        {"[auth]\nmax_failed_logins = 0\n", "line 2"},
        {"[log]\nsyslog = maybe\n", "line 2"},
        {"[log]\nlevel = loud\n", "line 2"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct server_config config;
        char err[256];
        if (parse(&config, cases[i].text, err, sizeof(err)) != -1)
            fail_msg("accepted: %s", cases[i].text);
        if (strstr(err, cases[i].line) == NULL)
            fail_msg("error for '%s' does not say %s: %s", cases[i].text, cases[i].line, err);
    }
}

static void test_integer_limits_accepted(void **state)
{
    struct server_config config;
    char err[256];
    if (parse(&config, "[server]\nworkers = 256\nio_threads = 0\n[auth]\nscrypt_log2_n = 20\n",
              err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_int_equal(config.workers, 256);
    assert_int_equal(config.scrypt_log2_n, 20);
}

static void test_listen_forms(void **state)
{
    static const struct {
        const char *value;
        const char *host;
        const char *port;
    } good[] = {
        {"127.0.0.1:7443", "127.0.0.1", "7443"},
        {"localhost:8000", "localhost", "8000"},
        {"[::1]:7443", "::1", "7443"},
        {"[::]:9443", "::", "9443"},
        {"0.0.0.0", "0.0.0.0", "7443"}, /* no port: the default stays */
        {"[fe80::1]", "fe80::1", "7443"},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct server_config config;
        char text[128], err[256];
        snprintf(text, sizeof(text), "[server]\nlisten = %s\n", good[i].value);
        if (parse(&config, text, err, sizeof(err)) != 0)
            fail_msg("listen = %s refused: %s", good[i].value, err);
        assert_string_equal(config.listen_host, good[i].host);
        assert_string_equal(config.listen_port, good[i].port);
    }

    static const char *const bad[] = {
        "::1:7443", /* a bare IPv6 address needs brackets */
        "[::1",     "[::1]x",   "host:0", "host:65536", "host:port", ":7443", "[]:7443",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct server_config config;
        char text[128], err[256];
        snprintf(text, sizeof(text), "[server]\n\nlisten = %s\n", bad[i]);
        if (parse(&config, text, err, sizeof(err)) != -1)
            fail_msg("listen = %s accepted", bad[i]);
        assert_contains(err, "line 3");
    }
}

static void test_validate_required_keys(void **state)
{
    static const struct {
        const char *text;
        const char *named;
    } cases[] = {
        {"[tls]\ncertificate =\n", "certificate"},
        {"[tls]\nprivate_key =\n", "private_key"},
        {"[tls]\nclient_ca_file =\n", "client_ca_file"},
        {"[database]\ndsn =\n", "dsn"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct server_config config;
        char err[256];
        if (parse(&config, cases[i].text, err, sizeof(err)) != 0)
            fail_msg("%s", err);
        err[0] = '\0';
        if (config_validate(&config, err, sizeof(err)) != -1)
            fail_msg("validated without %s", cases[i].named);
        assert_contains(err, cases[i].named);
    }
}

static void test_validate_session_limits(void **state)
{
    struct server_config config;
    char err[256];
    if (parse(&config, "[auth]\nsession_idle_seconds = 600\nsession_max_seconds = 300\n", err,
              sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_int_equal(config_validate(&config, err, sizeof(err)), -1);
    assert_contains(err, "session_max_seconds");
}

/* [server] mode and [region] (docs/region.md) */
static void test_region_mode(void **state)
{
    struct server_config config;
    char err[256];
    assert_int_equal(parse(&config, "[server]\nworkers = 2\n", err, sizeof(err)), 0);
    assert_int_equal(config.mode, SERVER_MODE_MUNICIPAL);
    assert_int_equal(parse(&config, "[server]\nmode = federal\n", err, sizeof(err)), -1);
    assert_contains(err, "expected municipal or regional");

    /* regional mode needs the CA's certificate; the key is optional (offline CA) */
    assert_int_equal(parse(&config, "[server]\nmode = regional\n", err, sizeof(err)), 0);
    assert_int_equal(config.mode, SERVER_MODE_REGIONAL);
    assert_int_equal(config_validate(&config, err, sizeof(err)), -1);
    assert_contains(err, "[region] ca_cert");
    assert_int_equal(parse(&config,
                           "[server]\nmode = regional\n[region]\nca_cert = /r/ca.crt\n"
                           "crl = /r/region.crl\ncert_days = 400\n",
                           err, sizeof(err)),
                     0);
    assert_int_equal(config_validate(&config, err, sizeof(err)), 0);
    assert_string_equal(config.region_ca_cert, "/r/ca.crt");
    assert_string_equal(config.region_ca_key, "");
    assert_int_equal(config.region_cert_days, 400);
    assert_int_equal(config.region_crl_days, 30);

    /* a municipal server with [region] keys is a mistake, not ignored */
    assert_int_equal(parse(&config, "[region]\nca_key = /r/ca.key\n", err, sizeof(err)), 0);
    assert_int_equal(config_validate(&config, err, sizeof(err)), -1);
    assert_contains(err, "mode = regional");
}

static void test_load_missing_file(void **state)
{
    struct server_config config;
    config_defaults(&config);
    char err[512] = "";
    assert_int_equal(config_load(&config, "/nonexistent/spona-test.conf", err, sizeof(err)), -1);
    assert_contains(err, "/nonexistent/spona-test.conf");
}

static void test_load_names_file_and_line(void **state)
{
    char path[] = "/tmp/spona-test-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *file = fdopen(fd, "w");
    assert_non_null(file);
    fputs("[server]\nworkers = 2\n[auth]\nlockout_seconds = soon\n", file);
    fclose(file);

    struct server_config config;
    config_defaults(&config);
    char err[512] = "";
    int result = config_load(&config, path, err, sizeof(err));
    unlink(path);
    assert_int_equal(result, -1);
    assert_contains(err, path);
    assert_contains(err, "line 4");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_example_file_is_the_defaults),
        cmocka_unit_test(test_full_file_sets_every_key),
        cmocka_unit_test(test_unknown_section_names_line),
        cmocka_unit_test(test_unknown_key_names_line),
        cmocka_unit_test(test_syntax_error_names_line),
        cmocka_unit_test(test_bad_integers),
        cmocka_unit_test(test_integer_limits_accepted),
        cmocka_unit_test(test_listen_forms),
        cmocka_unit_test(test_validate_required_keys),
        cmocka_unit_test(test_validate_session_limits),
        cmocka_unit_test(test_region_mode),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_load_names_file_and_line),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
