/*
 * Integration test: sessions end when their reason ends (issue 11, item 4). A
 * password reset (add-user again), a user disabled, an institution disabled and
 * the end-sessions admin command each end the session: the next request on the
 * open connection is refused with the reason, and its token no longer resumes,
 * even after re-enabling. A login beyond auth.max_sessions_per_user ends the
 * user's oldest session, and a token resumes only with the certificate that
 * logged in; a certificate revoked at a CRL reload (SIGHUP) has its open
 * connection cut. Everything runs on an institution of its own (testgrad.sesend,
 * registered here with its users and two certificates), so disabling it touches
 * no other test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define INSTITUTION "testgrad.sesend"
#define CERT "sesend"
#define OTHER_CERT "sesend2" /* also CN testgrad.sesend */
#define REVOKED_CERT "sesend3" /* also; revoked by test_revoked_certificate_is_cut */
#define RESUME_FAILED "session expired or unknown"
#define SESSION_CAP 3

static struct itest_server server;

static const char *const users[] = {"pwreset", "disableme", "instuser", "kicked",
                                    "bystander", "capped", "certuser", "revokee"};

static int add_user(const char *username)
{
    char password[256];
    itest_password(username, password, sizeof(password));
    setenv("SPONA_PASSWORD", password, 1);
    int status = itest_admin("add-user", INSTITUTION, username, "Sesija Završena", NULL);
    unsetenv("SPONA_PASSWORD");
    return status;
}

static int issue_certificate(const char *name)
{
    char pki[1024], script[1200];
    itest_state_path("pki", pki, sizeof(pki));
    snprintf(script, sizeof(script), "%s/../../deploy/pki.sh", getenv("SPONA_TEST_HARNESS"));
    const char *argv[] = {"/bin/bash", script, "--issue", pki, name, INSTITUTION, NULL};
    return itest_run(argv);
}

static int group_setup(void **state)
{
    *state = &server;
    if (itest_admin("add-institution", "testgrad", INSTITUTION, "service_provider",
                    "Sesije Testgrad", NULL) != 0 ||
        itest_admin("set-institution-enabled", INSTITUTION, "true", NULL) != 0 ||
        issue_certificate(CERT) != 0 || issue_certificate(OTHER_CERT) != 0 ||
        issue_certificate(REVOKED_CERT) != 0) {
        fprintf(stderr, "session_ends: could not register %s\n", INSTITUTION);
        return -1;
    }
    for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
        if (add_user(users[i]) != 0)
            return -1;
    char extra[64];
    snprintf(extra, sizeof(extra), "[auth]\nmax_sessions_per_user = %d\n", SESSION_CAP);
    return itest_server_start(&server, "session_ends", extra);
}

static void assert_unauthenticated(spona_response *response, const char *says)
{
    itest_assert_status(response, response->request_id, SPONA__V1__STATUS__UNAUTHENTICATED);
    if (strstr(response->message, says) == NULL)
        fail_msg("message '%s' does not say '%s'", response->message, says);
    envelope_free_response(response);
}

static void assert_whoami_ok(struct spona_client *client, const char *username)
{
    spona_response *whoami = itest_whoami(client);
    itest_assert_status(whoami, whoami->request_id, SPONA__V1__STATUS__OK);
    assert_string_equal(whoami->whoami->username, username);
    envelope_free_response(whoami);
}

/* The token does not resume on a fresh connection of the same certificate. */
static void assert_resume_refused(const char *cert, const char *token)
{
    struct spona_client *client = itest_connect_ok(&server, cert);
    assert_unauthenticated(itest_resume(client, token), RESUME_FAILED);
    spona_client_close(client);
}

/* The open connection's next request is refused with why, and the token is dead. */
static void assert_ended(struct spona_client *client, const char *token, const char *reason)
{
    char says[128];
    snprintf(says, sizeof(says), "your session was ended: %s", reason);
    assert_unauthenticated(itest_whoami(client), says);
    assert_resume_refused(CERT, token);
}

/* Logs the user in on a fresh connection and checks it works; after re-enabling. */
static void assert_fresh_login_works(const char *username)
{
    struct spona_client *client = itest_connect_ok(&server, CERT);
    char *token = itest_login_ok(client, username);
    assert_whoami_ok(client, username);
    spona_client_close(client);
    free(token);
}

static void test_password_reset_ends_session(void **state)
{
    struct spona_client *client = itest_connect_ok(&server, CERT);
    char *token = itest_login_ok(client, "pwreset");
    assert_whoami_ok(client, "pwreset");
    assert_int_equal(add_user("pwreset"), 0);
    assert_ended(client, token, "password changed");
    spona_client_close(client);
    free(token);
    assert_fresh_login_works("pwreset");
}

static void test_user_disabled_ends_session(void **state)
{
    struct spona_client *client = itest_connect_ok(&server, CERT);
    char *token = itest_login_ok(client, "disableme");
    assert_whoami_ok(client, "disableme");
    assert_int_equal(itest_admin("set-user-enabled", INSTITUTION, "disableme", "false", NULL), 0);
    assert_ended(client, token, "user disabled");
    spona_client_close(client);
    /* enabling the user again does not revive the old token */
    assert_int_equal(itest_admin("set-user-enabled", INSTITUTION, "disableme", "true", NULL), 0);
    assert_resume_refused(CERT, token);
    free(token);
    assert_fresh_login_works("disableme");
}

static void test_institution_disabled_ends_session(void **state)
{
    struct spona_client *client = itest_connect_ok(&server, CERT);
    char *token = itest_login_ok(client, "instuser");
    assert_whoami_ok(client, "instuser");
    assert_int_equal(itest_admin("set-institution-enabled", INSTITUTION, "false", NULL), 0);
    char says[128];
    snprintf(says, sizeof(says), "your session was ended: %s", "institution disabled");
    assert_unauthenticated(itest_whoami(client), says);
    spona_client_close(client);
    assert_int_equal(itest_admin("set-institution-enabled", INSTITUTION, "true", NULL), 0);
    /* enabled again: the old token stays dead, a new login works */
    assert_resume_refused(CERT, token);
    free(token);
    assert_fresh_login_works("instuser");
}

static void test_end_sessions_of_user(void **state)
{
    struct spona_client *first = itest_connect_ok(&server, CERT);
    struct spona_client *second = itest_connect_ok(&server, CERT);
    struct spona_client *other = itest_connect_ok(&server, CERT);
    char *first_token = itest_login_ok(first, "kicked");
    char *second_token = itest_login_ok(second, "kicked");
    char *other_token = itest_login_ok(other, "bystander");
    assert_int_equal(itest_admin("end-sessions", "--user", INSTITUTION, "kicked", NULL), 0);
    assert_ended(first, first_token, "ended by an administrator");
    assert_ended(second, second_token, "ended by an administrator");
    /* another user of the institution keeps the session */
    assert_whoami_ok(other, "bystander");
    /* an unknown user is an error, not a silent success */
    assert_int_not_equal(itest_admin("end-sessions", "--user", INSTITUTION, "nobody", NULL), 0);

    assert_int_equal(itest_admin("end-sessions", "--institution", INSTITUTION, NULL), 0);
    assert_ended(other, other_token, "ended by an administrator");
    spona_client_close(first);
    spona_client_close(second);
    spona_client_close(other);
    free(first_token);
    free(second_token);
    free(other_token);
}

static void test_session_cap_ends_oldest(void **state)
{
    /* end what an earlier run may have left, so the count starts at zero */
    assert_int_equal(itest_admin("end-sessions", "--user", INSTITUTION, "capped", NULL), 0);
    struct spona_client *clients[SESSION_CAP + 1];
    char *tokens[SESSION_CAP + 1];
    for (int i = 0; i <= SESSION_CAP; i++) {
        clients[i] = itest_connect_ok(&server, CERT);
        tokens[i] = itest_login_ok(clients[i], "capped");
    }
    /* the login beyond the cap ended the oldest session, and only that one */
    assert_ended(clients[0], tokens[0], "too many sessions");
    for (int i = 1; i <= SESSION_CAP; i++)
        assert_whoami_ok(clients[i], "capped");
    for (int i = 0; i <= SESSION_CAP; i++) {
        spona_client_close(clients[i]);
        free(tokens[i]);
    }
}

static void test_resume_needs_the_same_certificate(void **state)
{
    struct spona_client *client = itest_connect_ok(&server, CERT);
    char *token = itest_login_ok(client, "certuser");
    spona_client_close(client);
    /* another certificate of the same institution cannot take the session over */
    assert_resume_refused(OTHER_CERT, token);
    /* the certificate that logged in can, and the refused attempt did not harm it */
    client = itest_connect_ok(&server, CERT);
    spona_response *resumed = itest_resume(client, token);
    itest_assert_status(resumed, resumed->request_id, SPONA__V1__STATUS__OK);
    assert_string_equal(resumed->resume->username, "certuser");
    envelope_free_response(resumed);
    assert_whoami_ok(client, "certuser");
    spona_client_close(client);
    free(token);
}

static void test_revoked_certificate_is_cut(void **state)
{
    struct spona_client *client = itest_connect_ok(&server, REVOKED_CERT);
    char *token = itest_login_ok(client, "revokee");
    assert_whoami_ok(client, "revokee");
    char pki[1024];
    itest_state_path("pki", pki, sizeof(pki));
    assert_int_equal(itest_harness("pki.sh", "revoke", pki, REVOKED_CERT, NULL), 0);
    assert_int_equal(kill(server.pid, SIGHUP), 0);
    /* without a request of ours, the server cuts the open connection after the reload */
    spona_response *cut = itest_receive(client);
    itest_assert_status(cut, 0, SPONA__V1__STATUS__UNAUTHENTICATED);
    if (strstr(cut->message, "certificate revoked") == NULL)
        fail_msg("message '%s' does not say 'certificate revoked'", cut->message);
    envelope_free_response(cut);
    itest_assert_closed(client);
    spona_client_close(client);
    /* its session cannot move to another certificate of the institution either */
    assert_resume_refused(CERT, token);
    free(token);
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_reset_ends_session),
        cmocka_unit_test(test_user_disabled_ends_session),
        cmocka_unit_test(test_institution_disabled_ends_session),
        cmocka_unit_test(test_end_sessions_of_user),
        cmocka_unit_test(test_session_cap_ends_oldest),
        cmocka_unit_test(test_resume_needs_the_same_certificate),
        cmocka_unit_test(test_revoked_certificate_is_cut),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests_name("integration.session_ends", tests, group_setup,
                                       itest_group_teardown);
}
