/*
 * The server's configuration: an INI file (deploy/spona-server.conf.example
 * documents every key) parsed once into a plain struct. Parsing never touches
 * the network, the database or TLS files; config_validate checks values.
 */
#ifndef SPONA_SERVER_CONFIG_H
#define SPONA_SERVER_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CONFIG_PATH_MAX 1024
#define CONFIG_DSN_MAX 1024

/* [server] mode: a municipality's server (the default) or the region's (docs/region.md). */
enum server_mode { SERVER_MODE_MUNICIPAL = 0, SERVER_MODE_REGIONAL = 1 };

struct server_config {
    /* [server] */
    int mode;                    /* enum server_mode */
    char listen_host[256];
    char listen_port[16];
    int io_threads;              /* 0: one per core */
    int workers;
    uint32_t max_frame_bytes;
    uint32_t max_frame_bytes_before_login; /* until the connection has a session */
    uint32_t max_connection_bytes; /* decoded, unanswered requests plus queued output */
    int max_connections;
    int max_connections_per_institution; /* server-wide, once identified */
    int max_handshakes;              /* unfinished TLS handshakes per io thread */
    int max_handshakes_per_address;  /* of them from one source address */
    int handshake_timeout_seconds;   /* absolute, from accept */
    int frame_timeout_seconds;       /* a frame begun must be complete within this */
    int idle_timeout_seconds;        /* no request for this long: closed */
    int max_pipelined;
    int shutdown_grace_seconds;
    char pid_file[CONFIG_PATH_MAX];
    /* [tls] */
    char certificate[CONFIG_PATH_MAX];
    char private_key[CONFIG_PATH_MAX];
    char client_ca_file[CONFIG_PATH_MAX];
    char crl_file[CONFIG_PATH_MAX];
    int session_cache_size;      /* TLS sessions kept for resumption; 0: no resumption */
    int session_timeout_seconds; /* how long a TLS session may be resumed */
    /* [database] */
    char dsn[CONFIG_DSN_MAX];
    char admin_dsn[CONFIG_DSN_MAX];
    char migrations_dir[CONFIG_PATH_MAX];
    /* [auth] */
    int max_failed_logins;
    int lockout_seconds;
    int session_idle_seconds;
    int session_max_seconds;
    int max_sessions_per_user; /* a login beyond it ends the user's oldest open session */
    int scrypt_log2_n;
    int login_attempts_per_address;     /* per minute, unknown usernames included */
    int login_attempts_per_institution; /* per minute */
    int login_attempts_per_user;        /* per minute, per institution and username */
    int login_hash_threads;             /* scrypt threads apart from workers; 0: cores/2, >= 1 */
    int login_hash_queue;               /* logins waiting for them; beyond: refused at once */
    /* [region] (docs/region.md): only in regional mode */
    char region_ca_cert[CONFIG_PATH_MAX];
    char region_ca_key[CONFIG_PATH_MAX]; /* empty: offline CA (certificates uploaded) */
    char region_crl[CONFIG_PATH_MAX];    /* where the CRL the region publishes is written */
    int region_cert_days;                /* validity of a certificate the region issues */
    int region_crl_days;                 /* next update of a CRL the region publishes */
    /* [log] */
    int log_level;               /* enum log_level */
    int log_syslog;
};

/* Fills every field with its documented default. */
void config_defaults(struct server_config *config);

/*
 * Parses INI text over the current values (call config_defaults first).
 * Returns 0, or -1 with "line N: ..." in err for a syntax error, an unknown
 * section or key, or a value of the wrong type.
 */
int config_parse_string(struct server_config *config, const char *text, char *err,
                        size_t err_size);

/* Same, from a file; a missing file is an error naming it. */
int config_load(struct server_config *config, const char *path, char *err, size_t err_size);

/* Checks ranges and required keys (certificate, private_key, client_ca_file, dsn). */
int config_validate(const struct server_config *config, char *err, size_t err_size);

#endif
