/*
 * Integration test: Login. The right password gives a session whose WhoAmI
 * names user, institution, role, municipality and installation; a wrong
 * password, a wrong username and a user of another institution all get the
 * same documented answer; failures lock the account (the right password then
 * fails too) until `spona-server unlock-user`; a second login on a connection
 * is refused; wrong passwords sent at once on many connections are counted before
 * they are checked, so no more than the limit are checked and the account ends
 * locked with nothing counted beyond it. This server runs with max_failed_logins = 3.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

#define MAX_FAILED 3

static struct itest_server server;

static int group_setup(void **state)
{
    *state = &server;
    return itest_server_start(&server, "login", "[auth]\nmax_failed_logins = 3\n");
}

/* Logs in with a wrong password and checks the one documented failure. */
static void assert_login_fails(struct spona_client *client, const char *username,
                               const char *password)
{
    spona_response *response = itest_login(client, username, password);
    itest_assert_status(response, response->request_id, SPONA__V1__STATUS__UNAUTHENTICATED);
    assert_string_equal(response->message, ITEST_LOGIN_FAILED);
    envelope_free_response(response);
}

static void test_login_right_password_then_whoami(void **state)
{
    struct spona_client *client = itest_connect_ok(&server, "csr");
    char password[128];
    itest_password("ana", password, sizeof(password));
    spona_response *login = itest_login(client, "ana", password);
    itest_assert_status(login, login->request_id, SPONA__V1__STATUS__OK);
    assert_int_equal(login->body_case, SPONA__V1__RESPONSE__BODY_LOGIN);
    itest_assert_uuid(login->login->session_id);
    /* the token is a 256-bit secret: at least 32 bytes of text, not the session id */
    assert_true(strlen(login->login->session_token) >= 32);
    assert_string_not_equal(login->login->session_token, login->login->session_id);
    assert_int_equal(login->login->idle_timeout_seconds, 1800);
    assert_non_null(login->login->identity);
    assert_string_equal(login->login->identity->username, "ana");
    assert_string_equal(login->login->identity->institution_code, "testgrad.csr");

    spona_response *whoami = itest_whoami(client);
    itest_assert_status(whoami, whoami->request_id, SPONA__V1__STATUS__OK);
    assert_int_equal(whoami->body_case, SPONA__V1__RESPONSE__BODY_WHOAMI);
    const Spona__V1__WhoAmIResponse *me = whoami->whoami;
    itest_assert_uuid(me->user_id);
    assert_string_equal(me->username, "ana");
    assert_string_equal(me->full_name, "Ana Testić");
    itest_assert_uuid(me->institution_id);
    assert_string_equal(me->institution_code, "testgrad.csr");
    assert_string_equal(me->institution_name, "Centar za socijalni rad Testgrad");
    assert_string_equal(me->institution_role, "lead_agency");
    itest_assert_uuid(me->municipality_id);
    assert_string_equal(me->municipality_code, "testgrad");
    assert_string_equal(me->municipality_name, "Testgrad");
    assert_string_equal(me->installation, "testgrad.csr");
    assert_string_equal(me->session_id, login->login->session_id);
    assert_string_equal(me->user_id, login->login->identity->user_id);
    envelope_free_response(whoami);
    envelope_free_response(login);
    spona_client_close(client);
}

static void test_login_other_role(void **state)
{
    struct spona_client *client = itest_connect_ok(&server, "zzz");
    char *token = itest_login_ok(client, "zoran");
    free(token);
    spona_response *whoami = itest_whoami(client);
    itest_assert_status(whoami, whoami->request_id, SPONA__V1__STATUS__OK);
    assert_string_equal(whoami->whoami->username, "zoran");
    assert_string_equal(whoami->whoami->institution_code, "testgrad.zzz");
    assert_string_equal(whoami->whoami->institution_role, "employment_service");
    assert_string_equal(whoami->whoami->municipality_code, "testgrad");
    assert_string_equal(whoami->whoami->installation, "testgrad.zzz");
    envelope_free_response(whoami);
    spona_client_close(client);
}

static void test_wrong_password_and_wrong_username_look_the_same(void **state)
{
    struct spona_client *client = itest_connect_ok(&server, "csr");
    spona_response *wrong_password = itest_login(client, "bojan", "not-his-password");
    spona_response *wrong_username = itest_login(client, "nobody-of-that-name", "whatever");
    itest_assert_status(wrong_password, wrong_password->request_id,
                        SPONA__V1__STATUS__UNAUTHENTICATED);
    itest_assert_status(wrong_username, wrong_username->request_id,
                        SPONA__V1__STATUS__UNAUTHENTICATED);
    assert_string_equal(wrong_password->message, wrong_username->message);
    assert_string_equal(wrong_password->message, ITEST_LOGIN_FAILED);
    envelope_free_response(wrong_password);
    envelope_free_response(wrong_username);

    /* failures leave the connection without a session */
    spona_response *whoami = itest_whoami(client);
    itest_assert_status(whoami, whoami->request_id, SPONA__V1__STATUS__UNAUTHENTICATED);
    envelope_free_response(whoami);
    spona_client_close(client);
}

static void test_user_of_another_institution_fails_the_same(void **state)
{
    /* zoran's own, correct password, but from testgrad.csr's installation */
    struct spona_client *client = itest_connect_ok(&server, "csr");
    char password[128];
    itest_password("zoran", password, sizeof(password));
    assert_login_fails(client, "zoran", password);
    spona_client_close(client);

    /* and the other way round */
    client = itest_connect_ok(&server, "zzz");
    itest_password("ana", password, sizeof(password));
    assert_login_fails(client, "ana", password);
    spona_client_close(client);
}

static void test_login_twice_is_refused(void **state)
{
    struct spona_client *client = itest_connect_ok(&server, "csr");
    char *token = itest_login_ok(client, "ana");
    free(token);
    char password[128];
    itest_password("ana", password, sizeof(password));
    spona_response *again = itest_login(client, "ana", password);
    itest_assert_status(again, again->request_id, SPONA__V1__STATUS__FAILED_PRECONDITION);
    envelope_free_response(again);

    /* the first session is untouched */
    spona_response *whoami = itest_whoami(client);
    itest_assert_status(whoami, whoami->request_id, SPONA__V1__STATUS__OK);
    assert_string_equal(whoami->whoami->username, "ana");
    envelope_free_response(whoami);
    spona_client_close(client);
}

static void test_overlong_username_is_invalid(void **state)
{
    char username[130];
    memset(username, 'u', 129);
    username[129] = '\0';
    struct spona_client *client = itest_connect_ok(&server, "csr");
    spona_response *response = itest_login(client, username, "x");
    itest_assert_status(response, response->request_id, SPONA__V1__STATUS__INVALID_ARGUMENT);
    envelope_free_response(response);
    spona_client_close(client);
}

static void login_ok_on_new_connection(const char *username)
{
    struct spona_client *client = itest_connect_ok(&server, "csr");
    char *token = itest_login_ok(client, username);
    free(token);
    spona_client_close(client);
}

static void test_lockout_and_unlock(void **state)
{
    char password[128];
    itest_password("lockme", password, sizeof(password));

    /* fewer failures than the limit, then a success: the count starts again */
    struct spona_client *client = itest_connect_ok(&server, "csr");
    for (int i = 0; i < MAX_FAILED - 1; i++)
        assert_login_fails(client, "lockme", "wrong");
    spona_client_close(client);
    login_ok_on_new_connection("lockme");

    client = itest_connect_ok(&server, "csr");
    for (int i = 0; i < MAX_FAILED - 1; i++)
        assert_login_fails(client, "lockme", "wrong");
    spona_client_close(client);
    login_ok_on_new_connection("lockme");

    /* the limit reached: the right password fails too, with the same answer */
    client = itest_connect_ok(&server, "csr");
    for (int i = 0; i < MAX_FAILED; i++)
        assert_login_fails(client, "lockme", "wrong");
    assert_login_fails(client, "lockme", password);
    spona_client_close(client);
    client = itest_connect_ok(&server, "csr");
    assert_login_fails(client, "lockme", password);
    spona_client_close(client);

    /* other users of the institution are not affected */
    login_ok_on_new_connection("ana");

    /* the administrator unlocks */
    assert_int_equal(itest_admin("unlock-user", "testgrad.csr", "lockme", NULL), 0);
    login_ok_on_new_connection("lockme");
}

/* 1 when SQL (a boolean) is true in the test database, as the superuser. */
static int database_says(const char *sql)
{
    char port_file[1024], port[16] = "";
    itest_state_path("db/port", port_file, sizeof(port_file));
    FILE *file = fopen(port_file, "r");
    if (file == NULL || fgets(port, sizeof(port), file) == NULL) {
        if (file != NULL)
            fclose(file);
        return 0;
    }
    fclose(file);
    port[strcspn(port, "\n")] = '\0';
    char query[512];
    /* fails (division by zero) when false; not a constant, so never folded early */
    snprintf(query, sizeof(query), "SELECT 1 / (CASE WHEN (%s) THEN 1 ELSE 0 END)", sql);
    const char *argv[] = {"/usr/lib/postgresql/15/bin/psql", "-X", "-q", "-h", "127.0.0.1",
                          "-p", port, "-U", "postgres", "-d", "spona", "-v",
                          "ON_ERROR_STOP=1", "-o", "/dev/null", "-c", query, NULL};
    return itest_run(argv) == 0;
}

static void test_spraying_is_counted_before_checking(void **state)
{
    (void)state;
    enum { SPRAYERS = 12 };
    struct spona_client *clients[SPRAYERS];
    spona_request request = SPONA__V1__REQUEST__INIT;
    Spona__V1__LoginRequest login = SPONA__V1__LOGIN_REQUEST__INIT;
    login.username = "lockme";
    login.password = "wrong";
    request.request_id = 1;
    request.body_case = SPONA__V1__REQUEST__BODY_LOGIN;
    request.login = &login;
    for (int i = 0; i < SPRAYERS; i++) {
        clients[i] = itest_connect_ok(&server, "csr");
        uint8_t *frame = NULL;
        size_t length = 0;
        char err[256] = "";
        itest_append_frame(&frame, &length, &request);
        if (spona_client_send_raw(clients[i], frame, length, err, sizeof(err)) != 0)
            fail_msg("sending a login failed: %s", err);
        free(frame);
    }
    for (int i = 0; i < SPRAYERS; i++) {
        spona_response *response = itest_receive(clients[i]);
        itest_assert_status(response, 1, SPONA__V1__STATUS__UNAUTHENTICATED);
        assert_string_equal(response->message, ITEST_LOGIN_FAILED);
        envelope_free_response(response);
        spona_client_close(clients[i]);
    }
    /* locked by the third, and none of the others counted (or checked) against it */
    assert_true(database_says("SELECT failed_logins = 0 AND locked_until > now()"
                              "  FROM users u JOIN institutions i ON i.id = u.institution_id"
                              " WHERE u.username = 'lockme' AND i.code = 'testgrad.csr'"));
    assert_int_equal(itest_admin("unlock-user", "testgrad.csr", "lockme", NULL), 0);
    login_ok_on_new_connection("lockme");
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_right_password_then_whoami),
        cmocka_unit_test(test_login_other_role),
        cmocka_unit_test(test_wrong_password_and_wrong_username_look_the_same),
        cmocka_unit_test(test_user_of_another_institution_fails_the_same),
        cmocka_unit_test(test_login_twice_is_refused),
        cmocka_unit_test(test_overlong_username_is_invalid),
        cmocka_unit_test(test_lockout_and_unlock),
        cmocka_unit_test(test_spraying_is_counted_before_checking),
        cmocka_unit_test(itest_test_server_stops_cleanly),
    };
    return cmocka_run_group_tests_name("integration.login", tests, group_setup,
                                       itest_group_teardown);
}
