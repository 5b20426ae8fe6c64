/*
 * A worker's PostgreSQL connection: connect, prepare every named statement
 * once, execute them by name with text parameters. Reconnects once when the
 * connection was lost. Only worker threads (and the admin commands) use this;
 * an io thread never waits on the database.
 */
#ifndef SPONA_DB_H
#define SPONA_DB_H

#include <libpq-fe.h>
#include <stddef.h>

/* A named statement; tables of these live with the handlers that use them. */
struct db_statement {
    const char *name;
    const char *sql;
};

#define DB_BUILT_SLOTS 8

struct db {
    PGconn *conn;
    const struct db_statement *const *tables; /* prepared on every (re)connection */
    char dsn[1024];
    int in_transaction;        /* a lost connection then fails the request, never retries */
    void *cache;               /* per-worker cache owned by access.c */
    void (*cache_free)(void *cache);
    const char *built[DB_BUILT_SLOTS]; /* statements built at run time, prepared on this
                                          connection by db_exec_built (names, static) */
    int built_count;
};

/* Connects and prepares every statement of tables (NULL-terminated: statement_tables, or
 * region_statement_tables in regional mode). Returns 0, or -1 with err set. */
int db_open(struct db *db, const char *dsn, const struct db_statement *const *tables,
            char *err, size_t err_size);

void db_close(struct db *db);

/*
 * Executes a prepared statement. Returns the result (caller PQclear()s) or NULL
 * when the database is unreachable even after one reconnect. A result whose
 * status is an error is returned as is; db_ok() tells.
 */
PGresult *db_exec(struct db *db, const char *name, int param_count, const char *const *params);

/* True when the result is PGRES_COMMAND_OK or PGRES_TUPLES_OK; logs the error otherwise. */
int db_ok(const PGresult *result, const char *name);

/* Runs a plain command; 0 on success. */
int db_command(struct db *db, const char *sql);

/*
 * Runs sql, a statement the caller builds at run time but always the same for `name` (a
 * static string), as a statement prepared on this connection the first time: planned
 * once per connection instead of on every call. Returns the result (caller PQclear()s)
 * or NULL when the connection is lost. Never retries (it runs inside a transaction).
 */
PGresult *db_exec_built(struct db *db, const char *name, const char *sql, int param_count,
                        const char *const *params);

/*
 * The prepared statement `name` and COMMIT in one round trip (pipeline mode): the
 * statement's result (NULL when the connection was lost) and *committed = 1 when the
 * transaction committed. When it did not (the statement failed, so COMMIT rolled back,
 * or the connection broke), the transaction is over or aborted: roll back.
 */
PGresult *db_exec_commit(struct db *db, const char *name, int param_count,
                         const char *const *params, int *committed);

/*
 * Two prepared statements with the same parameters in one round trip (pipeline mode),
 * inside the open transaction: their results in out[] (caller clears; check each with
 * db_ok). -1 with out[] NULL when the connection was lost. Never retries.
 */
int db_exec_pair(struct db *db, const char *first_name, const char *second_name,
                 int param_count, const char *const *params, PGresult *out[2]);

/* Transactions: db_exec does not retry inside one. 0 on success. */
int db_begin(struct db *db);

/*
 * BEGIN and the prepared statement `name` in one round trip (libpq's pipeline mode).
 * Returns the statement's result (caller clears; check it with db_ok) with the
 * transaction open, or NULL when the database could not be reached or BEGIN failed
 * (no transaction then).
 */
PGresult *db_begin_exec(struct db *db, const char *name, int param_count,
                        const char *const *params);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/* Copies column `column` of row 0 into out (empty when NULL). */
void db_copy(const PGresult *result, int row, int column, char *out, size_t out_size);

#endif
