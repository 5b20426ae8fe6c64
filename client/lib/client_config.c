/*
 * The clients' settings (see client_config.h). The config file is read with inih;
 * this file decides which value wins and where the default files live (XDG base
 * directories). Moved here from the CLI's settings.c so that spona-desktop reads
 * the same file with the same code.
 */
#include "client_config.h"

#include <errno.h>
#include <ini.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"

/* Replaces *slot with a copy of value (NULL or "" clears it). 0, or -1 when out of memory. */
static int config_set(char **slot, const char *value)
{
    char *copy = NULL;
    if (value != NULL && value[0] != '\0') {
        copy = strdup(value);
        if (copy == NULL)
            return -1;
    }
    free(*slot);
    *slot = copy;
    return 0;
}

/* Joins parts with '/' into a new string (caller frees); NULL when out of memory. */
static char *path_join(const char *const *parts, size_t count)
{
    size_t length = 1;
    for (size_t i = 0; i < count; i++)
        length += strlen(parts[i]) + 1;
    char *path = malloc(length);
    if (path == NULL)
        return NULL;
    path[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            strcat(path, "/");
        strcat(path, parts[i]);
    }
    return path;
}

/* $HOME, or the password database's home directory. Borrowed; NULL if unknown. */
static const char *home_directory(void)
{
    const char *home = getenv("HOME");
    if (home != NULL && home[0] == '/')
        return home;
    struct passwd *entry = getpwuid(getuid());
    return entry != NULL && entry->pw_dir != NULL && entry->pw_dir[0] == '/' ? entry->pw_dir
                                                                             : NULL;
}

/*
 * A path under an XDG base directory: $xdg_variable/spona/leaf when that is an
 * absolute path, else ~/home_fallback/spona/leaf. Caller frees; NULL if no home.
 */
static char *xdg_path(const char *xdg_variable, const char *home_fallback, const char *leaf)
{
    const char *base = getenv(xdg_variable);
    if (base != NULL && base[0] == '/') {
        const char *parts[] = { base, "spona", leaf };
        return path_join(parts, 3);
    }
    const char *home = home_directory();
    if (home == NULL)
        return NULL;
    const char *parts[] = { home, home_fallback, "spona", leaf };
    return path_join(parts, 4);
}

/* What the config file handler needs. */
struct config_reader {
    struct spona_config *config;
    const char *directory; /* of the config file, for relative paths */
    char error[160];       /* first problem, without its line number */
};

/* Sets a path from the config file, relative to the config file's directory. */
static int config_set_path(struct config_reader *reader, char **slot, const char *value)
{
    if (value[0] == '/' || value[0] == '\0')
        return config_set(slot, value);
    const char *parts[] = { reader->directory, value };
    char *joined = path_join(parts, 2);
    if (joined == NULL)
        return -1;
    free(*slot);
    *slot = joined;
    return 0;
}

/* inih callback: one key of the file. Returns 0 to mark the line as an error. */
static int config_handler(void *user, const char *section, const char *name, const char *value)
{
    struct config_reader *reader = user;
    struct spona_config *config = reader->config;
    int rc;
    if (strcmp(section, "client") != 0)
        return 1; /* other programs' sections */
    if (strcmp(name, "server") == 0)
        rc = config_set(&config->server, value);
    else if (strcmp(name, "user") == 0)
        rc = config_set(&config->user, value);
    else if (strcmp(name, "ca") == 0)
        rc = config_set_path(reader, &config->ca_file, value);
    else if (strcmp(name, "cert") == 0)
        rc = config_set_path(reader, &config->cert_file, value);
    else if (strcmp(name, "key") == 0)
        rc = config_set_path(reader, &config->key_file, value);
    else if (strcmp(name, "session_file") == 0)
        rc = config_set_path(reader, &config->session_file, value);
    else if (strcmp(name, "lang") == 0)
        rc = config_set(&config->lang, value);
    else {
        if (reader->error[0] == '\0')
            snprintf(reader->error, sizeof(reader->error), _("unknown key '%s' in [client]"),
                     name);
        return 0;
    }
    if (rc != 0 && reader->error[0] == '\0')
        snprintf(reader->error, sizeof(reader->error), _("out of memory"));
    return rc == 0;
}

/* Parses the file at path into config. 0, or -1 with err set. */
static int config_parse_file(struct spona_config *config, char *path, char *err,
                             size_t err_size)
{
    struct config_reader reader = { .config = config, .directory = "." };
    char *directory = strdup(path);
    char *slash = directory != NULL ? strrchr(directory, '/') : NULL;
    if (slash != NULL) {
        *slash = '\0';
        reader.directory = slash == directory ? "/" : directory;
    }
    int rc = -1;
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        snprintf(err, err_size, _("config file %s: %s"), path, strerror(errno));
    } else {
        int line = ini_parse_file(file, config_handler, &reader);
        fclose(file);
        if (line != 0)
            snprintf(err, err_size, _("config file %s line %d: %s"), path, line,
                     reader.error[0] != '\0' ? reader.error : _("syntax error"));
        else
            rc = 0;
    }
    free(directory);
    return rc;
}

/* Reads the config file if there is one. 0, or -1 with err set. */
static int config_read_file(struct spona_config *config, const char *explicit_path, char *err,
                            size_t err_size)
{
    if (explicit_path == NULL)
        explicit_path = getenv("SPONA_CONFIG");
    int explicit_file = explicit_path != NULL && explicit_path[0] != '\0';
    char *path = explicit_file ? strdup(explicit_path)
                               : xdg_path("XDG_CONFIG_HOME", ".config", "client.conf");
    if (path == NULL)
        return 0; /* no home directory: no default config file */
    struct stat st;
    if (!explicit_file && stat(path, &st) != 0 && errno == ENOENT) {
        free(path);
        return 0; /* the default file is optional */
    }
    if (config_parse_file(config, path, err, err_size) != 0) {
        free(path);
        return -1;
    }
    config->config_file = path;
    return 0;
}

/* Overrides *slot with the environment variable, if set and non-empty. */
static int config_from_env(char **slot, const char *variable)
{
    const char *value = getenv(variable);
    return value != NULL && value[0] != '\0' ? config_set(slot, value) : 0;
}

/* Overrides *slot with a given value, if given. */
static int config_from_given(char **slot, const char *value)
{
    return value != NULL ? config_set(slot, value) : 0;
}

/* Splits HOST:PORT or [V6]:PORT (PORT optional). 0, or -1 when malformed. */
static int config_split_server(struct spona_config *config)
{
    const char *server = config->server;
    const char *host_start = server;
    size_t host_length;
    const char *port = NULL;
    if (server[0] == '[') {
        const char *close = strchr(server, ']');
        if (close == NULL || (close[1] != '\0' && close[1] != ':'))
            return -1;
        host_start = server + 1;
        host_length = (size_t)(close - host_start);
        port = close[1] == ':' ? close + 2 : NULL;
    } else {
        const char *colon = strchr(server, ':');
        if (colon != NULL && strchr(colon + 1, ':') != NULL)
            return -1; /* a bare IPv6 address: needs brackets */
        host_length = colon != NULL ? (size_t)(colon - server) : strlen(server);
        port = colon != NULL ? colon + 1 : NULL;
    }
    if (host_length == 0)
        return -1;
    if (port != NULL) {
        char *end = NULL;
        errno = 0;
        long number = strtol(port, &end, 10);
        if (port[0] == '\0' || *end != '\0' || errno != 0 || number < 1 || number > 65535)
            return -1;
    }
    config->host = strndup(host_start, host_length);
    config->port = strdup(port != NULL ? port : SPONA_CONFIG_DEFAULT_PORT);
    return config->host != NULL && config->port != NULL ? 0 : -1;
}

/* Environment, then given values, over what the file said. 0, or -1 when out of memory. */
static int config_merge(struct spona_config *config, const struct spona_config_given *given)
{
    static const struct spona_config_given none;
    if (given == NULL)
        given = &none;
    return config_from_env(&config->server, "SPONA_SERVER") != 0 ||
                   config_from_env(&config->ca_file, "SPONA_CA") != 0 ||
                   config_from_env(&config->cert_file, "SPONA_CERT") != 0 ||
                   config_from_env(&config->key_file, "SPONA_KEY") != 0 ||
                   config_from_env(&config->user, "SPONA_USER") != 0 ||
                   config_from_env(&config->session_file, "SPONA_SESSION_FILE") != 0 ||
                   config_from_env(&config->lang, "SPONA_LANG") != 0 ||
                   config_from_given(&config->lang, given->lang) != 0 ||
                   config_from_given(&config->server, given->server) != 0 ||
                   config_from_given(&config->ca_file, given->ca_file) != 0 ||
                   config_from_given(&config->cert_file, given->cert_file) != 0 ||
                   config_from_given(&config->key_file, given->key_file) != 0 ||
                   config_from_given(&config->user, given->user) != 0 ||
                   config_from_given(&config->session_file, given->session_file) != 0
               ? -1
               : 0;
}

int spona_config_load(struct spona_config *config, const struct spona_config_given *given,
                      char *err, size_t err_size)
{
    memset(config, 0, sizeof(*config));
    if (config_read_file(config, given != NULL ? given->config_file : NULL, err, err_size) != 0)
        return -1;
    if (config_merge(config, given) != 0)
        goto out_of_memory;
    if (config->server == NULL && config_set(&config->server, SPONA_CONFIG_DEFAULT_SERVER) != 0)
        goto out_of_memory;
    if (config->session_file == NULL) {
        config->session_file = xdg_path("XDG_STATE_HOME", ".local/state", "session");
        if (config->session_file == NULL) {
            snprintf(err, err_size, _("no home directory for the session file: set "
                                      "SPONA_SESSION_FILE or session_file in the config file"));
            return -1;
        }
    }
    if (config_split_server(config) != 0) {
        snprintf(err, err_size, _("invalid server address '%s': expected HOST:PORT"),
                 config->server);
        return -1;
    }
    return 0;

out_of_memory:
    snprintf(err, err_size, _("out of memory"));
    return -1;
}

void spona_config_free(struct spona_config *config)
{
    char **owned[] = {
        &config->server,    &config->host,         &config->port,
        &config->ca_file,   &config->cert_file,    &config->key_file,
        &config->user,      &config->session_file, &config->config_file,
        &config->lang,
    };
    for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
        free(*owned[i]);
        *owned[i] = NULL;
    }
}
