/*
 * Settings of the spona CLI: command-line flags, environment and the INI config
 * file, merged with the precedence flags > environment > config file > defaults
 * (the merging is the client library's client_config.h, shared with spona-desktop).
 * These are the options every command takes (plus --user and --password-file,
 * which only login takes); a command's own options are in args.h.
 * Only reads and merges; never connects, prompts or prints.
 */
#ifndef SPONA_CLI_SETTINGS_H
#define SPONA_CLI_SETTINGS_H

#include <getopt.h>
#include <stddef.h>

/* Flags that only some commands take (the rest are common to all). */
enum settings_flag {
    SETTINGS_FLAG_USER = 1u << 0,
    SETTINGS_FLAG_PASSWORD_FILE = 1u << 1,
};

struct settings {
    /* from the command line only */
    int help;            /* --help / -h */
    int version;         /* --version / -V */
    int json;            /* --json */
    unsigned given;      /* which enum settings_flag flags were given */
    char *password_file; /* --password-file */

    /* merged from flags, environment, config file and defaults (all owned) */
    char *server;       /* HOST:PORT as given */
    char *host;         /* parsed from server, without brackets */
    char *port;
    char *ca_file;
    char *cert_file;
    char *key_file;
    char *user;
    char *session_file;
    char *config_file;  /* the config file read, NULL if none */
    char *lang;         /* the language (docs/i18n.md); NULL: the locale's */

    /* flag values kept until settings_resolve (owned) */
    char *flag_server, *flag_ca, *flag_cert, *flag_key, *flag_user, *flag_session_file,
        *flag_config, *flag_lang;
};

/* getopt_long table of the settings options, ended by a zero row; short options "hV". */
extern const struct option settings_options[];

/*
 * Takes one option that getopt_long returned for a row of settings_options.
 * Returns 1 when it was a settings option, 0 when it is not one, -1 with a
 * usage error in err.
 */
int settings_take_option(struct settings *settings, int option, const char *value, char *err,
                         size_t err_size);

/* The usage error for getopt_long's ':' or '?' (spelled: the argument as typed). */
void settings_option_error(int option, const char *spelled, char *err, size_t err_size);

/*
 * Starts settings and reads the options before the command words (`spona
 * --json ping`): stops at the first operand, whose index goes to *command_index
 * (argc when there is none). Returns 0, or -1 with a usage error in err; json
 * is set even then when --json appears anywhere on the line.
 */
int settings_parse_leading(struct settings *settings, int argc, char **argv,
                           int *command_index, char *err, size_t err_size);

/*
 * Reads the config file and the environment and merges everything.
 * Returns 0, or -1 with err set (unreadable config, bad server address, ...).
 */
int settings_resolve(struct settings *settings, char *err, size_t err_size);

void settings_free(struct settings *settings);

#endif
