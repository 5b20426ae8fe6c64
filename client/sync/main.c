/*
 * spona-sync: the nightly sync of one municipality with its region (docs/region.md,
 * "The agent"). One run: connect to the municipal database and, over mutual TLS with
 * the municipality's sync certificate, to the regional server; one pass over the
 * streams (sync_engine.c); when the region is unreachable or the connection is lost,
 * wait (retry_initial_ms, doubled up to retry_max_ms) and pass again, until
 * retry_for_seconds have gone by. Then the reconciliation report and the exit code.
 *
 * usage: spona-sync [--once] [-c FILE]
 */
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sync_config.h"
#include "sync_db.h"
#include "sync_engine.h"
#include "sync_report.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: spona-sync [--once] [-c FILE]\n"
                 "  One sync of this municipality with its region, retried within the\n"
                 "  window; the reconciliation report on stdout. -c: the config\n"
                 "  (default /etc/spona/sync.conf). Exit: 0 in step, 65 a batch refused,\n"
                 "  75 the region unreachable (retry later), 1 a local error.\n");
}

/* The sync certificate's key, PEM and serial (hex) into run. 0, or -1 with err. */
static int main_load_identity(const struct sync_config *config, struct sync_run *run)
{
    FILE *file = fopen(config->private_key, "r");
    run->key = file != NULL ? PEM_read_PrivateKey(file, NULL, NULL, NULL) : NULL;
    if (file != NULL)
        fclose(file);
    file = fopen(config->certificate, "r");
    X509 *cert = file != NULL ? PEM_read_X509(file, NULL, NULL, NULL) : NULL;
    if (file != NULL)
        fclose(file);
    BIGNUM *number = cert != NULL ? ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL) : NULL;
    char *hex = number != NULL ? BN_bn2hex(number) : NULL;
    BIO *out = cert != NULL ? BIO_new(BIO_s_mem()) : NULL;
    if (out != NULL && PEM_write_bio_X509(out, cert) == 1) {
        char *data;
        long size = BIO_get_mem_data(out, &data);
        run->sync_cert = calloc(1, (size_t)size + 1);
        if (run->sync_cert != NULL)
            memcpy(run->sync_cert, data, (size_t)size);
    }
    snprintf(run->serial, sizeof(run->serial), "%s", hex != NULL ? hex : "");
    OPENSSL_free(hex);
    BN_free(number);
    BIO_free(out);
    X509_free(cert);
    if (run->key == NULL || run->sync_cert == NULL || run->serial[0] == '\0') {
        log_error("cannot read the sync certificate %s and its key %s", config->certificate,
                  config->private_key);
        return -1;
    }
    return 0;
}

static struct spona_client *main_connect(const struct sync_config *config, char *err,
                                         size_t err_size)
{
    struct spona_client_options options = {0};
    options.host = config->region_host;
    options.port = config->region_port;
    options.ca_file = config->ca_file;
    options.cert_file = config->certificate;
    options.key_file = config->private_key;
    options.timeout_ms = config->timeout_ms;
    options.max_frame_bytes = 16u << 20;
    return spona_client_connect(&options, err, err_size);
}

static void main_sleep_ms(long ms)
{
    struct timespec wait = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&wait, &wait) != 0 && errno == EINTR)
        ;
}

/* Passes until one completes or the window ends; the outcome, *attempts counted. */
static enum sync_outcome main_run(struct sync_run *run, struct sync_counts *counts, int *attempts)
{
    const struct sync_config *config = run->config;
    time_t until = time(NULL) + config->retry_for_seconds;
    long wait = config->retry_initial_ms;
    enum sync_outcome outcome = SYNC_TRANSPORT;
    for (;;) {
        (*attempts)++;
        char err[256] = "";
        if (PQstatus(run->db) != CONNECTION_OK)
            PQreset(run->db);
        run->region = main_connect(config, err, sizeof(err));
        if (run->region == NULL) {
            snprintf(run->error, sizeof(run->error), "region %.100s:%.15s: %.200s", config->region_host,
                     config->region_port, err);
            outcome = SYNC_TRANSPORT;
        } else {
            outcome = sync_engine_pass(run, counts);
            spona_client_close(run->region);
            run->region = NULL;
        }
        if (outcome != SYNC_TRANSPORT)
            return outcome;
        if (time(NULL) + wait / 1000 > until) {
            log_warn("attempt %d failed (%s): the window ends, giving up", *attempts, run->error);
            return outcome;
        }
        log_warn("attempt %d failed (%s): again in %ld ms", *attempts, run->error, wait);
        main_sleep_ms(wait);
        wait = wait * 2 > config->retry_max_ms ? config->retry_max_ms : wait * 2;
    }
}

/* Keeps the report in sync_runs, text and SyncStatus, for the next run's sync_status
 * stream (best effort: the report is on stdout anyway). */
static void main_keep_report(struct sync_run *run, const struct sync_counts *counts,
                             int attempts, time_t started, int code, const char *report)
{
    if (run->municipality[0] == '\0' || PQstatus(run->db) != CONNECTION_OK)
        return;
    size_t length = 0;
    uint8_t *status = sync_report_status(counts, attempts, (long long)started,
                                         (long long)time(NULL), code, &length);
    char *status_text = status != NULL ? sync_db_bytea(status, length) : NULL;
    free(status);
    char start[24], exit_code[16], tries[16];
    snprintf(start, sizeof(start), "%lld", (long long)started);
    snprintf(exit_code, sizeof(exit_code), "%d", code);
    snprintf(tries, sizeof(tries), "%d", attempts);
    const char *params[] = {run->municipality, start, exit_code, tries, report, status_text};
    if (status_text == NULL ||
        sync_db_do(run,
                   "INSERT INTO sync_runs (municipality, started_at, exit_code, attempts, report,"
                   "   status) VALUES ($1, to_timestamp($2::bigint), $3::int, $4::int, $5, $6)",
                   6, params) != 0)
        log_warn("the report was not kept: %s", status_text == NULL ? "out of memory" : run->error);
    free(status_text);
}

int main(int argc, char **argv)
{
    const char *path = "/etc/spona/sync.conf";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--once") == 0)
            continue;
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            path = argv[++i];
            continue;
        }
        usage(strcmp(argv[i], "--help") == 0 ? stdout : stderr);
        return strcmp(argv[i], "--help") == 0 ? 0 : 2;
    }
    signal(SIGPIPE, SIG_IGN);
    log_init(LOG_LEVEL_INFO, 0, "spona-sync");
    struct sync_config config;
    char err[512];
    if (sync_config_load(path, &config, err, sizeof(err)) != 0) {
        log_error("%s", err);
        return SYNC_EXIT_LOCAL;
    }
    struct sync_run run = {0};
    run.config = &config;
    if (main_load_identity(&config, &run) != 0)
        return SYNC_EXIT_LOCAL;
    run.db = PQconnectdb(config.dsn);
    if (PQstatus(run.db) != CONNECTION_OK) {
        log_error("municipal database: %s", PQerrorMessage(run.db));
        PQfinish(run.db);
        return SYNC_EXIT_LOCAL;
    }
    size_t streams = sync_stream_count();
    struct sync_counts *counts = calloc(streams, sizeof(*counts));
    time_t started = time(NULL);
    int attempts = 0;
    enum sync_outcome outcome = counts != NULL ? main_run(&run, counts, &attempts) : SYNC_LOCAL;
    if (outcome == SYNC_LOCAL)
        log_error("%s", run.error);
    char report[4096];
    int code = sync_report_exit_code(outcome);
    if (counts != NULL && sync_report_format(counts, attempts, outcome, report, sizeof(report)) == 0) {
        fputs(report, stdout);
        main_keep_report(&run, counts, attempts, started, code, report);
    }
    free(counts);
    free(run.region_cert);
    free(run.sync_cert);
    EVP_PKEY_free(run.key);
    PQfinish(run.db);
    return code;
}
