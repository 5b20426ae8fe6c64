/*
 * Settings of the spona CLI: command-line flags, environment and the INI config
 * file, merged with the precedence flags > environment > config file > defaults.
 * Only reads and merges; never connects, prompts or prints.
 */
#ifndef SPONA_CLI_SETTINGS_H
#define SPONA_CLI_SETTINGS_H

#include <stddef.h>

#define SETTINGS_DEFAULT_SERVER "127.0.0.1:7443"
#define SETTINGS_DEFAULT_PORT "7443"

/* Flags that only some commands take (the rest are common to all). */
enum settings_flag {
    SETTINGS_FLAG_USER = 1u << 0,
    SETTINGS_FLAG_PASSWORD_FILE = 1u << 1,
};

struct settings {
    /* from the command line only */
    char *command;       /* first operand: "ping", "login", ...; NULL if none */
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

    /* flag values kept until settings_resolve (owned) */
    char *flag_server, *flag_ca, *flag_cert, *flag_key, *flag_user, *flag_session_file,
        *flag_config;
};

/*
 * Parses argv (options may come before or after the command). Returns 0, or -1
 * with a usage error in err; json, help and the command are filled in even then.
 */
int settings_parse_args(struct settings *settings, int argc, char **argv, char *err,
                        size_t err_size);

/*
 * Reads the config file and the environment and merges everything.
 * Returns 0, or -1 with err set (unreadable config, bad server address, ...).
 */
int settings_resolve(struct settings *settings, char *err, size_t err_size);

void settings_free(struct settings *settings);

#endif
