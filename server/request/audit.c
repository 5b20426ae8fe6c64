/*
 * Audit records (see audit.h). The chain itself (sequence, previous hash,
 * hash) is computed by the database (the trigger, or sql/057's batch function for
 * the audit writer's records), with the owner's rights, so the server's role cannot
 * forge or rewrite it: it may not even name those columns.
 */
#include "audit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "statements.h"

const struct db_statement audit_statements[] = {
    {"audit_append",
     "INSERT INTO audit_log (municipality_id, user_id, institution_id, installation, session_id,"
     "                       request_id, action, person_id, case_id, disclosed, denied, clauses,"
     "                       protocol_version, outcome, detail, emergency)"
     " VALUES ($1, NULLIF($2, '')::uuid, $3, $4, NULLIF($5, '')::uuid, $6::bigint, $7,"
     "         NULLIF($8, '')::uuid, NULLIF($9, '')::uuid, $10::text[], $11::text[],"
     "         $12::int[], NULLIF($13, '0')::int, $14, $15, $16::boolean)"},
    /* the request's own record and its queued ones, as a JSON array ($7), in one statement */
    {"audit_append_many",
     "INSERT INTO audit_log (municipality_id, user_id, institution_id, installation, session_id,"
     "                       request_id, action, person_id, case_id, disclosed, denied, clauses,"
     "                       protocol_version, outcome, detail, emergency)"
     " SELECT $1::uuid, NULLIF($2, '')::uuid, $3::uuid, $4::text, NULLIF($5, '')::uuid,"
     "        $6::bigint, r.action, r.person_id, r.case_id, r.disclosed, r.denied, r.clauses,"
     "        r.protocol_version, r.outcome, r.detail, r.emergency"
     "   FROM json_to_recordset($7::json) AS r(action text, person_id uuid, case_id uuid,"
     "        disclosed text[], denied text[], clauses int[], protocol_version int,"
     "        outcome text, detail text, emergency boolean)"},
    {NULL, NULL},
};

void audit_add_clause(struct audit_record *record, int clause)
{
    if (clause <= 0)
        return;
    for (int i = 0; i < record->clause_count; i++)
        if (record->clauses[i] == clause)
            return;
    if (record->clause_count < AUDIT_MAX_CLAUSES)
        record->clauses[record->clause_count++] = clause;
}

/* Writes a category mask as a PostgreSQL array literal: {identity,education_work}. */
static void category_array(policy_mask mask, char *out, size_t out_size)
{
    size_t used = (size_t)snprintf(out, out_size, "{");
    int first = 1;
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++) {
        if (!(mask & POLICY_BIT(category)) || used >= out_size)
            continue;
        used += (size_t)snprintf(out + used, out_size - used, "%s%s", first ? "" : ",",
                                 policy_category_name((enum policy_category)category));
        first = 0;
    }
    if (used < out_size)
        snprintf(out + used, out_size - used, "}");
}

/* The answer to an audit insert: OK, UNAVAILABLE or INTERNAL (ctx->message set). */
static spona_status audit_result(struct request_context *ctx, PGresult *result);

/* Runs the insert `name`, then as `then` says; its answer (audit_result, or UNAVAILABLE
 * when the commit failed). */
static spona_status audit_run(struct request_context *ctx, const char *name, int count,
                              const char *const *params, enum audit_then then)
{
    if (then == AUDIT_THEN_STAY)
        return audit_result(ctx, db_exec(ctx->db, name, count, params));
    int committed = 0;
    spona_status status = audit_result(ctx, db_exec_commit(ctx->db, name, count, params,
                                                           &committed));
    if (status == SPONA__V1__STATUS__OK && !committed) {
        snprintf(ctx->message, sizeof(ctx->message), "the change could not be saved; try again");
        status = SPONA__V1__STATUS__UNAVAILABLE;
    }
    return status;
}

static spona_status audit_result(struct request_context *ctx, PGresult *result)
{
    if (result == NULL) {
        snprintf(ctx->message, sizeof(ctx->message), "the database is unavailable; try again");
        return SPONA__V1__STATUS__UNAVAILABLE;
    }
    int ok = db_ok(result, "audit_append");
    PQclear(result);
    if (!ok) {
        snprintf(ctx->message, sizeof(ctx->message), "internal error (audit)");
        return SPONA__V1__STATUS__INTERNAL;
    }
    return SPONA__V1__STATUS__OK;
}

spona_status audit_append(struct request_context *ctx, const struct audit_record *record,
                          enum audit_then then)
{
    const struct job *job = ctx->job;
    char request_id[24], disclosed[256], denied[256], clauses[16 * AUDIT_MAX_CLAUSES + 4],
        version[16];
    snprintf(request_id, sizeof(request_id), "%llu", (unsigned long long)job->request_id);
    category_array(record->disclosed, disclosed, sizeof(disclosed));
    category_array(record->denied, denied, sizeof(denied));
    size_t used = (size_t)snprintf(clauses, sizeof(clauses), "{");
    for (int i = 0; i < record->clause_count && used < sizeof(clauses); i++)
        used += (size_t)snprintf(clauses + used, sizeof(clauses) - used, "%s%d", i ? "," : "",
                                 record->clauses[i]);
    if (used < sizeof(clauses))
        snprintf(clauses + used, sizeof(clauses) - used, "}");
    snprintf(version, sizeof(version), "%d", record->protocol_version);

    const char *params[] = {
        job->installation.municipality_id,
        job->session.user_id,
        job->installation.institution_id,
        job->installation.cn,
        job->session.session_id,
        request_id,
        record->action,
        record->person_id != NULL ? record->person_id : "",
        record->case_id != NULL ? record->case_id : "",
        disclosed,
        denied,
        clauses,
        version,
        record->outcome,
        record->detail != NULL ? record->detail : "",
        record->emergency ? "true" : "false",
    };
    return audit_run(ctx, "audit_append", 16, params, then);
}

int audit_queue_add(struct audit_queue *queue, const struct audit_record *record)
{
    if (queue->count == queue->capacity) {
        size_t capacity = queue->capacity > 0 ? 2 * queue->capacity : 16;
        struct audit_queued *items = realloc(queue->items, capacity * sizeof(*items));
        if (items == NULL)
            return -1;
        queue->items = items;
        queue->capacity = capacity;
    }
    struct audit_queued *item = &queue->items[queue->count++];
    item->record = *record;
    snprintf(item->person_id, sizeof(item->person_id), "%s",
             record->person_id != NULL ? record->person_id : "");
    snprintf(item->case_id, sizeof(item->case_id), "%s",
             record->case_id != NULL ? record->case_id : "");
    snprintf(item->detail, sizeof(item->detail), "%s",
             record->detail != NULL ? record->detail : "");
    return 0;
}

void audit_queue_free(struct audit_queue *queue)
{
    free(queue->items);
    *queue = (struct audit_queue){0};
}

/* A growing text buffer for the JSON of audit_append_all; failed set when out of memory. */
struct audit_json {
    char *text;
    size_t used;
    size_t size;
    int failed;
};

static void json_add(struct audit_json *json, const char *format, ...)
{
    for (int attempt = 0; attempt < 2 && !json->failed; attempt++) {
        va_list args;
        va_start(args, format);
        int length = vsnprintf(json->text + json->used, json->size - json->used, format, args);
        va_end(args);
        if (length >= 0 && (size_t)length < json->size - json->used) {
            json->used += (size_t)length;
            return;
        }
        size_t size = 2 * json->size + (length > 0 ? (size_t)length : 0) + 64;
        char *text = realloc(json->text, size);
        if (text == NULL || length < 0)
            json->failed = 1;
        if (text != NULL) {
            json->text = text;
            json->size = size;
        }
    }
}

/* A JSON string (NULL or "": null when null_if_empty). */
static void json_add_string(struct audit_json *json, const char *text, int null_if_empty)
{
    if (text == NULL || (null_if_empty && text[0] == '\0')) {
        json_add(json, "null");
        return;
    }
    json_add(json, "\"");
    const unsigned char *c = (const unsigned char *)text;
    while (*c != '\0') {
        size_t plain = 0; /* a run that needs no escape goes in at once */
        while (c[plain] != '\0' && c[plain] >= 0x20 && c[plain] != '"' && c[plain] != '\\')
            plain++;
        if (plain > 0)
            json_add(json, "%.*s", (int)plain, (const char *)c);
        c += plain;
        if (*c == '"' || *c == '\\')
            json_add(json, "\\%c", *c++);
        else if (*c != '\0')
            json_add(json, "\\u%04x", *c++);
    }
    json_add(json, "\"");
}

static void json_add_categories(struct audit_json *json, policy_mask mask)
{
    json_add(json, "[");
    int first = 1;
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++) {
        if (!(mask & POLICY_BIT(category)))
            continue;
        json_add(json, "%s\"%s\"", first ? "" : ",",
                 policy_category_name((enum policy_category)category));
        first = 0;
    }
    json_add(json, "]");
}

/* One record as a JSON object; actor (NULL: none) is written first, after the brace:
 * "key":value pairs ending in a comma (audit_batch_json). */
static void json_add_record(struct audit_json *json, const struct audit_record *record,
                            const char *person_id, const char *case_id, const char *detail,
                            const char *actor)
{
    json_add(json, "{%s\"action\":", actor != NULL ? actor : "");
    json_add_string(json, record->action, 0);
    json_add(json, ",\"person_id\":");
    json_add_string(json, person_id, 1);
    json_add(json, ",\"case_id\":");
    json_add_string(json, case_id, 1);
    json_add(json, ",\"disclosed\":");
    json_add_categories(json, record->disclosed);
    json_add(json, ",\"denied\":");
    json_add_categories(json, record->denied);
    json_add(json, ",\"clauses\":[");
    for (int i = 0; i < record->clause_count; i++)
        json_add(json, "%s%d", i > 0 ? "," : "", record->clauses[i]);
    json_add(json, "],\"protocol_version\":");
    if (record->protocol_version > 0)
        json_add(json, "%d", record->protocol_version);
    else
        json_add(json, "null");
    json_add(json, ",\"outcome\":");
    json_add_string(json, record->outcome, 0);
    json_add(json, ",\"detail\":");
    json_add_string(json, detail != NULL ? detail : "", 0);
    json_add(json, ",\"emergency\":%s}", record->emergency ? "true" : "false");
}

spona_status audit_append_all(struct request_context *ctx, const struct audit_record *record,
                              const struct audit_queue *queue, enum audit_then then)
{
    if (queue == NULL || queue->count == 0)
        return audit_append(ctx, record, then);
    struct audit_json json = {0};
    json_add(&json, "[");
    json_add_record(&json, record, record->person_id, record->case_id, record->detail, NULL);
    for (size_t i = 0; i < queue->count; i++) {
        const struct audit_queued *item = &queue->items[i];
        json_add(&json, ",");
        json_add_record(&json, &item->record, item->person_id, item->case_id, item->detail,
                        NULL);
    }
    json_add(&json, "]");
    if (json.failed) {
        free(json.text);
        snprintf(ctx->message, sizeof(ctx->message), "internal error (audit)");
        return SPONA__V1__STATUS__INTERNAL;
    }
    const struct job *job = ctx->job;
    char request_id[24];
    snprintf(request_id, sizeof(request_id), "%llu", (unsigned long long)job->request_id);
    const char *params[] = {job->installation.municipality_id, job->session.user_id,
                            job->installation.institution_id, job->installation.cn,
                            job->session.session_id, request_id, json.text};
    spona_status status = audit_run(ctx, "audit_append_many", 7, params, then);
    free(json.text);
    return status;
}

/* The actor's "key":value pairs, each followed by a comma, for every record of the job. */
static char *audit_actor_json(const struct job *job)
{
    struct audit_json json = {0};
    json_add(&json, "\"municipality_id\":");
    json_add_string(&json, job->installation.municipality_id, 1);
    json_add(&json, ",\"user_id\":");
    json_add_string(&json, job->session.user_id, 1);
    json_add(&json, ",\"institution_id\":");
    json_add_string(&json, job->installation.institution_id, 1);
    json_add(&json, ",\"installation\":");
    json_add_string(&json, job->installation.cn, 0);
    json_add(&json, ",\"session_id\":");
    json_add_string(&json, job->session.session_id, 1);
    json_add(&json, ",\"request_id\":%llu,", (unsigned long long)job->request_id);
    if (json.failed) {
        free(json.text);
        return NULL;
    }
    return json.text;
}

char *audit_batch_json(const struct request_context *ctx, const struct audit_record *record,
                       const struct audit_queue *queue)
{
    char *actor = audit_actor_json(ctx->job);
    if (actor == NULL)
        return NULL;
    struct audit_json json = {0};
    json_add_record(&json, record, record->person_id, record->case_id, record->detail, actor);
    for (size_t i = 0; queue != NULL && i < queue->count; i++) {
        const struct audit_queued *item = &queue->items[i];
        json_add(&json, ",");
        json_add_record(&json, &item->record, item->person_id, item->case_id, item->detail,
                        actor);
    }
    free(actor);
    if (json.failed) {
        free(json.text);
        return NULL;
    }
    return json.text;
}
