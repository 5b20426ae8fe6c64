/*
 * The protocol's directory and short ids (docs/protocol.md): directory lists the
 * signatories of the protocol in force with their registered name and contact (no
 * personal data: not audited); id_lookup finds the ids the caller may see that
 * begin with a prefix, so clients accept a short id (row-level security decides
 * what is seen; at most two ids: one is a match, two an ambiguity).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "statements.h"
#include "subject.h"
#include "views.h"

#define LOOKUP_MIN_DIGITS 4

const struct db_statement directory_statements[] = {
    {"directory_institutions",
     "SELECT code, name, contact, enabled FROM institutions WHERE municipality_id = $1"},
    /* under row-level security: only what the caller may see */
    {"lookup_case",
     "SELECT id FROM cases WHERE id BETWEEN $1::uuid AND $2::uuid ORDER BY id LIMIT 2"},
    {"lookup_person",
     "SELECT id FROM persons WHERE id BETWEEN $1::uuid AND $2::uuid ORDER BY id LIMIT 2"},
    {"lookup_referral",
     "SELECT id FROM referrals WHERE id BETWEEN $1::uuid AND $2::uuid ORDER BY id LIMIT 2"},
    {"lookup_outcome",
     "SELECT id FROM outcomes WHERE id BETWEEN $1::uuid AND $2::uuid ORDER BY id LIMIT 2"},
    {"lookup_case_number", "SELECT id FROM cases WHERE id = spona_case_by_number($1)"},
    {NULL, NULL},
};

/* Appends the given names of a protocol entry as LocalNames; 0, or -1 out of memory. */
static int directory_names(char *const *names, Spona__V1__LocalName ***out, size_t *count)
{
    for (size_t i = 0; i < POLICY_LANG_COUNT; i++) {
        if (names[i] == NULL)
            continue;
        Spona__V1__LocalName *name = malloc(sizeof(*name));
        if (name == NULL)
            return -1;
        spona__v1__local_name__init(name);
        name->lang = views_strdup(policy_language_tag((enum policy_language)i));
        name->text = views_strdup(names[i]);
        if (name->lang == NULL || name->text == NULL ||
            views_append((void ***)out, count, name) != 0) {
            spona__v1__local_name__free_unpacked(name, NULL);
            return -1;
        }
    }
    return 0;
}

/* The protocol's priority groups with their names; 0, or -1 out of memory. */
static int directory_groups(const struct policy *policy, Spona__V1__DirectoryResponse *answer)
{
    for (size_t i = 0; i < policy->priority_group_count; i++) {
        const struct policy_priority_group *group = &policy->priority_groups[i];
        Spona__V1__PriorityGroupEntry *entry = malloc(sizeof(*entry));
        if (entry == NULL)
            return -1;
        spona__v1__priority_group_entry__init(entry);
        entry->code = views_strdup(group->code);
        entry->name = views_strdup(group->name != NULL ? group->name : group->code);
        if (entry->code == NULL || entry->name == NULL ||
            directory_names(group->names, &entry->names, &entry->n_names) != 0 ||
            views_append((void ***)&answer->priority_groups, &answer->n_priority_groups,
                         entry) != 0) {
            spona__v1__priority_group_entry__free_unpacked(entry, NULL);
            return -1;
        }
    }
    return 0;
}

/* One signatory as an entry, with what the institutions table says of it. */
static Spona__V1__DirectoryEntry *directory_entry(const struct policy_signatory *signatory,
                                                  const PGresult *result)
{
    int found = -1;
    for (int row = 0; row < PQntuples(result) && found < 0; row++)
        if (strcmp(PQgetvalue(result, row, 0), signatory->institution) == 0)
            found = row;
    Spona__V1__DirectoryEntry *entry = malloc(sizeof(*entry));
    if (entry == NULL)
        return NULL;
    spona__v1__directory_entry__init(entry);
    const char *name = signatory->name != NULL ? signatory->name
                       : found >= 0            ? PQgetvalue(result, found, 1)
                                               : "";
    entry->institution_code = views_strdup(signatory->institution);
    entry->name = views_strdup(name);
    entry->role = views_strdup(policy_role_name(signatory->role));
    entry->contact = views_strdup(found >= 0 ? PQgetvalue(result, found, 2) : "");
    entry->enabled = found >= 0 && strcmp(PQgetvalue(result, found, 3), "t") == 0;
    if (entry->institution_code == NULL || entry->name == NULL || entry->role == NULL ||
        entry->contact == NULL ||
        directory_names(signatory->names, &entry->names, &entry->n_names) != 0) {
        spona__v1__directory_entry__free_unpacked(entry, NULL);
        return NULL;
    }
    return entry;
}

spona_status handle_directory(struct request_context *ctx, const spona_request *request,
                              spona_response *response)
{
    (void)request;
    const struct policy *policy = ctx->policy;
    const char *params[] = {ctx->job->installation.municipality_id};
    spona_status status;
    PGresult *result = request_query(ctx, "directory_institutions", 1, params, &status);
    if (result == NULL)
        return status;
    Spona__V1__DirectoryResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL) {
        PQclear(result);
        return SPONA__V1__STATUS__INTERNAL;
    }
    spona__v1__directory_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_DIRECTORY;
    response->directory = answer;
    answer->municipality_code = views_strdup(policy != NULL ? policy->municipality : "");
    answer->protocol_version = policy != NULL ? (uint32_t)policy->version : 0;
    status = answer->municipality_code != NULL ? SPONA__V1__STATUS__OK
                                               : SPONA__V1__STATUS__INTERNAL;
    for (size_t i = 0; policy != NULL && i < policy->signatory_count &&
                       status == SPONA__V1__STATUS__OK; i++) {
        Spona__V1__DirectoryEntry *entry = directory_entry(&policy->signatories[i], result);
        if (entry == NULL || views_append((void ***)&answer->institutions,
                                          &answer->n_institutions, entry) != 0) {
            if (entry != NULL)
                spona__v1__directory_entry__free_unpacked(entry, NULL);
            status = SPONA__V1__STATUS__INTERNAL;
        }
    }
    if (status == SPONA__V1__STATUS__OK && policy != NULL && directory_groups(policy, answer) != 0)
        status = SPONA__V1__STATUS__INTERNAL;
    PQclear(result);
    return status;
}

/*
 * The lowest and highest UUID that begin with prefix (hex digits, dashes ignored,
 * 4 to 32 of them). 0, or -1 when prefix is not such a prefix.
 */
static int lookup_bounds(const char *prefix, char low[UUID_TEXT], char high[UUID_TEXT])
{
    char hex[33];
    size_t digits = 0;
    for (const char *c = prefix; *c != '\0'; c++) {
        if (*c == '-')
            continue;
        if (!isxdigit((unsigned char)*c) || digits == 32)
            return -1;
        hex[digits++] = (char)tolower((unsigned char)*c);
    }
    if (digits < LOOKUP_MIN_DIGITS)
        return -1;
    char lows[33], highs[33];
    for (size_t i = 0; i < 32; i++) {
        lows[i] = i < digits ? hex[i] : '0';
        highs[i] = i < digits ? hex[i] : 'f';
    }
    lows[32] = highs[32] = '\0';
    snprintf(low, UUID_TEXT, "%.8s-%.4s-%.4s-%.4s-%.12s", lows, lows + 8, lows + 12, lows + 16,
             lows + 20);
    snprintf(high, UUID_TEXT, "%.8s-%.4s-%.4s-%.4s-%.12s", highs, highs + 8, highs + 12,
             highs + 16, highs + 20);
    return 0;
}

/* The statement for kind and its parameters; NULL with ctx->message set when refused. */
static const char *lookup_statement(struct request_context *ctx,
                                    const Spona__V1__IdLookupRequest *lookup, char low[UUID_TEXT],
                                    char high[UUID_TEXT])
{
    const char *kinds[][2] = {{"case", "lookup_case"},
                              {"person", "lookup_person"},
                              {"referral", "lookup_referral"},
                              {"outcome", "lookup_outcome"}};
    const char *statement = NULL;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(lookup->kind, kinds[i][0]) == 0)
            statement = kinds[i][1];
    if (statement == NULL) {
        snprintf(ctx->message, sizeof(ctx->message), "kind: not a kind (case, person, referral, outcome)");
        return NULL;
    }
    if (strcmp(statement, "lookup_case") == 0 && subject_is_case_number(lookup->prefix)) {
        snprintf(low, UUID_TEXT, "%s", "");
        return "lookup_case_number";
    }
    if (lookup_bounds(lookup->prefix, low, high) != 0) {
        snprintf(ctx->message, sizeof(ctx->message),
                 "prefix: at least %d hexadecimal digits of an id%s", LOOKUP_MIN_DIGITS,
                 strcmp(statement, "lookup_case") == 0 ? ", or a case number" : "");
        return NULL;
    }
    return statement;
}

spona_status handle_id_lookup(struct request_context *ctx, const spona_request *request,
                              spona_response *response)
{
    const Spona__V1__IdLookupRequest *lookup = request->id_lookup;
    char low[UUID_TEXT], high[UUID_TEXT], number[32];
    const char *statement = lookup_statement(ctx, lookup, low, high);
    if (statement == NULL)
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    int by_number = strcmp(statement, "lookup_case_number") == 0;
    snprintf(number, sizeof(number), "%s", lookup->prefix);
    for (char *c = number; by_number && *c != '\0'; c++)
        *c = (char)toupper((unsigned char)*c);
    const char *params[] = {by_number ? number : low, high};
    spona_status status;
    PGresult *result = request_query(ctx, statement, by_number ? 1 : 2, params, &status);
    if (result == NULL)
        return status;
    Spona__V1__IdLookupResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL) {
        PQclear(result);
        return SPONA__V1__STATUS__INTERNAL;
    }
    spona__v1__id_lookup_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_ID_LOOKUP;
    response->id_lookup = answer;
    for (int row = 0; row < PQntuples(result) && status == SPONA__V1__STATUS__OK; row++) {
        char *id = views_strdup(PQgetvalue(result, row, 0));
        if (id == NULL || views_append((void ***)&answer->ids, &answer->n_ids, id) != 0) {
            free(id);
            status = SPONA__V1__STATUS__INTERNAL;
        }
    }
    PQclear(result);
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%s: %zu%s ids", lookup->kind,
             answer->n_ids, answer->n_ids > 1 ? " or more" : "");
    ctx->record.detail = ctx->audit_detail;
    return status;
}
