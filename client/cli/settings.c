/*
 * Settings of the spona CLI (see settings.h). Flags come from getopt_long, the
 * config file from inih; this file only decides which value wins and where
 * the default files live (XDG base directories).
 */
#include "settings.h"

#include <errno.h>
#include <getopt.h>
#include <ini.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"

enum settings_option {
    OPTION_SERVER = 256,
    OPTION_CA,
    OPTION_CERT,
    OPTION_KEY,
    OPTION_CONFIG,
    OPTION_USER,
    OPTION_PASSWORD_FILE,
    OPTION_SESSION_FILE,
    OPTION_JSON,
    OPTION_LANG,
};

const struct option settings_options[] = {
    { "server", required_argument, NULL, OPTION_SERVER },
    { "ca", required_argument, NULL, OPTION_CA },
    { "cert", required_argument, NULL, OPTION_CERT },
    { "key", required_argument, NULL, OPTION_KEY },
    { "config", required_argument, NULL, OPTION_CONFIG },
    { "user", required_argument, NULL, OPTION_USER },
    { "password-file", required_argument, NULL, OPTION_PASSWORD_FILE },
    { "session-file", required_argument, NULL, OPTION_SESSION_FILE },
    { "json", no_argument, NULL, OPTION_JSON },
    { "lang", required_argument, NULL, OPTION_LANG },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

/* Replaces *slot with a copy of value (NULL or "" clears it). 0, or -1 when out of memory. */
static int settings_set(char **slot, const char *value)
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

void settings_option_error(int option, const char *spelled, char *err, size_t err_size)
{
    if (option == ':') {
        snprintf(err, err_size, _("option '%s' needs a value"), spelled);
    } else if (strncmp(spelled, "--", 2) == 0) {
        const char *equals = strchr(spelled, '=');
        if (optopt != 0 && equals != NULL) /* a known option that takes no value */
            snprintf(err, err_size, _("option '%.*s' takes no value"), (int)(equals - spelled),
                     spelled);
        else
            snprintf(err, err_size, _("unknown option '%s'"), spelled);
    } else if (optopt > ' ' && optopt < 0x7F) {
        snprintf(err, err_size, _("unknown option '-%c'"), optopt);
    } else {
        snprintf(err, err_size, _("unknown option '%s'"), spelled);
    }
}

int settings_take_option(struct settings *settings, int option, const char *value, char *err,
                         size_t err_size)
{
    char **slot = NULL;
    switch (option) {
    case OPTION_SERVER: slot = &settings->flag_server; break;
    case OPTION_CA: slot = &settings->flag_ca; break;
    case OPTION_CERT: slot = &settings->flag_cert; break;
    case OPTION_KEY: slot = &settings->flag_key; break;
    case OPTION_CONFIG: slot = &settings->flag_config; break;
    case OPTION_SESSION_FILE: slot = &settings->flag_session_file; break;
    case OPTION_LANG: slot = &settings->flag_lang; break;
    case OPTION_USER:
        slot = &settings->flag_user;
        settings->given |= SETTINGS_FLAG_USER;
        break;
    case OPTION_PASSWORD_FILE:
        slot = &settings->password_file;
        settings->given |= SETTINGS_FLAG_PASSWORD_FILE;
        break;
    case OPTION_JSON: settings->json = 1; return 1;
    case 'h': settings->help = 1; return 1;
    case 'V': settings->version = 1; return 1;
    default: return 0;
    }
    if (value == NULL || value[0] == '\0') {
        for (size_t i = 0; settings_options[i].name != NULL; i++)
            if (settings_options[i].val == option)
                snprintf(err, err_size, _("option '--%s' needs a non-empty value"),
                         settings_options[i].name);
        return -1;
    }
    if (settings_set(slot, value) != 0) {
        snprintf(err, err_size, _("out of memory"));
        return -1;
    }
    return 1;
}

int settings_parse_leading(struct settings *settings, int argc, char **argv,
                           int *command_index, char *err, size_t err_size)
{
    memset(settings, 0, sizeof(*settings));
    *command_index = argc;
    opterr = 0; /* errors are reported by the caller, once */
    optind = 0; /* full reset: "+" (stop at the first operand) takes effect */
    for (;;) {
        int option = getopt_long(argc, argv, "+:hV", settings_options, NULL);
        if (option == -1)
            break;
        int taken = 0;
        if (option == ':' || option == '?') {
            settings_option_error(option, argv[optind - 1], err, err_size);
            const char *spelled = argv[optind - 1];
            int takes_no_value = strncmp(spelled, "--", 2) == 0 && optopt != 0 &&
                                 strchr(spelled, '=') != NULL;
            if (option == '?' && !takes_no_value) { /* an unknown option */
                size_t used = strlen(err);
                snprintf(err + used, err_size - used, _(" before the command (a command's own "
                                                      "options follow it)"));
            }
        } else
            taken = settings_take_option(settings, option, optarg, err, err_size);
        if (taken != 1) {
            /* say it in the form asked for, if --json comes later on the line */
            for (int i = optind; i < argc && strcmp(argv[i], "--") != 0; i++)
                if (strcmp(argv[i], "--json") == 0)
                    settings->json = 1;
            return -1;
        }
    }
    *command_index = optind;
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
    struct settings *settings;
    const char *directory; /* of the config file, for relative paths */
    char error[160];       /* first problem, without its line number */
};

/* Sets a path from the config file, relative to the config file's directory. */
static int config_set_path(struct config_reader *reader, char **slot, const char *value)
{
    if (value[0] == '/' || value[0] == '\0')
        return settings_set(slot, value);
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
    struct settings *settings = reader->settings;
    int rc;
    if (strcmp(section, "client") != 0)
        return 1; /* other programs' sections */
    if (strcmp(name, "server") == 0)
        rc = settings_set(&settings->server, value);
    else if (strcmp(name, "user") == 0)
        rc = settings_set(&settings->user, value);
    else if (strcmp(name, "ca") == 0)
        rc = config_set_path(reader, &settings->ca_file, value);
    else if (strcmp(name, "cert") == 0)
        rc = config_set_path(reader, &settings->cert_file, value);
    else if (strcmp(name, "key") == 0)
        rc = config_set_path(reader, &settings->key_file, value);
    else if (strcmp(name, "lang") == 0)
        rc = settings_set(&settings->lang, value);
    else if (strcmp(name, "session_file") == 0)
        rc = config_set_path(reader, &settings->session_file, value);
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

/* Reads the config file if there is one. 0, or -1 with err set. */
static int settings_read_config(struct settings *settings, char *err, size_t err_size)
{
    const char *explicit_path = settings->flag_config;
    if (explicit_path == NULL)
        explicit_path = getenv("SPONA_CONFIG");
    char *path = NULL;
    if (explicit_path != NULL && explicit_path[0] != '\0')
        path = strdup(explicit_path);
    else
        path = xdg_path("XDG_CONFIG_HOME", ".config", "client.conf");
    if (path == NULL)
        return 0; /* no home directory: no default config file */

    struct stat st;
    int explicit_file = explicit_path != NULL && explicit_path[0] != '\0';
    if (!explicit_file && stat(path, &st) != 0 && errno == ENOENT) {
        free(path);
        return 0; /* the default file is optional */
    }
    struct config_reader reader = { .settings = settings, .directory = "." };
    char *directory = strdup(path);
    char *slash = directory != NULL ? strrchr(directory, '/') : NULL;
    if (slash != NULL) {
        *slash = '\0';
        reader.directory = slash == directory ? "/" : directory;
    }
    FILE *file = fopen(path, "r");
    int rc = -1;
    if (file == NULL) {
        snprintf(err, err_size, _("config file %s: %s"), path, strerror(errno));
        goto cleanup;
    }
    int line = ini_parse_file(file, config_handler, &reader);
    fclose(file);
    if (line != 0) {
        snprintf(err, err_size, _("config file %s line %d: %s"), path, line,
                 reader.error[0] != '\0' ? reader.error : _("syntax error"));
        goto cleanup;
    }
    settings->config_file = path;
    path = NULL;
    rc = 0;

cleanup:
    free(directory);
    free(path);
    return rc;
}

/* Overrides *slot with the environment variable, if set and non-empty. */
static int settings_from_env(char **slot, const char *variable)
{
    const char *value = getenv(variable);
    return value != NULL && value[0] != '\0' ? settings_set(slot, value) : 0;
}

/* Overrides *slot with a flag's value, if the flag was given. */
static int settings_from_flag(char **slot, const char *flag_value)
{
    return flag_value != NULL ? settings_set(slot, flag_value) : 0;
}

/* Splits HOST:PORT or [V6]:PORT (PORT optional). 0, or -1 when malformed. */
static int settings_split_server(struct settings *settings)
{
    const char *server = settings->server;
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
    settings->host = strndup(host_start, host_length);
    settings->port = strdup(port != NULL ? port : SETTINGS_DEFAULT_PORT);
    return settings->host != NULL && settings->port != NULL ? 0 : -1;
}

int settings_resolve(struct settings *settings, char *err, size_t err_size)
{
    if (settings_read_config(settings, err, err_size) != 0)
        return -1;
    if (settings_from_env(&settings->server, "SPONA_SERVER") != 0 ||
        settings_from_env(&settings->ca_file, "SPONA_CA") != 0 ||
        settings_from_env(&settings->cert_file, "SPONA_CERT") != 0 ||
        settings_from_env(&settings->key_file, "SPONA_KEY") != 0 ||
        settings_from_env(&settings->user, "SPONA_USER") != 0 ||
        settings_from_env(&settings->session_file, "SPONA_SESSION_FILE") != 0 ||
        settings_from_env(&settings->lang, "SPONA_LANG") != 0 ||
        settings_from_flag(&settings->lang, settings->flag_lang) != 0 ||
        settings_from_flag(&settings->server, settings->flag_server) != 0 ||
        settings_from_flag(&settings->ca_file, settings->flag_ca) != 0 ||
        settings_from_flag(&settings->cert_file, settings->flag_cert) != 0 ||
        settings_from_flag(&settings->key_file, settings->flag_key) != 0 ||
        settings_from_flag(&settings->user, settings->flag_user) != 0 ||
        settings_from_flag(&settings->session_file, settings->flag_session_file) != 0)
        goto out_of_memory;
    if (settings->server == NULL && settings_set(&settings->server, SETTINGS_DEFAULT_SERVER) != 0)
        goto out_of_memory;
    if (settings->session_file == NULL) {
        settings->session_file = xdg_path("XDG_STATE_HOME", ".local/state", "session");
        if (settings->session_file == NULL) {
            snprintf(err, err_size, _("no home directory for the session file: set "
                                    "SPONA_SESSION_FILE or session_file in the config file"));
            return -1;
        }
    }
    if (settings_split_server(settings) != 0) {
        snprintf(err, err_size, _("invalid server address '%s': expected HOST:PORT"),
                 settings->server);
        return -1;
    }
    return 0;

out_of_memory:
    snprintf(err, err_size, _("out of memory"));
    return -1;
}

void settings_free(struct settings *settings)
{
    char **owned[] = {
        &settings->password_file, &settings->server,
        &settings->host,        &settings->port,          &settings->ca_file,
        &settings->cert_file,   &settings->key_file,      &settings->user,
        &settings->session_file, &settings->config_file,  &settings->flag_server,
        &settings->flag_ca,     &settings->flag_cert,     &settings->flag_key,
        &settings->flag_user,   &settings->flag_session_file, &settings->flag_config,
        &settings->lang,        &settings->flag_lang,
    };
    for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
        free(*owned[i]);
        *owned[i] = NULL;
    }
}
