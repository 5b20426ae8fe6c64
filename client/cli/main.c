/*
 * spona: the command-line client. Parses the command line, handles --help and
 * --version, checks which flags the command takes, merges the settings and
 * runs the command from the table in commands.c. Nothing else lives here.
 */
#include <stdio.h>

#include "commands.h"
#include "envelope.h"
#include "output.h"
#include "settings.h"

#ifndef SPONA_VERSION
#define SPONA_VERSION "unknown"
#endif

/* The first command-specific flag given that command does not take, or NULL. */
static const char *unexpected_flag(const struct settings *settings,
                                   const struct command *command)
{
    unsigned extra = settings->given & ~command->flags;
    if (extra & SETTINGS_FLAG_USER)
        return "--user";
    if (extra & SETTINGS_FLAG_PASSWORD_FILE)
        return "--password-file";
    return NULL;
}

int main(int argc, char **argv)
{
    struct settings settings;
    char err[512];
    int code = OUTPUT_EXIT_OK;

    if (settings_parse_args(&settings, argc, argv, err, sizeof(err)) != 0) {
        char message[600];
        snprintf(message, sizeof(message), "%s (see spona --help)", err);
        code = output_error(settings.json, OUTPUT_STATUS_USAGE, message, OUTPUT_EXIT_USAGE);
        goto done;
    }
    if (settings.version) {
        printf("spona %s (protocol %s)\n", SPONA_VERSION, SPONA_ALPN);
        goto done;
    }
    if (settings.command == NULL) {
        if (settings.help)
            commands_print_usage(stdout);
        else
            code = output_error(settings.json, OUTPUT_STATUS_USAGE,
                                "no command given (see spona --help)", OUTPUT_EXIT_USAGE);
        goto done;
    }
    const struct command *command = commands_find(settings.command);
    if (command == NULL) {
        snprintf(err, sizeof(err), "unknown command '%s' (see spona --help)", settings.command);
        code = output_error(settings.json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        goto done;
    }
    if (settings.help) {
        commands_print_help(command, stdout);
        goto done;
    }
    const char *flag = unexpected_flag(&settings, command);
    if (flag != NULL) {
        snprintf(err, sizeof(err), "%s is not an option of '%s' (see spona %s --help)", flag,
                 command->name, command->name);
        code = output_error(settings.json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        goto done;
    }
    if (settings_resolve(&settings, err, sizeof(err)) != 0) {
        code = output_error(settings.json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        goto done;
    }
    code = command->run(&settings);

done:
    settings_free(&settings);
    return code;
}
