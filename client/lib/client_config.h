/*
 * The clients' settings (docs/cli.md, "Settings"): the INI config file's [client]
 * section, the SPONA_* environment and the values a program was given (the CLI's
 * flags, the desktop client's sign-in form), merged with the precedence
 * given > environment > config file > defaults. Shared by the spona CLI and
 * spona-desktop so that both read the same file the same way. Only reads and
 * merges; never connects, prompts or prints.
 */
#ifndef SPONA_CLIENT_CONFIG_H
#define SPONA_CLIENT_CONFIG_H

#include <stddef.h>

#define SPONA_CONFIG_DEFAULT_SERVER "127.0.0.1:7443"
#define SPONA_CONFIG_DEFAULT_PORT "7443"

/* The merged settings; every string is owned (free with spona_config_free). */
struct spona_config {
    char *server;       /* HOST:PORT as given */
    char *host;         /* parsed from server, without brackets */
    char *port;
    char *ca_file;
    char *cert_file;
    char *key_file;
    char *user;
    char *session_file;
    char *lang;         /* the language asked for (docs/i18n.md), NULL: the locale's */
    char *config_file;  /* the config file read, NULL if none */
};

/* Values given to the program (flags, a form); NULL: not given. Borrowed. */
struct spona_config_given {
    const char *config_file; /* instead of $SPONA_CONFIG and the default file */
    const char *server;
    const char *ca_file;
    const char *cert_file;
    const char *key_file;
    const char *user;
    const char *session_file;
    const char *lang;
};

/*
 * Reads the config file ($SPONA_CONFIG or given->config_file, which must exist; else
 * the optional $XDG_CONFIG_HOME/spona/client.conf), then the environment, then given
 * (may be NULL); fills the defaults (server, session file under $XDG_STATE_HOME) and
 * splits the server address. Returns 0, or -1 with err set (unreadable config, unknown
 * key, bad server address, no home directory). config is zeroed first.
 */
int spona_config_load(struct spona_config *config, const struct spona_config_given *given,
                      char *err, size_t err_size);

/* Frees the strings and zeroes config. */
void spona_config_free(struct spona_config *config);

#endif
