/*
 * Server configuration: INI text (parsed by inih) into struct server_config.
 * Unknown sections and keys are errors, so a typo never silently falls back
 * to a default. Nothing here opens sockets, files other than the config, or
 * the database.
 */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"

/* inih (as Debian builds it) gives handlers no line number; the parser returns the
 * line of the first error instead, so the message is kept here and prefixed later. */
struct parse_state {
    struct server_config *config;
    char message[400];
    int failed;
};

void config_defaults(struct server_config *config)
{
    memset(config, 0, sizeof(*config));
    snprintf(config->listen_host, sizeof(config->listen_host), "127.0.0.1");
    snprintf(config->listen_port, sizeof(config->listen_port), "7443");
    config->io_threads = 0;
    config->workers = 4;
    config->max_frame_bytes = 1024u * 1024u;
    config->max_frame_bytes_before_login = 16u * 1024u;
    config->max_connection_bytes = 16u * 1024u * 1024u;
    config->max_connections = 1024;
    config->max_connections_per_institution = 256;
    config->max_handshakes = 128;
    config->max_handshakes_per_address = 32;
    config->handshake_timeout_seconds = 10;
    config->frame_timeout_seconds = 10;
    config->idle_timeout_seconds = 600;
    config->max_pipelined = 256;
    config->shutdown_grace_seconds = 10;
    snprintf(config->certificate, sizeof(config->certificate), "server.crt");
    snprintf(config->private_key, sizeof(config->private_key), "server.key");
    snprintf(config->client_ca_file, sizeof(config->client_ca_file), "ca.crt");
    config->session_cache_size = 8192;
    config->session_timeout_seconds = 3600;
    snprintf(config->dsn, sizeof(config->dsn), "dbname=spona user=spona_app");
    snprintf(config->admin_dsn, sizeof(config->admin_dsn), "dbname=spona user=spona_owner");
    snprintf(config->migrations_dir, sizeof(config->migrations_dir), "sql");
    config->max_failed_logins = 5;
    config->lockout_seconds = 900;
    config->session_idle_seconds = 1800;
    config->session_max_seconds = 43200;
    config->max_sessions_per_user = 5;
    config->scrypt_log2_n = 15;
    config->login_attempts_per_address = 30;
    config->login_attempts_per_institution = 300;
    config->login_attempts_per_user = 10;
    config->login_hash_threads = 0;
    config->login_hash_queue = 16;
    config->region_cert_days = 825;
    config->region_crl_days = 30;
    config->log_level = LOG_LEVEL_INFO;
    config->log_syslog = 0;
}

static int parse_int(const char *value, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long number = strtol(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || number < min || number > max)
        return -1;
    *out = number;
    return 0;
}

static int parse_bool(const char *value, int *out)
{
    if (strcasecmp(value, "true") == 0 || strcasecmp(value, "yes") == 0 ||
        strcmp(value, "1") == 0 || strcasecmp(value, "on") == 0) {
        *out = 1;
        return 0;
    }
    if (strcasecmp(value, "false") == 0 || strcasecmp(value, "no") == 0 ||
        strcmp(value, "0") == 0 || strcasecmp(value, "off") == 0) {
        *out = 0;
        return 0;
    }
    return -1;
}

/* Splits "host:port", "[v6]:port" or "host" (port kept). */
static int parse_listen(struct server_config *config, const char *value)
{
    const char *host = value;
    size_t host_len;
    const char *port = NULL;
    if (value[0] == '[') {
        const char *close = strchr(value, ']');
        if (close == NULL)
            return -1;
        host = value + 1;
        host_len = (size_t)(close - host);
        if (close[1] == ':')
            port = close + 2;
        else if (close[1] != '\0')
            return -1;
    } else {
        const char *colon = strrchr(value, ':');
        if (colon != NULL && strchr(value, ':') != colon)
            return -1; /* a bare IPv6 address needs brackets */
        host_len = colon ? (size_t)(colon - value) : strlen(value);
        if (colon)
            port = colon + 1;
    }
    if (host_len == 0 || host_len >= sizeof(config->listen_host))
        return -1;
    memcpy(config->listen_host, host, host_len);
    config->listen_host[host_len] = '\0';
    if (port != NULL) {
        long number;
        if (parse_int(port, 1, 65535, &number) != 0)
            return -1;
        snprintf(config->listen_port, sizeof(config->listen_port), "%ld", number);
    }
    return 0;
}

enum key_type { KEY_STRING, KEY_INT, KEY_UINT32, KEY_BOOL, KEY_LISTEN, KEY_LOG_LEVEL, KEY_MODE };

struct config_key {
    const char *section;
    const char *name;
    enum key_type type;
    size_t offset;
    size_t size; /* string capacity or int width */
    long min, max;
};

#define STR(sec, key, field)                                                              \
    {sec, key, KEY_STRING, offsetof(struct server_config, field),                         \
     sizeof(((struct server_config *)0)->field), 0, 0}
#define INT(sec, key, field, lo, hi)                                                      \
    {sec, key, KEY_INT, offsetof(struct server_config, field),                            \
     sizeof(((struct server_config *)0)->field), lo, hi}

static const struct config_key config_keys[] = {
    {"server", "mode", KEY_MODE, 0, 0, 0, 0},
    {"server", "listen", KEY_LISTEN, 0, 0, 0, 0},
    INT("server", "io_threads", io_threads, 0, 64),
    INT("server", "workers", workers, 1, 256),
    {"server", "max_frame_bytes", KEY_UINT32, offsetof(struct server_config, max_frame_bytes),
     sizeof(uint32_t), 64, 64L * 1024 * 1024},
    {"server", "max_frame_bytes_before_login", KEY_UINT32,
     offsetof(struct server_config, max_frame_bytes_before_login), sizeof(uint32_t), 64,
     64L * 1024 * 1024},
    {"server", "max_connection_bytes", KEY_UINT32,
     offsetof(struct server_config, max_connection_bytes), sizeof(uint32_t), 64 * 1024,
     1024L * 1024 * 1024},
    INT("server", "max_connections", max_connections, 1, 1000000),
    INT("server", "max_connections_per_institution", max_connections_per_institution, 1,
        1000000),
    INT("server", "max_handshakes", max_handshakes, 1, 100000),
    INT("server", "max_handshakes_per_address", max_handshakes_per_address, 1, 100000),
    INT("server", "handshake_timeout_seconds", handshake_timeout_seconds, 1, 300),
    INT("server", "frame_timeout_seconds", frame_timeout_seconds, 1, 3600),
    INT("server", "idle_timeout_seconds", idle_timeout_seconds, 1, 86400 * 7),
    INT("server", "max_pipelined", max_pipelined, 1, 100000),
    INT("server", "shutdown_grace_seconds", shutdown_grace_seconds, 0, 3600),
    STR("server", "pid_file", pid_file),
    STR("tls", "certificate", certificate),
    STR("tls", "private_key", private_key),
    STR("tls", "client_ca_file", client_ca_file),
    STR("tls", "crl_file", crl_file),
    INT("tls", "session_cache_size", session_cache_size, 0, 1000000),
    INT("tls", "session_timeout_seconds", session_timeout_seconds, 10, 86400),
    STR("database", "dsn", dsn),
    STR("database", "admin_dsn", admin_dsn),
    STR("database", "migrations_dir", migrations_dir),
    INT("auth", "max_failed_logins", max_failed_logins, 1, 1000),
    INT("auth", "lockout_seconds", lockout_seconds, 1, 86400 * 30),
    INT("auth", "session_idle_seconds", session_idle_seconds, 10, 86400 * 7),
    INT("auth", "session_max_seconds", session_max_seconds, 10, 86400 * 30),
    INT("auth", "max_sessions_per_user", max_sessions_per_user, 1, 1000),
    INT("auth", "scrypt_log2_n", scrypt_log2_n, 10, 20),
    INT("auth", "login_attempts_per_address", login_attempts_per_address, 1, 1000000),
    INT("auth", "login_attempts_per_institution", login_attempts_per_institution, 1, 1000000),
    INT("auth", "login_attempts_per_user", login_attempts_per_user, 1, 1000000),
    INT("auth", "login_hash_threads", login_hash_threads, 0, 64),
    INT("auth", "login_hash_queue", login_hash_queue, 0, 100000),
    STR("region", "ca_cert", region_ca_cert),
    STR("region", "ca_key", region_ca_key),
    STR("region", "crl", region_crl),
    INT("region", "cert_days", region_cert_days, 1, 3650),
    INT("region", "crl_days", region_crl_days, 1, 365),
    {"log", "level", KEY_LOG_LEVEL, 0, 0, 0, 0},
    {"log", "syslog", KEY_BOOL, offsetof(struct server_config, log_syslog), sizeof(int), 0, 0},
};

static int config_set(struct server_config *config, const struct config_key *key,
                      const char *value)
{
    char *field = (char *)config + key->offset;
    long number;
    int flag;
    switch (key->type) {
    case KEY_STRING:
        if (strlen(value) >= key->size)
            return -1;
        memcpy(field, value, strlen(value) + 1);
        return 0;
    case KEY_INT:
        if (parse_int(value, key->min, key->max, &number) != 0)
            return -1;
        *(int *)(void *)field = (int)number;
        return 0;
    case KEY_UINT32:
        if (parse_int(value, key->min, key->max, &number) != 0)
            return -1;
        *(uint32_t *)(void *)field = (uint32_t)number;
        return 0;
    case KEY_BOOL:
        if (parse_bool(value, &flag) != 0)
            return -1;
        *(int *)(void *)field = flag;
        return 0;
    case KEY_LISTEN:
        return parse_listen(config, value);
    case KEY_MODE:
        if (strcmp(value, "municipal") == 0)
            config->mode = SERVER_MODE_MUNICIPAL;
        else if (strcmp(value, "regional") == 0)
            config->mode = SERVER_MODE_REGIONAL;
        else
            return -1;
        return 0;
    case KEY_LOG_LEVEL:
        flag = log_level_parse(value);
        if (flag < 0)
            return -1;
        config->log_level = flag;
        return 0;
    }
    return -1;
}

static int config_handler(void *user, const char *section, const char *name,
                          const char *value)
{
    struct parse_state *state = user;
    if (state->failed)
        return 1; /* keep the first error's line */
    for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
        const struct config_key *key = &config_keys[i];
        if (strcmp(key->section, section) != 0 || strcmp(key->name, name) != 0)
            continue;
        if (config_set(state->config, key, value) != 0) {
            if (key->type == KEY_INT || key->type == KEY_UINT32)
                snprintf(state->message, sizeof(state->message),
                         "[%s] %s = '%s': expected an integer from %ld to %ld", section, name,
                         value, key->min, key->max);
            else if (key->type == KEY_MODE)
                snprintf(state->message, sizeof(state->message),
                         "[%s] %s = '%s': expected municipal or regional", section, name, value);
            else
                snprintf(state->message, sizeof(state->message), "[%s] %s = '%s': invalid value",
                         section, name, value);
            state->failed = 1;
            return 0;
        }
        return 1;
    }
    snprintf(state->message, sizeof(state->message), "unknown key '%s' in section [%s]", name,
             section);
    state->failed = 1;
    return 0;
}

/* Turns inih's result into 0 or -1 with "line N: ..." in err. */
static int config_result(const struct parse_state *state, int result, const char *prefix,
                         char *err, size_t err_size)
{
    if (result == 0 && !state->failed)
        return 0;
    if (result == -1)
        snprintf(err, err_size, "%scannot read the file", prefix);
    else if (state->failed)
        snprintf(err, err_size, "%sline %d: %s", prefix, result, state->message);
    else
        snprintf(err, err_size, "%sline %d: syntax error", prefix, result);
    return -1;
}

int config_parse_string(struct server_config *config, const char *text, char *err,
                        size_t err_size)
{
    struct parse_state state = {config, "", 0};
    int result = ini_parse_string(text, config_handler, &state);
    return config_result(&state, result, "", err, err_size);
}

int config_load(struct server_config *config, const char *path, char *err, size_t err_size)
{
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct parse_state state = {config, "", 0};
    int result = ini_parse_file(file, config_handler, &state);
    fclose(file);
    char prefix[CONFIG_PATH_MAX + 4];
    snprintf(prefix, sizeof(prefix), "%s: ", path);
    return config_result(&state, result, prefix, err, err_size);
}

int config_validate(const struct server_config *config, char *err, size_t err_size)
{
    static const struct {
        const char *name;
        size_t offset;
    } required[] = {
        {"[tls] certificate", offsetof(struct server_config, certificate)},
        {"[tls] private_key", offsetof(struct server_config, private_key)},
        {"[tls] client_ca_file", offsetof(struct server_config, client_ca_file)},
        {"[database] dsn", offsetof(struct server_config, dsn)},
    };
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        const char *value = (const char *)config + required[i].offset;
        if (value[0] == '\0') {
            snprintf(err, err_size, "%s is required", required[i].name);
            return -1;
        }
    }
    int regional = config->mode == SERVER_MODE_REGIONAL;
    if (regional && config->region_ca_cert[0] == '\0') {
        snprintf(err, err_size, "[region] ca_cert is required in regional mode");
        return -1;
    }
    if (!regional && (config->region_ca_cert[0] != '\0' || config->region_ca_key[0] != '\0' ||
                      config->region_crl[0] != '\0')) {
        snprintf(err, err_size, "[region] keys need [server] mode = regional");
        return -1;
    }
    if (config->session_max_seconds < config->session_idle_seconds) {
        snprintf(err, err_size,
                 "[auth] session_max_seconds (%d) is shorter than session_idle_seconds (%d)",
                 config->session_max_seconds, config->session_idle_seconds);
        return -1;
    }
    return 0;
}
