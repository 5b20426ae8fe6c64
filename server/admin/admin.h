/*
 * Administrative commands of spona-server that register municipalities,
 * institutions (signatories) and their users. They run as the owner role
 * (database.admin_dsn) and are idempotent, so setup scripts can rerun them.
 */
#ifndef SPONA_ADMIN_H
#define SPONA_ADMIN_H

#include "config.h"

/* Returns 1 when name is an admin command. */
int admin_is_command(const char *name);

/* Runs it with its arguments; returns the process exit status. */
int admin_run(const struct server_config *config, const char *name, int argc, char **argv);

#endif
