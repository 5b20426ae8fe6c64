/*
 * Integration test of two regional daemons behind HAProxy (deploy/haproxy/, docs/
 * operations.md "The regional tier beyond one machine"): both on the one regional
 * database, TLS passed through. The CLI logs in through the proxy and lists the
 * registry; one daemon is killed and the next commands are served by the other, the
 * session resumed there; a new daemon is added by a reload of HAProxy and the other old
 * one killed: the new one serves. Skipped (77) without haproxy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "itest.h"

static struct itest_server daemons[3];
static char region_dir[1024];
static char proxy_port[16];
static char ini[8192];

static int free_port(char *out, size_t out_size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    int ok = fd >= 0 && bind(fd, (struct sockaddr *)&address, sizeof(address)) == 0 &&
             getsockname(fd, (struct sockaddr *)&address, &length) == 0;
    if (ok)
        snprintf(out, out_size, "%d", ntohs(address.sin_port));
    if (fd >= 0)
        close(fd);
    return ok ? 0 : -1;
}

/* Writes the proxy's config in front of the running daemons and starts or reloads it. */
static int proxy(const char *action)
{
    const char *harness = getenv("SPONA_HAPROXY_SCRIPT");
    if (harness == NULL)
        return -1;
    char backends[256] = "";
    for (size_t i = 0; i < sizeof(daemons) / sizeof(daemons[0]); i++)
        if (daemons[i].pid > 0) {
            size_t used = strlen(backends);
            snprintf(backends + used, sizeof(backends) - used, " 127.0.0.1:%s", daemons[i].port);
        }
    char script[2048];
    snprintf(script, sizeof(script),
             "set -e; d='%s'; bash '%s' config 127.0.0.1:%s $d/haproxy.pid%s > $d/haproxy.cfg;"
             " bash '%s' %s $d/haproxy.cfg",
             region_dir, harness, proxy_port, backends, harness, action);
    const char *argv[] = {"/bin/bash", "-c", script, NULL};
    return itest_run(argv);
}

static int group_setup(void **state)
{
    (void)state;
    if (system("command -v haproxy >/dev/null") != 0) {
        fprintf(stderr, "integration.region_haproxy: haproxy is not installed; skipped\n");
        exit(77);
    }
    char port_path[1024], db_port[16];
    itest_state_path("region", region_dir, sizeof(region_dir));
    itest_state_path("db/port", port_path, sizeof(port_path));
    if (itest_read_text(port_path, db_port, sizeof(db_port)) != 0)
        return -1;
    db_port[strcspn(db_port, "\n")] = '\0';
    itest_region_ini(ini, sizeof(ini), region_dir, db_port, "spona_region", "published-haproxy.crl");
    if (itest_server_start_as(&daemons[0], "regional-a", ini, "../region/pki/admin") != 0 ||
        itest_server_start_as(&daemons[1], "regional-b", ini, "../region/pki/admin") != 0 ||
        free_port(proxy_port, sizeof(proxy_port)) != 0)
        return -1;
    return proxy("start");
}

static int group_teardown(void **state)
{
    (void)state;
    char script[1200];
    snprintf(script, sizeof(script), "bash \"$SPONA_HAPROXY_SCRIPT\" stop '%s/haproxy.pid'",
             region_dir);
    const char *argv[] = {"/bin/bash", "-c", script, NULL};
    itest_run(argv);
    for (size_t i = 0; i < sizeof(daemons) / sizeof(daemons[0]); i++)
        itest_server_kill(&daemons[i]);
    return 0;
}

/* Runs `spona region municipality list` ROUNDS times through the proxy (a new TLS
 * connection each, the session resumed), after logging in when login is set. */
static int cli_through_proxy(int login, int rounds)
{
    const char *cli = getenv("SPONA_CLI");
    assert_non_null(cli);
    char script[2048];
    snprintf(script, sizeof(script),
             "set -euo pipefail; d='%s'; cli='%s'\n"
             "export SPONA_SERVER=127.0.0.1:%s SPONA_CA=$d/../pki/ca.crt\n"
             "export SPONA_CERT=$d/pki/admin.crt SPONA_KEY=$d/pki/admin.key\n"
             "export SPONA_SESSION_FILE=$d/haproxy-session SPONA_PASSWORD=regina-lozinka-42\n"
             "if [ %d = 1 ]; then \"$cli\" login --user regina >/dev/null; fi\n"
             "for i in $(seq %d); do \"$cli\" region municipality list >/dev/null; done\n"
             "\"$cli\" whoami | grep -q regina\n",
             region_dir, cli, proxy_port, login, rounds);
    const char *argv[] = {"/bin/bash", "-c", script, NULL};
    return itest_run(argv);
}

static void test_served_through_proxy(void **state)
{
    (void)state;
    assert_int_equal(cli_through_proxy(1, 6), 0);
}

static void test_one_daemon_killed(void **state)
{
    (void)state;
    itest_server_kill(&daemons[0]);
    /* no wait for the health check: a refused connection is dispatched again */
    assert_int_equal(cli_through_proxy(0, 6), 0);
}

static void test_daemon_added_other_killed(void **state)
{
    (void)state;
    assert_int_equal(itest_server_start_as(&daemons[2], "regional-c", ini,
                                           "../region/pki/admin"), 0);
    assert_int_equal(proxy("reload"), 0);
    itest_server_kill(&daemons[1]);
    assert_int_equal(cli_through_proxy(0, 6), 0);
    /* and a login from scratch on the one that is left */
    assert_int_equal(cli_through_proxy(1, 2), 0);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_served_through_proxy),
        cmocka_unit_test(test_one_daemon_killed),
        cmocka_unit_test(test_daemon_added_other_killed),
    };
    return cmocka_run_group_tests_name("integration.region_haproxy", tests, group_setup,
                                       group_teardown);
}
