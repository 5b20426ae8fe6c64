/*
 * spona-sync's configuration (see sync_config.h).
 */
#include "sync_config.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct config_state {
    struct sync_config *config;
    char *err;
    size_t err_size;
};

static int config_text(char *out, size_t out_size, const char *value)
{
    int n = snprintf(out, out_size, "%s", value);
    return n >= 0 && (size_t)n < out_size;
}

static int config_int(int *out, const char *value, int low, int high)
{
    char *end;
    long number = strtol(value, &end, 10);
    if (*value == '\0' || *end != '\0' || number < low || number > high)
        return 0;
    *out = (int)number;
    return 1;
}

static int config_region(struct sync_config *config, const char *value)
{
    const char *colon = strrchr(value, ':');
    if (colon == NULL || colon == value || colon[1] == '\0' ||
        (size_t)(colon - value) >= sizeof(config->region_host))
        return 0;
    memcpy(config->region_host, value, (size_t)(colon - value));
    config->region_host[colon - value] = '\0';
    return config_text(config->region_port, sizeof(config->region_port), colon + 1);
}

static int config_key(void *user, const char *section, const char *name, const char *value)
{
    struct config_state *state = user;
    struct sync_config *c = state->config;
    int ok = 0;
    if (strcmp(section, "sync") != 0)
        ok = 1; /* other sections (a shared file) are not ours */
    else if (strcmp(name, "region") == 0)
        ok = config_region(c, value);
    else if (strcmp(name, "ca_file") == 0)
        ok = config_text(c->ca_file, sizeof(c->ca_file), value);
    else if (strcmp(name, "certificate") == 0)
        ok = config_text(c->certificate, sizeof(c->certificate), value);
    else if (strcmp(name, "private_key") == 0)
        ok = config_text(c->private_key, sizeof(c->private_key), value);
    else if (strcmp(name, "dsn") == 0)
        ok = config_text(c->dsn, sizeof(c->dsn), value);
    else if (strcmp(name, "crl_file") == 0)
        ok = config_text(c->crl_file, sizeof(c->crl_file), value);
    else if (strcmp(name, "server_pid_file") == 0)
        ok = config_text(c->server_pid_file, sizeof(c->server_pid_file), value);
    else if (strcmp(name, "retry_for_seconds") == 0)
        ok = config_int(&c->retry_for_seconds, value, 0, 86400);
    else if (strcmp(name, "retry_initial_ms") == 0)
        ok = config_int(&c->retry_initial_ms, value, 1, 3600000);
    else if (strcmp(name, "retry_max_ms") == 0)
        ok = config_int(&c->retry_max_ms, value, 1, 3600000);
    else if (strcmp(name, "timeout_ms") == 0)
        ok = config_int(&c->timeout_ms, value, 100, 600000);
    else if (strcmp(name, "max_links") == 0)
        ok = config_int(&c->max_links, value, 1, 100000);
    if (!ok && state->err[0] == '\0')
        snprintf(state->err, state->err_size, "[%s] %s: unknown key or bad value '%s'", section,
                 name, value);
    return 1;
}

int sync_config_load(const char *path, struct sync_config *config, char *err, size_t err_size)
{
    memset(config, 0, sizeof(*config));
    config->retry_for_seconds = 4 * 3600;
    config->retry_initial_ms = 1000;
    config->retry_max_ms = 300000;
    config->timeout_ms = 30000;
    config->max_links = 150; /* a batch under the 16 KiB frame limit before login */
    err[0] = '\0';
    struct config_state state = {config, err, err_size};
    int line = ini_parse(path, config_key, &state);
    if (line < 0) {
        snprintf(err, err_size, "cannot read %s", path);
        return -1;
    }
    if (line > 0 && err[0] == '\0')
        snprintf(err, err_size, "%s: syntax error on line %d", path, line);
    if (err[0] != '\0')
        return -1;
    if (config->region_host[0] == '\0' || config->certificate[0] == '\0' ||
        config->private_key[0] == '\0' || config->dsn[0] == '\0' || config->ca_file[0] == '\0') {
        snprintf(err, err_size, "%s: [sync] needs region, ca_file, certificate, private_key "
                 "and dsn", path);
        return -1;
    }
    return 0;
}
