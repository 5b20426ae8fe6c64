/*
 * Integration test of spona-sync (docs/region.md, "The agent", "Tests") on the topology
 * of tests/harness/sync.sh: one regional server and two municipal servers, each on its
 * own database, and the agent of each municipality.
 *   - the region registers both municipalities and their institutions, issues each a
 *     sync certificate and sjever's Centre a certificate, all from CSRs; after a sync
 *     the municipal server reads the region's CRL and the certificate works there;
 *   - audit heads go up: the region's ledger holds each lane's count and head exactly
 *     as the municipality's chain has them; a superuser rewrites sjever's history
 *     consistently (its own check still passes) and the region's next sync raises
 *     history_rewritten;
 *   - the certificate revoked at the region is refused at the municipality after the
 *     next sync (the agent writes the CRL and sends SIGHUP);
 *   - faults at jug: kill -9 of the agent in the middle of applying a batch, the
 *     connection cut by a proxy after N bytes at several offsets, lost
 *     acknowledgements (a replay), a tampered signature and tampered bytes pushed to
 *     the region, a damaged outbox row: after each, the next sync converges and
 *     nothing was applied twice (checked in both databases: every CRL once at the
 *     municipality, every audit record counted once in the region's ledger, every run's
 *     report (sync_status) stored once at the region, no alarm).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "itest.h"

#define RELOAD_WAIT_MS 15000

static struct itest_server region, sjever, jug;
static char dir[1024], db_port[32], agent_binary[1024], harness[1024];
static char csr_serial[80];

static void write_all(const char *path, const char *text)
{
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    assert_int_equal(fputs(text, file) >= 0, 1);
    assert_int_equal(fclose(file), 0);
}

/* A connection to one of the topology's databases as user. */
static PGconn *db(const char *name, const char *user)
{
    char dsn[256];
    snprintf(dsn, sizeof(dsn), "host=127.0.0.1 port=%s dbname=%s user=%s", db_port, name, user);
    PGconn *conn = PQconnectdb(dsn);
    if (PQstatus(conn) != CONNECTION_OK)
        fail_msg("database %s: %s", name, PQerrorMessage(conn));
    return conn;
}

/* The owner's connection to database name, kept for the test's run. */
static PGconn *owner(const char *name)
{
    static char names[4][32];
    static PGconn *conns[4];
    for (int i = 0; i < 4; i++) {
        if (conns[i] != NULL && strcmp(names[i], name) == 0)
            return conns[i];
        if (conns[i] == NULL) {
            snprintf(names[i], sizeof(names[i]), "%s", name);
            conns[i] = db(name, "spona_owner");
            return conns[i];
        }
    }
    fail_msg("more databases than the topology has: %s", name);
    return NULL;
}

/* One value of a query on database name (as its owner); static, overwritten by the next. */
static const char *value(const char *name, const char *sql)
{
    static char out[4096];
    PGconn *conn = owner(name);
    PGresult *result = PQexec(conn, sql);
    if (PQresultStatus(result) != PGRES_TUPLES_OK && PQresultStatus(result) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(result));
    snprintf(out, sizeof(out), "%s",
             PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0
                 ? PQgetvalue(result, 0, 0)
                 : "");
    PQclear(result);
    return out;
}

static int group_setup(void **state)
{
    (void)state;
    char port_path[1024], ini[16384];
    itest_state_path("sync", dir, sizeof(dir));
    itest_state_path("db/port", port_path, sizeof(port_path));
    if (itest_read_text(port_path, db_port, sizeof(db_port)) != 0 || getenv("SPONA_SYNC") == NULL ||
        getenv("SPONA_TEST_HARNESS") == NULL)
        return -1;
    db_port[strcspn(db_port, "\n")] = '\0';
    snprintf(agent_binary, sizeof(agent_binary), "%s", getenv("SPONA_SYNC"));
    snprintf(harness, sizeof(harness), "%s", getenv("SPONA_TEST_HARNESS"));
    itest_region_ini(ini, sizeof(ini), dir, db_port, "spona_sync_region", "published.crl");
    return itest_server_start_as(&region, "sync-region", ini, "../sync/pki/admin");
}

static int group_teardown(void **state)
{
    (void)state;
    itest_server_kill(&sjever);
    itest_server_kill(&jug);
    itest_server_kill(&region);
    return 0;
}

static spona_response *call(struct spona_client *client, spona_request *request)
{
    char err[256] = "";
    spona_response *response = spona_client_call(client, request, err, sizeof(err));
    if (response == NULL)
        fail_msg("call failed: %s", err);
    return response;
}

static void expect_ok(spona_response *response)
{
    itest_assert_status(response, response->request_id, SPONA__V1__STATUS__OK);
    envelope_free_response(response);
}

static struct spona_client *admin_login(void)
{
    struct spona_client *client = itest_connect_ok(&region, "../sync/pki/admin");
    free(itest_login_ok(client, "regina"));
    return client;
}

static void register_municipality(struct spona_client *admin, const char *code,
                                  const char *short_code)
{
    Spona__V1__RegionMunicipalityAddRequest add = SPONA__V1__REGION_MUNICIPALITY_ADD_REQUEST__INIT;
    add.code = (char *)(uintptr_t)code;
    add.short_code = (char *)(uintptr_t)short_code;
    add.name = (char *)(uintptr_t)code;
    add.address = "127.0.0.1:7443";
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_MUNICIPALITY_ADD;
    request.region_municipality_add = &add;
    expect_ok(call(admin, &request));
    char institution[64];
    snprintf(institution, sizeof(institution), "%s.csr", code);
    Spona__V1__RegionInstitutionAddRequest inst = SPONA__V1__REGION_INSTITUTION_ADD_REQUEST__INIT;
    inst.municipality_code = (char *)(uintptr_t)code;
    inst.code = institution;
    inst.name = "Centar za socijalni rad";
    inst.role = "lead_agency";
    inst.contact = "csr@example.org";
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_INSTITUTION_ADD;
    request.region_institution_add = &inst;
    expect_ok(call(admin, &request));
}

/* A CSR made with openssl (dir/name.key, .csr), issued by the region (dir/name.crt);
 * institution NULL: the municipality's sync certificate. Its serial into serial. */
static void issue(struct spona_client *admin, const char *name, const char *municipality,
                  const char *institution, char *serial, size_t serial_size)
{
    char key[1200], csr[1200];
    snprintf(key, sizeof(key), "%s/%s.key", dir, name);
    snprintf(csr, sizeof(csr), "%s/%s.csr", dir, name);
    const char *argv[] = {"/usr/bin/openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr,
                          "-subj", "/CN=ignored", NULL};
    assert_int_equal(itest_run(argv), 0);
    char pem[8192];
    assert_int_equal(itest_read_text(csr, pem, sizeof(pem)), 0);
    Spona__V1__RegionCertIssueRequest ask = SPONA__V1__REGION_CERT_ISSUE_REQUEST__INIT;
    ask.municipality_code = (char *)(uintptr_t)municipality;
    ask.institution_code = (char *)(uintptr_t)(institution != NULL ? institution : "");
    ask.purpose = institution != NULL ? "institution" : "sync";
    ask.csr_pem = (ProtobufCBinaryData){strlen(pem), (uint8_t *)pem};
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_CERT_ISSUE;
    request.region_cert_issue = &ask;
    spona_response *issued = call(admin, &request);
    itest_assert_status(issued, issued->request_id, SPONA__V1__STATUS__OK);
    char crt[1200];
    snprintf(crt, sizeof(crt), "%s/%s.crt", dir, name);
    write_all(crt, issued->region_cert_issue->pem);
    if (serial != NULL)
        snprintf(serial, serial_size, "%s", issued->region_cert_issue->serial);
    envelope_free_response(issued);
}

static uint64_t publish_crl(struct spona_client *admin)
{
    Spona__V1__RegionCrlPublishRequest publish = SPONA__V1__REGION_CRL_PUBLISH_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_CRL_PUBLISH;
    request.region_crl_publish = &publish;
    spona_response *crl = call(admin, &request);
    itest_assert_status(crl, crl->request_id, SPONA__V1__STATUS__OK);
    uint64_t number = crl->region_crl_publish->number;
    envelope_free_response(crl);
    return number;
}

/* Writes municipality m's agent config: the region at port (the server's, or a proxy's). */
static void agent_config(const char *m, const char *port)
{
    char path[1200], text[16384], state_dir[1024];
    itest_state_path("", state_dir, sizeof(state_dir));
    snprintf(path, sizeof(path), "%s/%s-agent.conf", dir, m);
    snprintf(text, sizeof(text),
             "[sync]\nregion = 127.0.0.1:%s\nca_file = %s/pki/ca.crt\n"
             "certificate = %s/%s-sync.crt\nprivate_key = %s/%s-sync.key\n"
             "dsn = host=127.0.0.1 port=%s dbname=spona_sync_%s user=spona_owner\n"
             "crl_file = %s/%s-crl.pem\nserver_pid_file = %s/run/sync-%s.pid\n"
             "retry_for_seconds = 20\nretry_initial_ms = 50\nretry_max_ms = 400\n"
             "timeout_ms = 5000\nmax_links = 7\n",
             port, state_dir, dir, m, dir, m, db_port, m, dir, m, state_dir, m);
    write_all(path, text);
}

/* Starts municipality m's agent (pause: the test hook's file, or NULL); its pid. */
static pid_t agent_start(const char *m, const char *pause)
{
    char config[1200];
    snprintf(config, sizeof(config), "%s/%s-agent.conf", dir, m);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (pause != NULL)
            setenv("SPONA_SYNC_TEST_PAUSE", pause, 1);
        execl(agent_binary, agent_binary, "--once", "-c", config, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Runs municipality m's agent to the end: its exit code. */
static int agent(const char *m)
{
    pid_t pid = agent_start(m, NULL);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        assert_int_equal(errno, EINTR);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Starts municipality m's server: the region's CA for clients, the CRL the agent writes. */
static void municipal_start(struct itest_server *server, const char *m)
{
    char ini[16384], name[64], ready[64];
    snprintf(ini, sizeof(ini),
             "[tls]\nclient_ca_file = %s/pki/ca.crt\ncrl_file = %s/%s-crl.pem\n"
             "[database]\ndsn = host=127.0.0.1 port=%s dbname=spona_sync_%s user=spona_app\n"
             "admin_dsn = host=127.0.0.1 port=%s dbname=spona_sync_%s user=spona_owner\n",
             dir, dir, m, db_port, m, db_port, m);
    snprintf(name, sizeof(name), "sync-%s", m);
    snprintf(ready, sizeof(ready), "../sync/%s-csr", m);
    assert_int_equal(itest_server_start_as(server, name, ini, ready), 0);
}

/* A login and a whoami at a municipal server: audit records there. */
static void use_at(struct itest_server *server, const char *m, const char *user)
{
    char cert[64];
    snprintf(cert, sizeof(cert), "../sync/%s-csr", m);
    struct spona_client *client = itest_connect_ok(server, cert);
    free(itest_login_ok(client, user));
    spona_response *who = itest_whoami(client);
    itest_assert_status(who, who->request_id, SPONA__V1__STATUS__OK);
    char institution[64];
    snprintf(institution, sizeof(institution), "%s.csr", m);
    assert_string_equal(who->whoami->institution_code, institution);
    envelope_free_response(who);
    envelope_free_response(itest_logout(client));
    spona_client_close(client);
}

static void test_register_issue_sync_use(void **state)
{
    (void)state;
    struct spona_client *admin = admin_login();
    register_municipality(admin, "sjever", "SJ");
    register_municipality(admin, "jug", "JG");
    issue(admin, "sjever-sync", "sjever", NULL, NULL, 0);
    issue(admin, "jug-sync", "jug", NULL, NULL, 0);
    issue(admin, "sjever-csr", "sjever", "sjever.csr", csr_serial, sizeof(csr_serial));
    issue(admin, "jug-csr", "jug", "jug.csr", NULL, 0);
    uint64_t crl = publish_crl(admin);
    spona_client_close(admin);
    agent_config("sjever", region.port);
    agent_config("jug", region.port);

    /* the first sync brings the CRL down: written where the municipal server reads it */
    assert_int_equal(agent("sjever"), 0);
    assert_int_equal(agent("jug"), 0);
    char expected[32];
    snprintf(expected, sizeof(expected), "%llu", (unsigned long long)crl);
    assert_string_equal(value("spona_sync_sjever", "SELECT number FROM sync_crl"), expected);
    assert_string_equal(value("spona_sync_sjever",
                              "SELECT seq FROM sync_watermarks WHERE stream = 'crl'"), expected);
    char path[1200], file[16384];
    snprintf(path, sizeof(path), "%s/sjever-crl.pem", dir);
    assert_int_equal(itest_read_text(path, file, sizeof(file)), 0);
    assert_string_equal(file, value("spona_sync_sjever", "SELECT pem FROM sync_crl"));
    /* a second run has nothing to bring and the same to say */
    assert_int_equal(agent("sjever"), 0);

    municipal_start(&sjever, "sjever");
    municipal_start(&jug, "jug");
    use_at(&sjever, "sjever", "sara");
    use_at(&jug, "jug", "jure");
}

/* The municipality's activity: audit records written through the chain's trigger, as
 * the server's requests write them, one transaction holding lane 0 while n more records
 * commit beside it (so they go to another lane). */
static void activity(const char *database, int n)
{
    static const char insert[] = "INSERT INTO audit_log (municipality_id, action, outcome)"
                                 " SELECT id, 'sync_test', 'ok' FROM municipalities";
    PGconn *holder = db(database, "spona_owner"), *other = db(database, "spona_owner");
    PGresult *result = PQexec(other, insert); /* the first record makes the lanes */
    assert_int_equal(PQresultStatus(result), PGRES_COMMAND_OK);
    PQclear(result);
    PQclear(PQexec(holder, "BEGIN"));
    result = PQexec(holder, insert);
    assert_int_equal(PQresultStatus(result), PGRES_COMMAND_OK);
    PQclear(result);
    for (int i = 0; i < n; i++) {
        result = PQexec(other, insert);
        assert_int_equal(PQresultStatus(result), PGRES_COMMAND_OK);
        PQclear(result);
    }
    result = PQexec(holder, "COMMIT");
    assert_int_equal(PQresultStatus(result), PGRES_COMMAND_OK);
    PQclear(result);
    PQfinish(holder);
    PQfinish(other);
}

/* The region's ledger of municipality m and m's own chain, lane by lane: equal when every
 * record was reported once. */
static void assert_ledger_matches(const char *m)
{
    char local[4096], sql[1024], database[64];
    snprintf(database, sizeof(database), "spona_sync_%s", m);
    snprintf(local, sizeof(local), "%s",
             value(database,
                   "SELECT coalesce(string_agg(h.lane || ':' || (SELECT count(*) FROM audit_log a"
                   "   WHERE a.lane = h.lane) || ':' || encode(h.hash, 'hex'), ',' ORDER BY h.lane),"
                   "   '') FROM audit_head h WHERE h.seq > 0"));
    snprintf(sql, sizeof(sql),
             "SELECT coalesce(string_agg(h.lane || ':' || h.count || ':' ||"
             "   encode(h.head_hash, 'hex'), ',' ORDER BY h.lane::int), '')"
             "  FROM region_audit_heads h JOIN region_municipalities m"
             "    ON m.id = h.municipality_id WHERE m.code = '%s'", m);
    assert_true(local[0] != '\0');
    assert_string_equal(value("spona_sync_region", sql), local);
}

static const char *alarms(const char *m)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT coalesce(string_agg(a.kind, ',' ORDER BY a.id), '') FROM region_alarms a"
             "  JOIN region_municipalities m ON m.id = a.municipality_id WHERE m.code = '%s'", m);
    return value("spona_sync_region", sql);
}

/* A consistent rewrite by the superuser: lane 0's first record changed and every hash of
 * the lane after it computed again, the head moved; the chain verifies locally. */
static void rewrite_history(const char *database)
{
    PGconn *conn = db(database, "postgres");
    PGresult *result = PQexec(conn,
        "SET session_replication_role = replica;"
        "DO $$ DECLARE r record; prev bytea; BEGIN"
        "  UPDATE audit_log SET detail = 'rewritten by the superuser' WHERE lane = 0"
        "     AND seq = (SELECT min(seq) FROM audit_log WHERE lane = 0);"
        "  FOR r IN SELECT seq FROM audit_log WHERE lane = 0 ORDER BY seq LOOP"
        "    IF prev IS NOT NULL THEN"
        "      UPDATE audit_log SET prev_hash = prev WHERE lane = 0 AND seq = r.seq;"
        "    END IF;"
        "    UPDATE audit_log a SET hash = sha256(a.prev_hash ||"
        "        convert_to(spona_audit_canonical(a), 'UTF8'))"
        "     WHERE lane = 0 AND seq = r.seq RETURNING hash INTO prev;"
        "  END LOOP;"
        "  UPDATE audit_head SET hash = prev WHERE lane = 0;"
        "END $$;");
    if (PQresultStatus(result) != PGRES_COMMAND_OK)
        fail_msg("rewrite: %s", PQresultErrorMessage(result));
    PQclear(result);
    PQfinish(conn);
}

static void test_audit_heads_and_rewrite(void **state)
{
    (void)state;
    activity("spona_sync_sjever", 20);
    activity("spona_sync_jug", 3);
    assert_int_equal(agent("sjever"), 0);
    assert_int_equal(agent("jug"), 0);
    assert_ledger_matches("sjever");
    assert_ledger_matches("jug");
    assert_string_equal(alarms("sjever"), "");
    /* the earlier runs' reports went up: the region sees sjever's last successful sync */
    assert_string_equal(value("spona_sync_region",
                              "SELECT last_exit_code || '/' || (last_success_at IS NOT NULL)"
                              "  FROM region_sync_status WHERE code = 'sjever'"), "0/true");
    /* a batch holds at most max_links (7) links: the first report took several */
    assert_true(atoi(value("spona_sync_sjever", "SELECT count(*) FROM sync_outbox"
                                                        " WHERE stream = 'audit_heads'")) >= 2);

    rewrite_history("spona_sync_sjever");
    assert_string_equal(value("spona_sync_sjever",
                              "SELECT spona_sync_audit_check(id) FROM municipalities"), "0");
    assert_int_equal(agent("sjever"), 0);
    assert_non_null(strstr(alarms("sjever"), "history_rewritten"));
    print_message("rewritten history at sjever: the region's alarms are '%s'\n", alarms("sjever"));
    assert_string_equal(alarms("jug"), "");
}

static void test_revoked_refused_after_sync(void **state)
{
    (void)state;
    struct spona_client *admin = admin_login();
    Spona__V1__RegionCertRevokeRequest revoke = SPONA__V1__REGION_CERT_REVOKE_REQUEST__INIT;
    revoke.serial = csr_serial;
    revoke.reason = "key lost";
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REGION_CERT_REVOKE;
    request.region_cert_revoke = &revoke;
    expect_ok(call(admin, &request));
    spona_client_close(admin);
    /* accepted until the sync brings the CRL */
    struct spona_client *still = itest_connect_ok(&sjever, "../sync/sjever-csr");
    spona_response *pong = itest_ping(still, "x", 1);
    itest_assert_status(pong, pong->request_id, SPONA__V1__STATUS__OK);
    envelope_free_response(pong);
    spona_client_close(still);

    assert_int_equal(agent("sjever"), 0);
    char detail[512] = "";
    int refused = 0;
    for (int waited = 0; !refused && waited < RELOAD_WAIT_MS; waited += 200) {
        refused = itest_is_refused(&sjever, "../sync/sjever-csr", detail, sizeof(detail));
        if (!refused)
            itest_sleep_ms(200);
    }
    if (!refused)
        fail_msg("the revoked certificate is still accepted after the sync: %s", detail);
    /* the CRL is the region's: jug has it after its sync too */
    assert_int_equal(agent("jug"), 0);
    assert_string_equal(value("spona_sync_jug", "SELECT number FROM sync_crl"),
                        value("spona_sync_region", "SELECT max(number) FROM region_crls"));
}

/* jug and the region agree, and nothing was applied twice: every CRL once at jug (its
 * received rows are exactly 1..watermark, the region's last), every outbox batch
 * acknowledged and stored once at the region, the ledger equal to jug's chain. */
static void assert_converged(void)
{
    char last[32];
    snprintf(last, sizeof(last), "%s",
             value("spona_sync_region", "SELECT max(number) FROM region_crls"));
    assert_string_equal(value("spona_sync_jug",
                              "SELECT seq FROM sync_watermarks WHERE stream = 'crl'"), last);
    assert_string_equal(value("spona_sync_jug",
                              "SELECT count(*) || '/' || max(seq) FROM sync_received"
                              " WHERE stream = 'crl'"),
                        value("spona_sync_region",
                              "SELECT count(*) || '/' || max(number) FROM region_crls"));
    assert_string_equal(value("spona_sync_jug", "SELECT count(*) FROM sync_outbox"
                                                " WHERE acked_at IS NULL"), "0");
    static const char *const up[] = {"audit_heads", "sync_status"};
    for (size_t i = 0; i < 2; i++) {
        char sql[512], outbox[64];
        snprintf(sql, sizeof(sql), "SELECT count(*) || '/' || coalesce(max(seq), 0)"
                 "  FROM sync_outbox WHERE stream = '%s'", up[i]);
        snprintf(outbox, sizeof(outbox), "%s", value("spona_sync_jug", sql));
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) || '/' || coalesce(max(b.seq), 0) FROM sync_batches b"
                 "  JOIN region_municipalities m ON m.id = b.municipality_id"
                 " WHERE m.code = 'jug' AND b.stream = '%s'", up[i]);
        assert_string_equal(value("spona_sync_region", sql), outbox);
        snprintf(sql, sizeof(sql),
                 "SELECT coalesce(max(w.seq), 0) || '/' || coalesce(max(w.seq), 0)"
                 "  FROM sync_watermarks w JOIN region_municipalities m"
                 "    ON m.id = w.municipality_id WHERE m.code = 'jug' AND w.stream = '%s'", up[i]);
        assert_string_equal(strchr(value("spona_sync_region", sql), '/'), strchr(outbox, '/'));
    }
    /* every run's report reached the region once, and each balanced */
    assert_string_equal(value("spona_sync_region",
                              "SELECT count(*) FROM region_sync_runs r JOIN region_municipalities m"
                              "  ON m.id = r.municipality_id WHERE m.code = 'jug'"),
                        value("spona_sync_jug", "SELECT count(*) FROM sync_runs"
                                                " WHERE sent_seq IS NOT NULL"));
    assert_string_equal(value("spona_sync_jug", "SELECT count(*) FROM sync_runs"
                                                " WHERE report LIKE '% NO%'"), "0");
    assert_ledger_matches("jug");
}

/* New work both ways: a CRL at the region, audit records at jug. */
static void new_work(void)
{
    struct spona_client *admin = admin_login();
    publish_crl(admin);
    spona_client_close(admin);
    use_at(&jug, "jug", "jure");
    activity("spona_sync_jug", 2);
}

static void test_kill_mid_apply(void **state)
{
    (void)state;
    new_work();
    char before[32], pause[1200];
    snprintf(before, sizeof(before), "%s",
             value("spona_sync_jug", "SELECT seq FROM sync_watermarks WHERE stream = 'crl'"));
    snprintf(pause, sizeof(pause), "%s/jug-pause", dir);
    unlink(pause);
    pid_t pid = agent_start("jug", pause);
    struct stat info;
    for (int waited = 0; stat(pause, &info) != 0 && waited < 10000; waited += 20)
        itest_sleep_ms(20);
    assert_int_equal(stat(pause, &info), 0);
    assert_int_equal(kill(pid, SIGKILL), 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    /* the transaction died with the agent: neither the batch nor the watermark */
    itest_sleep_ms(100);
    assert_string_equal(value("spona_sync_jug",
                              "SELECT seq FROM sync_watermarks WHERE stream = 'crl'"), before);
    assert_string_equal(value("spona_sync_jug", "SELECT max(seq) FROM sync_received"
                                                " WHERE stream = 'crl'"), before);
    assert_int_equal(agent("jug"), 0);
    assert_converged();
}

/* The proxy (tests/harness/cutproxy.py) in front of the region, cutting the first
 * connection after cut bytes; its pid, its port in port. */
static pid_t proxy_start(long cut, char *port, size_t port_size)
{
    char script[1200], port_file[1200], target[16], bytes[24];
    snprintf(script, sizeof(script), "%s/cutproxy.py", harness);
    snprintf(port_file, sizeof(port_file), "%s/proxy.port", dir);
    snprintf(target, sizeof(target), "%s", region.port);
    snprintf(bytes, sizeof(bytes), "%ld", cut);
    unlink(port_file);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* the system's python3 first: a version manager's shim on PATH costs a second */
        execl("/usr/bin/python3", "python3", script, port_file, target, bytes, (char *)NULL);
        execlp("python3", "python3", script, port_file, target, bytes, (char *)NULL);
        _exit(127);
    }
    for (int waited = 0; itest_read_text(port_file, port, port_size) != 0 && waited < 10000;
         waited += 20)
        itest_sleep_ms(20);
    assert_true(port[0] != '\0');
    return pid;
}

/* One run of jug's agent through the proxy cutting its first connection after cut bytes
 * (-1: never): the agent's exit code; the bytes the proxy's connections moved into moved. */
static int run_through_proxy(long cut, long *moved)
{
    char port[16] = "", bytes_file[1200], text[256] = "";
    snprintf(bytes_file, sizeof(bytes_file), "%s/proxy.port.bytes", dir);
    unlink(bytes_file);
    pid_t proxy = proxy_start(cut, port, sizeof(port));
    agent_config("jug", port);
    int code = agent("jug");
    kill(proxy, SIGKILL);
    waitpid(proxy, NULL, 0);
    agent_config("jug", region.port);
    *moved = itest_read_text(bytes_file, text, sizeof(text)) == 0 ? atol(text) : 0;
    return code;
}

static void test_cut_at_offsets(void **state)
{
    (void)state;
    /* how many bytes a night's exchange moves, uncut: the cuts fall all along it */
    long total = 0;
    new_work();
    assert_int_equal(run_through_proxy(-1, &total), 0);
    assert_converged();
    assert_true(total > 1000);
    long cuts[12] = {0, 1, 30};
    size_t n = 3;
    for (long k = 1; k <= 8; k++)
        cuts[n++] = total * k / 9;
    for (size_t i = 0; i < n; i++) {
        new_work();
        long moved = 0;
        int code = run_through_proxy(cuts[i], &moved);
        print_message("cut after %ld of about %ld bytes: the agent exited %d\n", cuts[i], total,
                      code);
        assert_int_equal(code, 0);
        assert_converged();
    }
    assert_string_equal(alarms("jug"), "");
}

static void test_replay_lost_acks(void **state)
{
    (void)state;
    new_work();
    assert_int_equal(agent("jug"), 0);
    char stored[32];
    snprintf(stored, sizeof(stored), "%s",
             value("spona_sync_region", "SELECT count(*) FROM sync_batches"
                                        " WHERE stream = 'audit_heads'"));
    /* every acknowledgement lost: the whole outbox is sent again (and this run adds only
     * the last run's sync_status) */
    value("spona_sync_jug", "UPDATE sync_outbox SET acked_at = NULL");
    assert_int_equal(agent("jug"), 0);
    assert_string_equal(value("spona_sync_region", "SELECT count(*) FROM sync_batches"
                                                   " WHERE stream = 'audit_heads'"), stored);
    assert_non_null(strstr(value("spona_sync_jug", "SELECT report FROM sync_runs ORDER BY id DESC"
                                                  " LIMIT 1"), "audit_heads"));
    assert_converged();
}

/* Pushes jug's outbox batch seq to the region as jug's sync identity, after damage:
 * 1 a flipped signature byte, 2 a flipped payload byte, 3 as the next seq. */
static spona_response *push_damaged(uint64_t seq, int damage)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT encode(payload, 'hex') || ' ' || encode(payload_sha256, 'hex') || ' ' ||"
             " encode(signature, 'hex') || ' ' || signer_serial FROM sync_outbox"
             " WHERE stream = 'audit_heads' AND seq = %llu",
             (unsigned long long)seq);
    char row[4096], payload_hex[4096], sha_hex[80], signature_hex[300], serial[80];
    snprintf(row, sizeof(row), "%s", value("spona_sync_jug", sql));
    assert_int_equal(sscanf(row, "%4095s %79s %299s %79s", payload_hex, sha_hex, signature_hex,
                            serial), 4);
    static uint8_t payload[2048], sha[32], signature[150];
    size_t payload_length = strlen(payload_hex) / 2, signature_length = strlen(signature_hex) / 2;
    for (size_t i = 0; i < payload_length; i++)
        sscanf(payload_hex + 2 * i, "%2hhx", &payload[i]);
    for (size_t i = 0; i < 32; i++)
        sscanf(sha_hex + 2 * i, "%2hhx", &sha[i]);
    for (size_t i = 0; i < signature_length; i++)
        sscanf(signature_hex + 2 * i, "%2hhx", &signature[i]);
    if (damage == 1)
        signature[signature_length / 2] ^= 0x01;
    if (damage == 2)
        payload[payload_length / 2] ^= 0x01;
    Spona__V1__SyncBatch batch = SPONA__V1__SYNC_BATCH__INIT;
    batch.stream = "audit_heads";
    batch.municipality = "jug";
    batch.seq = damage == 3 ? seq + 1 : seq;
    batch.payload = (ProtobufCBinaryData){payload_length, payload};
    batch.payload_sha256 = (ProtobufCBinaryData){32, sha};
    batch.signer_serial = serial;
    batch.signature = (ProtobufCBinaryData){signature_length, signature};
    Spona__V1__SyncPushRequest push = SPONA__V1__SYNC_PUSH_REQUEST__INIT;
    push.batch = &batch;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_SYNC_PUSH;
    request.sync_push = &push;
    struct spona_client *client = itest_connect_ok(&region, "../sync/jug-sync");
    spona_response *response = call(client, &request);
    spona_client_close(client);
    return response;
}

static void test_tampered_batches(void **state)
{
    (void)state;
    uint64_t last = strtoull(value("spona_sync_jug", "SELECT max(seq) FROM sync_outbox"
                                                     " WHERE stream = 'audit_heads'"), NULL, 10);
    assert_true(last >= 1);
    /* the old batch replayed as it was: acknowledged, not applied */
    spona_response *again = push_damaged(last, 0);
    itest_assert_status(again, again->request_id, SPONA__V1__STATUS__OK);
    assert_true(again->sync_push->already_applied);
    envelope_free_response(again);
    for (int damage = 1; damage <= 3; damage++) {
        spona_response *refused = push_damaged(last, damage);
        itest_assert_status(refused, refused->request_id, SPONA__V1__STATUS__PERMISSION_DENIED);
        envelope_free_response(refused);
    }
    assert_string_equal(alarms("jug"), "bad_signature,bad_signature,bad_signature");

    /* a damaged row in jug's own outbox, its acknowledgement lost: signed again, sent */
    char sql[256];
    snprintf(sql, sizeof(sql),
             "UPDATE sync_outbox SET acked_at = NULL, signature = set_byte(signature, 10,"
             " get_byte(signature, 10) # 1) WHERE stream = 'audit_heads' AND seq = %llu",
             (unsigned long long)last);
    value("spona_sync_jug", sql);
    new_work();
    assert_int_equal(agent("jug"), 0);
    assert_converged();
    assert_string_equal(alarms("jug"), "bad_signature,bad_signature,bad_signature");
}

int main(void)
{
    if (itest_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_issue_sync_use),
        cmocka_unit_test(test_audit_heads_and_rewrite),
        cmocka_unit_test(test_revoked_refused_after_sync),
        cmocka_unit_test(test_kill_mid_apply),
        cmocka_unit_test(test_cut_at_offsets),
        cmocka_unit_test(test_replay_lost_acks),
        cmocka_unit_test(test_tampered_batches),
    };
    return cmocka_run_group_tests_name("integration.sync", tests, group_setup, group_teardown);
}
