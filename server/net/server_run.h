/*
 * Entry point of the serving process (`spona-server run`).
 */
#ifndef SPONA_SERVER_RUN_H
#define SPONA_SERVER_RUN_H

#include "config.h"

/* Serves until SIGTERM or SIGINT; returns the process exit status. */
int server_run(const struct server_config *config);

#endif
