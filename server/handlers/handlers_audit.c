/*
 * Accountability: explaining what an institution may see of a case and why,
 * verifying the audit trail's hash chain, and the disclosures report a
 * beneficiary may ask for (who saw which categories of their data, when, under
 * which clause). See docs/access.md.
 *
 * Decisions come from access.c (access_case_subject + access_decide), never
 * from this file. Verification is the database's (spona_audit_verify, sql/017:
 * it recomputes every hash from the canonical text the trigger hashed and answers
 * with the verdict only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "handlers.h"
#include "handlers_util.h"
#include "log.h"
#include "statements.h"
#include "views.h"

#define TRAIL_HASH_HEX (2 * 32 + 1)

const struct db_statement audit_trail_statements[] = {
    {"trail_institution", "SELECT id FROM institutions WHERE code = $1 AND municipality_id = $2"},
    {"trail_verify", "SELECT records, bad_seq, problem, head_hash FROM spona_audit_verify()"},
    {"trail_disclosures",
     "SELECT a.seq, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
     "       COALESCE(i.code, ''), COALESCE(u.username, ''), a.action,"
     "       array_to_string(a.disclosed, ','), array_to_string(a.clauses, ','),"
     "       COALESCE(a.protocol_version, 0), a.request_id, a.emergency"
     "  FROM audit_log a"
     "  LEFT JOIN institutions i ON i.id = a.institution_id"
     "  LEFT JOIN users u ON u.id = a.user_id"
     " WHERE a.municipality_id = $1 AND a.person_id = $2::uuid AND cardinality(a.disclosed) > 0"
     " ORDER BY a.seq"},
    {NULL, NULL},
};

/* The id of the institution called code in the caller's municipality; OK or NOT_FOUND. */
static spona_status trail_institution_id(struct request_context *ctx, const char *code,
                                         char out[UUID_TEXT])
{
    const char *params[] = {code, ctx->job->installation.municipality_id};
    spona_status status;
    PGresult *result = request_query(ctx, "trail_institution", 2, params, &status);
    if (result == NULL)
        return status;
    int found = PQntuples(result) == 1;
    if (found)
        db_copy(result, 0, 0, out, UUID_TEXT);
    PQclear(result);
    if (!found) {
        snprintf(ctx->message, sizeof(ctx->message), "institution_code: no such institution in your municipality");
        return SPONA__V1__STATUS__NOT_FOUND;
    }
    return SPONA__V1__STATUS__OK;
}

/* The explanation for access on every person-level category, read and write. */
static spona_status explain_response(const struct policy *policy, const struct access_case *target,
                                     spona_response *response)
{
    Spona__V1__ExplainResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__explain_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_EXPLAIN;
    response->explain = answer;
    answer->case_id = views_strdup(target->case_id);
    answer->institution_code = views_strdup(target->institution_code);
    answer->role = views_strdup(target->is_signatory ? policy_role_name(target->subject.role)
                                                     : "");
    answer->on_team = target->subject.on_team;
    answer->protocol_version = policy != NULL ? (uint32_t)policy->version : 0;
    if (answer->case_id == NULL || answer->institution_code == NULL || answer->role == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++) {
        if (!policy_category_is_person_level((enum policy_category)category))
            continue;
        for (int action = 0; action < POLICY_ACTION_COUNT; action++) {
            struct policy_decision decision;
            access_decide(policy, target, (enum policy_category)category,
                          (enum policy_action)action, &decision);
            Spona__V1__CategoryDecision *item =
                views_decision(policy, (enum policy_category)category, (enum policy_action)action,
                               &decision);
            if (item == NULL)
                return SPONA__V1__STATUS__INTERNAL;
            if (views_append((void ***)&answer->decisions, &answer->n_decisions, item) != 0) {
                spona__v1__category_decision__free_unpacked(item, NULL);
                return SPONA__V1__STATUS__INTERNAL;
            }
        }
    }
    return SPONA__V1__STATUS__OK;
}

spona_status handle_explain(struct request_context *ctx, const spona_request *request,
                            spona_response *response)
{
    const char *code = request->explain->institution_code;
    const struct access_case *caller = &ctx->subject;
    struct access_case target = *caller;
    if (code[0] != '\0' && strcmp(code, caller->institution_code) != 0) {
        snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "institution %.128s", code);
        ctx->record.detail = ctx->audit_detail;
        if (!caller->subject.is_lead_institution) {
            snprintf(ctx->message, sizeof(ctx->message),
                     "only the case's lead agency may explain another institution's access");
            return SPONA__V1__STATUS__PERMISSION_DENIED;
        }
        char institution_id[UUID_TEXT];
        spona_status status = trail_institution_id(ctx, code, institution_id);
        if (status == SPONA__V1__STATUS__OK)
            status = access_case_subject(ctx, caller->case_id, institution_id, &target);
        if (status != SPONA__V1__STATUS__OK)
            return status;
    }
    return explain_response(ctx->policy, &target, response);
}

/* The verdict on the chain, as spona_audit_verify() gives it. */
struct trail_walk {
    unsigned long long records;  /* records examined */
    long long bad_seq;           /* 0 while intact */
    char head_hash[TRAIL_HASH_HEX]; /* over every lane's head (sql/035; empty: no lanes) */
    char problem[200];
};

/*
 * Verifies every lane of the caller's municipality's chain against its head, in
 * one snapshot. The database walks it (sql/017, sql/035: spona_audit_verify, a
 * SECURITY DEFINER function that returns the verdict, never a record, since
 * spona_app reads only the records it may see). OK with *walk filled, or an error.
 */
static spona_status trail_walk_chain(struct request_context *ctx, struct trail_walk *walk)
{
    spona_status status;
    PGresult *result = request_query(ctx, "trail_verify", 0, NULL, &status);
    if (result == NULL)
        return status;
    memset(walk, 0, sizeof(*walk));
    if (PQntuples(result) != 1) {
        PQclear(result);
        return SPONA__V1__STATUS__INTERNAL;
    }
    walk->records = strtoull(PQgetvalue(result, 0, 0), NULL, 10);
    walk->bad_seq = strtoll(PQgetvalue(result, 0, 1), NULL, 10);
    db_copy(result, 0, 2, walk->problem, sizeof(walk->problem));
    db_copy(result, 0, 3, walk->head_hash, sizeof(walk->head_hash));
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

spona_status handle_audit_verify(struct request_context *ctx, const spona_request *request,
                                 spona_response *response)
{
    (void)request;
    const char *role = ctx->job->installation.role;
    if (strcmp(role, "coordinator") != 0 && strcmp(role, "lead_agency") != 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "only the coordinator or the lead agency may verify the audit trail (your "
                 "institution is %s)", role);
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    }
    struct trail_walk walk;
    spona_status status = trail_walk_chain(ctx, &walk);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    /* the pipeline records the check after the reading, so it never verifies itself */
    if (walk.bad_seq == 0)
        snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "intact: %llu records",
                 walk.records);
    else
        snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "broken: %s", walk.problem);
    ctx->record.detail = ctx->audit_detail;
    if (walk.bad_seq != 0)
        log_warn("audit trail of municipality %s is broken at record %lld: %s",
                 ctx->job->installation.municipality_id, walk.bad_seq, walk.problem);

    Spona__V1__AuditVerifyResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__audit_verify_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_AUDIT_VERIFY;
    response->audit_verify = answer;
    answer->intact = walk.bad_seq == 0;
    answer->records = walk.records;
    answer->first_bad_seq = (uint64_t)walk.bad_seq;
    answer->problem = views_strdup(walk.problem);
    answer->head_hash = views_strdup(walk.head_hash);
    if (answer->problem == NULL || answer->head_hash == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    return SPONA__V1__STATUS__OK;
}

/* Splits "a,b,c" into a repeated string field. 0, or -1 when out of memory. */
static int trail_split_words(const char *list, char ***out, size_t *count)
{
    for (const char *word = list; *word != '\0';) {
        size_t length = strcspn(word, ",");
        char *copy = strndup(word, length);
        if (copy == NULL || views_append((void ***)out, count, copy) != 0) {
            free(copy);
            return -1;
        }
        word += length;
        if (*word == ',')
            word++;
    }
    return 0;
}

/* Splits "4,12" into a repeated uint32 field. 0, or -1 when out of memory. */
static int trail_split_numbers(const char *list, uint32_t **out, size_t *count)
{
    size_t capacity = 1;
    for (const char *c = list; *c != '\0'; c++)
        capacity += *c == ',';
    *count = 0;
    *out = calloc(capacity, sizeof(**out));
    if (*out == NULL)
        return -1;
    for (const char *c = list; *c != '\0' && *count < capacity;) {
        char *end;
        unsigned long value = strtoul(c, &end, 10);
        if (end == c)
            break;
        (*out)[(*count)++] = (uint32_t)value;
        c = *end == ',' ? end + 1 : end;
    }
    return 0;
}

/* One row of trail_disclosures as a Disclosure; NULL when out of memory. */
static Spona__V1__Disclosure *trail_disclosure(const PGresult *rows, int row)
{
    Spona__V1__Disclosure *item = malloc(sizeof(*item));
    if (item == NULL)
        return NULL;
    spona__v1__disclosure__init(item);
    item->seq = strtoull(PQgetvalue(rows, row, 0), NULL, 10);
    item->at = views_strdup(PQgetvalue(rows, row, 1));
    item->institution_code = views_strdup(PQgetvalue(rows, row, 2));
    item->username = views_strdup(PQgetvalue(rows, row, 3));
    item->action = views_strdup(PQgetvalue(rows, row, 4));
    item->protocol_version = (uint32_t)strtoul(PQgetvalue(rows, row, 7), NULL, 10);
    item->request_id = strtoull(PQgetvalue(rows, row, 8), NULL, 10);
    item->emergency = strcmp(PQgetvalue(rows, row, 9), "t") == 0;
    if (item->at == NULL || item->institution_code == NULL || item->username == NULL ||
        item->action == NULL ||
        trail_split_words(PQgetvalue(rows, row, 5), &item->categories, &item->n_categories) != 0 ||
        trail_split_numbers(PQgetvalue(rows, row, 6), &item->clauses, &item->n_clauses) != 0) {
        spona__v1__disclosure__free_unpacked(item, NULL);
        return NULL;
    }
    return item;
}

/* Reads the report into a new DisclosuresResponse in response; OK or an error status. */
static spona_status disclosures_response(struct request_context *ctx, const char *person_id,
                                         spona_response *response, size_t *count)
{
    const char *params[] = {ctx->job->installation.municipality_id, person_id};
    spona_status status;
    PGresult *rows = request_query(ctx, "trail_disclosures", 2, params, &status);
    if (rows == NULL)
        return status;
    Spona__V1__DisclosuresResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL) {
        PQclear(rows);
        return SPONA__V1__STATUS__INTERNAL;
    }
    spona__v1__disclosures_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_DISCLOSURES;
    response->disclosures = answer;
    answer->person_id = views_strdup(person_id);
    status = answer->person_id != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;
    for (int row = 0; row < PQntuples(rows) && status == SPONA__V1__STATUS__OK; row++) {
        Spona__V1__Disclosure *item = trail_disclosure(rows, row);
        if (item == NULL ||
            views_append((void ***)&answer->disclosures, &answer->n_disclosures, item) != 0) {
            if (item != NULL)
                spona__v1__disclosure__free_unpacked(item, NULL);
            status = SPONA__V1__STATUS__INTERNAL;
        }
    }
    PQclear(rows);
    *count = answer->n_disclosures;
    return status;
}

spona_status handle_disclosures(struct request_context *ctx, const spona_request *request,
                                spona_response *response)
{
    (void)request;
    const char *person_id = ctx->subject.person_id;
    if (!ctx->subject.subject.is_lead_institution) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "only the lead agency of the person's case may list the disclosures of "
                 "person %s", person_id);
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    }
    size_t count = 0;
    spona_status status = disclosures_response(ctx, person_id, response, &count);
    /* the report is itself personal data: its delivery is recorded */
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%zu records", count);
    ctx->record.detail = ctx->audit_detail;
    return status;
}
