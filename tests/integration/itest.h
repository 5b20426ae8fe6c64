/*
 * What every integration test needs: a real spona-server started on a free
 * port against the harness's PostgreSQL and certificates (tests/harness/),
 * client connections made with a named harness certificate, one-line request
 * helpers, and the checks repeated after every bad client. Paths come from the
 * environment ctest sets (tests/CMakeLists.txt):
 *   SPONA_TEST_STATE    the harness state directory (pki/, db/port, admin.conf)
 *   SPONA_SERVER        the spona-server binary
 *   SPONA_TEST_HARNESS  tests/harness (scripts the tests run, e.g. pki.sh revoke)
 * Helpers that say "asserts" fail the current cmocka test on error.
 */
#ifndef SPONA_ITEST_H
#define SPONA_ITEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spona_client.h"

/* The documented answer to every failed login (docs/protocol.md, "login"). */
#define ITEST_LOGIN_FAILED                                                                \
    "login failed: wrong username or password, or the account is temporarily locked"

/* The limit the test servers run with (server.max_frame_bytes). */
#define ITEST_MAX_FRAME_BYTES 65536u

struct itest_server {
    pid_t pid; /* 0 when not running */
    char name[64];
    char port[16];
    char config_path[1024];
    char pid_file[1024];
    char ready_cert[64]; /* the certificate whose ping says the server is ready */
};

/* Default per-read wait of test clients, in milliseconds. */
#define ITEST_TIMEOUT_MS 10000

/* Ignores SIGPIPE and checks the environment; call first in main. Returns 0 or -1. */
int itest_init(void);

/* The text of a file (at most out_size - 1 bytes) into out. 0, or -1 when it cannot be
 * read. */
int itest_read_text(const char *path, char *out, size_t out_size);

/* The config of a regional server (docs/region.md) for itest_server_start_as: the CA,
 * CRL and key of dir/pki, the database dbname on db_port, its CRL published as
 * dir/crl_name. */
void itest_region_ini(char *out, size_t out_size, const char *dir, const char *db_port,
                      const char *dbname, const char *crl_name);

/* Absolute path of a file in the harness state directory ("pki/ca.crt"). */
void itest_state_path(const char *relative, char *out, size_t out_size);

/*
 * Writes a config (free port, io_threads 2, workers 2, scrypt_log2_n 10, the
 * harness's database and certificates, then extra_ini verbatim, which may
 * reopen a section) and starts spona-server, its output on our stderr; waits
 * until it answers a ping over TLS. Returns 0, or -1 after printing why.
 */
int itest_server_start(struct itest_server *server, const char *name, const char *extra_ini);

/* The same, ready when ready_cert (a name under the state's pki/, "../region/pki/admin")
 * gets a ping answered: for a server that trusts another CA (tests of the region). */
int itest_server_start_as(struct itest_server *server, const char *name, const char *extra_ini,
                          const char *ready_cert);

/* Sends SIGTERM and waits; returns the wait status, or -1 if it did not exit in time. */
int itest_server_stop(struct itest_server *server);

/* Waits up to timeout_ms for the server to exit; returns the wait status or -1. */
int itest_server_wait(struct itest_server *server, int timeout_ms);

/* Kills the server if it still runs (group teardown after a failure). */
void itest_server_kill(struct itest_server *server);

/* cmocka test, put last in a group: SIGTERM, the server must exit with status 0. */
void itest_test_server_stops_cleanly(void **state);

/* Group teardown: *state is the struct itest_server; kills it if still running. */
int itest_group_teardown(void **state);

/*
 * Connects with the harness certificate pki/<cert>.crt and .key (NULL: no
 * client certificate). timeout_ms 0: ITEST_TIMEOUT_MS. NULL and err on failure.
 */
struct spona_client *itest_connect(const struct itest_server *server, const char *cert,
                                   int timeout_ms, char *err, size_t err_size);

/* Same, asserts success. */
struct spona_client *itest_connect_ok(const struct itest_server *server, const char *cert);

/*
 * Tries a connection the server should refuse at the TLS level: returns 1 when
 * no Response ever arrives (handshake or first read fails), 0 when the server
 * answered; detail gets the client's error or the answer.
 */
int itest_is_refused(const struct itest_server *server, const char *cert, char *detail,
                     size_t detail_size);

/* Asserts: a fresh connection with a good certificate gets its ping answered. */
void itest_assert_served(const struct itest_server *server);

/* The harness password of a user (tests/harness/pg.sh sets the same). */
void itest_password(const char *username, char *out, size_t out_size);

/* One request, one response (asserts the transport worked). Caller frees the response. */
spona_response *itest_ping(struct spona_client *client, const void *payload, size_t length);
spona_response *itest_login(struct spona_client *client, const char *username,
                            const char *password);
spona_response *itest_whoami(struct spona_client *client);
spona_response *itest_logout(struct spona_client *client);
spona_response *itest_resume(struct spona_client *client, const char *token);

/* Logs in with the user's harness password; asserts OK. Returns the session token (caller frees). */
char *itest_login_ok(struct spona_client *client, const char *username);

/* Receives one response, asserting one arrived. */
spona_response *itest_receive(struct spona_client *client);

/* Asserts that the server closed the connection: no further Response arrives. */
void itest_assert_closed(struct spona_client *client);

/* Asserts a response's id and status, printing the message when they differ. */
void itest_assert_status(const spona_response *response, uint64_t request_id,
                         spona_status status);

/* Packs a request into a frame and appends it to buf (grown with realloc); asserts. */
void itest_append_frame(uint8_t **buf, size_t *len, const spona_request *request);

/* Runs argv (argv[0] a path) to completion; returns its exit code, or -1. */
int itest_run(const char *const argv[]);

/*
 * Runs the bash script named by the environment variable script_env with the CLI
 * ($SPONA_CLI) pointed at server as prijedor's Centre for Social Work (SPONA_SERVER,
 * SPONA_CA, SPONA_CERT, SPONA_KEY, SPONA_PASSWORD); its exit status, -1 when either
 * variable is unset.
 */
int itest_run_cli_script(const struct itest_server *server, const char *script_env);

/* Runs `spona-server -c admin.conf <args...>` (NULL-terminated); returns the exit code. */
int itest_admin(const char *first, ...);

/* Runs `bash tests/harness/<script> <args...>` (NULL-terminated); returns the exit code. */
int itest_harness(const char *script, ...);

/* Sleeps for ms milliseconds. */
void itest_sleep_ms(int ms);

/* Asserts text looks like a UUID. */
void itest_assert_uuid(const char *text);

#endif
