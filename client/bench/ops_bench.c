/*
 * spona-bench with --op (see ops_bench.h): options, one thread per connection
 * (each its own TLS connection, logged in with its own session), a gate so that
 * all start together, and the send/receive loop, one request at a time or up to
 * DEPTH in flight. Loopback servers only.
 */
#include "ops_bench.h"

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "ops.h"
#include "ops_stats.h"
#include "spona_client.h"

#define PROGRAM "spona-bench"
#define OPS_MAX_CONNECTIONS 1024
#define OPS_MAX_PIPELINE 1024

struct ops_config {
    long connections, requests, pipeline, warmup;
    double duration_seconds; /* 0: bounded by requests only */
    unsigned weights[OPS_COUNT];
    unsigned long long seed;
    const char *server, *ca_file, *cert_file, *key_file, *user, *password, *ids_file;
    char host[256], port[16];
    int json;
    struct ops_ids ids;
};

struct ops_gate {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    long ready;
    int open;
    double opened_at;
};

/* One request in flight. */
struct ops_slot {
    uint64_t id;
    int op;
    double sent_at;
};

struct ops_worker {
    pthread_t thread;
    const struct ops_config *config;
    struct ops_gate *gate;
    long index;
    struct ops_slot *slots;
    struct ops_samples samples[OPS_COUNT];
    long lost;
    double finished_at;
    int failed;
    char error[256];
    char first_answer_error[256];
};

int ops_bench_wanted(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "--op", 4) == 0 || strncmp(argv[i], "--ids", 5) == 0)
            return 1;
    return 0;
}

static void ops_usage(FILE *out)
{
    fputs("Usage: spona-bench --op OPS [--ids FILE] [OPTIONS]\n"
          "\n"
          "Each connection (one thread, its own TLS connection and session) sends the\n"
          "operations OPS, one at a time or up to DEPTH in flight; reports requests/s and\n"
          "latency p50/p99/p99.9 per operation.\n"
          "\n"
          "  --op OPS               ping, person_get, case_get, person_search, note_add,\n"
          "                         mix (person_get 4, case_get 3, person_search 2, note_add 1)\n"
          "                         or weights: person_get=4,note_add=1\n"
          "  --ids FILE             \"person ID\", \"case ID\", \"open_case ID\" (note_add),\n"
          "                         \"name QUERY\" (person_search) lines, one a line\n"
          "                         (deploy/bench/pg-compare.sh writes it from the database)\n"
          "  -c, --connections N    connections (default 1, max 1024)\n"
          "  -n, --requests N       measured requests per connection (default 1000)\n"
          "      --duration-seconds S  stop sending after S seconds (then -n is only a cap)\n"
          "  -p, --pipeline DEPTH   requests in flight per connection (default 1)\n"
          "      --warmup N         requests per connection before the measurement (default 0)\n"
          "      --seed N           random seed (default 1; connection i uses seed + i)\n"
          "      --server HOST:PORT loopback only (default 127.0.0.1:7443, or SPONA_SERVER)\n"
          "      --ca / --cert / --key FILE  (or SPONA_CA, SPONA_CERT, SPONA_KEY)\n"
          "      --user NAME        (or SPONA_USER); the password from SPONA_PASSWORD\n"
          "      --json             print one JSON object\n"
          "\n"
          "Exit code 0 when every request was answered OK, 1 for usage errors, 2 otherwise.\n",
          out);
}

/* Options that take a number: 0 or -1 after saying why. */
static int ops_parse_number(struct ops_config *config, int option, const char *text)
{
    long value = 0;
    switch (option) {
    case 'c':
        return (config->connections = bench_parse_long(PROGRAM, text, 1, OPS_MAX_CONNECTIONS,
                                                       "--connections")) < 0 ? -1 : 0;
    case 'n':
        return (config->requests = bench_parse_long(PROGRAM, text, 1, 10000000L,
                                                    "--requests")) < 0 ? -1 : 0;
    case 'p':
        return (config->pipeline = bench_parse_long(PROGRAM, text, 1, OPS_MAX_PIPELINE,
                                                    "--pipeline")) < 0 ? -1 : 0;
    case 'w':
        return (config->warmup = bench_parse_long(PROGRAM, text, 0, 1000000L,
                                                  "--warmup")) < 0 ? -1 : 0;
    case 's':
        value = bench_parse_long(PROGRAM, text, 1, 1L << 30, "--seed");
        config->seed = (unsigned long long)value;
        return value < 0 ? -1 : 0;
    case 'd':
        value = bench_parse_long(PROGRAM, text, 1, 3600, "--duration-seconds");
        config->duration_seconds = (double)value;
        return value < 0 ? -1 : 0;
    }
    return -1;
}

/* 0, 1 after --help, -1 after a usage error. */
static int ops_parse(struct ops_config *config, int argc, char **argv)
{
    enum { OPT_OP = 256, OPT_IDS, OPT_SERVER, OPT_CA, OPT_CERT, OPT_KEY, OPT_USER, OPT_JSON };
    static const struct option options[] = {
        {"op", required_argument, NULL, OPT_OP}, {"ids", required_argument, NULL, OPT_IDS},
        {"connections", required_argument, NULL, 'c'}, {"requests", required_argument, NULL, 'n'},
        {"pipeline", required_argument, NULL, 'p'}, {"warmup", required_argument, NULL, 'w'},
        {"seed", required_argument, NULL, 's'}, {"duration-seconds", required_argument, NULL, 'd'},
        {"server", required_argument, NULL, OPT_SERVER}, {"ca", required_argument, NULL, OPT_CA},
        {"cert", required_argument, NULL, OPT_CERT}, {"key", required_argument, NULL, OPT_KEY},
        {"user", required_argument, NULL, OPT_USER}, {"json", no_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    const char *server = NULL, *ca = NULL, *cert = NULL, *key = NULL, *user = NULL, *op = NULL;
    config->connections = 1;
    config->requests = 0; /* not given: 1000, or no cap under --duration-seconds */
    config->pipeline = 1;
    config->seed = 1;
    for (;;) {
        int option = getopt_long(argc, argv, "c:n:p:h", options, NULL);
        if (option == -1)
            break;
        switch (option) {
        case OPT_OP: op = optarg; break;
        case OPT_IDS: config->ids_file = optarg; break;
        case OPT_SERVER: server = optarg; break;
        case OPT_CA: ca = optarg; break;
        case OPT_CERT: cert = optarg; break;
        case OPT_KEY: key = optarg; break;
        case OPT_USER: user = optarg; break;
        case OPT_JSON: config->json = 1; break;
        case 'h': ops_usage(stdout); return 1;
        case '?': ops_usage(stderr); return -1;
        default:
            if (ops_parse_number(config, option, optarg) != 0)
                return -1;
        }
    }
    if (optind < argc || op == NULL) {
        fprintf(stderr, "%s: %s (see --help)\n", PROGRAM,
                op == NULL ? "--op is needed with --ids" : "unexpected argument");
        return -1;
    }
    if (config->requests == 0)
        config->requests = config->duration_seconds > 0 ? 10000000L : 1000;
    if (ops_parse_mix(op, config->weights) != 0)
        return -1;
    config->server = bench_option_or_env(server, "SPONA_SERVER");
    config->server = config->server != NULL ? config->server : "127.0.0.1:7443";
    config->ca_file = bench_option_or_env(ca, "SPONA_CA");
    config->cert_file = bench_option_or_env(cert, "SPONA_CERT");
    config->key_file = bench_option_or_env(key, "SPONA_KEY");
    config->user = bench_option_or_env(user, "SPONA_USER");
    config->password = bench_option_or_env(NULL, "SPONA_PASSWORD");
    if (config->ca_file == NULL || config->user == NULL || config->password == NULL) {
        fprintf(stderr, "%s: give --ca, --user (or SPONA_CA, SPONA_USER) and set "
                        "SPONA_PASSWORD\n", PROGRAM);
        return -1;
    }
    if (config->ids_file != NULL && ops_ids_load(config->ids_file, &config->ids) != 0)
        return -1;
    if (ops_ids_check(&config->ids, config->weights) != 0)
        return -1;
    return bench_loopback_server(PROGRAM, config->server, config->host, sizeof(config->host),
                                 config->port, sizeof(config->port));
}

/* Sends one request of a drawn operation into a free slot; 0, or -1 with worker->error. */
static int ops_send(struct ops_worker *worker, struct spona_client *client,
                    struct ops_request *storage, uint64_t *state, long depth)
{
    int op = ops_pick(worker->config->weights, state);
    ops_request_build(storage, op, &worker->config->ids, state);
    double now = bench_now_seconds();
    uint64_t id = spona_client_send(client, &storage->request, worker->error,
                                    sizeof(worker->error));
    if (id == 0)
        return -1;
    for (long i = 0; i < depth; i++) {
        if (worker->slots[i].id == 0) {
            worker->slots[i] = (struct ops_slot){ .id = id, .op = op, .sent_at = now };
            return 0;
        }
    }
    snprintf(worker->error, sizeof(worker->error), "no free slot (internal error)");
    return -1;
}

/* Takes one answer and records it when measuring; 0, or -1 with worker->error. */
static int ops_receive(struct ops_worker *worker, struct spona_client *client, long depth,
                       int measure)
{
    spona_response *response = spona_client_receive(client, worker->error,
                                                    sizeof(worker->error));
    if (response == NULL)
        return -1;
    double now = bench_now_seconds();
    struct ops_slot *slot = NULL;
    for (long i = 0; i < depth && slot == NULL; i++)
        if (worker->slots[i].id != 0 && worker->slots[i].id == response->request_id)
            slot = &worker->slots[i];
    if (slot == NULL) {
        snprintf(worker->error, sizeof(worker->error), "answer to request %llu: %s",
                 (unsigned long long)response->request_id, response->message);
        envelope_free_response(response);
        return -1;
    }
    int result = 0;
    if (response->status != SPONA__V1__STATUS__OK) {
        if (worker->first_answer_error[0] == '\0')
            snprintf(worker->first_answer_error, sizeof(worker->first_answer_error), "%s: %s",
                     ops_name(slot->op), response->message);
        if (measure)
            worker->samples[slot->op].errors++;
    } else if (measure) {
        result = ops_samples_add(&worker->samples[slot->op], (now - slot->sent_at) * 1e3);
        if (result != 0)
            snprintf(worker->error, sizeof(worker->error), "out of memory");
    }
    slot->id = 0;
    envelope_free_response(response);
    return result;
}

/* Sends count requests (until deadline, when not 0), at most depth in flight, and takes
 * their answers. 0, or -1 when the connection failed (the requests in flight are lost). */
static int ops_loop(struct ops_worker *worker, struct spona_client *client, long count,
                    long depth, double deadline, int measure, uint64_t *state)
{
    struct ops_request storage;
    long sent = 0, in_flight = 0;
    for (long i = 0; i < depth; i++)
        worker->slots[i].id = 0;
    for (;;) {
        while (in_flight < depth && sent < count &&
               (deadline == 0 || bench_now_seconds() < deadline)) {
            if (ops_send(worker, client, &storage, state, depth) != 0)
                goto lost;
            sent++;
            in_flight++;
        }
        if (in_flight == 0)
            return 0;
        if (ops_receive(worker, client, depth, measure) != 0)
            goto lost;
        in_flight--;
    }
lost:
    if (measure)
        worker->lost += in_flight;
    return -1;
}

/* Waits at the gate until every connection is ready; the time it opened. */
static double ops_gate_pass(struct ops_gate *gate)
{
    pthread_mutex_lock(&gate->lock);
    gate->ready++;
    pthread_cond_broadcast(&gate->changed);
    while (!gate->open)
        pthread_cond_wait(&gate->changed, &gate->lock);
    double opened_at = gate->opened_at;
    pthread_mutex_unlock(&gate->lock);
    return opened_at;
}

static void *ops_worker_main(void *argument)
{
    struct ops_worker *worker = argument;
    const struct ops_config *config = worker->config;
    uint64_t state = (config->seed + (unsigned long long)worker->index) * 0x9E3779B97F4A7C15ULL;
    state = state != 0 ? state : 1;
    struct spona_client *client =
        bench_connect_login(PROGRAM, config->host, config->port, config->ca_file,
                            config->cert_file, config->key_file, config->user,
                            config->password);
    if (client == NULL)
        snprintf(worker->error, sizeof(worker->error), "could not connect or log in");
    else if (config->warmup > 0 &&
             ops_loop(worker, client, config->warmup, 1, 0, 0, &state) != 0) {
        spona_client_close(client);
        client = NULL;
    }
    double opened_at = ops_gate_pass(worker->gate);
    if (client == NULL) {
        worker->failed = 1;
        return NULL;
    }
    double deadline = config->duration_seconds > 0 ? opened_at + config->duration_seconds : 0;
    if (ops_loop(worker, client, config->requests, config->pipeline, deadline, 1, &state) != 0)
        worker->failed = 1;
    worker->finished_at = bench_now_seconds();
    if (!worker->failed) {
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

/* Starts a thread per connection, opens the gate when all are ready, joins them;
 * the number started. */
static long ops_run_workers(struct ops_config *config, struct ops_worker *workers,
                            struct ops_gate *gate)
{
    long started = 0;
    for (; started < config->connections; started++) {
        workers[started].config = config;
        workers[started].gate = gate;
        workers[started].index = started;
        if (pthread_create(&workers[started].thread, NULL, ops_worker_main,
                           &workers[started]) != 0) {
            fprintf(stderr, "%s: cannot start more than %ld threads\n", PROGRAM, started);
            break;
        }
    }
    pthread_mutex_lock(&gate->lock);
    while (gate->ready < started)
        pthread_cond_wait(&gate->changed, &gate->lock);
    gate->opened_at = bench_now_seconds();
    gate->open = 1;
    pthread_cond_broadcast(&gate->changed);
    pthread_mutex_unlock(&gate->lock);
    for (long i = 0; i < started; i++)
        pthread_join(workers[i].thread, NULL);
    return started;
}

/* Adds up the workers' figures into samples and run; the exit code. */
static int ops_collect(const struct ops_config *config, struct ops_worker *workers,
                       long started, double opened_at, struct ops_samples samples[OPS_COUNT],
                       struct ops_run *run)
{
    const char *first_error = NULL, *first_answer_error = NULL;
    long errors = 0;
    run->failed_connections = config->connections - started;
    for (long i = 0; i < started; i++) {
        struct ops_worker *worker = &workers[i];
        for (int op = 0; op < OPS_COUNT; op++) {
            if (ops_samples_merge(&samples[op], &worker->samples[op]) != 0)
                fprintf(stderr, "%s: out of memory for the figures\n", PROGRAM);
            errors += worker->samples[op].errors;
        }
        run->lost += worker->lost;
        if (worker->failed) {
            run->failed_connections++;
            first_error = first_error != NULL ? first_error : worker->error;
        } else if (worker->finished_at - opened_at > run->elapsed_seconds) {
            run->elapsed_seconds = worker->finished_at - opened_at;
        }
        if (first_answer_error == NULL && worker->first_answer_error[0] != '\0')
            first_answer_error = worker->first_answer_error;
    }
    if (first_error != NULL)
        fprintf(stderr, "%s: %ld of %ld connections failed; first: %s\n", PROGRAM,
                run->failed_connections, config->connections, first_error);
    if (first_answer_error != NULL)
        fprintf(stderr, "%s: first answer that was not OK: %s\n", PROGRAM, first_answer_error);
    return errors == 0 && run->lost == 0 && run->failed_connections == 0 ? 0 : 2;
}

int ops_bench_main(int argc, char **argv)
{
    static struct ops_config config; /* large (the ids); one per process */
    struct ops_gate gate = { .lock = PTHREAD_MUTEX_INITIALIZER,
                             .changed = PTHREAD_COND_INITIALIZER };
    struct ops_samples samples[OPS_COUNT];
    struct ops_run run;
    memset(samples, 0, sizeof(samples));
    memset(&run, 0, sizeof(run));
    int parsed = ops_parse(&config, argc, argv);
    if (parsed != 0) {
        ops_ids_free(&config.ids);
        return parsed == 1 ? 0 : 1;
    }
    int code = 2;
    struct ops_worker *workers = calloc((size_t)config.connections, sizeof(*workers));
    int allocated = workers != NULL;
    for (long i = 0; allocated && i < config.connections; i++)
        allocated = (workers[i].slots = calloc((size_t)config.pipeline,
                                               sizeof(struct ops_slot))) != NULL;
    if (allocated) {
        long started = ops_run_workers(&config, workers, &gate);
        code = ops_collect(&config, workers, started, gate.opened_at, samples, &run);
        run.server = config.server;
        run.connections = config.connections;
        run.pipeline = config.pipeline;
        run.json = config.json;
        ops_report(&run, samples);
    } else {
        fprintf(stderr, "%s: out of memory\n", PROGRAM);
    }
    for (long i = 0; workers != NULL && i < config.connections; i++) {
        free(workers[i].slots);
        for (int op = 0; op < OPS_COUNT; op++)
            ops_samples_free(&workers[i].samples[op]);
    }
    for (int op = 0; op < OPS_COUNT; op++)
        ops_samples_free(&samples[op]);
    free(workers);
    ops_ids_free(&config.ids);
    return code;
}
