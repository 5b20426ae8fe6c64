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
    for (const struct db_statement *const *table = db->tables; *table; table++) {
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

int db_open(struct db *db, const char *dsn, const struct db_statement *const *tables,
            char *err, size_t err_size)
{
    memset(db, 0, sizeof(*db));
    db->tables = tables != NULL ? tables : statement_tables;
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
    db->built_count = 0;
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
    db->built_count = 0; /* statements prepared on the old connection are gone with it */
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

PGresult *db_exec_built(struct db *db, const char *name, const char *sql, int param_count,
                        const char *const *params)
{
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
        return NULL;
    int known = 0;
    for (int i = 0; i < db->built_count && !known; i++)
        known = strcmp(db->built[i], name) == 0;
    if (!known && db->built_count < DB_BUILT_SLOTS) {
        PGresult *prepared = PQprepare(db->conn, name, sql, param_count, NULL);
        int ok = PQresultStatus(prepared) == PGRES_COMMAND_OK;
        if (!ok) /* e.g. the transaction has failed: the caller gets that error */
            return prepared;
        PQclear(prepared);
        db->built[db->built_count++] = name;
        known = 1;
    }
    PGresult *result = known ? PQexecPrepared(db->conn, name, param_count, params, NULL, NULL, 0)
                             : PQexecParams(db->conn, sql, param_count, NULL, params, NULL,
                                            NULL, 0);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        PQclear(result);
        return NULL;
    }
    return result;
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

/*
 * Reads the first result of each of the two queries of a pipeline, up to its sync
 * point, into out[] (NULL where a query gave none). 0 when the sync point was reached,
 * -1 when the connection broke first (out[] cleared).
 */
static int db_pipeline_pair(PGconn *conn, PGresult *out[2])
{
    int query = 0;
    out[0] = out[1] = NULL;
    for (int guard = 0; guard < 16; guard++) {
        PGresult *result = PQgetResult(conn);
        if (result == NULL) {
            if (PQstatus(conn) != CONNECTION_OK)
                break;
            query++; /* the end of one query's results */
            continue;
        }
        if (PQresultStatus(result) == PGRES_PIPELINE_SYNC) {
            PQclear(result);
            return 0;
        }
        if (query < 2 && out[query] == NULL)
            out[query] = result;
        else
            PQclear(result);
    }
    PQclear(out[0]);
    PQclear(out[1]);
    out[0] = out[1] = NULL;
    return -1;
}

/*
 * Sends two queries in one round trip (libpq's pipeline mode): `first` as text when
 * first_name is NULL, else the prepared first_name; then `second` as text, or the
 * prepared second_name. Their results in out[]; -1 when nothing came back (the
 * connection is then dropped when its state is unknown).
 */
static int db_pipeline(struct db *db, const char *first_name, const char *first,
                       const char *second_name, const char *second, int param_count,
                       const char *const *params, PGresult *out[2])
{
    out[0] = out[1] = NULL;
    if (PQenterPipelineMode(db->conn) != 1)
        return -1;
    int sent =
        (first_name != NULL
             ? PQsendQueryPrepared(db->conn, first_name, param_count, params, NULL, NULL, 0)
             : PQsendQueryParams(db->conn, first, 0, NULL, NULL, NULL, NULL, 0)) == 1 &&
        (second_name != NULL
             ? PQsendQueryPrepared(db->conn, second_name, param_count, params, NULL, NULL, 0)
             : PQsendQueryParams(db->conn, second, 0, NULL, NULL, NULL, NULL, 0)) == 1 &&
        PQpipelineSync(db->conn) == 1;
    int done = sent ? db_pipeline_pair(db->conn, out) : -1;
    if (PQexitPipelineMode(db->conn) != 1) {
        log_error("cannot leave pipeline mode: %s", PQerrorMessage(db->conn));
        PQclear(out[0]);
        PQclear(out[1]);
        out[0] = out[1] = NULL;
        PQfinish(db->conn); /* a connection in an unknown state is not reused */
        db->conn = NULL;
        db->built_count = 0;
        return -1;
    }
    return done;
}

PGresult *db_begin_exec(struct db *db, const char *name, int param_count,
                        const char *const *params)
{
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
        if (db_reconnect(db) != 0)
            return NULL;
    }
    PGresult *out[2];
    int done = db_pipeline(db, NULL, "BEGIN", name, NULL, param_count, params, out);
    int begun = done == 0 && out[0] != NULL && PQresultStatus(out[0]) == PGRES_COMMAND_OK;
    if (done == 0 && !begun && out[0] != NULL)
        db_ok(out[0], "BEGIN");
    PQclear(out[0]);
    if (!begun || out[1] == NULL) {
        PQclear(out[1]);
        if (db->conn != NULL && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
            db_command(db, "ROLLBACK");
        return NULL;
    }
    db->in_transaction = 1;
    return out[1];
}

PGresult *db_exec_commit(struct db *db, const char *name, int param_count,
                         const char *const *params, int *committed)
{
    *committed = 0;
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
        return NULL;
    PGresult *out[2];
    int done = db_pipeline(db, name, NULL, NULL, "COMMIT", param_count, params, out);
    *committed = done == 0 && out[1] != NULL && PQresultStatus(out[1]) == PGRES_COMMAND_OK &&
                 strcmp(PQcmdStatus(out[1]), "COMMIT") == 0;
    PQclear(out[1]);
    if (*committed)
        db->in_transaction = 0;
    return out[0];
}

int db_exec_pair(struct db *db, const char *first_name, const char *second_name,
                 int param_count, const char *const *params, PGresult *out[2])
{
    out[0] = out[1] = NULL;
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
        return -1;
    if (db_pipeline(db, first_name, NULL, second_name, NULL, param_count, params, out) != 0 ||
        out[0] == NULL || out[1] == NULL) {
        PQclear(out[0]);
        PQclear(out[1]);
        out[0] = out[1] = NULL;
        return -1;
    }
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
