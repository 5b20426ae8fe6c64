/*
 * Access control (see access.h): transaction identity for row-level security,
 * the protocol in force (cached per worker), and policy subjects computed from
 * the team, consent and safety tables. Nothing here sends anything to a client.
 */
#include "access.h"
#include "policy_parse.h"

#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "statements.h"

/* The institution whose access is computed: $2, or the caller's when $2 is ''. */
#define ACCESS_INSTITUTION "COALESCE(NULLIF($2, '')::uuid, spona_current_institution())"

/* Institution i's role among the signatories of protocol version $3 of row's municipality. */
#define ACCESS_ROLE(row)                                                                    \
    "(SELECT s.role FROM protocol_signatories s JOIN protocols pr ON pr.id = s.protocol_id" \
    "   WHERE s.institution_id = i.id AND pr.municipality_id = " row ".municipality_id"     \
    "     AND pr.version = $3::int)"

/*
 * The subject of the institution $2 ('': the caller's) on case c: the columns
 * access_fill reads, in its order. The statement adds which case c is. The
 * person's safety flag is safety data that spona_app may not select (sql/025);
 * what the decision needs of it is whether her address is withheld from
 * institution i (she is at risk and i does not lead the case), which
 * spona_case_address_withheld answers only about a case the caller may see.
 * It stands for the flag in the subject: the flag counts only for a subject
 * that does not lead the case (policy_decide, access_decide).
 */
#define ACCESS_CASE_SELECT                                                                 \
    "SELECT c.id, c.person_id, c.lead_institution_id,"                                     \
    "       COALESCE(spona_case_address_withheld(c.id, i.id), false), i.id, i.code,"       \
    "       EXISTS (SELECT 1 FROM case_team t WHERE t.case_id = c.id"                       \
    "                  AND t.institution_id = i.id AND t.left_at IS NULL"                   \
    "                  AND (t.expires_at IS NULL OR t.expires_at > now())),"               \
    "       EXISTS (SELECT 1 FROM case_team t WHERE t.case_id = c.id"                       \
    "                  AND t.institution_id = i.id AND t.left_at IS NULL AND t.via = 'emergency'" \
    "                  AND t.expires_at > now()),"                                          \
    "       " ACCESS_ROLE("c") ","                                                          \
    "       ARRAY(SELECT DISTINCT k.category FROM consents k"                               \
    "              WHERE k.person_id = c.person_id AND k.institution_id = i.id"             \
    "                AND k.withdrawn_at IS NULL AND k.given_on <= current_date"            \
    "                AND (k.expires_on IS NULL OR k.expires_on >= current_date)),"         \
    "       spona_case_excluded(c.id, i.id),"                                               \
    "       spona_person_excluded(c.person_id), c.closed_at IS NOT NULL"                    \
    "  FROM cases c JOIN persons p ON p.id = c.person_id"                                   \
    "  JOIN institutions i ON i.id = " ACCESS_INSTITUTION

/* The case of person $1 that access_person_subject uses for institution $2. */
#define ACCESS_PERSON_CASE(person)                                                          \
    "SELECT c.id FROM cases c"                                                              \
    " WHERE c.person_id = " person                                                          \
    " ORDER BY EXISTS (SELECT 1 FROM case_team t WHERE t.case_id = c.id"                    \
    "                    AND t.institution_id = " ACCESS_INSTITUTION                        \
    "                    AND t.left_at IS NULL) DESC,"                                      \
    "          c.closed_at IS NULL DESC, c.opened_at DESC LIMIT 1"

const struct db_statement access_statements[] = {
    {"access_intake",
     "SELECT i.code, (SELECT s.role FROM protocol_signatories s"
     "                 JOIN protocols pr ON pr.id = s.protocol_id"
     "                WHERE s.institution_id = i.id AND pr.municipality_id = i.municipality_id"
     "                  AND pr.version = $2::int)"
     "  FROM institutions i WHERE i.id = $1"},
    /* the version in force: the latest activated one whose date has come (an amendment
     * that widens access is activated by its approvals, docs/policy.md "Amendments") */
    {"access_policy_version",
     "SELECT version FROM protocols WHERE municipality_id = $1 AND effective_date <= current_date"
     "   AND activated_at IS NOT NULL"
     " ORDER BY version DESC LIMIT 1"},
    {"access_policy_source",
     "SELECT source FROM protocols WHERE municipality_id = $1 AND version = $2::int"},
    {"access_case", ACCESS_CASE_SELECT " WHERE c.id = $1::uuid"},
    /* access_case_subjects: the cases $1 (an array), in one statement */
    {"access_case_batch", ACCESS_CASE_SELECT " WHERE c.id = ANY ($1::uuid[])"},
    /* the caller's institution recorded outcome $1: its subject as for a team member
     * (sql/044), also when its place on the team has ended */
    {"access_outcome_recorder", "SELECT * FROM spona_outcome_recorder_subject($1::uuid, $2::int)"},
    /* person $1's case for institution $2 and the subject on it, in one statement */
    {"access_person", ACCESS_CASE_SELECT " WHERE c.id = (" ACCESS_PERSON_CASE("$1::uuid") ")"},
    {"access_person_intake",
     /* (the registering institution leads its intake: the address rule does not apply) */
     "SELECT p.id, false, i.id, i.code, " ACCESS_ROLE("p")
     "  FROM persons p"
     "  JOIN institutions i ON i.id = " ACCESS_INSTITUTION
     " WHERE p.id = $1::uuid AND p.created_by_institution = i.id"},
    /* access_person_subjects: persons $1 (an array); the columns of access_case, the case
     * id NULL for an intake (the registering institution as its lead, on its team) */
    {"access_person_batch",
     "WITH pick AS (SELECT k.person_id, (" ACCESS_PERSON_CASE("k.person_id") ") AS case_id"
     "                FROM unnest($1::uuid[]) AS k(person_id))"
     ACCESS_CASE_SELECT " JOIN pick ON pick.case_id = c.id"
     " UNION ALL"
     " SELECT NULL, p.id, i.id, false, i.id, i.code, true, false, " ACCESS_ROLE("p") ","
     "        '{}'::text[], false, false, false"
     "  FROM pick JOIN persons p ON p.id = pick.person_id"
     "  JOIN institutions i ON i.id = " ACCESS_INSTITUTION
     " WHERE pick.case_id IS NULL AND p.created_by_institution = i.id"},
    {NULL, NULL},
};

#define ACCESS_CACHE_SLOTS 4

/* Parsed protocols of the municipalities this worker has served. */
struct access_cache {
    struct {
        char municipality_id[UUID_TEXT];
        int version;
        struct policy policy;
    } slots[ACCESS_CACHE_SLOTS];
    int next; /* slot to reuse */
};

static void access_cache_free(void *opaque)
{
    struct access_cache *cache = opaque;
    for (int i = 0; i < ACCESS_CACHE_SLOTS; i++)
        policy_free(&cache->slots[i].policy);
    free(cache);
}


const struct policy *access_policy(struct request_context *ctx, spona_status *status)
{
    const char *municipality = ctx->job->installation.municipality_id;
    const char *params[] = {municipality, NULL};
    *status = SPONA__V1__STATUS__OK;
    int version = ctx->version_in_force; /* found by request_begin in this transaction */
    PGresult *result = NULL;
    if (!ctx->version_known) {
        result = request_query(ctx, "access_policy_version", 1, params, status);
        if (result == NULL)
            return NULL;
        version = PQntuples(result) == 1 ? atoi(PQgetvalue(result, 0, 0)) : 0;
        PQclear(result);
    }
    if (version == 0)
        return NULL; /* no protocol yet: deny everything */

    struct access_cache *cache = ctx->db->cache;
    if (cache == NULL) {
        cache = calloc(1, sizeof(*cache));
        if (cache == NULL) {
            *status = SPONA__V1__STATUS__INTERNAL;
            return NULL;
        }
        ctx->db->cache = cache;
        ctx->db->cache_free = access_cache_free;
    }
    for (int i = 0; i < ACCESS_CACHE_SLOTS; i++)
        if (strcmp(cache->slots[i].municipality_id, municipality) == 0 &&
            cache->slots[i].version == version)
            return &cache->slots[i].policy;

    char version_text[16];
    snprintf(version_text, sizeof(version_text), "%d", version);
    params[1] = version_text;
    result = request_query(ctx, "access_policy_source", 2, params, status);
    if (result == NULL)
        return NULL;
    int slot = -1;
    for (int i = 0; i < ACCESS_CACHE_SLOTS && slot < 0; i++)
        if (strcmp(cache->slots[i].municipality_id, municipality) == 0)
            slot = i;
    if (slot < 0) {
        slot = cache->next;
        cache->next = (cache->next + 1) % ACCESS_CACHE_SLOTS;
    }
    policy_free(&cache->slots[slot].policy);
    cache->slots[slot].municipality_id[0] = '\0';
    char err[1024];
    const char *source = PQntuples(result) == 1 ? PQgetvalue(result, 0, 0) : "";
    int parsed = policy_parse_string(source, strlen(source), "stored protocol", NULL,
                                     &cache->slots[slot].policy, err, sizeof(err));
    PQclear(result);
    if (parsed != 0) {
        log_error("stored protocol version %d cannot be parsed: %s", version, err);
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        *status = SPONA__V1__STATUS__INTERNAL;
        return NULL;
    }
    snprintf(cache->slots[slot].municipality_id, UUID_TEXT, "%s", municipality);
    cache->slots[slot].version = version;
    return &cache->slots[slot].policy;
}

policy_mask access_category_mask(const char *text)
{
    policy_mask mask = 0;
    char buffer[512];
    snprintf(buffer, sizeof(buffer), "%s", text);
    char *save = NULL;
    for (char *item = strtok_r(buffer, "{},\"", &save); item != NULL;
         item = strtok_r(NULL, "{},\"", &save)) {
        int category = policy_category_from_name(item);
        if (category >= 0)
            mask |= POLICY_BIT(category);
    }
    return mask;
}

static void access_set_role(struct access_case *out, const PGresult *result, int row,
                            int column)
{
    int role = PQgetisnull(result, row, column)
                   ? -1
                   : policy_role_from_name(PQgetvalue(result, row, column));
    out->is_signatory = role >= 0;
    out->subject.role = role >= 0 ? (enum policy_role)role : POLICY_ROLE_COORDINATOR;
}

/* Fills out from one row in the columns of ACCESS_CASE_SELECT (a NULL case id: none). */
static void access_fill(struct access_case *out, const PGresult *result, int row)
{
    memset(out, 0, sizeof(*out));
    db_copy(result, row, 0, out->case_id, sizeof(out->case_id));
    db_copy(result, row, 1, out->person_id, sizeof(out->person_id));
    db_copy(result, row, 2, out->lead_institution_id, sizeof(out->lead_institution_id));
    out->subject.person_has_safety_flag = strcmp(PQgetvalue(result, row, 3), "t") == 0;
    db_copy(result, row, 4, out->institution_id, sizeof(out->institution_id));
    db_copy(result, row, 5, out->institution_code, sizeof(out->institution_code));
    out->subject.is_lead_institution = strcmp(out->institution_id, out->lead_institution_id) == 0;
    out->subject.on_team = strcmp(PQgetvalue(result, row, 6), "t") == 0;
    out->emergency = strcmp(PQgetvalue(result, row, 7), "t") == 0;
    access_set_role(out, result, row, 8);
    out->subject.consented_categories = access_category_mask(PQgetvalue(result, row, 9));
    out->subject.excluded = strcmp(PQgetvalue(result, row, 10), "t") == 0;
    out->caller_excluded = strcmp(PQgetvalue(result, row, 11), "t") == 0;
    out->case_closed = strcmp(PQgetvalue(result, row, 12), "t") == 0;
}

spona_status access_case_subject(struct request_context *ctx, const char *case_id,
                                 const char *institution_id, struct access_case *out)
{
    memset(out, 0, sizeof(*out));
    spona_status status;
    const struct policy *policy = access_policy(ctx, &status);
    if (policy == NULL && status != SPONA__V1__STATUS__OK)
        return status;
    char version[16];
    snprintf(version, sizeof(version), "%d", policy != NULL ? policy->version : 0);
    const char *params[] = {case_id, institution_id != NULL ? institution_id : "", version};
    PGresult *result = request_query(ctx, "access_case", 3, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "no case %s that you may see", case_id);
        return SPONA__V1__STATUS__NOT_FOUND;
    }
    access_fill(out, result, 0);
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

spona_status access_outcome_recorder_subject(struct request_context *ctx, const char *outcome_id,
                                             struct access_case *out)
{
    memset(out, 0, sizeof(*out));
    spona_status status;
    const struct policy *policy = access_policy(ctx, &status);
    if (policy == NULL && status != SPONA__V1__STATUS__OK)
        return status;
    char version[16];
    snprintf(version, sizeof(version), "%d", policy != NULL ? policy->version : 0);
    const char *params[] = {outcome_id, version};
    PGresult *result = request_query(ctx, "access_outcome_recorder", 2, params, &status);
    if (result == NULL)
        return status;
    int found = PQntuples(result) == 1;
    if (found) {
        access_fill(out, result, 0);
        out->outcome_recorder = 1;
    }
    PQclear(result);
    return found ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__NOT_FOUND;
}

spona_status access_person_subject(struct request_context *ctx, const char *person_id,
                                   const char *institution_id, struct access_case *out)
{
    memset(out, 0, sizeof(*out));
    spona_status status;
    const struct policy *policy = access_policy(ctx, &status);
    if (policy == NULL && status != SPONA__V1__STATUS__OK)
        return status;
    char version[16];
    snprintf(version, sizeof(version), "%d", policy != NULL ? policy->version : 0);
    const char *params[] = {person_id, institution_id != NULL ? institution_id : "", version};
    PGresult *result = request_query(ctx, "access_person", 3, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) == 1) {
        access_fill(out, result, 0);
        PQclear(result);
        return SPONA__V1__STATUS__OK;
    }
    PQclear(result);

    /* no case yet: only the registering institution sees its intake */
    result = request_query(ctx, "access_person_intake", 3, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "no person %s that you may see", person_id);
        return SPONA__V1__STATUS__NOT_FOUND;
    }
    db_copy(result, 0, 0, out->person_id, sizeof(out->person_id));
    out->subject.person_has_safety_flag = strcmp(PQgetvalue(result, 0, 1), "t") == 0;
    db_copy(result, 0, 2, out->institution_id, sizeof(out->institution_id));
    db_copy(result, 0, 3, out->institution_code, sizeof(out->institution_code));
    snprintf(out->lead_institution_id, sizeof(out->lead_institution_id), "%s",
             out->institution_id);
    out->subject.is_lead_institution = 1;
    out->subject.on_team = 1;
    access_set_role(out, result, 0, 4);
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

char *access_uuid_array(const char *const *ids, size_t count)
{
    char *array = malloc(count * UUID_TEXT + 3);
    if (array == NULL)
        return NULL;
    size_t used = 0;
    array[used++] = '{';
    for (size_t i = 0; i < count; i++) {
        if (!request_is_uuid(ids[i]))
            continue;
        if (used > 1)
            array[used++] = ',';
        size_t length = strlen(ids[i]);
        memcpy(array + used, ids[i], length);
        used += length;
    }
    array[used++] = '}';
    array[used] = '\0';
    return array;
}

/*
 * Runs statement (access_person_batch or access_case_batch) on ids and fills out[i]
 * from the row whose column key_column is ids[i]; found[i] says whether one came.
 */
static spona_status access_batch(struct request_context *ctx, const struct policy *policy,
                                 const char *statement, int key_column,
                                 const char *const *ids, size_t count,
                                 struct access_case *out, int *found)
{
    memset(found, 0, count * sizeof(*found));
    if (count == 0)
        return SPONA__V1__STATUS__OK;
    /* the ids as a PostgreSQL array literal of UUIDs (checked: nothing else gets in) */
    char *array = access_uuid_array(ids, count);
    if (array == NULL) {
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }
    char version[16];
    snprintf(version, sizeof(version), "%d", policy != NULL ? policy->version : 0);
    const char *params[] = {array, "", version};
    spona_status status;
    PGresult *result = request_query(ctx, statement, 3, params, &status);
    free(array);
    if (result == NULL)
        return status;
    for (int row = 0; row < PQntuples(result); row++) {
        const char *key = PQgetvalue(result, row, key_column);
        for (size_t i = 0; i < count; i++)
            if (!found[i] && strcmp(ids[i], key) == 0) {
                access_fill(&out[i], result, row);
                found[i] = 1;
            }
    }
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

spona_status access_person_subjects(struct request_context *ctx, const struct policy *policy,
                                    const char *const *person_ids, size_t count,
                                    struct access_case *out, int *found)
{
    return access_batch(ctx, policy, "access_person_batch", 1, person_ids, count, out, found);
}

spona_status access_case_subjects(struct request_context *ctx, const struct policy *policy,
                                  const char *const *case_ids, size_t count,
                                  struct access_case *out, int *found)
{
    return access_batch(ctx, policy, "access_case_batch", 0, case_ids, count, out, found);
}

void access_decide(const struct policy *policy, const struct access_case *access,
                   enum policy_category category, enum policy_action action,
                   struct policy_decision *out)
{
    if (!access->is_signatory) {
        memset(out, 0, sizeof(*out));
        out->reason_code = POLICY_REASON_NO_CLAUSE;
        snprintf(out->reason, sizeof(out->reason),
                 "%s: institution %s is not a signatory of the protocol in force",
                 action == POLICY_ACTION_READ ? "hidden" : "denied", access->institution_code);
        return;
    }
    if (access->emergency && action == POLICY_ACTION_WRITE &&
        !access->subject.is_lead_institution) {
        memset(out, 0, sizeof(*out));
        out->reason_code = POLICY_REASON_NO_CLAUSE;
        snprintf(out->reason, sizeof(out->reason), "denied: emergency access is read-only");
        return;
    }
    int protected_address = category == POLICY_CATEGORY_CONTACT_ADDRESS &&
                            access->subject.person_has_safety_flag &&
                            !access->subject.is_lead_institution;
    if (access->emergency && action == POLICY_ACTION_READ && !protected_address &&
        policy_category_is_person_level(category)) {
        memset(out, 0, sizeof(*out));
        out->allowed = 1;
        out->reason_code = POLICY_REASON_CLAUSE;
        snprintf(out->reason, sizeof(out->reason),
                 "visible: emergency access (break-glass), flagged for the coordinator's review");
        return;
    }
    policy_decide(policy, &access->subject, category, action, 0, out);
}

spona_status access_intake_subject(struct request_context *ctx, const struct policy *policy,
                                     struct access_case *out)
{
    memset(out, 0, sizeof(*out));
    char version[16];
    snprintf(version, sizeof(version), "%d", policy != NULL ? policy->version : 0);
    const char *params[] = {ctx->job->installation.institution_id, version};
    spona_status status;
    PGresult *result = request_query(ctx, "access_intake", 2, params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }
    snprintf(out->institution_id, sizeof(out->institution_id), "%s",
             ctx->job->installation.institution_id);
    snprintf(out->lead_institution_id, sizeof(out->lead_institution_id), "%s",
             out->institution_id);
    db_copy(result, 0, 0, out->institution_code, sizeof(out->institution_code));
    int role = PQgetisnull(result, 0, 1) ? -1 : policy_role_from_name(PQgetvalue(result, 0, 1));
    PQclear(result);
    out->is_signatory = role >= 0;
    out->subject.role = role >= 0 ? (enum policy_role)role : POLICY_ROLE_COORDINATOR;
    out->subject.on_team = 1;
    out->subject.is_lead_institution = 1;
    return SPONA__V1__STATUS__OK;
}
