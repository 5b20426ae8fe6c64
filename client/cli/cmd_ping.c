/*
 * `spona ping`: one ping on a fresh connection, timed. Shows that the server
 * is up, speaks spona/1 and accepts this installation's certificate.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "i18n.h"
#include "json.h"
#include "output.h"
#include "remote.h"

static double elapsed_ms(const struct timespec *start, const struct timespec *end)
{
    return (double)(end->tv_sec - start->tv_sec) * 1e3 +
           (double)(end->tv_nsec - start->tv_nsec) / 1e6;
}

/* "2025-06-01 10:00:00.123 UTC" for a Unix time in milliseconds. */
static void format_server_time(uint64_t unix_ms, char *out, size_t out_size)
{
    time_t seconds = (time_t)(unix_ms / 1000);
    struct tm tm;
    char date[32];
    if (gmtime_r(&seconds, &tm) == NULL ||
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(out, out_size, "%llu ms", (unsigned long long)unix_ms);
    else
        snprintf(out, out_size, "%s.%03u UTC", date, (unsigned)(unix_ms % 1000));
}

static int ping_run(const struct settings *settings, const struct args *args)
{
    uint8_t payload[] = "spona ping";
    Spona__V1__PingRequest ping = SPONA__V1__PING_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    spona_response *response = NULL;
    struct timespec start, end;
    int code;

    struct spona_client *client = remote_connect(settings, &code);
    if (client == NULL)
        return code;
    ping.payload.data = payload;
    ping.payload.len = sizeof(payload) - 1;
    request.body_case = SPONA__V1__REQUEST__BODY_PING;
    request.ping = &ping;
    clock_gettime(CLOCK_MONOTONIC, &start);
    code = remote_call(client, settings, &request, &response);
    clock_gettime(CLOCK_MONOTONIC, &end);
    if (code != OUTPUT_EXIT_OK)
        goto cleanup;

    const Spona__V1__PingResponse *pong = response->ping;
    if (pong == NULL || pong->payload.len != ping.payload.len ||
        memcmp(pong->payload.data, payload, ping.payload.len) != 0) {
        code = output_error(settings->json, "INTERNAL", _("the server echoed a different payload"),
                            OUTPUT_EXIT_SERVER_ERROR);
        goto cleanup;
    }
    double round_trip = elapsed_ms(&start, &end);
    if (settings->json) {
        struct json_writer writer;
        json_init(&writer, stdout);
        json_object_begin(&writer, NULL);
        json_string(&writer, "server", settings->server);
        json_double(&writer, "round_trip_ms", round_trip);
        json_string(&writer, "server_version", pong->server_version);
        json_uint(&writer, "protocol_version", pong->protocol_version);
        json_uint(&writer, "server_time_unix_ms", pong->server_time_unix_ms);
        json_object_end(&writer);
    } else {
        char server_time[64];
        format_server_time(pong->server_time_unix_ms, server_time, sizeof(server_time));
        output_printf(stdout,
                      _("pong from %s in %.3f ms: server version %s, protocol %u, server time "
                        "%s\n"),
                      settings->server, round_trip, pong->server_version,
                      (unsigned)pong->protocol_version, server_time);
    }

cleanup:
    envelope_free_response(response);
    spona_client_close(client);
    return code;
}

const struct command command_ping = {
    .name = "ping",
    .summary = N_("check that the server answers (no login needed)"),
    .help = N_("Usage: spona ping [OPTIONS]\n"
            "\n"
            "Connects, sends one ping and prints the server's version and the round-trip time.\n"
            "Needs no login, but the client certificate must belong to a registered institution.\n"),
    .run = ping_run,
};
