/*
 * Database connections of the worker threads (see db.h). SQL text lives in
 * the statement tables of each subject (handlers_*.c); this file only
 * prepares and runs them.
 */
#include "db.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "outage_log.h"
#include "statements.h"

static int db_prepare_all(struct db *db, char *err, size_t err_size)
{
    for (const struct db_statement *const *table = statement_tables; *table; table++) {
        for (const struct db_statement *statement = *table; statement->name; statement++) {
            PGresult *result = PQprepare(db->conn, statement->name, statement->sql, 0, NULL);
            int ok = PQresultStatus(result) == PGRES_COMMAND_OK;
            if (!ok)
                snprintf(err, err_size, "preparing %s: %s", statement->name,
                         PQresultErrorMessage(result));
            PQclear(result);
            if (!ok)
                return -1;
        }
    }
    return 0;
}

static int db_connect(struct db *db, char *err, size_t err_size)
{
    db->conn = PQconnectdb(db->dsn);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        snprintf(err, err_size, "database connection failed: %s", PQerrorMessage(db->conn));
        err[strcspn(err, "\n")] = '\0';
        PQfinish(db->conn);
        db->conn = NULL;
        return -1;
    }
    return db_prepare_all(db, err, err_size);
}

int db_open(struct db *db, const char *dsn, char *err, size_t err_size)
{
    memset(db, 0, sizeof(*db));
    snprintf(db->dsn, sizeof(db->dsn), "%s", dsn);
    if (db_connect(db, err, err_size) != 0) {
        db_close(db);
        return -1;
    }
    return 0;
}

void db_close(struct db *db)
{
    if (db->conn != NULL)
        PQfinish(db->conn);
    db->conn = NULL;
    db->in_transaction = 0;
    if (db->cache != NULL && db->cache_free != NULL)
        db->cache_free(db->cache);
    db->cache = NULL;
}

static int db_reconnect(struct db *db)
{
    char err[512];
    if (db->conn != NULL)
        PQfinish(db->conn);
    db->conn = NULL;
    if (db_connect(db, err, sizeof(err)) != 0) {
        outage_log_failure(err); /* one line per window, not one per request */
        db_close(db);
        return -1;
    }
    outage_log_recovered();
    return 0;
}

PGresult *db_exec(struct db *db, const char *name, int param_count, const char *const *params)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
            if (db->in_transaction || db_reconnect(db) != 0)
                return NULL;
        }
        PGresult *result = PQexecPrepared(db->conn, name, param_count, params, NULL, NULL, 0);
        if (PQstatus(db->conn) == CONNECTION_OK)
            return result;
        if (db->in_transaction) {
            PQclear(result);
            return NULL; /* the transaction is gone with the connection */
        }
        PQclear(result); /* connection lost mid-query: retry once on a new one */
    }
    return NULL;
}

int db_ok(const PGresult *result, const char *name)
{
    ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        return 1;
    char message[512];
    snprintf(message, sizeof(message), "%s", PQresultErrorMessage(result));
    message[strcspn(message, "\n")] = '\0';
    log_error("statement %s failed: %s", name, message);
    return 0;
}

int db_command(struct db *db, const char *sql)
{
    if (db->conn == NULL)
        return -1;
    PGresult *result = PQexec(db->conn, sql);
    int ok = db_ok(result, sql);
    PQclear(result);
    return ok ? 0 : -1;
}

int db_begin(struct db *db)
{
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
        if (db_reconnect(db) != 0)
            return -1;
    }
    if (db_command(db, "BEGIN") != 0)
        return -1;
    db->in_transaction = 1;
    return 0;
}

int db_commit(struct db *db)
{
    int result = db_command(db, "COMMIT");
    db->in_transaction = 0;
    return result;
}

void db_rollback(struct db *db)
{
    if (db->in_transaction && db->conn != NULL)
        (void)db_command(db, "ROLLBACK");
    db->in_transaction = 0;
}

void db_copy(const PGresult *result, int row, int column, char *out, size_t out_size)
{
    if (row >= PQntuples(result) || PQgetisnull(result, row, column)) {
        out[0] = '\0';
        return;
    }
    snprintf(out, out_size, "%s", PQgetvalue(result, row, column));
}
