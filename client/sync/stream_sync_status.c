/*
 * The `sync_status` stream (see stream_sync_status.h).
 */
#include "stream_sync_status.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "sync_db.h"

/* Puts the run (id, its status as bytea text) into the outbox: 0, or -1. */
static int status_batch(struct sync_run *run, const char *id, const char *status_text)
{
    uint64_t seq = 0;
    size_t length = 0;
    uint8_t *status = sync_db_unbytea(status_text, &length);
    if (status == NULL || sync_db_do(run, "BEGIN", 0, NULL) != 0) {
        PQfreemem(status);
        return -1;
    }
    char next[24];
    int rc = sync_db_watermark(run, "sync_status", "up", 1, &seq);
    snprintf(next, sizeof(next), "%" PRIu64, seq + 1);
    const char *params[] = {id, next};
    if (rc == 0)
        rc = sync_db_outbox_put(run, "sync_status", seq + 1, status, length);
    if (rc == 0)
        rc = sync_db_do(run, "UPDATE sync_runs SET sent_seq = $2::bigint WHERE id = $1::bigint",
                        2, params);
    PQfreemem(status);
    if (rc == 0 && sync_db_do(run, "COMMIT", 0, NULL) == 0)
        return 0;
    PQclear(PQexec(run->db, "ROLLBACK"));
    return -1;
}

int stream_sync_status_produce(struct sync_run *run)
{
    const char *params[] = {run->municipality};
    PGresult *runs = sync_db_exec(run,
                                  "SELECT id, status FROM sync_runs WHERE municipality = $1"
                                  "   AND sent_seq IS NULL ORDER BY id LIMIT 100",
                                  1, params);
    if (runs == NULL)
        return -1;
    int rc = 0;
    for (int i = 0; rc == 0 && i < PQntuples(runs); i++)
        rc = status_batch(run, PQgetvalue(runs, i, 0), PQgetvalue(runs, i, 1));
    PQclear(runs);
    return rc;
}
