/*
 * Integration-test support (see itest.h): starting and stopping the real
 * spona-server, connecting with harness certificates, and the small request
 * helpers the test files share. It never decides what a test expects beyond
 * "the transport worked"; the test files hold the assertions about behaviour.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "itest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"

#define START_TIMEOUT_MS 30000
#define STOP_TIMEOUT_MS 30000
#define START_ATTEMPTS 3

static const char *state_dir;
static const char *server_binary;
static const char *harness_dir;

int itest_init(void)
{
    signal(SIGPIPE, SIG_IGN);
    state_dir = getenv("SPONA_TEST_STATE");
    server_binary = getenv("SPONA_SERVER");
    harness_dir = getenv("SPONA_TEST_HARNESS");
    if (state_dir == NULL || server_binary == NULL || harness_dir == NULL) {
        fprintf(stderr, "itest: SPONA_TEST_STATE, SPONA_SERVER and SPONA_TEST_HARNESS must be "
                        "set (run the integration tests through ctest)\n");
        return -1;
    }
    return 0;
}

void itest_state_path(const char *relative, char *out, size_t out_size)
{
    snprintf(out, out_size, "%s/%s", state_dir, relative);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void itest_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A port nobody listens on right now (the kernel's choice for port 0). */
static int pick_free_port(char *out, size_t out_size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t addr_len = sizeof(addr);
    int result = -1;
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &addr_len) == 0) {
        snprintf(out, out_size, "%u", (unsigned)ntohs(addr.sin_port));
        result = 0;
    }
    close(fd);
    return result;
}

/* Reads the first line of a state file into out. */
static int read_state_line(const char *relative, char *out, size_t out_size)
{
    char path[1024];
    itest_state_path(relative, path, sizeof(path));
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        fprintf(stderr, "itest: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    int result = fgets(out, (int)out_size, file) != NULL ? 0 : -1;
    fclose(file);
    if (result == 0)
        out[strcspn(out, "\r\n")] = '\0';
    return result;
}

static int write_config(struct itest_server *server, const char *extra_ini)
{
    char db_port[32], run_dir[1024];
    if (read_state_line("db/port", db_port, sizeof(db_port)) != 0)
        return -1;
    itest_state_path("run", run_dir, sizeof(run_dir));
    if (mkdir(run_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "itest: mkdir %s: %s\n", run_dir, strerror(errno));
        return -1;
    }
    int n1 = snprintf(server->config_path, sizeof(server->config_path), "%s/%s.conf", run_dir,
                      server->name);
    int n2 = snprintf(server->pid_file, sizeof(server->pid_file), "%s/%s.pid", run_dir,
                      server->name);
    if (n1 < 0 || (size_t)n1 >= sizeof(server->config_path) || n2 < 0 ||
        (size_t)n2 >= sizeof(server->pid_file)) {
        fprintf(stderr, "itest: state directory path too long: %s\n", run_dir);
        return -1;
    }
    unlink(server->pid_file);

    FILE *file = fopen(server->config_path, "w");
    if (file == NULL) {
        fprintf(stderr, "itest: cannot write %s: %s\n", server->config_path, strerror(errno));
        return -1;
    }
    fprintf(file,
            "; written by tests/integration/itest.c for the '%s' test\n"
            "[server]\n"
            "listen = 127.0.0.1:%s\n"
            "io_threads = 2\n"
            "workers = 2\n"
            "max_frame_bytes = %u\n"
            "shutdown_grace_seconds = 20\n"
            "pid_file = %s\n"
            "[tls]\n"
            "certificate = %s/pki/server.crt\n"
            "private_key = %s/pki/server.key\n"
            "client_ca_file = %s/pki/ca.crt\n"
            "crl_file = %s/pki/crl.pem\n"
            "[database]\n"
            "dsn = host=127.0.0.1 port=%s dbname=spona user=spona_app\n"
            "admin_dsn = host=127.0.0.1 port=%s dbname=spona user=spona_owner\n"
            "[auth]\n"
            "scrypt_log2_n = 10\n"
            /* the suite's tests share users and the database and leave sessions open */
            "max_sessions_per_user = 1000\n"
            /* and log in from one address far faster than people do (test_login_limits.c
             * runs with the limits it checks) */
            "login_attempts_per_address = 100000\n"
            "login_attempts_per_institution = 100000\n"
            "login_attempts_per_user = 100000\n"
            "[log]\n"
            "level = info\n"
            "%s",
            server->name, server->port, ITEST_MAX_FRAME_BYTES, server->pid_file, state_dir,
            state_dir, state_dir, state_dir, db_port, db_port,
            extra_ini != NULL ? extra_ini : "");
    return fclose(file) == 0 ? 0 : -1;
}

static pid_t spawn_server(const struct itest_server *server)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* child: our stderr is the test's output; die with the test if it dies */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0)
        dup2(null_fd, STDIN_FILENO);
    dup2(STDERR_FILENO, STDOUT_FILENO);
    execl(server_binary, server_binary, "-c", server->config_path, "run", (char *)NULL);
    fprintf(stderr, "itest: exec %s: %s\n", server_binary, strerror(errno));
    _exit(127);
}

static void describe_status(int status, char *out, size_t out_size)
{
    if (status == -1)
        snprintf(out, out_size, "did not exit in time");
    else if (WIFEXITED(status))
        snprintf(out, out_size, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, out_size, "was killed by signal %d", WTERMSIG(status));
    else
        snprintf(out, out_size, "ended with wait status %d", status);
}

int itest_server_wait(struct itest_server *server, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        int status;
        pid_t got = waitpid(server->pid, &status, WNOHANG);
        if (got == server->pid) {
            server->pid = 0;
            return status;
        }
        if (got < 0 && errno != EINTR)
            return -1;
        if (now_ms() >= deadline)
            return -1;
        itest_sleep_ms(20);
    }
}

/* Ready when a good client gets a ping answered. */
static int wait_until_ready(struct itest_server *server)
{
    long long deadline = now_ms() + START_TIMEOUT_MS;
    char err[256] = "";
    while (now_ms() < deadline) {
        int status;
        if (waitpid(server->pid, &status, WNOHANG) == server->pid) {
            char how[64];
            describe_status(status, how, sizeof(how));
            fprintf(stderr, "itest: spona-server for '%s' %s before accepting connections\n",
                    server->name, how);
            server->pid = 0;
            return -1;
        }
        struct spona_client *client =
            itest_connect(server, server->ready_cert, 2000, err, sizeof(err));
        if (client != NULL) {
            spona_request request;
            Spona__V1__PingRequest ping;
            spona__v1__request__init(&request);
            spona__v1__ping_request__init(&ping);
            request.body_case = SPONA__V1__REQUEST__BODY_PING;
            request.ping = &ping;
            spona_response *response = spona_client_call(client, &request, err, sizeof(err));
            int ok = response != NULL && response->status == SPONA__V1__STATUS__OK;
            if (response != NULL && !ok)
                snprintf(err, sizeof(err), "ping answered %s: %s",
                         envelope_status_name(response->status), response->message);
            envelope_free_response(response);
            spona_client_close(client);
            if (ok)
                return 0;
        }
        itest_sleep_ms(100);
    }
    fprintf(stderr, "itest: spona-server for '%s' not ready after %d ms (last: %s)\n",
            server->name, START_TIMEOUT_MS, err);
    return -1;
}

/* The pid file is written after listening, so by now it must name our child. */
static int check_pid_file(const struct itest_server *server)
{
    FILE *file = fopen(server->pid_file, "r");
    if (file == NULL) {
        fprintf(stderr, "itest: pid_file %s not written: %s\n", server->pid_file,
                strerror(errno));
        return -1;
    }
    long pid = 0;
    int read = fscanf(file, "%ld", &pid);
    fclose(file);
    if (read != 1 || pid != (long)server->pid) {
        fprintf(stderr, "itest: pid_file %s holds %ld, the server is %ld\n", server->pid_file,
                pid, (long)server->pid);
        return -1;
    }
    return 0;
}

int itest_read_text(const char *path, char *out, size_t out_size)
{
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return -1;
    size_t length = fread(out, 1, out_size - 1, file);
    int failed = ferror(file);
    fclose(file);
    out[length] = '\0';
    return failed ? -1 : 0;
}

void itest_region_ini(char *out, size_t out_size, const char *dir, const char *db_port,
                      const char *dbname, const char *crl_name)
{
    snprintf(out, out_size,
             "[server]\nmode = regional\n"
             "[tls]\nclient_ca_file = %s/pki/ca.crt\ncrl_file = %s/pki/crl.pem\n"
             "[database]\ndsn = host=127.0.0.1 port=%s dbname=%s user=spona_app\n"
             "admin_dsn = host=127.0.0.1 port=%s dbname=%s user=spona_owner\n"
             "[region]\nca_cert = %s/pki/ca.crt\nca_key = %s/pki/ca.key\ncrl = %s/%s\n",
             dir, dir, db_port, dbname, db_port, dbname, dir, dir, dir, crl_name);
}

int itest_server_start(struct itest_server *server, const char *name, const char *extra_ini)
{
    return itest_server_start_as(server, name, extra_ini, "csr");
}

int itest_server_start_as(struct itest_server *server, const char *name, const char *extra_ini,
                          const char *ready_cert)
{
    memset(server, 0, sizeof(*server));
    snprintf(server->name, sizeof(server->name), "%s", name);
    snprintf(server->ready_cert, sizeof(server->ready_cert), "%s", ready_cert);
    /* the free port may be taken between our check and the server's bind: retry */
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
        if (pick_free_port(server->port, sizeof(server->port)) != 0 ||
            write_config(server, extra_ini) != 0)
            return -1;
        fprintf(stderr, "itest: starting spona-server for '%s' on 127.0.0.1:%s (%s)\n", name,
                server->port, server->config_path);
        server->pid = spawn_server(server);
        if (server->pid < 0) {
            server->pid = 0;
            return -1;
        }
        if (wait_until_ready(server) == 0)
            return check_pid_file(server);
        itest_server_kill(server);
    }
    return -1;
}

int itest_server_stop(struct itest_server *server)
{
    if (server->pid <= 0)
        return -1;
    kill(server->pid, SIGTERM);
    int status = itest_server_wait(server, STOP_TIMEOUT_MS);
    if (status == -1)
        itest_server_kill(server);
    return status;
}

void itest_server_kill(struct itest_server *server)
{
    if (server->pid <= 0)
        return;
    kill(server->pid, SIGKILL);
    int status;
    while (waitpid(server->pid, &status, 0) < 0 && errno == EINTR)
        ;
    server->pid = 0;
}

void itest_test_server_stops_cleanly(void **state)
{
    struct itest_server *server = *state;
    assert_true(server->pid > 0);
    int status = itest_server_stop(server);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char how[64];
        describe_status(status, how, sizeof(how));
        fail_msg("on SIGTERM spona-server %s; expected exit status 0", how);
    }
}

int itest_group_teardown(void **state)
{
    struct itest_server *server = *state;
    if (server != NULL && server->pid > 0) {
        fprintf(stderr, "itest: killing spona-server for '%s' left running\n", server->name);
        itest_server_kill(server);
    }
    return 0;
}

struct spona_client *itest_connect(const struct itest_server *server, const char *cert,
                                   int timeout_ms, char *err, size_t err_size)
{
    char ca[1024], cert_path[1024], key_path[1024];
    itest_state_path("pki/ca.crt", ca, sizeof(ca));
    struct spona_client_options options;
    memset(&options, 0, sizeof(options));
    options.host = "127.0.0.1";
    options.port = server->port;
    options.ca_file = ca;
    options.server_name = "localhost";
    options.timeout_ms = timeout_ms > 0 ? timeout_ms : ITEST_TIMEOUT_MS;
    if (cert != NULL) {
        snprintf(cert_path, sizeof(cert_path), "%s/pki/%s.crt", state_dir, cert);
        snprintf(key_path, sizeof(key_path), "%s/pki/%s.key", state_dir, cert);
        options.cert_file = cert_path;
        options.key_file = key_path;
    }
    return spona_client_connect(&options, err, err_size);
}

struct spona_client *itest_connect_ok(const struct itest_server *server, const char *cert)
{
    char err[256] = "";
    struct spona_client *client = itest_connect(server, cert, 0, err, sizeof(err));
    if (client == NULL)
        fail_msg("connecting with certificate '%s' failed: %s", cert ? cert : "(none)", err);
    return client;
}

int itest_is_refused(const struct itest_server *server, const char *cert, char *detail,
                     size_t detail_size)
{
    const int timeout_ms = 5000;
    char err[256] = "";
    struct spona_client *client = itest_connect(server, cert, timeout_ms, err, sizeof(err));
    if (client == NULL) {
        snprintf(detail, detail_size, "handshake failed: %s", err);
        return 1;
    }
    /* TLS 1.3: the client may finish before the server has judged its certificate;
       the server's alert then shows on the first read */
    spona_request request;
    Spona__V1__PingRequest ping;
    spona__v1__request__init(&request);
    spona__v1__ping_request__init(&ping);
    request.request_id = 1;
    request.body_case = SPONA__V1__REQUEST__BODY_PING;
    request.ping = &ping;
    if (spona_client_send(client, &request, err, sizeof(err)) == 0) {
        snprintf(detail, detail_size, "send failed: %s", err);
        spona_client_close(client);
        return 1;
    }
    long long started = now_ms();
    spona_response *response = spona_client_receive(client, err, sizeof(err));
    long long waited = now_ms() - started;
    spona_client_close(client);
    if (response == NULL && waited >= timeout_ms - 500) {
        snprintf(detail, detail_size,
                 "the server neither refused nor answered within %d ms (%s)", timeout_ms, err);
        return 0;
    }
    if (response == NULL) {
        snprintf(detail, detail_size, "first read failed: %s", err);
        return 1;
    }
    snprintf(detail, detail_size, "the server answered: id %llu, %s, '%s'",
             (unsigned long long)response->request_id, envelope_status_name(response->status),
             response->message);
    envelope_free_response(response);
    return 0;
}

void itest_assert_served(const struct itest_server *server)
{
    static const char payload[] = "still served";
    struct spona_client *client = itest_connect_ok(server, "csr");
    spona_response *response = itest_ping(client, payload, sizeof(payload) - 1);
    itest_assert_status(response, response->request_id, SPONA__V1__STATUS__OK);
    assert_int_equal(response->body_case, SPONA__V1__RESPONSE__BODY_PING);
    assert_int_equal(response->ping->payload.len, sizeof(payload) - 1);
    assert_memory_equal(response->ping->payload.data, payload, sizeof(payload) - 1);
    envelope_free_response(response);
    spona_client_close(client);
}

void itest_password(const char *username, char *out, size_t out_size)
{
    snprintf(out, out_size, "%s-lozinka-42", username);
}

static spona_response *call(struct spona_client *client, spona_request *request)
{
    char err[256] = "";
    spona_response *response = spona_client_call(client, request, err, sizeof(err));
    if (response == NULL)
        fail_msg("%s request got no response: %s", envelope_body_name((int)request->body_case),
                 err);
    return response;
}

spona_response *itest_ping(struct spona_client *client, const void *payload, size_t length)
{
    Spona__V1__PingRequest ping;
    spona__v1__ping_request__init(&ping);
    ping.payload.data = (uint8_t *)(uintptr_t)payload;
    ping.payload.len = length;
    spona_request request;
    spona__v1__request__init(&request);
    request.protocol_version = SPONA_PROTOCOL_VERSION;
    request.body_case = SPONA__V1__REQUEST__BODY_PING;
    request.ping = &ping;
    return call(client, &request);
}

spona_response *itest_login(struct spona_client *client, const char *username,
                            const char *password)
{
    Spona__V1__LoginRequest login;
    spona__v1__login_request__init(&login);
    login.username = (char *)(uintptr_t)username;
    login.password = (char *)(uintptr_t)password;
    spona_request request;
    spona__v1__request__init(&request);
    request.body_case = SPONA__V1__REQUEST__BODY_LOGIN;
    request.login = &login;
    return call(client, &request);
}

spona_response *itest_whoami(struct spona_client *client)
{
    Spona__V1__WhoAmIRequest whoami;
    spona__v1__who_am_irequest__init(&whoami);
    spona_request request;
    spona__v1__request__init(&request);
    request.body_case = SPONA__V1__REQUEST__BODY_WHOAMI;
    request.whoami = &whoami;
    return call(client, &request);
}

spona_response *itest_logout(struct spona_client *client)
{
    Spona__V1__LogoutRequest logout;
    spona__v1__logout_request__init(&logout);
    spona_request request;
    spona__v1__request__init(&request);
    request.body_case = SPONA__V1__REQUEST__BODY_LOGOUT;
    request.logout = &logout;
    return call(client, &request);
}

spona_response *itest_resume(struct spona_client *client, const char *token)
{
    Spona__V1__ResumeRequest resume;
    spona__v1__resume_request__init(&resume);
    resume.session_token = (char *)(uintptr_t)token;
    spona_request request;
    spona__v1__request__init(&request);
    request.body_case = SPONA__V1__REQUEST__BODY_RESUME;
    request.resume = &resume;
    return call(client, &request);
}

char *itest_login_ok(struct spona_client *client, const char *username)
{
    char password[256];
    itest_password(username, password, sizeof(password));
    spona_response *response = itest_login(client, username, password);
    itest_assert_status(response, response->request_id, SPONA__V1__STATUS__OK);
    assert_int_equal(response->body_case, SPONA__V1__RESPONSE__BODY_LOGIN);
    assert_non_null(response->login->session_token);
    assert_true(response->login->session_token[0] != '\0');
    char *token = strdup(response->login->session_token);
    envelope_free_response(response);
    assert_non_null(token);
    return token;
}

spona_response *itest_receive(struct spona_client *client)
{
    char err[256] = "";
    spona_response *response = spona_client_receive(client, err, sizeof(err));
    if (response == NULL)
        fail_msg("expected a response, the connection gave: %s", err);
    return response;
}

void itest_assert_closed(struct spona_client *client)
{
    char err[256] = "";
    long long started = now_ms();
    spona_response *response = spona_client_receive(client, err, sizeof(err));
    long long waited = now_ms() - started;
    if (response != NULL) {
        char message[512];
        snprintf(message, sizeof(message), "expected the connection closed; got id %llu, %s, '%s'",
                 (unsigned long long)response->request_id,
                 envelope_status_name(response->status), response->message);
        envelope_free_response(response);
        fail_msg("%s", message);
    }
    if (waited >= ITEST_TIMEOUT_MS - 500)
        fail_msg("expected the connection closed; it stayed open for %lld ms (%s)", waited, err);
}

void itest_assert_status(const spona_response *response, uint64_t request_id,
                         spona_status status)
{
    assert_non_null(response);
    if (response->request_id != request_id || response->status != status)
        fail_msg("expected id %llu %s; got id %llu %s, message '%s'",
                 (unsigned long long)request_id, envelope_status_name(status),
                 (unsigned long long)response->request_id,
                 envelope_status_name(response->status), response->message);
    if (status == SPONA__V1__STATUS__OK) {
        assert_int_not_equal(response->body_case, SPONA__V1__RESPONSE__BODY__NOT_SET);
    } else {
        /* errors carry a sentence and no body */
        assert_non_null(response->message);
        assert_true(strlen(response->message) > 0);
        assert_int_equal(response->body_case, SPONA__V1__RESPONSE__BODY__NOT_SET);
    }
}

void itest_append_frame(uint8_t **buf, size_t *len, const spona_request *request)
{
    uint8_t *frame = NULL;
    size_t frame_length = 0;
    assert_int_equal(envelope_pack(&request->base, &frame, &frame_length), 0);
    uint8_t *grown = realloc(*buf, *len + frame_length);
    assert_non_null(grown);
    memcpy(grown + *len, frame, frame_length);
    free(frame);
    *buf = grown;
    *len += frame_length;
}

int itest_run(const char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execv(argv[0], (char *const *)(uintptr_t)argv);
        fprintf(stderr, "itest: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int itest_admin(const char *first, ...)
{
    char admin_conf[1024];
    itest_state_path("admin.conf", admin_conf, sizeof(admin_conf));
    const char *argv[16] = {server_binary, "-c", admin_conf, first};
    size_t argc = 4;
    va_list args;
    va_start(args, first);
    const char *arg;
    while ((arg = va_arg(args, const char *)) != NULL && argc < 15)
        argv[argc++] = arg;
    va_end(args);
    argv[argc] = NULL;
    return itest_run(argv);
}

int itest_harness(const char *script, ...)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", harness_dir, script);
    const char *argv[16] = {"/bin/bash", path};
    size_t argc = 2;
    va_list args;
    va_start(args, script);
    const char *arg;
    while ((arg = va_arg(args, const char *)) != NULL && argc < 15)
        argv[argc++] = arg;
    va_end(args);
    argv[argc] = NULL;
    return itest_run(argv);
}

void itest_assert_uuid(const char *text)
{
    assert_non_null(text);
    if (strlen(text) != 36)
        fail_msg("'%s' is not a UUID", text);
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        int ok = dash ? text[i] == '-'
                      : (text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f');
        if (!ok)
            fail_msg("'%s' is not a UUID", text);
    }
}

int itest_run_cli_script(const struct itest_server *server, const char *script_env)
{
    const char *cli = getenv("SPONA_CLI");
    const char *script = getenv(script_env);
    if (cli == NULL || script == NULL)
        return -1;
    char server_env[96], cli_env[1100], ca_env[1100], cert_env[1100], key_env[1100],
        ca[1024], cert[1024], key[1024];
    snprintf(server_env, sizeof(server_env), "SPONA_SERVER=127.0.0.1:%s", server->port);
    snprintf(cli_env, sizeof(cli_env), "SPONA_CLI=%s", cli);
    itest_state_path("pki/ca.crt", ca, sizeof(ca));
    itest_state_path("pki/prijedor-csr.crt", cert, sizeof(cert));
    itest_state_path("pki/prijedor-csr.key", key, sizeof(key));
    snprintf(ca_env, sizeof(ca_env), "SPONA_CA=%s", ca);
    snprintf(cert_env, sizeof(cert_env), "SPONA_CERT=%s", cert);
    snprintf(key_env, sizeof(key_env), "SPONA_KEY=%s", key);
    const char *argv[] = { "/usr/bin/env", server_env, cli_env, ca_env, cert_env, key_env,
                           "SPONA_PASSWORD=prijedor-lozinka-42", "/bin/bash", script, NULL };
    return itest_run(argv);
}
