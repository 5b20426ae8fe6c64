/*
 * spona-sync's configuration (docs/region.md, "The agent"): an ini file, section
 * [sync], read with inih. Paths are used as written; the defaults make a nightly run
 * retry for four hours, from 1 s to 5 min between attempts.
 */
#ifndef SPONA_SYNC_CONFIG_H
#define SPONA_SYNC_CONFIG_H

#include <stddef.h>

struct sync_config {
    char region_host[256];      /* region = host:port */
    char region_port[16];
    char ca_file[1024];         /* the CA that issued the regional server's certificate */
    char certificate[1024];     /* the municipality's sync certificate (issued by the region) */
    char private_key[1024];     /* its key */
    char dsn[1024];             /* the municipal database */
    char crl_file[1024];        /* where the municipal server reads the CRL ("": not written) */
    char server_pid_file[1024]; /* the municipal server's pid file: SIGHUP after a new CRL */
    int retry_for_seconds;      /* how long a run keeps retrying (the night window) */
    int retry_initial_ms;       /* the first wait; doubled after each failed attempt */
    int retry_max_ms;           /* the longest wait */
    int timeout_ms;             /* per read or write on the connection to the region */
    int max_links;              /* audit-chain links in one audit_heads batch */
};

/* Reads path into config (defaults first). 0, or -1 with a one-line reason in err. */
int sync_config_load(const char *path, struct sync_config *config, char *err, size_t err_size);

#endif
