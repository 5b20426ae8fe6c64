/*
 * What the request benchmarks share (see bench_util.h).
 */
#include "bench_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spona_client.h"

const char *bench_option_or_env(const char *value, const char *variable)
{
    if (value == NULL)
        value = getenv(variable);
    return value != NULL && value[0] != '\0' ? value : NULL;
}

long bench_parse_long(const char *program, const char *text, long min, long max,
                      const char *what)
{
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (text[0] == '\0' || *end != '\0' || errno != 0 || value < min || value > max) {
        fprintf(stderr, "%s: %s must be %ld..%ld\n", program, what, min, max);
        return -1;
    }
    return value;
}

int bench_loopback_server(const char *program, const char *server, char *host,
                          size_t host_size, char *port, size_t port_size)
{
    const char *colon = strrchr(server, ':');
    if (colon == NULL || colon == server || (size_t)(colon - server) >= host_size ||
        strlen(colon + 1) >= port_size) {
        fprintf(stderr, "%s: --server must be HOST:PORT\n", program);
        return -1;
    }
    snprintf(host, host_size, "%.*s", (int)(colon - server), server);
    snprintf(port, port_size, "%s", colon + 1);
    struct in_addr address;
    if (strcmp(host, "localhost") != 0 &&
        !(inet_pton(AF_INET, host, &address) == 1 && (ntohl(address.s_addr) >> 24) == 127)) {
        fprintf(stderr, "%s: only a loopback server may be targeted\n", program);
        return -1;
    }
    return 0;
}

struct spona_client *bench_connect_login(const char *program, const char *host,
                                         const char *port, const char *ca_file,
                                         const char *cert_file, const char *key_file,
                                         const char *user, const char *password)
{
    struct spona_client_options options = {
        .host = host,
        .port = port,
        .ca_file = ca_file,
        .cert_file = cert_file,
        .key_file = key_file,
    };
    char err[512];
    struct spona_client *client = spona_client_connect(&options, err, sizeof(err));
    if (client != NULL && spona_client_login(client, user, password, err, sizeof(err)) == 0)
        return client;
    fprintf(stderr, "%s: %s\n", program, err);
    spona_client_close(client);
    return NULL;
}

int bench_compare_latency(const void *a, const void *b)
{
    double left = *(const double *)a, right = *(const double *)b;
    return left < right ? -1 : left > right;
}

double bench_nearest_rank(const double *sorted, long count, double fraction)
{
    long rank = (long)((double)count * fraction + 0.999999999);
    return sorted[(rank < 1 ? 1 : rank > count ? count : rank) - 1];
}

double bench_now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}
