/*
 * spona-report-bench: the indicator benchmark (docs/performance.md). One TLS
 * connection, logged in as a user of the lead agency (the lead always gets
 * live figures, computed by spona_indicators for every request; other
 * institutions may get a stored release), sends `report` requests for one
 * period one at a time, after a few warm-up requests, and reports the rows
 * per answer and the latency: min, p50, p90, p99, max. A benchmark, not a
 * test: it asserts nothing but that every answer was OK and had rows.
 * Loopback servers only.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "spona_client.h"

#define PROGRAM "spona-report-bench"

#define REPORT_BENCH_MAX_REQUESTS 100000L

struct report_bench {
    const char *server, *ca_file, *cert_file, *key_file, *user, *password;
    char *from, *to; /* borrowed from argv; NULL: the server's default period */
    char host[256], port[16];
    long requests, warmup;
    int json;
};

static void report_bench_usage(FILE *out)
{
    fputs("Usage: spona-report-bench [OPTIONS]\n"
          "\n"
          "Sends `report` requests (the full indicator set) one at a time and reports\n"
          "the rows per answer and the latency.\n"
          "\n"
          "  -n, --requests N       measured reports (default 10)\n"
          "      --warmup N         reports before measuring (default 2)\n"
          "      --from YYYY-MM-DD  first day of the period (default: the server's,\n"
          "      --to YYYY-MM-DD    last day              the last 12 calendar months)\n"
          "      --server HOST:PORT loopback address only (default 127.0.0.1:7443, or SPONA_SERVER)\n"
          "      --ca FILE / --cert FILE / --key FILE   (or SPONA_CA, SPONA_CERT, SPONA_KEY)\n"
          "      --user NAME        a user of the lead agency (or SPONA_USER)\n"
          "      --json             print one JSON object\n"
          "\n"
          "The password comes from SPONA_PASSWORD. Exit code 0 when every report was\n"
          "answered OK with rows, 1 for usage errors, 2 otherwise.\n",
          out);
}

/* HOST:PORT into bench->host and bench->port; the host must be a loopback address. */
static int report_bench_server(struct report_bench *bench)
{
    return bench_loopback_server(PROGRAM, bench->server, bench->host, sizeof(bench->host),
                                 bench->port, sizeof(bench->port));
}

/* 0, 1 after --help, -1 after a usage error. */
static int report_bench_parse(struct report_bench *bench, int argc, char **argv)
{
    enum { OPT_WARMUP = 256, OPT_FROM, OPT_TO, OPT_SERVER, OPT_CA, OPT_CERT, OPT_KEY, OPT_USER,
           OPT_JSON };
    static const struct option options[] = {
        {"requests", required_argument, NULL, 'n'}, {"warmup", required_argument, NULL, OPT_WARMUP},
        {"from", required_argument, NULL, OPT_FROM}, {"to", required_argument, NULL, OPT_TO},
        {"server", required_argument, NULL, OPT_SERVER}, {"ca", required_argument, NULL, OPT_CA},
        {"cert", required_argument, NULL, OPT_CERT}, {"key", required_argument, NULL, OPT_KEY},
        {"user", required_argument, NULL, OPT_USER}, {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    memset(bench, 0, sizeof(*bench));
    bench->requests = 10;
    bench->warmup = 2;
    const char *server = NULL, *ca = NULL, *cert = NULL, *key = NULL, *user = NULL;
    for (;;) {
        int option = getopt_long(argc, argv, "n:h", options, NULL);
        if (option == -1)
            break;
        switch (option) {
        case 'n':
            if ((bench->requests = bench_parse_long(PROGRAM, optarg, 1, REPORT_BENCH_MAX_REQUESTS,
                                              "--requests")) < 0)
                return -1;
            break;
        case OPT_WARMUP:
            if ((bench->warmup = bench_parse_long(PROGRAM, optarg, 0, REPORT_BENCH_MAX_REQUESTS,
                                            "--warmup")) < 0)
                return -1;
            break;
        case OPT_FROM: bench->from = optarg; break;
        case OPT_TO: bench->to = optarg; break;
        case OPT_SERVER: server = optarg; break;
        case OPT_CA: ca = optarg; break;
        case OPT_CERT: cert = optarg; break;
        case OPT_KEY: key = optarg; break;
        case OPT_USER: user = optarg; break;
        case OPT_JSON: bench->json = 1; break;
        case 'h': report_bench_usage(stdout); return 1;
        default: report_bench_usage(stderr); return -1;
        }
    }
    bench->server = bench_option_or_env(server, "SPONA_SERVER");
    if (bench->server == NULL)
        bench->server = "127.0.0.1:7443";
    bench->ca_file = bench_option_or_env(ca, "SPONA_CA");
    bench->cert_file = bench_option_or_env(cert, "SPONA_CERT");
    bench->key_file = bench_option_or_env(key, "SPONA_KEY");
    bench->user = bench_option_or_env(user, "SPONA_USER");
    bench->password = bench_option_or_env(NULL, "SPONA_PASSWORD");
    if (optind < argc || bench->ca_file == NULL || bench->user == NULL ||
        bench->password == NULL) {
        fprintf(stderr, "spona-report-bench: give --ca, --user and SPONA_PASSWORD (see --help)\n");
        return -1;
    }
    return report_bench_server(bench);
}

/* What the answers said: the period and rows of the last, and how many failed. */
struct report_tally {
    long errors;
    size_t rows;
    char from[16], to[16];
};

/* Looks at one answer; 0 when it was OK with rows. */
static int report_bench_check(const spona_response *response, struct report_tally *tally)
{
    if (response->status != SPONA__V1__STATUS__OK || response->report == NULL ||
        response->report->n_rows == 0) {
        if (tally->errors++ == 0)
            fprintf(stderr, "spona-report-bench: first failure: %s\n",
                    response->status != SPONA__V1__STATUS__OK ? response->message
                                                              : "an answer without rows");
        return -1;
    }
    tally->rows = response->report->n_rows;
    snprintf(tally->from, sizeof(tally->from), "%s", response->report->from);
    snprintf(tally->to, sizeof(tally->to), "%s", response->report->to);
    return 0;
}

static void report_bench_print(const struct report_bench *bench, const struct report_tally *tally,
                               const double *latency, long measured)
{
    double min = latency[0], p50 = bench_nearest_rank(latency, measured, 0.50),
           p90 = bench_nearest_rank(latency, measured, 0.90),
           p99 = bench_nearest_rank(latency, measured, 0.99), max = latency[measured - 1];
    if (bench->json)
        printf("{\"requests\":%ld,\"errors\":%ld,\"from\":\"%s\",\"to\":\"%s\",\"rows\":%zu,"
               "\"latency_ms\":{\"min\":%.1f,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,"
               "\"max\":%.1f}}\n",
               measured, tally->errors, tally->from, tally->to, tally->rows, min, p50, p90, p99,
               max);
    else
        printf("reports:      %ld (errors %ld, %ld warm-up not counted)\n"
               "period:       %s..%s\n"
               "rows:         %zu per answer\n"
               "latency (ms): min %.1f  p50 %.1f  p90 %.1f  p99 %.1f  max %.1f\n",
               measured, tally->errors, bench->warmup, tally->from, tally->to, tally->rows, min,
               p50, p90, p99, max);
}

int main(int argc, char **argv)
{
    struct report_bench bench;
    int parsed = report_bench_parse(&bench, argc, argv);
    if (parsed != 0)
        return parsed > 0 ? 0 : 1;
    int code = 2;
    struct spona_client *client = NULL;
    char err[512];
    double *latency = malloc((size_t)bench.requests * sizeof(double));
    if (latency == NULL)
        goto cleanup;
    client = bench_connect_login(PROGRAM, bench.host, bench.port, bench.ca_file,
                                 bench.cert_file, bench.key_file, bench.user, bench.password);
    if (client == NULL)
        goto cleanup;

    Spona__V1__ReportRequest report = SPONA__V1__REPORT_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_REPORT;
    request.report = &report;
    static char server_default[] = "";
    report.from = bench.from != NULL ? bench.from : server_default;
    report.to = bench.to != NULL ? bench.to : server_default;
    struct report_tally tally = {0};
    long measured = 0;
    for (long i = 0; i < bench.warmup + bench.requests; i++) {
        double sent = bench_now_seconds();
        spona_response *response = spona_client_call(client, &request, err, sizeof(err));
        double answered = bench_now_seconds();
        if (response == NULL) {
            fprintf(stderr, "spona-report-bench: %s\n", err);
            goto cleanup;
        }
        report_bench_check(response, &tally);
        envelope_free_response(response);
        if (i >= bench.warmup)
            latency[measured++] = (answered - sent) * 1e3;
    }
    qsort(latency, (size_t)measured, sizeof(double), bench_compare_latency);
    report_bench_print(&bench, &tally, latency, measured);
    code = tally.errors == 0 ? 0 : 2;

cleanup:
    spona_client_close(client);
    free(latency);
    return code;
}
