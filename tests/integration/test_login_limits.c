/*
 * Integration test: login under attack (docs/security.md, "Login under attack").
 * Unknown usernames and wrong passwords sprayed from several connections while
 * another, logged-in user keeps asking whoami and ping: every one of that user's
 * requests is answered OK, and the spray is refused with RESOURCE_EXHAUSTED once
 * the per-address limit is spent (then even a right password from that address
 * is refused, and the refusal never repeats the username). The per-username limit
 * holds for a real user and an unknown name alike with the same answer; the
 * per-institution limit leaves other institutions alone; a full hashing pool
 * refuses at once with UNAVAILABLE and serves again afterwards. Each test runs
 * its own server with the limits it checks (the suite's servers have them high).
 * No timing is asserted: only outcomes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "itest.h"

static struct itest_server server;

static int group_setup(void **state)
{
    *state = &server;
    return 0;
}

static void start(const char *name, const char *auth_ini)
{
    char ini[1024];
    snprintf(ini, sizeof(ini), "[auth]\n%s", auth_ini);
    if (itest_server_start(&server, name, ini) != 0)
        fail_msg("cannot start the server");
}

static void stop(void)
{
    assert_int_equal(itest_server_stop(&server), 0);
}

/* One login on client; returns the status, message copied into message. */
static spona_status try_login(struct spona_client *client, const char *username,
                              const char *password, char *message, size_t message_size)
{
    spona_response *response = itest_login(client, username, password);
    spona_status status = response->status;
    snprintf(message, message_size, "%s", response->message);
    envelope_free_response(response);
    return status;
}

/* One sprayer: its own connection, logins one after another; counts the answers. */
struct sprayer {
    pthread_t thread;
    int index;
    int attempts;
    int failed;    /* UNAUTHENTICATED, the documented login failure */
    int limited;   /* RESOURCE_EXHAUSTED from the per-address limit */
    int busy;      /* UNAVAILABLE: every password check taken */
    int unexpected;
    char error[320];
};

static void sprayer_count(struct sprayer *sprayer, const spona_response *response,
                          const char *username)
{
    const char *message = response->message;
    if (strstr(message, username) != NULL || strstr(message, "wrong-") != NULL)
        sprayer->unexpected++; /* client bytes echoed */
    else if (response->status == SPONA__V1__STATUS__UNAUTHENTICATED &&
             strcmp(message, ITEST_LOGIN_FAILED) == 0)
        sprayer->failed++;
    else if (response->status == SPONA__V1__STATUS__RESOURCE_EXHAUSTED &&
             strstr(message, "too many login attempts from this address") != NULL)
        sprayer->limited++;
    else if (response->status == SPONA__V1__STATUS__UNAVAILABLE &&
             strstr(message, "busy checking other logins") != NULL)
        sprayer->busy++;
    else {
        snprintf(sprayer->error, sizeof(sprayer->error), "unexpected answer %d: %s",
                 (int)response->status, message);
        sprayer->unexpected++;
    }
}

static void *sprayer_main(void *arg)
{
    struct sprayer *sprayer = arg;
    char err[256] = "";
    struct spona_client *client = itest_connect(&server, "csr", 0, err, sizeof(err));
    if (client == NULL) {
        snprintf(sprayer->error, sizeof(sprayer->error), "connect: %s", err);
        sprayer->unexpected++;
        return NULL;
    }
    for (int i = 0; i < sprayer->attempts; i++) {
        char username[64], password[64];
        /* half unknown usernames, half wrong passwords of a real user */
        snprintf(username, sizeof(username), i % 2 ? "nobody-%d-%d" : "lockme", sprayer->index,
                 i);
        snprintf(password, sizeof(password), "wrong-%d-%d", sprayer->index, i);
        Spona__V1__LoginRequest login = SPONA__V1__LOGIN_REQUEST__INIT;
        login.username = username;
        login.password = password;
        spona_request request = SPONA__V1__REQUEST__INIT;
        request.body_case = SPONA__V1__REQUEST__BODY_LOGIN;
        request.login = &login;
        spona_response *response = spona_client_call(client, &request, err, sizeof(err));
        if (response == NULL) {
            snprintf(sprayer->error, sizeof(sprayer->error), "login: %s", err);
            sprayer->unexpected++;
            break;
        }
        sprayer_count(sprayer, response, username);
        envelope_free_response(response);
    }
    spona_client_close(client);
    return NULL;
}

static void test_spray_does_not_starve_another_user(void **state)
{
    (void)state;
    enum { SPRAYERS = 4, ATTEMPTS = 12, PER_ADDRESS = 12 };
    /* a real scrypt cost, so that the spray would hold workers if it ran there */
    start("login_limits_spray", "scrypt_log2_n = 14\nlogin_attempts_per_address = 12\n");
    struct spona_client *other = itest_connect_ok(&server, "zzz");
    free(itest_login_ok(other, "zoran"));

    struct sprayer sprayers[SPRAYERS];
    memset(sprayers, 0, sizeof(sprayers));
    for (int i = 0; i < SPRAYERS; i++) {
        sprayers[i].index = i;
        sprayers[i].attempts = ATTEMPTS;
        assert_int_equal(pthread_create(&sprayers[i].thread, NULL, sprayer_main, &sprayers[i]),
                         0);
    }
    /* meanwhile the other user is served: whoami and ping, each answered OK */
    int answered = 0;
    for (int round = 0; round < 20; round++) {
        spona_response *whoami = itest_whoami(other);
        itest_assert_status(whoami, whoami->request_id, SPONA__V1__STATUS__OK);
        assert_string_equal(whoami->whoami->username, "zoran");
        envelope_free_response(whoami);
        spona_response *pong = itest_ping(other, "x", 1);
        itest_assert_status(pong, pong->request_id, SPONA__V1__STATUS__OK);
        envelope_free_response(pong);
        answered += 2;
    }
    int failed = 0, limited = 0, busy = 0;
    for (int i = 0; i < SPRAYERS; i++) {
        assert_int_equal(pthread_join(sprayers[i].thread, NULL), 0);
        if (sprayers[i].unexpected != 0)
            fail_msg("sprayer %d: %s", i, sprayers[i].error);
        failed += sprayers[i].failed;
        limited += sprayers[i].limited;
        busy += sprayers[i].busy;
    }
    print_message("spray: %d failed, %d limited, %d busy; the other user: %d answered\n", failed,
                  limited, busy, answered);
    assert_int_equal(answered, 40);
    assert_int_equal(failed + limited + busy, SPRAYERS * ATTEMPTS);
    /* the address had 12 attempts (the other user's login took one; a few more refill
     * while the spray runs, 12 a minute): the rest are refused */
    assert_true(failed + busy <= PER_ADDRESS + 6);
    assert_true(limited >= SPRAYERS * ATTEMPTS - PER_ADDRESS - 6);

    /* the address is spent: even the right password is refused, saying so */
    struct spona_client *client = itest_connect_ok(&server, "csr");
    char password[128], message[512];
    itest_password("ana", password, sizeof(password));
    assert_int_equal(try_login(client, "ana", password, message, sizeof(message)),
                     SPONA__V1__STATUS__RESOURCE_EXHAUSTED);
    assert_non_null(strstr(message, "too many login attempts from this address: try again in"));
    spona_client_close(client);
    spona_client_close(other);
    stop();
    /* lockme took wrong passwords (counted atomically before each check): unlock it */
    assert_int_equal(itest_admin("unlock-user", "testgrad.csr", "lockme", NULL), 0);
}

static void test_per_username_limit(void **state)
{
    (void)state;
    start("login_limits_user", "login_attempts_per_user = 3\n");
    struct spona_client *client = itest_connect_ok(&server, "csr");
    char password[128], message[512];
    itest_password("bojan", password, sizeof(password));
    /* a real user: three attempts, then refused even with the right password */
    for (int i = 0; i < 2; i++)
        assert_int_equal(try_login(client, "bojan", "wrong", message, sizeof(message)),
                         SPONA__V1__STATUS__UNAUTHENTICATED);
    assert_int_equal(try_login(client, "bojan", password, message, sizeof(message)),
                     SPONA__V1__STATUS__OK);
    spona_client_close(client);
    client = itest_connect_ok(&server, "csr");
    assert_int_equal(try_login(client, "bojan", password, message, sizeof(message)),
                     SPONA__V1__STATUS__RESOURCE_EXHAUSTED);
    char real_refusal[512];
    snprintf(real_refusal, sizeof(real_refusal), "%s", message);
    assert_non_null(strstr(message, "too many login attempts for this username"));
    assert_null(strstr(message, "bojan"));

    /* an unknown name: the same limit and the same answer (no hint that bojan exists) */
    for (int i = 0; i < 3; i++)
        assert_int_equal(try_login(client, "nobody-here", "x", message, sizeof(message)),
                         SPONA__V1__STATUS__UNAUTHENTICATED);
    assert_int_equal(try_login(client, "nobody-here", "x", message, sizeof(message)),
                     SPONA__V1__STATUS__RESOURCE_EXHAUSTED);
    assert_null(strstr(message, "nobody"));
    /* "try again in N seconds" may differ by a second; the text before it may not */
    size_t prefix = strcspn(real_refusal, "0123456789");
    assert_memory_equal(message, real_refusal, prefix);

    /* other users of the institution, from the same address, are not limited */
    spona_client_close(client);
    client = itest_connect_ok(&server, "csr");
    free(itest_login_ok(client, "ana"));
    spona_client_close(client);
    stop();
}

static void test_per_institution_limit(void **state)
{
    (void)state;
    start("login_limits_institution", "login_attempts_per_institution = 4\n");
    struct spona_client *client = itest_connect_ok(&server, "csr");
    char message[512];
    for (int i = 0; i < 4; i++) {
        char username[32];
        snprintf(username, sizeof(username), "ghost-%d", i);
        assert_int_equal(try_login(client, username, "x", message, sizeof(message)),
                         SPONA__V1__STATUS__UNAUTHENTICATED);
    }
    assert_int_equal(try_login(client, "ghost-9", "x", message, sizeof(message)),
                     SPONA__V1__STATUS__RESOURCE_EXHAUSTED);
    assert_non_null(strstr(message, "too many login attempts at this institution"));
    spona_client_close(client);
    /* another institution from the same address logs in */
    client = itest_connect_ok(&server, "zzz");
    free(itest_login_ok(client, "zoran"));
    spona_client_close(client);
    stop();
}

static void test_full_hashing_pool_refuses_at_once(void **state)
{
    (void)state;
    enum { CLIENTS = 8 };
    /* one hashing thread, no queue, a slow hash: logins sent at once cannot all have it */
    start("login_limits_pool", "scrypt_log2_n = 16\nlogin_hash_threads = 1\n"
                               "login_hash_queue = 0\n");
    struct spona_client *clients[CLIENTS];
    spona_request request = SPONA__V1__REQUEST__INIT;
    Spona__V1__LoginRequest login = SPONA__V1__LOGIN_REQUEST__INIT;
    login.username = "nobody-at-all";
    login.password = "x";
    request.request_id = 1;
    request.body_case = SPONA__V1__REQUEST__BODY_LOGIN;
    request.login = &login;
    for (int i = 0; i < CLIENTS; i++)
        clients[i] = itest_connect_ok(&server, "csr");
    for (int i = 0; i < CLIENTS; i++) {
        uint8_t *frame = NULL;
        size_t length = 0;
        char err[256] = "";
        itest_append_frame(&frame, &length, &request);
        if (spona_client_send_raw(clients[i], frame, length, err, sizeof(err)) != 0)
            fail_msg("sending a login failed: %s", err);
        free(frame);
    }
    int failed = 0, busy = 0;
    for (int i = 0; i < CLIENTS; i++) {
        spona_response *response = itest_receive(clients[i]);
        assert_int_equal(response->request_id, 1);
        if (response->status == SPONA__V1__STATUS__UNAVAILABLE) {
            assert_string_equal(response->message, "the server is busy checking other logins: "
                                                   "try again in a few seconds");
            busy++;
        } else {
            itest_assert_status(response, 1, SPONA__V1__STATUS__UNAUTHENTICATED);
            failed++;
        }
        envelope_free_response(response);
    }
    assert_true(failed >= 1);
    assert_true(busy >= 1);
    /* the refused connections stay usable, and the pool serves again */
    char password[128], message[512];
    itest_password("ana", password, sizeof(password));
    assert_int_equal(try_login(clients[0], "ana", password, message, sizeof(message)),
                     SPONA__V1__STATUS__OK);
    for (int i = 0; i < CLIENTS; i++)
        spona_client_close(clients[i]);
    stop();
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spray_does_not_starve_another_user),
        cmocka_unit_test(test_per_username_limit),
        cmocka_unit_test(test_per_institution_limit),
        cmocka_unit_test(test_full_hashing_pool_refuses_at_once),
    };
    return cmocka_run_group_tests_name("integration.login_limits", tests, group_setup,
                                       itest_group_teardown);
}
