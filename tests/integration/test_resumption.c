/*
 * Integration test: TLS session resumption that re-checks revocation, and clear
 * refusals (issue 11, items 7 and 8), against the real server over TLS:
 *   - a reconnect of the same client certificate resumes (session_reused), and
 *     a session token resumes on it only with the certificate that logged in;
 *   - a certificate that expired since its full handshake cannot resume: the
 *     server verifies a resumed session's certificate again and says why;
 *   - a certificate revoked and SIGHUP'd: its open connection is cut, the
 *     reconnect is not resumed and is refused; other certificates resume again;
 *   - a client over max_connections is told so (the TLS alert, in words), and a
 *     handshake dropped at its deadline before the server said anything gets the
 *     same alert;
 *   - a flood of bad frames costs a bounded number of log lines, and every bad
 *     frame is accounted for (logged or counted) when the server stops.
 * Runs on an institution of its own (testgrad.resume) with its own certificates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"

#define INSTITUTION "testgrad.resume"
#define CERT "resume"
#define OTHER_CERT "resume2"     /* also CN testgrad.resume */
#define REVOKED_CERT "resumerev" /* revoked by test_revoked_certificate_cannot_resume */
#define EXPIRING_CERT "resumeexp"
#define USER "nastavak"
#define MAX_CONNECTIONS 12
#define EXPIRES_IN_SECONDS 10 /* the first connection must come before: a wide margin */
#define BAD_FRAMES 60

static struct itest_server server;
static char server_log[1024]; /* the server's stderr */
static long long flood_started_ms, flood_ended_ms;

static const char extra_ini[] = "[server]\n"
                                "io_threads = 1\n"
                                "max_connections = 12\n"
                                "handshake_timeout_seconds = 2\n";

static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Issues pki/<name>.crt for the institution; extra options go to `openssl ca`. */
static int issue_certificate(const char *name, const char *enddate)
{
    char pki[1024], script[1200];
    itest_state_path("pki", pki, sizeof(pki));
    snprintf(script, sizeof(script), "%s/../../deploy/pki.sh", getenv("SPONA_TEST_HARNESS"));
    const char *argv[] = {"/bin/bash", script, "--issue", pki, name, INSTITUTION,
                          enddate != NULL ? "-enddate" : NULL, enddate, NULL};
    return itest_run(argv);
}

static int add_user(const char *username)
{
    char password[256];
    itest_password(username, password, sizeof(password));
    setenv("SPONA_PASSWORD", password, 1);
    int status = itest_admin("add-user", INSTITUTION, username, "Nastavko Sesić", NULL);
    unsetenv("SPONA_PASSWORD");
    return status;
}

static int start_server_logged(void)
{
    char run_dir[1024];
    itest_state_path("run", run_dir, sizeof(run_dir));
    mkdir(run_dir, 0755); /* itest_server_start makes it too, after we open the log */
    itest_state_path("run/resumption.log", server_log, sizeof(server_log));
    int log_fd = open(server_log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    int saved = dup(STDERR_FILENO);
    if (log_fd < 0 || saved < 0)
        return -1;
    fflush(stderr);
    dup2(log_fd, STDERR_FILENO);
    close(log_fd);
    int result = itest_server_start(&server, "resumption", extra_ini);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    return result;
}

static int group_setup(void **state)
{
    *state = &server;
    if (itest_admin("add-institution", "testgrad", INSTITUTION, "service_provider",
                    "Nastavak Testgrad", NULL) != 0 ||
        itest_admin("set-institution-enabled", INSTITUTION, "true", NULL) != 0 ||
        issue_certificate(CERT, NULL) != 0 || issue_certificate(OTHER_CERT, NULL) != 0 ||
        issue_certificate(REVOKED_CERT, NULL) != 0 || add_user(USER) != 0) {
        fprintf(stderr, "resumption: could not register %s\n", INSTITUTION);
        return -1;
    }
    return start_server_logged();
}

static int group_teardown(void **state)
{
    FILE *log = fopen(server_log, "r");
    if (log != NULL) {
        char line[1024];
        fprintf(stderr, "--- server log (%s) ---\n", server_log);
        while (fgets(line, sizeof(line), log) != NULL)
            fputs(line, stderr);
        fclose(log);
    }
    return itest_group_teardown(state);
}

static void assert_ping_ok(struct spona_client *client)
{
    spona_response *response = itest_ping(client, "hi", 2);
    itest_assert_status(response, response->request_id, SPONA__V1__STATUS__OK);
    envelope_free_response(response);
}

/* Connects with cert and pings (which also brings the server's session tickets in). */
static struct spona_client *connect_pinged(const char *cert, int *reused)
{
    struct spona_client *client = itest_connect_ok(&server, cert);
    *reused = spona_client_session_reused(client);
    assert_ping_ok(client);
    return client;
}

static void test_reconnect_resumes(void **state)
{
    int reused = -1;
    struct spona_client *client = connect_pinged(CERT, &reused);
    assert_int_equal(reused, 0); /* this certificate's first connection */
    spona_client_close(client);
    for (int i = 0; i < 3; i++) {
        client = connect_pinged(CERT, &reused);
        assert_int_equal(reused, 1);
        spona_client_close(client);
    }
}

static void test_login_binding_on_resumed_session(void **state)
{
    int reused = -1;
    struct spona_client *client = connect_pinged(CERT, &reused);
    char *token = itest_login_ok(client, USER);
    spona_client_close(client);
    /* a resumed TLS session still carries the certificate the session is bound to */
    client = connect_pinged(CERT, &reused);
    assert_int_equal(reused, 1);
    spona_response *resumed = itest_resume(client, token);
    itest_assert_status(resumed, resumed->request_id, SPONA__V1__STATUS__OK);
    envelope_free_response(resumed);
    spona_response *whoami = itest_whoami(client);
    itest_assert_status(whoami, whoami->request_id, SPONA__V1__STATUS__OK);
    assert_string_equal(whoami->whoami->username, USER);
    envelope_free_response(whoami);
    spona_client_close(client);
    /* another certificate of the institution, resumed too, cannot take the session over */
    spona_client_close(connect_pinged(OTHER_CERT, &reused));
    client = connect_pinged(OTHER_CERT, &reused);
    assert_int_equal(reused, 1);
    resumed = itest_resume(client, token);
    itest_assert_status(resumed, resumed->request_id, SPONA__V1__STATUS__UNAUTHENTICATED);
    envelope_free_response(resumed);
    spona_client_close(client);
    free(token);
}

/* One more connection with the expired certificate: refused, resumed or not. */
static void assert_expired_refused_again(void)
{
    char err[256] = "";
    struct spona_client *client = itest_connect(&server, EXPIRING_CERT, 0, err, sizeof(err));
    if (client == NULL)
        return; /* refused during the handshake */
    spona_response *response = spona_client_receive(client, err, sizeof(err));
    if (response != NULL) {
        int refused = response->request_id == 0 &&
                      response->status == SPONA__V1__STATUS__UNAUTHENTICATED &&
                      strstr(response->message, "resumed TLS session refused") != NULL;
        char text[300];
        snprintf(text, sizeof(text), "%s '%s'", envelope_status_name(response->status),
                 response->message);
        envelope_free_response(response);
        if (!refused)
            fail_msg("an expired certificate got: %s", text);
    } else if (strstr(err, "expired") == NULL) {
        fail_msg("the refusal '%s' does not say 'expired'", err);
    }
    spona_client_close(client);
}

static void test_expired_certificate_cannot_resume(void **state)
{
    char enddate[32];
    time_t expires = time(NULL) + EXPIRES_IN_SECONDS;
    strftime(enddate, sizeof(enddate), "%Y%m%d%H%M%SZ", gmtime(&expires));
    assert_int_equal(issue_certificate(EXPIRING_CERT, enddate), 0);
    int reused = -1;
    char err[256] = "";
    struct spona_client *client = itest_connect(&server, EXPIRING_CERT, 0, err, sizeof(err));
    if (client == NULL)
        fail_msg("connect with a certificate valid %d s more: %s", EXPIRES_IN_SECONDS, err);
    assert_ping_ok(client);
    spona_client_close(client);
    while (time(NULL) <= expires + 1)
        itest_sleep_ms(200);
    /* the server still has the session; resuming it skips verification, so it checks again */
    client = connect_pinged(CERT, &reused); /* (another certificate is still served) */
    spona_client_close(client);
    client = itest_connect_ok(&server, EXPIRING_CERT);
    assert_int_equal(spona_client_session_reused(client), 1);
    spona_response *refused = itest_receive(client);
    itest_assert_status(refused, 0, SPONA__V1__STATUS__UNAUTHENTICATED);
    if (strstr(refused->message, "resumed TLS session refused") == NULL ||
        strstr(refused->message, "expired") == NULL)
        fail_msg("message '%s' does not say the resumed session was refused as expired",
                 refused->message);
    envelope_free_response(refused);
    itest_assert_closed(client);
    spona_client_close(client);
    /* and again, whichever kept ticket the client offers: resumed and refused, or a full
       handshake refused at the TLS level; never served */
    for (int attempt = 0; attempt < 3; attempt++)
        assert_expired_refused_again();
}

static void test_revoked_certificate_cannot_resume(void **state)
{
    int reused = -1;
    spona_client_close(connect_pinged(REVOKED_CERT, &reused));
    struct spona_client *open = connect_pinged(REVOKED_CERT, &reused);
    assert_int_equal(reused, 1);
    char pki[1024];
    itest_state_path("pki", pki, sizeof(pki));
    assert_int_equal(itest_harness("pki.sh", "revoke", pki, REVOKED_CERT, NULL), 0);
    assert_int_equal(kill(server.pid, SIGHUP), 0);
    /* the open (resumed) connection is cut at the reload: the reload has happened */
    spona_response *cut = itest_receive(open);
    itest_assert_status(cut, 0, SPONA__V1__STATUS__UNAUTHENTICATED);
    if (strstr(cut->message, "certificate revoked") == NULL)
        fail_msg("message '%s' does not say 'certificate revoked'", cut->message);
    envelope_free_response(cut);
    spona_client_close(open);
    /* the client still offers a kept session: it is not resumed, and the handshake refused */
    char err[256] = "";
    struct spona_client *client = itest_connect(&server, REVOKED_CERT, 0, err, sizeof(err));
    if (client != NULL) {
        assert_int_equal(spona_client_session_reused(client), 0);
        spona_request request = SPONA__V1__REQUEST__INIT;
        Spona__V1__PingRequest ping = SPONA__V1__PING_REQUEST__INIT;
        request.body_case = SPONA__V1__REQUEST__BODY_PING;
        request.ping = &ping;
        spona_response *response = spona_client_call(client, &request, err, sizeof(err));
        if (response != NULL) {
            char text[300];
            snprintf(text, sizeof(text), "a revoked certificate was answered: %s '%s'",
                     envelope_status_name(response->status), response->message);
            envelope_free_response(response);
            fail_msg("%s", text);
        }
        spona_client_close(client);
    }
    if (strstr(err, "revoked") == NULL)
        fail_msg("the refusal '%s' does not say 'revoked'", err);
    /* the reload emptied the cache: another certificate makes a full handshake, then resumes */
    spona_client_close(connect_pinged(CERT, &reused));
    assert_int_equal(reused, 0);
    spona_client_close(connect_pinged(CERT, &reused));
    assert_int_equal(reused, 1);
}

static void test_over_max_connections_told_why(void **state)
{
    struct spona_client *held[MAX_CONNECTIONS + 4] = {0};
    char err[256] = "";
    int opened = 0;
    /* connections closed by earlier tests may still be counted: open until refused */
    for (; opened < MAX_CONNECTIONS + 4; opened++) {
        err[0] = '\0';
        held[opened] = itest_connect(&server, CERT, 0, err, sizeof(err));
        if (held[opened] == NULL)
            break;
        spona_response *response = itest_ping(held[opened], "held", 4);
        int ok = response->status == SPONA__V1__STATUS__OK;
        envelope_free_response(response);
        assert_true(ok);
    }
    if (opened == MAX_CONNECTIONS + 4)
        fail_msg("%d connections open on one io thread, max_connections is %d", opened,
                 MAX_CONNECTIONS);
    if (strstr(err, "connection limit") == NULL)
        fail_msg("the refusal '%s' does not name the connection limit", err);
    for (int i = 0; i < opened; i++)
        spona_client_close(held[i]);
    itest_sleep_ms(200); /* (the server sees the closes; not asserted on time) */
    itest_assert_served(&server);
}

/* A TCP connection to the server; asserts. */
static int tcp_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in address;
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)atoi(server.port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&address, sizeof(address)), 0);
    return fd;
}

/* Everything fd receives until EOF (or 20 s of silence: then the test fails), up to size. */
static size_t read_until_eof(int fd, uint8_t *out, size_t size)
{
    size_t got = 0;
    for (;;) {
        struct pollfd wait = {.fd = fd, .events = POLLIN};
        if (poll(&wait, 1, 20000) != 1)
            fail_msg("the server neither sent nor closed within 20 s");
        ssize_t n = recv(fd, out + got, size - got, 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return got;
        assert_true(n > 0);
        got += (size_t)n;
        assert_true(got < size);
    }
}

static void test_handshake_deadline_told_busy(void **state)
{
    /* the start of a ClientHello record, never finished; and a socket that sends nothing */
    static const uint8_t hello_start[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01};
    static const uint8_t busy_alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50};
    int dribbler = tcp_connect(), silent = tcp_connect();
    assert_int_equal(send(dribbler, hello_start, sizeof(hello_start), MSG_NOSIGNAL),
                     (ssize_t)sizeof(hello_start));
    int fds[] = {dribbler, silent};
    for (int i = 0; i < 2; i++) {
        uint8_t received[64];
        size_t got = read_until_eof(fds[i], received, sizeof(received));
        assert_int_equal(got, sizeof(busy_alert));
        assert_memory_equal(received, busy_alert, sizeof(busy_alert));
        close(fds[i]);
    }
}

/* One connection, one empty frame (length 0): the server answers and closes. */
static void send_bad_frame(void)
{
    static const uint8_t empty_frame[4] = {0, 0, 0, 0};
    struct spona_client *client = itest_connect_ok(&server, CERT);
    char err[256];
    assert_int_equal(spona_client_send_raw(client, empty_frame, sizeof(empty_frame), err,
                                           sizeof(err)),
                     0);
    spona_response *response = itest_receive(client);
    itest_assert_status(response, 0, SPONA__V1__STATUS__INVALID_ARGUMENT);
    envelope_free_response(response);
    spona_client_close(client);
}

static int log_lines_with(const char *needle, unsigned long *sum_of_counts)
{
    FILE *log = fopen(server_log, "r");
    char line[2048];
    int count = 0;
    if (log == NULL)
        return -1;
    while (fgets(line, sizeof(line), log) != NULL) {
        const char *at = strstr(line, needle);
        if (at == NULL)
            continue;
        count++;
        const char *more = strstr(line, "summary: ");
        if (sum_of_counts != NULL && more != NULL)
            *sum_of_counts += strtoul(more + strlen("summary: "), NULL, 10);
    }
    fclose(log);
    return count;
}

static void test_bad_frame_flood_logged_bounded(void **state)
{
    flood_started_ms = now_ms();
    for (int i = 0; i < BAD_FRAMES; i++)
        send_bad_frame();
    flood_ended_ms = now_ms();
    itest_assert_served(&server);
    /* one full line per 10 s window, however many bad frames; a margin for the windows */
    long long windows = (flood_ended_ms - flood_started_ms) / 10000 + 2;
    int lines = log_lines_with("empty frame (length 0)", NULL);
    if (lines < 1 || lines > windows)
        fail_msg("%d log lines name the bad frame after %d bad frames (at most %lld expected)",
                 lines, BAD_FRAMES, windows);
}

/* Stops the server; then every bad frame of the flood is in the log, logged or counted. */
static void test_bad_frames_all_counted_at_stop(void **state)
{
    itest_test_server_stops_cleanly(state);
    unsigned long counted = 0;
    int full = log_lines_with("empty frame (length 0)", NULL);
    log_lines_with("more connections closed for a bad frame", &counted);
    assert_int_equal((unsigned long)full + counted, BAD_FRAMES);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reconnect_resumes),
        cmocka_unit_test(test_login_binding_on_resumed_session),
        cmocka_unit_test(test_expired_certificate_cannot_resume),
        cmocka_unit_test(test_revoked_certificate_cannot_resume),
        cmocka_unit_test(test_over_max_connections_told_why),
        cmocka_unit_test(test_handshake_deadline_told_busy),
        cmocka_unit_test(test_bad_frame_flood_logged_bounded),
        cmocka_unit_test(test_bad_frames_all_counted_at_stop),
    };
    return cmocka_run_group_tests_name("integration.resumption", tests, group_setup,
                                       group_teardown);
}
