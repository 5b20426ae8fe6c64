/*
 * The spona CLI's commands: one table row per command (name, help, which
 * command-specific flags it takes, handler), as the server's dispatch table.
 * Adding a command is one row here and one function in a cmd_*.c file.
 */
#ifndef SPONA_CLI_COMMANDS_H
#define SPONA_CLI_COMMANDS_H

#include <stdio.h>

#include "settings.h"

struct command {
    const char *name;
    const char *summary; /* one line for `spona --help` */
    const char *help;    /* the text of `spona NAME --help` */
    unsigned flags;      /* enum settings_flag flags this command accepts */
    int (*run)(const struct settings *settings); /* returns the exit code */
};

/* The command called name, or NULL. */
const struct command *commands_find(const char *name);

/* Writes `spona --help`. */
void commands_print_usage(FILE *out);

/* Writes `spona NAME --help`. */
void commands_print_help(const struct command *command, FILE *out);

/* Handlers (cmd_ping.c, cmd_session.c). */
int command_ping(const struct settings *settings);
int command_login(const struct settings *settings);
int command_whoami(const struct settings *settings);
int command_logout(const struct settings *settings);

#endif
