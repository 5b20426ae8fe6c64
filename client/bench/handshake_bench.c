/*
 * spona-handshake-bench: what a new connection costs. N threads each connect,
 * send one ping (which completes the server's side of the handshake and brings
 * the TLS session tickets in) and close, over and over, in three modes run one
 * after the other in one run:
 *   fresh    a new TLS context per connection, files loaded each time (the
 *            client library before it kept its contexts), full handshake;
 *   full     the kept context, no session offered: a full mutual-TLS handshake;
 *   resumed  the kept context and a kept session: TLS 1.3 resumption.
 * Reports connections per second, connect+ping latency, the client's CPU per
 * connection and, with --server-pid, the server's. Loopback only.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "spona_client.h"

#define PROGRAM "spona-handshake-bench"
#define HB_MAX_THREADS 256
#define HB_MAX_CONNECTIONS 1000000L

struct hb_config {
    long threads;
    long per_thread; /* connections each thread makes per mode */
    long server_pid; /* 0: server CPU not reported */
    int json;
    char host[256];
    char port[16];
    const char *ca_file, *cert_file, *key_file;
};

struct hb_mode {
    const char *name;
    int tls_reuse;
};

static const struct hb_mode hb_modes[] = {
    {"fresh", SPONA_CLIENT_FRESH_CONTEXT | SPONA_CLIENT_FULL_HANDSHAKE},
    {"full", SPONA_CLIENT_FULL_HANDSHAKE},
    {"resumed", 0},
};

struct hb_worker {
    pthread_t thread;
    const struct hb_config *config;
    int tls_reuse;
    double *latency_ms; /* per connection made */
    long made, reused, failed;
    char error[256];
};

/* One connection: connect, ping, close. Returns its latency in ms, or -1. */
static double hb_one(struct hb_worker *worker, const struct spona_client_options *options)
{
    double started = bench_now_seconds();
    struct spona_client *client =
        spona_client_connect(options, worker->error, sizeof(worker->error));
    if (client == NULL)
        return -1;
    Spona__V1__PingRequest ping = SPONA__V1__PING_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_PING;
    request.ping = &ping;
    spona_response *response =
        spona_client_call(client, &request, worker->error, sizeof(worker->error));
    int ok = response != NULL && response->status == SPONA__V1__STATUS__OK;
    if (response != NULL && !ok)
        snprintf(worker->error, sizeof(worker->error), "ping answered: %s", response->message);
    envelope_free_response(response);
    worker->reused += ok && spona_client_session_reused(client);
    spona_client_close(client);
    return ok ? (bench_now_seconds() - started) * 1e3 : -1;
}

static void *hb_worker_main(void *argument)
{
    struct hb_worker *worker = argument;
    const struct hb_config *config = worker->config;
    struct spona_client_options options = {
        .host = config->host,
        .port = config->port,
        .ca_file = config->ca_file,
        .cert_file = config->cert_file,
        .key_file = config->key_file,
        .tls_reuse = worker->tls_reuse,
    };
    for (long i = 0; i < config->per_thread; i++) {
        double latency = hb_one(worker, &options);
        if (latency < 0) {
            worker->failed++;
            continue;
        }
        worker->latency_ms[worker->made++] = latency;
    }
    return NULL;
}

/* CPU seconds (user + system) of process pid from /proc; -1 when unreadable. */
static double hb_process_cpu(long pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return -1;
    size_t length = fread(text, 1, sizeof(text) - 1, file);
    fclose(file);
    text[length] = '\0';
    const char *after = strrchr(text, ')'); /* the name may hold spaces */
    unsigned long user = 0, system = 0;
    if (after == NULL ||
        sscanf(after + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &user,
               &system) != 2)
        return -1;
    return (double)(user + system) / (double)sysconf(_SC_CLK_TCK);
}

static double hb_own_cpu(void)
{
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Runs one mode with all threads; prints its line. 0, or -1 when connections failed. */
static int hb_run_mode(const struct hb_config *config, const struct hb_mode *mode,
                       struct hb_worker *workers, double *all)
{
    spona_client_forget_tls(); /* each mode starts from nothing kept */
    double wall = bench_now_seconds(), cpu = hb_own_cpu();
    double server_cpu = config->server_pid > 0 ? hb_process_cpu(config->server_pid) : -1;
    long started = 0;
    for (; started < config->threads; started++) {
        workers[started].config = config;
        workers[started].tls_reuse = mode->tls_reuse;
        workers[started].made = workers[started].reused = workers[started].failed = 0;
        if (pthread_create(&workers[started].thread, NULL, hb_worker_main, &workers[started]))
            break;
    }
    long made = 0, reused = 0, failed = (config->threads - started) * config->per_thread;
    const char *first_error = NULL;
    for (long i = 0; i < started; i++) {
        pthread_join(workers[i].thread, NULL);
        memcpy(all + made, workers[i].latency_ms, (size_t)workers[i].made * sizeof(double));
        made += workers[i].made;
        reused += workers[i].reused;
        failed += workers[i].failed;
        if (workers[i].failed > 0 && first_error == NULL)
            first_error = workers[i].error;
    }
    wall = bench_now_seconds() - wall;
    cpu = hb_own_cpu() - cpu;
    if (server_cpu >= 0)
        server_cpu = hb_process_cpu(config->server_pid) - server_cpu;
    if (first_error != NULL)
        fprintf(stderr, PROGRAM ": %s: %ld connections failed; first: %s\n", mode->name, failed,
                first_error);
    qsort(all, (size_t)made, sizeof(double), bench_compare_latency);
    double rate = wall > 0 ? (double)made / wall : 0;
    double p50 = made > 0 ? bench_nearest_rank(all, made, 0.5) : 0;
    double p99 = made > 0 ? bench_nearest_rank(all, made, 0.99) : 0;
    double client_ms = made > 0 ? cpu * 1e3 / (double)made : 0;
    double server_ms = made > 0 && server_cpu >= 0 ? server_cpu * 1e3 / (double)made : -1;
    if (config->json)
        printf("{\"mode\":\"%s\",\"threads\":%ld,\"connections\":%ld,\"failed\":%ld,"
               "\"resumed\":%ld,\"seconds\":%.3f,\"connections_per_second\":%.1f,"
               "\"latency_ms\":{\"p50\":%.3f,\"p99\":%.3f},\"client_cpu_ms\":%.3f,"
               "\"server_cpu_ms\":%.3f}\n",
               mode->name, config->threads, made, failed, reused, wall, rate, p50, p99,
               client_ms, server_ms);
    else {
        char server_text[32] = "n/a";
        if (server_ms >= 0)
            snprintf(server_text, sizeof(server_text), "%.3f ms/conn", server_ms);
        printf("%-8s %7ld conn (%ld resumed, %ld failed) in %6.2f s: %7.0f conn/s, "
               "p50 %.2f ms, p99 %.2f ms, client CPU %.3f ms/conn, server CPU %s\n",
               mode->name, made, reused, failed, wall, rate, p50, p99, client_ms, server_text);
    }
    return failed == 0 ? 0 : -1;
}

static void hb_usage(FILE *out)
{
    fputs("Usage: " PROGRAM " [OPTIONS]\n"
          "\n"
          "Connections per second to spona-server on this machine: connect, ping, close,\n"
          "in three modes (fresh TLS context each time, kept context with a full\n"
          "handshake, kept context resuming a kept TLS session), one after the other.\n"
          "\n"
          "  -c, --threads N          concurrent threads (default 1, max 256)\n"
          "  -n, --connections N      connections per thread per mode (default 500)\n"
          "      --mode NAME          only fresh, full or resumed (default: all three)\n"
          "      --server HOST:PORT   loopback address only (default 127.0.0.1:7443)\n"
          "      --server-pid PID     also report the server's CPU per connection\n"
          "      --ca FILE            CA bundle of the server certificate (or SPONA_CA)\n"
          "      --cert FILE          client certificate (or SPONA_CERT)\n"
          "      --key FILE           client key (or SPONA_KEY)\n"
          "      --json               one JSON object per mode\n"
          "  -h, --help               show this help\n"
          "\n"
          "Exit code 0 when every connection was served, 1 for usage errors, 2 otherwise.\n",
          out);
}

enum { OPTION_MODE = 256, OPTION_SERVER, OPTION_PID, OPTION_CA, OPTION_CERT, OPTION_KEY,
       OPTION_JSON };

/* Fills config; *only is the one mode asked for (NULL: all). 0, 1 after --help, -1. */
static int hb_parse(struct hb_config *config, const char **only, int argc, char **argv)
{
    static const struct option options[] = {
        {"threads", required_argument, NULL, 'c'},
        {"connections", required_argument, NULL, 'n'},
        {"mode", required_argument, NULL, OPTION_MODE},
        {"server", required_argument, NULL, OPTION_SERVER},
        {"server-pid", required_argument, NULL, OPTION_PID},
        {"ca", required_argument, NULL, OPTION_CA},
        {"cert", required_argument, NULL, OPTION_CERT},
        {"key", required_argument, NULL, OPTION_KEY},
        {"json", no_argument, NULL, OPTION_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *server = NULL, *ca = NULL, *cert = NULL, *key = NULL;
    memset(config, 0, sizeof(*config));
    config->threads = 1;
    config->per_thread = 500;
    *only = NULL;
    opterr = 0;
    for (int option; (option = getopt_long(argc, argv, ":c:n:h", options, NULL)) != -1;) {
        switch (option) {
        case 'c':
            config->threads = bench_parse_long(PROGRAM, optarg, 1, HB_MAX_THREADS, "--threads");
            break;
        case 'n':
            config->per_thread =
                bench_parse_long(PROGRAM, optarg, 1, HB_MAX_CONNECTIONS, "--connections");
            break;
        case OPTION_PID:
            config->server_pid = bench_parse_long(PROGRAM, optarg, 1, 1L << 30, "--server-pid");
            break;
        case OPTION_MODE: *only = optarg; break;
        case OPTION_SERVER: server = optarg; break;
        case OPTION_CA: ca = optarg; break;
        case OPTION_CERT: cert = optarg; break;
        case OPTION_KEY: key = optarg; break;
        case OPTION_JSON: config->json = 1; break;
        case 'h': return 1;
        default:
            fprintf(stderr, PROGRAM ": bad option '%s' (see --help)\n", argv[optind - 1]);
            return -1;
        }
        if (config->threads < 0 || config->per_thread < 0 || config->server_pid < 0)
            return -1;
    }
    if (optind < argc) {
        fprintf(stderr, PROGRAM ": unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    config->ca_file = bench_option_or_env(ca, "SPONA_CA");
    config->cert_file = bench_option_or_env(cert, "SPONA_CERT");
    config->key_file = bench_option_or_env(key, "SPONA_KEY");
    server = bench_option_or_env(server, "SPONA_SERVER");
    if (config->ca_file == NULL || config->cert_file == NULL) {
        fprintf(stderr, PROGRAM ": give --ca and --cert (or SPONA_CA and SPONA_CERT)\n");
        return -1;
    }
    return bench_loopback_server(PROGRAM, server != NULL ? server : "127.0.0.1:7443",
                                 config->host, sizeof(config->host), config->port,
                                 sizeof(config->port));
}

int main(int argc, char **argv)
{
    struct hb_config config;
    const char *only = NULL;
    int parsed = hb_parse(&config, &only, argc, argv);
    if (parsed != 0) {
        if (parsed == 1)
            hb_usage(stdout);
        return parsed == 1 ? 0 : 1;
    }
    struct hb_worker *workers = calloc((size_t)config.threads, sizeof(*workers));
    double *all = malloc((size_t)(config.threads * config.per_thread) * sizeof(double));
    int allocated = workers != NULL && all != NULL;
    for (long i = 0; allocated && i < config.threads; i++)
        allocated = (workers[i].latency_ms =
                         malloc((size_t)config.per_thread * sizeof(double))) != NULL;
    int code = allocated ? 0 : 2;
    int ran = 0;
    for (size_t m = 0; allocated && m < sizeof(hb_modes) / sizeof(hb_modes[0]); m++) {
        if (only != NULL && strcmp(only, hb_modes[m].name) != 0)
            continue;
        ran = 1;
        if (hb_run_mode(&config, &hb_modes[m], workers, all) != 0)
            code = 2;
    }
    if (allocated && !ran) {
        fprintf(stderr, PROGRAM ": --mode must be fresh, full or resumed\n");
        code = 1;
    }
    for (long i = 0; workers != NULL && i < config.threads; i++)
        free(workers[i].latency_ms);
    free(workers);
    free(all);
    spona_client_forget_tls();
    return code;
}
