/*
 * The audit writer (see audit_writer.h). The queue is shared with the workers and
 * guarded by one mutex; the connection is the writer's own. Each round takes every
 * queued job (at most AUDIT_WRITER_BATCH_MAX), sends their records as one JSON array
 * to spona_audit_append_batch in one autocommitted statement, and when that statement
 * has answered (committed: durable as the database's synchronous_commit says) sends
 * the jobs home; when it failed, each job's answer is replaced by an error first.
 */
#include "audit_writer.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "pipeline.h"

static const struct db_statement audit_writer_statements[] = {
    {"audit_append_batch", "SELECT spona_audit_append_batch($1::json)"},
    {NULL, NULL},
};

static const struct db_statement *const audit_writer_tables[] = {audit_writer_statements,
                                                                 NULL};

struct audit_writer {
    pthread_mutex_t lock; /* guards head, tail, stopping */
    pthread_cond_t ready;
    struct job *head, *tail;
    int stopping;
    int started;
    pthread_t thread;
    struct db db;
};

/* The records of jobs[0..n) as one JSON array, malloc'd; NULL out of memory. */
static char *audit_writer_json(struct job *const *jobs, size_t n)
{
    size_t size = 3;
    for (size_t i = 0; i < n; i++)
        size += strlen(jobs[i]->audit_batch) + 1;
    char *text = malloc(size);
    if (text == NULL)
        return NULL;
    size_t used = 0;
    text[used++] = '[';
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            text[used++] = ',';
        size_t length = strlen(jobs[i]->audit_batch);
        memcpy(text + used, jobs[i]->audit_batch, length);
        used += length;
    }
    text[used++] = ']';
    text[used] = '\0';
    return text;
}

/* Appends the batch in one statement: 1 when it committed. Never retried (a retry after
 * a lost answer could append the records twice). */
static int audit_writer_append(struct audit_writer *writer, struct job *const *jobs, size_t n)
{
    char *json = audit_writer_json(jobs, n);
    if (json == NULL) {
        log_error("audit writer: out of memory for a batch of %zu", n);
        return 0;
    }
    const char *params[] = {json};
    /* no retry once sent on a live connection; a lost one is opened again first */
    writer->db.in_transaction =
        writer->db.conn != NULL && PQstatus(writer->db.conn) == CONNECTION_OK;
    PGresult *result = db_exec(&writer->db, "audit_append_batch", 1, params);
    writer->db.in_transaction = 0;
    int ok = result != NULL && db_ok(result, "audit_append_batch");
    PQclear(result);
    free(json);
    return ok;
}

/* Sends each job home: its answer when committed, else an error in its place. */
static void audit_writer_finish(struct job *const *jobs, size_t n, int committed)
{
    for (size_t i = 0; i < n; i++) {
        struct job *job = jobs[i];
        free(job->audit_batch);
        job->audit_batch = NULL;
        if (!committed) {
            free(job->frame);
            job->frame = NULL;
            job->frame_length = 0;
            if (request_error_frame(job->request_id, SPONA__V1__STATUS__UNAVAILABLE,
                                    "the database is unavailable; try again", &job->frame,
                                    &job->frame_length) != 0)
                job->close_after = 1;
        }
        job->complete(job);
    }
}

static void *audit_writer_main(void *arg)
{
    struct audit_writer *writer = arg;
    struct job *jobs[AUDIT_WRITER_BATCH_MAX];
    for (;;) {
        pthread_mutex_lock(&writer->lock);
        while (writer->head == NULL && !writer->stopping)
            pthread_cond_wait(&writer->ready, &writer->lock);
        size_t n = 0;
        while (writer->head != NULL && n < AUDIT_WRITER_BATCH_MAX) {
            jobs[n++] = writer->head;
            writer->head = writer->head->next;
        }
        if (writer->head == NULL)
            writer->tail = NULL;
        pthread_mutex_unlock(&writer->lock);
        if (n == 0) /* stopping and nothing left */
            break;
        for (size_t i = 0; i < n; i++)
            jobs[i]->next = NULL;
        int committed = audit_writer_append(writer, jobs, n);
        if (!committed)
            log_error("audit writer: a batch of %zu requests' records was not appended; "
                      "they are answered with an error", n);
        audit_writer_finish(jobs, n, committed);
    }
    return NULL;
}

struct audit_writer *audit_writer_start(const struct server_config *config, char *err,
                                        size_t err_size)
{
    struct audit_writer *writer = calloc(1, sizeof(*writer));
    if (writer == NULL) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&writer->lock, NULL);
    pthread_cond_init(&writer->ready, NULL);
    if (db_open(&writer->db, config->dsn, audit_writer_tables, err, err_size) != 0) {
        audit_writer_stop(writer);
        return NULL;
    }
    if (pthread_create(&writer->thread, NULL, audit_writer_main, writer) != 0) {
        snprintf(err, err_size, "cannot start the audit writer thread");
        audit_writer_stop(writer);
        return NULL;
    }
    writer->started = 1;
    return writer;
}

void audit_writer_submit(struct audit_writer *writer, struct job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&writer->lock);
    if (writer->tail != NULL)
        writer->tail->next = job;
    else
        writer->head = job;
    writer->tail = job;
    pthread_cond_signal(&writer->ready);
    pthread_mutex_unlock(&writer->lock);
}

void audit_writer_stop(struct audit_writer *writer)
{
    if (writer == NULL)
        return;
    pthread_mutex_lock(&writer->lock);
    writer->stopping = 1;
    pthread_cond_broadcast(&writer->ready);
    pthread_mutex_unlock(&writer->lock);
    if (writer->started)
        pthread_join(writer->thread, NULL);
    db_close(&writer->db);
    pthread_cond_destroy(&writer->ready);
    pthread_mutex_destroy(&writer->lock);
    free(writer);
}
