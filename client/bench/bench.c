/*
 * spona-bench: a load generator for spona-server. N threads, one TLS
 * connection each, each logged in with its own session, send pings (keeping up
 * to DEPTH in flight when pipelined) and time every request; the report gives
 * requests/s and latency percentiles. Bounded in requests and, optionally, in
 * time; it only targets this machine (a loopback address). With --op it runs
 * the operations people do instead (ops_bench.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ops_bench.h"
#include "spona_client.h"

#define BENCH_MAX_CONNECTIONS 1024
#define BENCH_MAX_REQUESTS 10000000L
#define BENCH_MAX_TOTAL 50000000L
#define BENCH_MAX_PIPELINE 1024
#define BENCH_MAX_SECONDS 3600.0
#define BENCH_TIMEOUT_MS 30000

struct bench_config {
    long connections;
    long requests; /* per connection */
    long pipeline; /* requests in flight per connection */
    double duration_seconds; /* 0: no time bound */
    int json;
    char *host;
    char *port;
    const char *server;
    const char *ca_file;
    const char *cert_file;
    const char *key_file;
    const char *user;
    const char *password;
};

/* Holds the workers until every connection is logged in, so they start sending together. */
struct bench_gate {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    long ready; /* workers waiting at the gate (guarded by lock) */
    int open;   /* guarded by lock */
};

/* One connection's thread and its results; only that thread writes them until joined. */
struct bench_worker {
    pthread_t thread;
    const struct bench_config *config;
    struct bench_gate *gate;
    struct timespec *sent_at; /* per request, indexed from the first ping's id */
    double *latency_ms;       /* per answered request, in arrival order */
    long answered_ok;
    long answered_error;      /* answered with a status other than OK */
    long lost;                /* sent but never answered: the connection failed */
    struct timespec finished;
    int connection_failed;
    char error[256];
};

static double seconds_between(const struct timespec *start, const struct timespec *end)
{
    return (double)(end->tv_sec - start->tv_sec) + (double)(end->tv_nsec - start->tv_nsec) / 1e9;
}

static int past(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > deadline->tv_sec ||
           (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/* Sends pings and collects answers until all are answered or the time is up. */
static void bench_run_pings(struct bench_worker *worker, struct spona_client *client)
{
    const struct bench_config *config = worker->config;
    uint8_t payload[] = "spona-bench ping";
    Spona__V1__PingRequest ping = SPONA__V1__PING_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    ping.payload.data = payload;
    ping.payload.len = sizeof(payload) - 1;
    request.body_case = SPONA__V1__REQUEST__BODY_PING;
    request.ping = &ping;

    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    double whole = (double)(time_t)config->duration_seconds;
    deadline.tv_sec += (time_t)whole;
    deadline.tv_nsec += (long)((config->duration_seconds - whole) * 1e9);
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }

    uint64_t first_id = 0;
    long sent = 0, answered = 0;
    for (;;) {
        while (sent - answered < config->pipeline && sent < config->requests &&
               (config->duration_seconds <= 0 || !past(&deadline))) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            uint64_t id = spona_client_send(client, &request, worker->error, sizeof(worker->error));
            if (id == 0)
                goto lost;
            if (first_id == 0)
                first_id = id;
            worker->sent_at[id - first_id] = now;
            sent++;
        }
        if (answered == sent)
            break;
        spona_response *response =
            spona_client_receive(client, worker->error, sizeof(worker->error));
        if (response == NULL)
            goto lost;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        uint64_t index = response->request_id - first_id;
        if (response->request_id < first_id || index >= (uint64_t)sent) {
            snprintf(worker->error, sizeof(worker->error),
                     "answer with unexpected request id %llu: %s",
                     (unsigned long long)response->request_id, response->message);
            envelope_free_response(response);
            goto lost;
        }
        worker->latency_ms[answered++] = seconds_between(&worker->sent_at[index], &now) * 1e3;
        if (response->status == SPONA__V1__STATUS__OK)
            worker->answered_ok++;
        else
            worker->answered_error++;
        envelope_free_response(response);
    }
    clock_gettime(CLOCK_MONOTONIC, &worker->finished);
    return;

lost:
    worker->lost += sent - answered;
    worker->connection_failed = 1;
    clock_gettime(CLOCK_MONOTONIC, &worker->finished);
}

static void *bench_worker_main(void *argument)
{
    struct bench_worker *worker = argument;
    const struct bench_config *config = worker->config;
    struct spona_client_options options = {
        .host = config->host,
        .port = config->port,
        .ca_file = config->ca_file,
        .cert_file = config->cert_file,
        .key_file = config->key_file,
        .timeout_ms = BENCH_TIMEOUT_MS,
    };
    struct spona_client *client =
        spona_client_connect(&options, worker->error, sizeof(worker->error));
    if (client != NULL &&
        spona_client_login(client, config->user, config->password, worker->error,
                           sizeof(worker->error)) != 0) {
        spona_client_close(client);
        client = NULL;
    }
    pthread_mutex_lock(&worker->gate->lock);
    worker->gate->ready++;
    pthread_cond_broadcast(&worker->gate->changed);
    while (!worker->gate->open)
        pthread_cond_wait(&worker->gate->changed, &worker->gate->lock);
    pthread_mutex_unlock(&worker->gate->lock);
    if (client == NULL) {
        worker->connection_failed = 1;
        clock_gettime(CLOCK_MONOTONIC, &worker->finished);
        return NULL;
    }
    bench_run_pings(worker, client);
    if (!worker->connection_failed) {
        char err[256];
        Spona__V1__LogoutRequest logout = SPONA__V1__LOGOUT_REQUEST__INIT;
        spona_request request = SPONA__V1__REQUEST__INIT;
        request.body_case = SPONA__V1__REQUEST__BODY_LOGOUT;
        request.logout = &logout;
        envelope_free_response(spona_client_call(client, &request, err, sizeof(err)));
    }
    spona_client_close(client);
    return NULL;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted values (count > 0). */
static double percentile(const double *sorted, long count, double fraction)
{
    long rank = (long)((double)count * fraction + 0.999999999);
    if (rank < 1)
        rank = 1;
    if (rank > count)
        rank = count;
    return sorted[rank - 1];
}

static void bench_usage(FILE *out)
{
    fputs("Usage: spona-bench [OPTIONS]\n"
          "\n"
          "Load generator for spona-server on this machine: each connection logs in\n"
          "(its own session) and sends pings; reports requests/s and latency.\n"
          "\n"
          "  -c, --connections N       connections, one thread each (default 1, max 1024)\n"
          "  -n, --requests N          pings per connection (default 1000)\n"
          "  -p, --pipeline DEPTH      pings in flight per connection (default 1: not pipelined)\n"
          "      --duration-seconds S  stop sending after S seconds (default: no time bound)\n"
          "      --server HOST:PORT    loopback address only (default 127.0.0.1:7443)\n"
          "      --ca FILE             CA bundle of the server certificate (or SPONA_CA)\n"
          "      --cert FILE           client certificate (or SPONA_CERT)\n"
          "      --key FILE            client key (or SPONA_KEY)\n"
          "      --user NAME           user to log in as (or SPONA_USER)\n"
          "      --json                print one JSON object\n"
          "      --op OPS              the operations people do instead of pings (person_get,\n"
          "                            case_get, person_search, note_add, mix): see\n"
          "                            spona-bench --op mix --help\n"
          "  -h, --help                show this help\n"
          "\n"
          "The password comes from SPONA_PASSWORD. Exit code 0 when every request was\n"
          "answered OK, 1 for usage errors, 2 when a connection failed or a request erred.\n",
          out);
}

/* Parses a whole number in [min, max]; -1 when it is not one. */
static long parse_count(const char *text, long min, long max)
{
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (text[0] == '\0' || *end != '\0' || errno != 0 || value < min || value > max)
        return -1;
    return value;
}

static const char *flag_or_env(const char *flag, const char *variable)
{
    const char *value = flag != NULL ? flag : getenv(variable);
    return value != NULL && value[0] != '\0' ? value : NULL;
}

/* Splits HOST:PORT ([V6]:PORT) and checks the host is a loopback address. */
static int bench_split_server(struct bench_config *config, char *err, size_t err_size)
{
    const char *server = config->server;
    const char *colon = strrchr(server, ':');
    const char *host = server;
    size_t host_length = colon != NULL ? (size_t)(colon - server) : 0;
    if (colon == NULL || parse_count(colon + 1, 1, 65535) < 0) {
        snprintf(err, err_size, "invalid --server '%s': expected HOST:PORT", server);
        return -1;
    }
    if (host_length >= 2 && host[0] == '[' && host[host_length - 1] == ']') {
        host++;
        host_length -= 2;
    }
    config->host = strndup(host, host_length);
    config->port = strdup(colon + 1);
    if (config->host == NULL || config->port == NULL) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    struct in_addr v4;
    int loopback = strcmp(config->host, "localhost") == 0 || strcmp(config->host, "::1") == 0 ||
                   (inet_pton(AF_INET, config->host, &v4) == 1 &&
                    (ntohl(v4.s_addr) >> 24) == 127);
    if (!loopback) {
        snprintf(err, err_size, "only this machine may be targeted: '%s' is not a "
                                "loopback address", config->host);
        return -1;
    }
    return 0;
}

enum bench_option {
    OPTION_DURATION = 256,
    OPTION_SERVER,
    OPTION_CA,
    OPTION_CERT,
    OPTION_KEY,
    OPTION_USER,
    OPTION_JSON,
};

/* Fills config from argv and the environment. 0, 1 after --help, -1 with err set. */
static int bench_parse(struct bench_config *config, int argc, char **argv, char *err,
                       size_t err_size)
{
    static const struct option options[] = {
        { "connections", required_argument, NULL, 'c' },
        { "requests", required_argument, NULL, 'n' },
        { "pipeline", required_argument, NULL, 'p' },
        { "duration-seconds", required_argument, NULL, OPTION_DURATION },
        { "server", required_argument, NULL, OPTION_SERVER },
        { "ca", required_argument, NULL, OPTION_CA },
        { "cert", required_argument, NULL, OPTION_CERT },
        { "key", required_argument, NULL, OPTION_KEY },
        { "user", required_argument, NULL, OPTION_USER },
        { "json", no_argument, NULL, OPTION_JSON },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *server = NULL, *ca = NULL, *cert = NULL, *key = NULL, *user = NULL;
    memset(config, 0, sizeof(*config));
    config->connections = 1;
    config->requests = 1000;
    config->pipeline = 1;
    opterr = 0;
    for (;;) {
        int option = getopt_long(argc, argv, ":c:n:p:h", options, NULL);
        if (option == -1)
            break;
        switch (option) {
        case 'c':
            config->connections = parse_count(optarg, 1, BENCH_MAX_CONNECTIONS);
            if (config->connections < 0) {
                snprintf(err, err_size, "--connections must be 1..%d", BENCH_MAX_CONNECTIONS);
                return -1;
            }
            break;
        case 'n':
            config->requests = parse_count(optarg, 1, BENCH_MAX_REQUESTS);
            if (config->requests < 0) {
                snprintf(err, err_size, "--requests must be 1..%ld", BENCH_MAX_REQUESTS);
                return -1;
            }
            break;
        case 'p':
            config->pipeline = parse_count(optarg, 1, BENCH_MAX_PIPELINE);
            if (config->pipeline < 0) {
                snprintf(err, err_size, "--pipeline must be 1..%d", BENCH_MAX_PIPELINE);
                return -1;
            }
            break;
        case OPTION_DURATION: {
            char *end = NULL;
            config->duration_seconds = strtod(optarg, &end);
            if (optarg[0] == '\0' || *end != '\0' || !(config->duration_seconds > 0) ||
                config->duration_seconds > BENCH_MAX_SECONDS) {
                snprintf(err, err_size, "--duration-seconds must be more than 0, at most %.0f",
                         BENCH_MAX_SECONDS);
                return -1;
            }
            break;
        }
        case OPTION_SERVER: server = optarg; break;
        case OPTION_CA: ca = optarg; break;
        case OPTION_CERT: cert = optarg; break;
        case OPTION_KEY: key = optarg; break;
        case OPTION_USER: user = optarg; break;
        case OPTION_JSON: config->json = 1; break;
        case 'h': return 1;
        case ':':
            snprintf(err, err_size, "option '%s' needs a value", argv[optind - 1]);
            return -1;
        default:
            snprintf(err, err_size, "unknown option '%s'", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        snprintf(err, err_size, "unexpected argument '%s'", argv[optind]);
        return -1;
    }
    if (config->connections * config->requests > BENCH_MAX_TOTAL) {
        snprintf(err, err_size, "at most %ld requests in all", BENCH_MAX_TOTAL);
        return -1;
    }
    config->server = flag_or_env(server, "SPONA_SERVER");
    if (config->server == NULL)
        config->server = "127.0.0.1:7443";
    config->ca_file = flag_or_env(ca, "SPONA_CA");
    config->cert_file = flag_or_env(cert, "SPONA_CERT");
    config->key_file = flag_or_env(key, "SPONA_KEY");
    config->user = flag_or_env(user, "SPONA_USER");
    config->password = flag_or_env(NULL, "SPONA_PASSWORD");
    if (config->ca_file == NULL) {
        snprintf(err, err_size, "no CA file: give --ca or set SPONA_CA");
        return -1;
    }
    if (config->user == NULL || config->password == NULL) {
        snprintf(err, err_size, "give --user (or SPONA_USER) and set SPONA_PASSWORD");
        return -1;
    }
    return bench_split_server(config, err, err_size);
}

/* What all workers did together. */
struct bench_totals {
    long answered;           /* answers received, OK or not */
    long errors;             /* answers other than OK, and requests lost with a connection */
    long failed_connections; /* could not connect or log in, or broke off */
    long latency_count;
    double elapsed_seconds;
    double p50, p90, p99, max;
};

static int bench_report(const struct bench_config *config, const struct bench_totals *totals)
{
    double rate =
        totals->elapsed_seconds > 0 ? (double)totals->answered / totals->elapsed_seconds : 0.0;
    if (config->json) {
        printf("{\"connections\":%ld,\"failed_connections\":%ld,\"requests_per_connection\":%ld,"
               "\"pipeline\":%ld,\"requests\":%ld,\"errors\":%ld,\"elapsed_seconds\":%.6f,"
               "\"requests_per_second\":%.1f,\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,"
               "\"p99\":%.3f,\"max\":%.3f}}\n",
               config->connections, totals->failed_connections, config->requests,
               config->pipeline, totals->answered, totals->errors,
               totals->elapsed_seconds, rate, totals->p50, totals->p90, totals->p99,
               totals->max);
    } else {
        printf("server:       %s (pipeline depth %ld)\n", config->server, config->pipeline);
        printf("connections:  %ld (failed %ld)\n", config->connections,
               totals->failed_connections);
        printf("requests:     %ld answered (errors %ld)\n", totals->answered, totals->errors);
        printf("elapsed:      %.3f s\n", totals->elapsed_seconds);
        printf("throughput:   %.0f requests/s\n", rate);
        printf("latency (ms): p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", totals->p50,
               totals->p90, totals->p99, totals->max);
    }
    return totals->errors == 0 && totals->failed_connections == 0 ? 0 : 2;
}

int main(int argc, char **argv)
{
    struct bench_config config;
    struct bench_totals totals;
    struct bench_worker *workers = NULL;
    double *all_latencies = NULL;
    struct bench_gate gate = { .lock = PTHREAD_MUTEX_INITIALIZER,
                               .changed = PTHREAD_COND_INITIALIZER };
    char err[512];
    int code = 1;
    long started = 0;

    if (ops_bench_wanted(argc, argv)) /* --op: the operations people do (ops_bench.c) */
        return ops_bench_main(argc, argv);
    int parsed = bench_parse(&config, argc, argv, err, sizeof(err));
    if (parsed == 1) {
        bench_usage(stdout);
        code = 0;
        goto cleanup;
    }
    if (parsed != 0) {
        fprintf(stderr, "spona-bench: %s (see spona-bench --help)\n", err);
        goto cleanup;
    }
    memset(&totals, 0, sizeof(totals));
    workers = calloc((size_t)config.connections, sizeof(*workers));
    all_latencies = malloc((size_t)(config.connections * config.requests) * sizeof(double));
    int allocated = workers != NULL && all_latencies != NULL;
    for (long i = 0; allocated && i < config.connections; i++) {
        workers[i].config = &config;
        workers[i].gate = &gate;
        workers[i].sent_at = malloc((size_t)config.requests * sizeof(struct timespec));
        workers[i].latency_ms = malloc((size_t)config.requests * sizeof(double));
        allocated = workers[i].sent_at != NULL && workers[i].latency_ms != NULL;
    }
    if (!allocated) {
        fprintf(stderr, "spona-bench: out of memory for %ld x %ld requests\n",
                config.connections, config.requests);
        goto cleanup;
    }
    for (; started < config.connections; started++) {
        if (pthread_create(&workers[started].thread, NULL, bench_worker_main,
                           &workers[started]) != 0) {
            fprintf(stderr, "spona-bench: cannot start more than %ld threads\n", started);
            break;
        }
    }
    pthread_mutex_lock(&gate.lock);
    while (gate.ready < started)
        pthread_cond_wait(&gate.changed, &gate.lock);
    gate.open = 1;
    pthread_cond_broadcast(&gate.changed);
    pthread_mutex_unlock(&gate.lock);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long i = 0; i < started; i++)
        pthread_join(workers[i].thread, NULL);

    const char *first_error = NULL;
    totals.failed_connections = config.connections - started;
    for (long i = 0; i < started; i++) {
        const struct bench_worker *worker = &workers[i];
        long answered = worker->answered_ok + worker->answered_error;
        totals.answered += answered;
        totals.errors += worker->answered_error + worker->lost;
        if (worker->connection_failed) {
            totals.failed_connections++;
            if (first_error == NULL)
                first_error = worker->error;
        }
        for (long j = 0; j < answered; j++)
            all_latencies[totals.latency_count++] = worker->latency_ms[j];
        double elapsed = seconds_between(&start, &worker->finished);
        if (!worker->connection_failed && elapsed > totals.elapsed_seconds)
            totals.elapsed_seconds = elapsed;
    }
    if (first_error != NULL)
        fprintf(stderr, "spona-bench: %ld of %ld connections failed; first: %s\n",
                totals.failed_connections, config.connections, first_error);
    if (totals.latency_count > 0) {
        qsort(all_latencies, (size_t)totals.latency_count, sizeof(double), compare_doubles);
        totals.p50 = percentile(all_latencies, totals.latency_count, 0.50);
        totals.p90 = percentile(all_latencies, totals.latency_count, 0.90);
        totals.p99 = percentile(all_latencies, totals.latency_count, 0.99);
        totals.max = all_latencies[totals.latency_count - 1];
    }
    code = bench_report(&config, &totals);

cleanup:
    for (long i = 0; workers != NULL && i < config.connections; i++) {
        free(workers[i].sent_at);
        free(workers[i].latency_ms);
    }
    free(workers);
    free(all_latencies);
    free(config.host);
    free(config.port);
    return code;
}
