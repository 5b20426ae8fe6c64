/*
 * Settings of the spona CLI (see settings.h). Flags come from getopt_long; the
 * config file, the environment, the defaults and which value wins are the client
 * library's (client/lib/client_config.c), shared with spona-desktop.
 */
#include "settings.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_config.h"

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

int settings_resolve(struct settings *settings, char *err, size_t err_size)
{
    const struct spona_config_given given = {
        .config_file = settings->flag_config,
        .server = settings->flag_server,
        .ca_file = settings->flag_ca,
        .cert_file = settings->flag_cert,
        .key_file = settings->flag_key,
        .user = settings->flag_user,
        .session_file = settings->flag_session_file,
        .lang = settings->flag_lang,
    };
    struct spona_config config;
    int rc = spona_config_load(&config, &given, err, err_size);
    /* the strings move into settings (freed by settings_free), even after a failure */
    char **from[] = { &config.server,    &config.host,         &config.port,
                      &config.ca_file,   &config.cert_file,    &config.key_file,
                      &config.user,      &config.session_file, &config.config_file,
                      &config.lang };
    char **to[] = { &settings->server,    &settings->host,         &settings->port,
                    &settings->ca_file,   &settings->cert_file,    &settings->key_file,
                    &settings->user,      &settings->session_file, &settings->config_file,
                    &settings->lang };
    for (size_t i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
        free(*to[i]);
        *to[i] = *from[i];
        *from[i] = NULL;
    }
    return rc;
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
