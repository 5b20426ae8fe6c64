/*
 * Measurement, not a test (docs/security.md, "Login under attack"): another
 * user's whoami latency on a running server, first alone, then while THREADS
 * connections spray unknown-user logins as fast as they are answered. Prints
 * mean, p50, p99 and max of each phase and how the spray was answered.
 * usage: SPONA_TEST_STATE=build/tests/state SPONA_SERVER=... SPONA_TEST_HARNESS=...
 *        measure_login_spray PORT [THREADS [SECONDS]]
 * (zoran, certificate zzz, must be able to log in; the spray uses certificate csr)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "itest.h"

#define MAX_SAMPLES 200000

static struct itest_server server;
static volatile int spraying = 1;

struct sprayer {
    pthread_t thread;
    int index;
    long answers[16]; /* by status */
};

static double now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

static void *spray(void *arg)
{
    struct sprayer *sprayer = arg;
    char err[256];
    struct spona_client *client = itest_connect(&server, "csr", 0, err, sizeof(err));
    if (client == NULL)
        return NULL;
    for (long i = 0; spraying; i++) {
        char username[64];
        snprintf(username, sizeof(username), "nobody-%d-%ld", sprayer->index, i);
        Spona__V1__LoginRequest login = SPONA__V1__LOGIN_REQUEST__INIT;
        login.username = username;
        login.password = "wrong";
        spona_request request = SPONA__V1__REQUEST__INIT;
        request.body_case = SPONA__V1__REQUEST__BODY_LOGIN;
        request.login = &login;
        spona_response *response = spona_client_call(client, &request, err, sizeof(err));
        if (response == NULL)
            break;
        sprayer->answers[response->status & 15]++;
        envelope_free_response(response);
    }
    spona_client_close(client);
    return NULL;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* whoami for seconds; prints the latency percentiles */
static void measure(struct spona_client *client, const char *phase, double seconds,
                    double *samples)
{
    int count = 0;
    double total = 0, end = now_ms() + seconds * 1e3;
    while (now_ms() < end && count < MAX_SAMPLES) {
        double start = now_ms();
        spona_response *whoami = itest_whoami(client);
        samples[count] = now_ms() - start;
        total += samples[count++];
        if (whoami->status != SPONA__V1__STATUS__OK)
            fprintf(stderr, "whoami: status %d\n", (int)whoami->status);
        envelope_free_response(whoami);
    }
    qsort(samples, (size_t)count, sizeof(double), compare);
    printf("%-14s whoami: %6d requests, mean %7.2f ms, p50 %7.2f ms, p99 %7.2f ms, "
           "max %7.2f ms\n",
           phase, count, total / count, samples[count / 2], samples[count * 99 / 100],
           samples[count - 1]);
}

int main(int argc, char **argv)
{
    if (argc < 2 || itest_init() != 0) {
        fprintf(stderr, "usage: measure_login_spray PORT [THREADS [SECONDS]]\n");
        return 2;
    }
    snprintf(server.port, sizeof(server.port), "%s", argv[1]);
    int threads = argc > 2 ? atoi(argv[2]) : 8;
    double seconds = argc > 3 ? atof(argv[3]) : 5.0;
    if (threads < 1 || threads > 64 || seconds <= 0)
        return 2;
    double *samples = malloc(MAX_SAMPLES * sizeof(double));
    char err[256], password[128];
    struct spona_client *client = itest_connect(&server, "zzz", 0, err, sizeof(err));
    itest_password("zoran", password, sizeof(password));
    if (samples == NULL || client == NULL ||
        spona_client_login(client, "zoran", password, err, sizeof(err)) != 0) {
        fprintf(stderr, "cannot log in as zoran: %s\n", err);
        return 1;
    }
    measure(client, "alone", seconds, samples);
    struct sprayer sprayers[64];
    memset(sprayers, 0, sizeof(sprayers));
    for (int i = 0; i < threads; i++) {
        sprayers[i].index = i;
        pthread_create(&sprayers[i].thread, NULL, spray, &sprayers[i]);
    }
    measure(client, "during spray", seconds, samples);
    spraying = 0;
    long answers[16] = {0};
    for (int i = 0; i < threads; i++) {
        pthread_join(sprayers[i].thread, NULL);
        for (int s = 0; s < 16; s++)
            answers[s] += sprayers[i].answers[s];
    }
    printf("spray (%d connections, %.0f s): %ld UNAUTHENTICATED, %ld RESOURCE_EXHAUSTED, "
           "%ld UNAVAILABLE\n",
           threads, seconds, answers[SPONA__V1__STATUS__UNAUTHENTICATED],
           answers[SPONA__V1__STATUS__RESOURCE_EXHAUSTED],
           answers[SPONA__V1__STATUS__UNAVAILABLE]);
    spona_client_close(client);
    free(samples);
    return 0;
}
