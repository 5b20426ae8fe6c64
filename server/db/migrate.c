/*
 * Schema migrations (see migrate.h). A session advisory lock keeps two
 * migrating processes from interleaving.
 */
#include "migrate.h"

#include "migration_text.h"

#include <dirent.h>
#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIGRATION_LOCK_KEY "7281934401"
#define MAX_MIGRATIONS 1000

static int is_migration_name(const char *name)
{
    size_t length = strlen(name);
    return length > 8 && name[0] >= '0' && name[0] <= '9' && name[1] >= '0' &&
           name[1] <= '9' && name[2] >= '0' && name[2] <= '9' && name[3] == '_' &&
           strcmp(name + length - 4, ".sql") == 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int exec_ok(PGconn *db, const char *sql, const char *what)
{
    PGresult *result = PQexec(db, sql);
    ExecStatusType status = PQresultStatus(result);
    int ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "spona-server migrate: %s: %s", what, PQresultErrorMessage(result));
    PQclear(result);
    return ok;
}

/* Applies one file of root/folder unless already recorded. Returns 1 applied, 0 skipped,
 * -1 failed. */
static int apply_one(PGconn *db, const char *root, const char *folder, const char *name)
{
    char version[4] = {name[0], name[1], name[2], '\0'};
    const char *params[] = {version, name};
    PGresult *seen = PQexecParams(db, "SELECT name FROM spona_migrations WHERE version = $1::int",
                                  1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(seen) != PGRES_TUPLES_OK) {
        fprintf(stderr, "spona-server migrate: %s", PQresultErrorMessage(seen));
        PQclear(seen);
        return -1;
    }
    if (PQntuples(seen) > 0) {
        int same = strcmp(PQgetvalue(seen, 0, 0), name) == 0;
        if (!same)
            fprintf(stderr, "spona-server migrate: version %s was applied as %s, not %s\n",
                    version, PQgetvalue(seen, 0, 0), name);
        PQclear(seen);
        return same ? 0 : -1;
    }
    PQclear(seen);

    char path[1024];
    snprintf(path, sizeof(path), "%s%s", folder, name);
    char *sql = migration_text_load(root, path);
    if (sql == NULL)
        return -1;
    int ok = exec_ok(db, "BEGIN", "BEGIN") && exec_ok(db, sql, name);
    free(sql);
    if (ok) {
        PGresult *record = PQexecParams(
            db, "INSERT INTO spona_migrations (version, name) VALUES ($1::int, $2)", 2, NULL,
            params, NULL, NULL, 0);
        ok = PQresultStatus(record) == PGRES_COMMAND_OK;
        if (!ok)
            fprintf(stderr, "spona-server migrate: %s", PQresultErrorMessage(record));
        PQclear(record);
    }
    if (!ok) {
        exec_ok(db, "ROLLBACK", "ROLLBACK");
        return -1;
    }
    return exec_ok(db, "COMMIT", "COMMIT") ? 1 : -1;
}

int migrate_run(const struct server_config *config)
{
    int status = 1;
    char *names[MAX_MIGRATIONS];
    int count = 0;
    /* a regional server's database has its own migrations: <migrations_dir>/region */
    const char *folder = config->mode == SERVER_MODE_REGIONAL ? "region/" : "";
    char dir_path[CONFIG_PATH_MAX + 16];
    snprintf(dir_path, sizeof(dir_path), "%s/%s", config->migrations_dir, folder);
    DIR *dir = opendir(dir_path);
    if (dir == NULL) {
        fprintf(stderr, "spona-server migrate: %s: %s\n", dir_path, strerror(errno));
        return 1;
    }
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && count < MAX_MIGRATIONS)
        if (is_migration_name(entry->d_name))
            names[count++] = strdup(entry->d_name);
    closedir(dir);
    qsort(names, (size_t)count, sizeof(names[0]), compare_names);

    PGconn *db = PQconnectdb(config->admin_dsn);
    if (PQstatus(db) != CONNECTION_OK) {
        fprintf(stderr, "spona-server migrate: %s", PQerrorMessage(db));
        goto done;
    }
    PQclear(PQexec(db, "SET client_min_messages = warning"));
    if (!exec_ok(db, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")", "lock") ||
        !exec_ok(db,
                 "CREATE TABLE IF NOT EXISTS spona_migrations ("
                 " version integer PRIMARY KEY, name text NOT NULL,"
                 " applied_at timestamptz NOT NULL DEFAULT now())",
                 "spona_migrations"))
        goto done;
    int applied = 0;
    for (int i = 0; i < count; i++) {
        int result = apply_one(db, config->migrations_dir, folder, names[i]);
        if (result < 0) {
            fprintf(stderr, "spona-server migrate: %s failed; nothing of it was applied\n",
                    names[i]);
            goto done;
        }
        if (result == 1) {
            printf("applied %s\n", names[i]);
            applied++;
        }
    }
    if (applied > 0)
        printf("migrations complete (%d applied)\n", applied);
    else
        printf("schema is up to date\n");
    status = 0;
done:
    PQfinish(db);
    for (int i = 0; i < count; i++)
        free(names[i]);
    return status;
}
