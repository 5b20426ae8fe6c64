/*
 * spona-server: command line. Parses options, loads the configuration once,
 * and hands over to the command: run (default), check-config, migrate, or an
 * admin command.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "config.h"
#include "log.h"
#include "migrate.h"
#include "region_ca.h"
#include "server_run.h"
#include "tls.h"

#define DEFAULT_CONFIG "/etc/spona/spona-server.conf"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: spona-server [-c FILE] [COMMAND [ARGS]]\n"
            "\n"
            "commands:\n"
            "  run                      serve clients (default)\n"
            "  check-config             check the configuration and TLS files, then exit\n"
            "  migrate                  apply the schema migrations in [database] migrations_dir\n"
            "  add-municipality CODE NAME [REGION]\n"
            "  add-institution MUNICIPALITY_CODE CODE ROLE NAME\n"
            "  add-user INSTITUTION_CODE USERNAME FULL_NAME   (password: SPONA_PASSWORD or stdin)\n"
            "  set-institution-enabled CODE true|false\n"
            "  set-institution-contact CODE TEXT\n"
            "  set-municipality-short-code CODE LETTERS\n"
            "  unlock-user INSTITUTION_CODE USERNAME\n"
            "  import-protocol FILE     store a protocol version (docs/policy.md)\n"
            "  derive-decisions         decision tables of versions stored before sql/022\n"
            "\n"
            "options:\n"
            "  -c, --config FILE        configuration file (default " DEFAULT_CONFIG ")\n"
            "  -h, --help               this help\n"
            "  -V, --version            print the version\n"
            "\n"
            "signals: SIGHUP reloads TLS certificate, key, CA and CRL; SIGTERM stops gracefully.\n");
}

static int check_config(const struct server_config *config, const char *path)
{
    char err[512];
    struct tls_context *tls = tls_context_new(config, err, sizeof(err));
    if (tls == NULL) {
        fprintf(stderr, "spona-server: %s: %s\n", path, err);
        return 1;
    }
    tls_context_free(tls);
    if (config->mode == SERVER_MODE_REGIONAL) { /* the regional CA: readable, key private */
        struct region_ca ca;
        if (region_ca_load(config, &ca, err, sizeof(err)) != 0) {
            fprintf(stderr, "spona-server: %s: %s\n", path, err);
            return 1;
        }
        printf("%s: regional CA %s\n", path, ca.key != NULL ? "with its key" : "offline (no key)");
        region_ca_free(&ca);
    }
    printf("%s: configuration OK (listen %s:%s, TLS files readable)\n", path,
           config->listen_host, config->listen_port);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *path = DEFAULT_CONFIG;
    int option;
    while ((option = getopt_long(argc, argv, "+c:hV", options, NULL)) != -1) {
        switch (option) {
        case 'c':
            path = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("spona-server %s (protocol spona/1)\n", SPONA_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    const char *command = optind < argc ? argv[optind] : "run";
    int is_admin = admin_is_command(command);
    if (!is_admin && strcmp(command, "run") != 0 && strcmp(command, "check-config") != 0 &&
        strcmp(command, "migrate") != 0) {
        fprintf(stderr, "spona-server: unknown command '%s'\n", command);
        usage(stderr);
        return 2;
    }

    struct server_config config;
    char err[512];
    config_defaults(&config);
    if (config_load(&config, path, err, sizeof(err)) != 0 ||
        config_validate(&config, err, sizeof(err)) != 0) {
        fprintf(stderr, "spona-server: %s\n", err);
        return 1;
    }
    log_init((enum log_level)config.log_level, config.log_syslog, "spona-server");

    if (strcmp(command, "check-config") == 0)
        return check_config(&config, path);
    if (strcmp(command, "migrate") == 0)
        return migrate_run(&config);
    if (is_admin)
        return admin_run(&config, command, argc - optind - 1, argv + optind + 1);
    return server_run(&config);
}
