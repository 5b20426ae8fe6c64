/*
 * spona-search-bench: the name-search benchmark (docs/performance.md). One TLS
 * connection, logged in as a user of a lead institution, sends person_search
 * requests one at a time built from real names (a sample file written by
 * spona-generate-persons: "last first" as stored, one a line): a prefix of
 * the last name, the last name and a prefix of the first, or the first name
 * and a prefix of the last; or, for loose search, the last name with a typo. Reports requests/s, latency percentiles and the
 * mean number of hits. A benchmark, not a test: it asserts nothing but that
 * every request was answered OK. Loopback servers only.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "spona_client.h"

#define PROGRAM "spona-search-bench"

#define SEARCH_BENCH_MAX_NAMES 100000
#define SEARCH_BENCH_MAX_REQUESTS 1000000L
#define SEARCH_BENCH_NAME_BYTES 256

struct search_bench {
    const char *server, *ca_file, *cert_file, *key_file, *user, *password, *names_file;
    char host[256], port[16];
    long requests, warmup;
    unsigned limit;
    int loose, json;
    int shape; /* -1: any of the three prefix shapes, else the one (3: typo) */
    unsigned long long seed;
    char **names;
    size_t name_count;
};

static void search_bench_usage(FILE *out)
{
    fputs("Usage: spona-search-bench --names FILE [OPTIONS]\n"
          "\n"
          "Sends person_search requests built from the names in FILE (\"last first\",\n"
          "one a line, as spona-generate-persons --sample writes them), one at a time,\n"
          "and reports requests/s and latency.\n"
          "\n"
          "  -n, --requests N       measured searches (default 2000)\n"
          "      --warmup N         searches before measuring (default 100)\n"
          "      --limit N          hits per search (default 20)\n"
          "      --loose            also match by similarity\n"
          "      --shape S          all (default), last (\"sav\"), last-first (\"savić ma\"),\n"
          "                         first-last (\"marko sa\"), first (the first name alone,\n"
          "                         \"marko\"), cut (both cut, \"mar sav\"), or typo (the last\n"
          "                         name with one letter doubled, \"savvić\": implies --loose)\n"
          "      --seed N           random seed (default 1)\n"
          "      --server HOST:PORT loopback address only (default 127.0.0.1:7443, or SPONA_SERVER)\n"
          "      --ca FILE / --cert FILE / --key FILE   (or SPONA_CA, SPONA_CERT, SPONA_KEY)\n"
          "      --user NAME        a user of a lead institution (or SPONA_USER)\n"
          "      --json             print one JSON object\n"
          "\n"
          "The password comes from SPONA_PASSWORD. Exit code 0 when every search was\n"
          "answered OK, 1 for usage errors, 2 otherwise.\n",
          out);
}

/* HOST:PORT into bench->host and bench->port; the host must be a loopback address. */
static int search_bench_server(struct search_bench *bench)
{
    return bench_loopback_server(PROGRAM, bench->server, bench->host, sizeof(bench->host),
                                 bench->port, sizeof(bench->port));
}

/* 0, 1 after --help, -1 after a usage error. */
static int search_bench_parse(struct search_bench *bench, int argc, char **argv)
{
    enum { OPT_WARMUP = 256, OPT_LIMIT, OPT_LOOSE, OPT_SEED, OPT_SERVER, OPT_CA, OPT_CERT,
           OPT_KEY, OPT_USER, OPT_JSON, OPT_NAMES, OPT_SHAPE };
    static const struct option options[] = {
        {"requests", required_argument, NULL, 'n'}, {"warmup", required_argument, NULL, OPT_WARMUP},
        {"limit", required_argument, NULL, OPT_LIMIT}, {"loose", no_argument, NULL, OPT_LOOSE},
        {"seed", required_argument, NULL, OPT_SEED}, {"server", required_argument, NULL, OPT_SERVER},
        {"ca", required_argument, NULL, OPT_CA},     {"cert", required_argument, NULL, OPT_CERT},
        {"key", required_argument, NULL, OPT_KEY},   {"user", required_argument, NULL, OPT_USER},
        {"json", no_argument, NULL, OPT_JSON},       {"names", required_argument, NULL, OPT_NAMES},
        {"shape", required_argument, NULL, OPT_SHAPE}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(bench, 0, sizeof(*bench));
    bench->requests = 2000;
    bench->warmup = 100;
    bench->limit = 20;
    bench->seed = 1;
    bench->shape = -1;
    const char *server = NULL, *ca = NULL, *cert = NULL, *key = NULL, *user = NULL;
    long value;
    for (;;) {
        int option = getopt_long(argc, argv, "n:h", options, NULL);
        if (option == -1)
            break;
        switch (option) {
        case 'n':
            if ((bench->requests = bench_parse_long(PROGRAM, optarg, 1, SEARCH_BENCH_MAX_REQUESTS,
                                              "--requests")) < 0)
                return -1;
            break;
        case OPT_WARMUP:
            if ((bench->warmup = bench_parse_long(PROGRAM, optarg, 0, SEARCH_BENCH_MAX_REQUESTS,
                                            "--warmup")) < 0)
                return -1;
            break;
        case OPT_LIMIT:
            if ((value = bench_parse_long(PROGRAM, optarg, 1, 100, "--limit")) < 0)
                return -1;
            bench->limit = (unsigned)value;
            break;
        case OPT_SEED:
            if ((value = bench_parse_long(PROGRAM, optarg, 1, 1L << 30, "--seed")) < 0)
                return -1;
            bench->seed = (unsigned long long)value;
            break;
        case OPT_LOOSE: bench->loose = 1; break;
        case OPT_SERVER: server = optarg; break;
        case OPT_CA: ca = optarg; break;
        case OPT_CERT: cert = optarg; break;
        case OPT_KEY: key = optarg; break;
        case OPT_USER: user = optarg; break;
        case OPT_JSON: bench->json = 1; break;
        case OPT_NAMES: bench->names_file = optarg; break;
        case OPT_SHAPE: {
            static const char *const shapes[] = {"last", "last-first", "first-last",
                                                 "typo", "first",      "cut"};
            bench->shape = -2;
            for (int i = 0; i < 6; i++)
                if (strcmp(optarg, shapes[i]) == 0)
                    bench->shape = i;
            if (strcmp(optarg, "all") == 0)
                bench->shape = -1;
            if (bench->shape == 3)
                bench->loose = 1; /* a typo is found only loosely */
            if (bench->shape == -2) {
                fprintf(stderr, "spona-search-bench: --shape is all, last, last-first, "
                                "first-last, first, cut or typo\n");
                return -1;
            }
            break;
        }
        case 'h': search_bench_usage(stdout); return 1;
        default: search_bench_usage(stderr); return -1;
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
    if (optind < argc || bench->names_file == NULL || bench->ca_file == NULL ||
        bench->user == NULL || bench->password == NULL) {
        fprintf(stderr, "spona-search-bench: give --names, --ca, --user and SPONA_PASSWORD "
                        "(see --help)\n");
        return -1;
    }
    return search_bench_server(bench);
}

static int search_bench_load_names(struct search_bench *bench)
{
    FILE *file = fopen(bench->names_file, "r");
    if (file == NULL) {
        fprintf(stderr, "spona-search-bench: %s: %s\n", bench->names_file, strerror(errno));
        return -1;
    }
    bench->names = calloc(SEARCH_BENCH_MAX_NAMES, sizeof(char *));
    char line[SEARCH_BENCH_NAME_BYTES];
    while (bench->names != NULL && bench->name_count < SEARCH_BENCH_MAX_NAMES &&
           fgets(line, sizeof(line), file) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strchr(line, ' ') == NULL)
            continue; /* not "last first" */
        if ((bench->names[bench->name_count] = strdup(line)) == NULL)
            break;
        bench->name_count++;
    }
    fclose(file);
    if (bench->name_count == 0) {
        fprintf(stderr, "spona-search-bench: no \"last first\" names in %s\n",
                bench->names_file);
        return -1;
    }
    return 0;
}

static unsigned long long next_random(unsigned long long *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return *state >> 33;
}

/* Bytes of the first count code points of text (all of it when shorter). */
static size_t utf8_prefix(const char *text, size_t count)
{
    size_t bytes = 0;
    for (size_t seen = 0; text[bytes] != '\0'; bytes++) {
        if (((unsigned char)text[bytes] & 0xC0) != 0x80 && seen++ == count)
            break;
    }
    return bytes;
}

/*
 * A query from "last first": one of the three prefix shapes of docs/cases.md,
 * cut at random, the first name alone, both names cut to 2-4 letters, or the
 * last name with one letter (not the first) doubled.
 */
static void search_bench_query(const char *name, int shape, unsigned long long *state,
                               char *out, size_t out_size)
{
    const char *space = strchr(name, ' ');
    int last_length = (int)(space - name);
    const char *first = space + 1;
    size_t cut = 2 + next_random(state) % 6; /* 2..7 letters */
    switch (shape >= 0 ? (unsigned long long)shape : next_random(state) % 3) {
    case 0: /* "sav" */
        snprintf(out, out_size, "%.*s", (int)utf8_prefix(name, cut + 1), name);
        if (strlen(out) > (size_t)last_length)
            out[last_length] = '\0';
        break;
    case 1: /* "savić ma" */
        snprintf(out, out_size, "%.*s %.*s", last_length, name,
                 (int)utf8_prefix(first, cut - 1), first);
        break;
    case 2: /* "marko sa" */
        snprintf(out, out_size, "%s %.*s", first,
                 (int)(utf8_prefix(name, cut) < (size_t)last_length ? utf8_prefix(name, cut)
                                                                    : (size_t)last_length),
                 name);
        break;
    case 4: /* "marko" */
        snprintf(out, out_size, "%s", first);
        break;
    case 5: { /* "mar sav" */
        size_t first_cut = 2 + next_random(state) % 3, last_cut = 2 + next_random(state) % 3;
        size_t last_bytes = utf8_prefix(name, last_cut);
        snprintf(out, out_size, "%.*s %.*s", (int)utf8_prefix(first, first_cut), first,
                 (int)(last_bytes < (size_t)last_length ? last_bytes : (size_t)last_length),
                 name);
        break;
    }
    default: { /* "savvić" */
        size_t letters = 0;
        for (int i = 0; i < last_length; i++)
            letters += ((unsigned char)name[i] & 0xC0) != 0x80;
        size_t at = letters > 1 ? 1 + next_random(state) % (letters - 1) : 0;
        size_t start = utf8_prefix(name, at), end = utf8_prefix(name, at + 1);
        snprintf(out, out_size, "%.*s%.*s", (int)end, name, last_length - (int)start,
                 name + start);
        break;
    }
    }
}

int main(int argc, char **argv)
{
    struct search_bench bench;
    int parsed = search_bench_parse(&bench, argc, argv);
    if (parsed != 0)
        return parsed > 0 ? 0 : 1;
    int code = 2;
    struct spona_client *client = NULL;
    double *latency = NULL;
    char err[512];
    if (search_bench_load_names(&bench) != 0)
        goto cleanup;
    latency = malloc((size_t)bench.requests * sizeof(double));
    if (latency == NULL)
        goto cleanup;
    client = bench_connect_login(PROGRAM, bench.host, bench.port, bench.ca_file,
                                 bench.cert_file, bench.key_file, bench.user, bench.password);
    if (client == NULL)
        goto cleanup;

    Spona__V1__PersonSearchRequest search = SPONA__V1__PERSON_SEARCH_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_PERSON_SEARCH;
    request.person_search = &search;
    search.limit = bench.limit;
    search.loose = bench.loose;
    unsigned long long state = bench.seed;
    long measured = 0, errors = 0, hits = 0;
    double started = 0;
    for (long i = 0; i < bench.warmup + bench.requests; i++) {
        char query[SEARCH_BENCH_NAME_BYTES];
        search_bench_query(bench.names[next_random(&state) % bench.name_count], bench.shape,
                           &state, query, sizeof(query));
        search.query = query;
        if (i == bench.warmup)
            started = bench_now_seconds();
        double sent = bench_now_seconds();
        spona_response *response = spona_client_call(client, &request, err, sizeof(err));
        double answered = bench_now_seconds();
        if (response == NULL) {
            fprintf(stderr, "spona-search-bench: %s\n", err);
            goto cleanup;
        }
        if (response->status != SPONA__V1__STATUS__OK) {
            if (errors++ == 0)
                fprintf(stderr, "spona-search-bench: first error: %s\n", response->message);
        } else if (i >= bench.warmup && response->person_search != NULL) {
            hits += (long)response->person_search->n_hits;
        }
        envelope_free_response(response);
        if (i >= bench.warmup)
            latency[measured++] = (answered - sent) * 1e3;
    }
    double elapsed = bench_now_seconds() - started;
    qsort(latency, (size_t)measured, sizeof(double), bench_compare_latency);
    double rate = elapsed > 0 ? (double)measured / elapsed : 0;
    double p50 = bench_nearest_rank(latency, measured, 0.50),
           p90 = bench_nearest_rank(latency, measured, 0.90),
           p99 = bench_nearest_rank(latency, measured, 0.99), max = latency[measured - 1];
    if (bench.json)
        printf("{\"requests\":%ld,\"errors\":%ld,\"loose\":%s,\"limit\":%u,"
               "\"mean_hits\":%.1f,\"requests_per_second\":%.1f,"
               "\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f}}\n",
               measured, errors, bench.loose ? "true" : "false", bench.limit,
               (double)hits / (double)measured, rate, p50, p90, p99, max);
    else
        printf("searches:     %ld (errors %ld, %ld warm-up not counted), limit %u%s\n"
               "mean hits:    %.1f\n"
               "throughput:   %.0f searches/s\n"
               "latency (ms): p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n",
               measured, errors, bench.warmup, bench.limit, bench.loose ? ", loose" : "",
               (double)hits / (double)measured, rate, p50, p90, p99, max);
    code = errors == 0 ? 0 : 2;

cleanup:
    spona_client_close(client);
    free(latency);
    for (size_t i = 0; i < bench.name_count; i++)
        free(bench.names[i]);
    free(bench.names);
    return code;
}
