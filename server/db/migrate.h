/*
 * `spona-server migrate`: applies sql/NNN_name.sql files in order, each once,
 * each in its own transaction, recording them in spona_migrations. Runs as the
 * owner role (database.admin_dsn), never as the server's own role.
 */
#ifndef SPONA_MIGRATE_H
#define SPONA_MIGRATE_H

#include "config.h"

/* Returns the process exit status; prints what it applied to stdout. */
int migrate_run(const struct server_config *config);

#endif
