/*
 * Audit records (see audit.h). The chain itself (sequence, previous hash,
 * hash) is computed by the database trigger, with the owner's rights, so the
 * server's role cannot forge or rewrite it.
 */
#include "audit.h"

#include <stdio.h>
#include <string.h>

#include "request.h"
#include "statements.h"

const struct db_statement audit_statements[] = {
    {"audit_append",
     "INSERT INTO audit_log (municipality_id, user_id, institution_id, installation, session_id,"
     "                       request_id, action, person_id, case_id, disclosed, denied, clauses,"
     "                       protocol_version, outcome, detail, emergency, prev_hash, hash)"
     " VALUES ($1, NULLIF($2, '')::uuid, $3, $4, NULLIF($5, '')::uuid, $6::bigint, $7,"
     "         NULLIF($8, '')::uuid, NULLIF($9, '')::uuid, $10::text[], $11::text[],"
     "         $12::int[], NULLIF($13, '0')::int, $14, $15, $16::boolean, '', '')"},
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

spona_status audit_append(struct request_context *ctx, const struct audit_record *record)
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
    PGresult *result = db_exec(ctx->db, "audit_append", 16, params);
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
