/*
 * Accountability: explaining what an institution may see of a case and why,
 * verifying the audit trail's hash chain, and the disclosures report a
 * beneficiary may ask for (who saw which categories of their data, when, under
 * which clause). See docs/access.md.
 *
 * Decisions come from access.c (access_case_subject + access_decide), never
 * from this file. Verification recomputes every hash in C from the same
 * canonical text the database trigger hashed (sql/004_audit.sql), reading the
 * trail in bounded batches.
 */
#include <openssl/evp.h>
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

/* Rows per batch when verifying: memory stays bounded however long the trail. */
#define TRAIL_BATCH_ROWS 10000
#define TRAIL_HASH_BYTES 32
#define TRAIL_HASH_HEX (2 * TRAIL_HASH_BYTES + 1)

const struct db_statement audit_trail_statements[] = {
    {"trail_institution", "SELECT id FROM institutions WHERE code = $1 AND municipality_id = $2"},
    {"trail_head", "SELECT seq, encode(hash, 'hex') FROM audit_head WHERE municipality_id = $1"},
    {"trail_chain",
     "SELECT a.seq, encode(a.prev_hash, 'hex'), encode(a.hash, 'hex'), spona_audit_canonical(a)"
     "  FROM audit_log a"
     " WHERE a.municipality_id = $1 AND a.seq > $2::bigint AND a.seq <= $3::bigint"
     " ORDER BY a.seq LIMIT $4::int"},
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
        snprintf(ctx->message, sizeof(ctx->message), "no institution %.128s in your municipality",
                 code);
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

/* Decodes hex into out (at most out_size bytes); returns the length or -1. */
static int trail_unhex(const char *hex, unsigned char *out, size_t out_size)
{
    size_t length = strlen(hex);
    if (length % 2 != 0 || length / 2 > out_size)
        return -1;
    for (size_t i = 0; i < length / 2; i++) {
        unsigned int byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
            return -1;
        out[i] = (unsigned char)byte;
    }
    return (int)(length / 2);
}

/* hex of sha256(prev_hash bytes || canonical), as the trigger computes it. 0 or -1. */
static int trail_record_hash(EVP_MD_CTX *digest, const char *prev_hex, const char *canonical,
                             char out[TRAIL_HASH_HEX])
{
    unsigned char prev[2 * TRAIL_HASH_BYTES], hash[EVP_MAX_MD_SIZE];
    unsigned int hash_length = 0;
    int prev_length = trail_unhex(prev_hex, prev, sizeof(prev));
    if (prev_length < 0 || EVP_DigestInit_ex(digest, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(digest, prev, (size_t)prev_length) != 1 ||
        EVP_DigestUpdate(digest, canonical, strlen(canonical)) != 1 ||
        EVP_DigestFinal_ex(digest, hash, &hash_length) != 1 || hash_length != TRAIL_HASH_BYTES)
        return -1;
    for (unsigned int i = 0; i < hash_length; i++)
        snprintf(out + 2 * i, 3, "%02x", hash[i]);
    return 0;
}

/* Where the walk along the chain stands. */
struct trail_walk {
    long long expected_seq;      /* the seq the next record must have */
    char last_hash[TRAIL_HASH_HEX]; /* stored hash of the record before (zeros at the start) */
    unsigned long long records;  /* records examined */
    long long bad_seq;           /* 0 while intact */
    char head_hash[TRAIL_HASH_HEX]; /* what audit_head says (empty when there is none) */
    char problem[200];
};

/* Checks one record against the one before it; returns 0, or -1 at the first problem. */
static int trail_check_record(struct trail_walk *walk, EVP_MD_CTX *digest, const PGresult *rows,
                              int row)
{
    long long seq = strtoll(PQgetvalue(rows, row, 0), NULL, 10);
    const char *prev_hex = PQgetvalue(rows, row, 1);
    const char *hash_hex = PQgetvalue(rows, row, 2);
    walk->records++;
    if (seq != walk->expected_seq) {
        walk->bad_seq = walk->expected_seq;
        snprintf(walk->problem, sizeof(walk->problem), "record %lld is missing (deleted)",
                 walk->expected_seq);
        return -1;
    }
    if (strcmp(prev_hex, walk->last_hash) != 0) {
        walk->bad_seq = seq;
        if (seq == 1)
            snprintf(walk->problem, sizeof(walk->problem),
                     "record 1 does not start the chain (reordered or a record was removed)");
        else
            snprintf(walk->problem, sizeof(walk->problem),
                     "record %lld does not follow record %lld (reordered or a record was removed)",
                     seq, seq - 1);
        return -1;
    }
    char computed[TRAIL_HASH_HEX];
    if (trail_record_hash(digest, prev_hex, PQgetvalue(rows, row, 3), computed) != 0 ||
        strcmp(computed, hash_hex) != 0) {
        walk->bad_seq = seq;
        snprintf(walk->problem, sizeof(walk->problem), "record %lld was modified", seq);
        return -1;
    }
    snprintf(walk->last_hash, sizeof(walk->last_hash), "%s", hash_hex);
    walk->expected_seq = seq + 1;
    return 0;
}

/*
 * Walks the caller's municipality's chain up to the head (records appended
 * meanwhile lie beyond it and are left for the next run). OK with *walk filled,
 * or an error status.
 */
static spona_status trail_walk_chain(struct request_context *ctx, struct trail_walk *walk)
{
    const char *municipality = ctx->job->installation.municipality_id;
    const char *head_params[] = {municipality};
    spona_status status;
    PGresult *result = request_query(ctx, "trail_head", 1, head_params, &status);
    if (result == NULL)
        return status;
    int have_head = PQntuples(result) == 1;
    char head_seq[24] = "9223372036854775807", head_hash[TRAIL_HASH_HEX] = "";
    if (have_head) {
        db_copy(result, 0, 0, head_seq, sizeof(head_seq));
        db_copy(result, 0, 1, head_hash, sizeof(head_hash));
    }
    PQclear(result);

    EVP_MD_CTX *digest = EVP_MD_CTX_new();
    if (digest == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    memset(walk, 0, sizeof(*walk));
    snprintf(walk->head_hash, sizeof(walk->head_hash), "%s", head_hash);
    walk->expected_seq = 1;
    memset(walk->last_hash, '0', 2 * TRAIL_HASH_BYTES);
    char after[24] = "0", batch[16];
    snprintf(batch, sizeof(batch), "%d", TRAIL_BATCH_ROWS);
    status = SPONA__V1__STATUS__OK;
    for (;;) {
        const char *params[] = {municipality, after, head_seq, batch};
        PGresult *rows = request_query(ctx, "trail_chain", 4, params, &status);
        if (rows == NULL)
            goto done;
        int count = PQntuples(rows);
        for (int row = 0; row < count && walk->bad_seq == 0; row++)
            trail_check_record(walk, digest, rows, row);
        if (count > 0)
            db_copy(rows, count - 1, 0, after, sizeof(after));
        PQclear(rows);
        if (walk->bad_seq != 0 || count < TRAIL_BATCH_ROWS)
            break;
    }
    if (walk->bad_seq != 0)
        goto done;

    long long last_seq = walk->expected_seq - 1;
    if (!have_head && walk->records > 0) {
        walk->bad_seq = last_seq + 1;
        snprintf(walk->problem, sizeof(walk->problem),
                 "the chain's head (audit_head) is missing");
    } else if (have_head && last_seq != strtoll(head_seq, NULL, 10)) {
        walk->bad_seq = last_seq + 1;
        snprintf(walk->problem, sizeof(walk->problem),
                 "the newest records were removed (the trail ends at record %lld, its head is "
                 "record %s)",
                 last_seq, head_seq);
    } else if (have_head && last_seq > 0 && strcmp(head_hash, walk->last_hash) != 0) {
        walk->bad_seq = last_seq;
        snprintf(walk->problem, sizeof(walk->problem),
                 "record %lld was modified (it does not match the chain's head)", last_seq);
    }

done:
    EVP_MD_CTX_free(digest);
    return status;
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
