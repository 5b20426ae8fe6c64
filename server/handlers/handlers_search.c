/*
 * Finding a person. docs/cases.md, "Finding a person", says what a search
 * matches.
 *
 * Search reads persons_identified (sql/025): the persons the caller may see
 * whose identity the database's decision table lets it read, in the caller's
 * municipality; spona_app may not select names, JMBGs or name keys of persons
 * itself. A hit is answered only when the policy in C also lets the caller
 * read the person's identity (decided for all the rows of a step at once)
 * and the caller is excluded from no case of the person; any other
 * person is left out as if the query had not matched her, so a search is no
 * oracle of who is registered. Each hit shown is audited with its person's id
 * (request_audit_also), so that person's disclosures list the search. Name
 * keys come from common/namekey.c, the same function that wrote
 * persons.name_key and name_key_first, and hold only [a-z0-9 ]. A prefix is a
 * range of keys, read in key order by spona_person_key_candidates (SECURITY
 * DEFINER: the ids of persons the caller may see, from the btree indexes of
 * the keys, up to the limit); loose search asks spona_person_loose_candidates
 * for candidate ids from the trigram index. Either's ids are joined to
 * persons_identified, which decides whether the caller may read each one's
 * identity: a row without it is no hit. Never log a query or a name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "fields.h"
#include "handlers.h"
#include "handlers_util.h"
#include "jmbg.h"
#include "namekey.h"
#include "statements.h"
#include "views.h"

#define SEARCH_QUERY_MAX_BYTES 200
#define SEARCH_KEY_BYTES (4 * SEARCH_QUERY_MAX_BYTES + 8)
#define SEARCH_DEFAULT_LIMIT 20
#define SEARCH_MAX_LIMIT 100
#define SEARCH_LOOSE_CANDIDATES 10 /* loose candidates per hit asked for */
#define SEARCH_MAX_SCAN_ROWS 1600  /* rows a step reads at most, hidden ones included */

/* The identity columns a hit may show, in the order the search statements select them. */
static const char *const search_identity_fields[] = {"first_name", "last_name", "jmbg",
                                                     "birth_date", "sex"};
#define SEARCH_IDENTITY_COUNT 5

/* What every search statement answers: id, the identity columns (NULL when the database
 * refuses the caller her identity: not a hit), the open visible case, for the persons of
 * the candidates k (person_id, rank). Each candidate's row of persons_identified is asked
 * by id in a subquery of its own (OFFSET 0 keeps it one), so that the id reaches the
 * view's index scan: joined, the view would be decided for every person first. */
#define SEARCH_COLUMNS_OF(candidates)                                                      \
    "SELECT k.person_id, (k.p).first_name, (k.p).last_name, (k.p).jmbg,"                   \
    "       to_char((k.p).birth_date, 'YYYY-MM-DD'), (k.p).sex, c.id, c.stage"             \
    "  FROM (SELECT k.person_id, k.rank,"                                                  \
    "               (SELECT p FROM persons_identified p WHERE p.id = k.person_id) AS p"    \
    "          FROM " candidates " k OFFSET 0) k"                                          \
    "  LEFT JOIN LATERAL (SELECT c.id, c.stage FROM cases c"                                \
    "                      WHERE c.person_id = k.person_id AND c.stage <> 'closed'"        \
    "                      ORDER BY c.opened_at DESC LIMIT 1) c ON true"                   \
    " WHERE $1::uuid = spona_current_municipality()"                                      \
    " ORDER BY k.rank LIMIT $4::int"

/* Name candidates: the persons the caller may see in the range [$2, $3) of a name key, in
 * key order, at most $4 (sql/025: the key columns are not spona_app's to read). */
#define SEARCH_KEY_CANDIDATES(key, pattern)                                                \
    "spona_person_key_candidates('" key "', $2, $3, " pattern ", $4::int)"

const struct db_statement search_statements[] = {
    {"search_jmbg",
     "SELECT p.id, p.first_name, p.last_name, p.jmbg, to_char(p.birth_date, 'YYYY-MM-DD'),"
     "       p.sex, c.id, c.stage"
     "  FROM persons_identified p"
     "  LEFT JOIN LATERAL (SELECT c.id, c.stage FROM cases c"
     "                      WHERE c.person_id = p.id AND c.stage <> 'closed'"
     "                      ORDER BY c.opened_at DESC LIMIT 1) c ON true"
     " WHERE p.municipality_id = $1::uuid AND p.jmbg = $2"},
    /* "last first" keys in [$2, $3) (the index range: every key with the prefix), in order */
    {"search_name", SEARCH_COLUMNS_OF(SEARCH_KEY_CANDIDATES("last_first", "NULL"))},
    /* the same on the "first last" keys */
    {"search_name_first", SEARCH_COLUMNS_OF(SEARCH_KEY_CANDIDATES("first_last", "NULL"))},
    /* both names cut ("mar sav"): the range "ma sav" of name_key_cut (sql/011: the first
     * two letters of the first name, then "last first"), which holds exactly the persons
     * whose first name starts "ma" and last name starts "sav", filtered by the pattern
     * "mar% sav%" on the "first last" key when the first word is longer (keys hold
     * [a-z0-9 ] only: no wildcard in them) */
    {"search_name_cut", SEARCH_COLUMNS_OF(SEARCH_KEY_CANDIDATES("cut", "$5"))},
    /* the same with a one-letter first word ("m sav"): the range of the first word on
     * the "first last" keys, filtered by the pattern */
    {"search_name_cut_short", SEARCH_COLUMNS_OF(SEARCH_KEY_CANDIDATES("first_last", "$5"))},
    /* the best $3 candidates of the municipality by word similarity of the loose key
     * (the trigram index, sql/005), those the caller may see, best first */
    {"search_loose",
     SEARCH_COLUMNS_OF("spona_person_loose_candidates($2, $3::int)")},
    {NULL, NULL},
};

/* One index range of name keys: the keys that start with low. */
struct search_range {
    char low[SEARCH_KEY_BYTES], high[SEARCH_KEY_BYTES];
};

/* A search checked and ready to run. */
struct search_plan {
    char query[SEARCH_QUERY_MAX_BYTES + 1]; /* trimmed */
    int by_jmbg;
    struct search_range as_written;         /* the key: a prefix of "last first", "first last" */
    struct search_range swapped;            /* "rest first-word" as a prefix of "last first" */
    struct search_range cut;                /* both names cut: a range of name_key_cut, or
                                               with a one-letter first word of "first last" */
    int cut_short;                          /* 1: the first word has one letter */
    char cut_pattern[SEARCH_KEY_BYTES + 2]; /* "first% rest%": both names cut */
    int several_words;                      /* 0: the swapped and cut steps do not apply */
    char loose[SEARCH_KEY_BYTES];           /* empty: no loose search */
    unsigned limit;
};

/* The range of keys that start with prefix (a key: [a-z0-9 ] only). */
static void search_range_prefix(const char *prefix, size_t length, struct search_range *out)
{
    snprintf(out->low, sizeof(out->low), "%.*s", (int)length, prefix);
    snprintf(out->high, sizeof(out->high), "%s", out->low);
    size_t end = strlen(out->high);
    if (end > 0)
        out->high[end - 1]++; /* keys are [a-z0-9 ]: the byte after the last cannot overflow */
}

/*
 * Fills the name search of plan from its query: the whole key as a prefix of
 * "last first" ("savic ma" finds Savić Marko, "sav" finds every Savić), then
 * as a prefix of "first last" ("marko sav" finds Marko Savić, "marko" every
 * Marko); with two words or more, the first word as the beginning of the first
 * name and the rest as the whole last name ("mar savic": "savic mar" as a
 * prefix of "last first"), then both cut ("mar sav": the range "ma sav" of
 * name_key_cut, those whose first name starts "mar"); loose: the loose key. Each
 * is one index range. -1 with a message in err when the query holds nothing to search by.
 */
static int search_plan_name(struct search_plan *plan, int loose, char *err, size_t err_size)
{
    char key[SEARCH_KEY_BYTES];
    if (namekey_make(plan->query, key, sizeof(key)) < 0) {
        snprintf(err, err_size, "query: not valid UTF-8");
        return -1;
    }
    if (key[0] == '\0') {
        snprintf(err, err_size, "query: no letters or digits to search by");
        return -1;
    }
    search_range_prefix(key, strlen(key), &plan->as_written);
    const char *space = strchr(key, ' ');
    if (space != NULL) {
        plan->several_words = 1;
        char swapped[SEARCH_KEY_BYTES];
        snprintf(swapped, sizeof(swapped), "%s %.*s", space + 1, (int)(space - key), key);
        search_range_prefix(swapped, strlen(swapped), &plan->swapped);
        size_t first_length = (size_t)(space - key);
        plan->cut_short = first_length < 2;
        if (plan->cut_short) {
            search_range_prefix(key, first_length, &plan->cut);
        } else {
            char cut[SEARCH_KEY_BYTES];
            snprintf(cut, sizeof(cut), "%.2s %s", key, space + 1);
            search_range_prefix(cut, strlen(cut), &plan->cut);
        }
        snprintf(plan->cut_pattern, sizeof(plan->cut_pattern), "%.*s%% %s%%",
                 (int)(space - key), key, space + 1);
    }
    if (loose && namekey_make_loose(plan->query, plan->loose, sizeof(plan->loose)) < 0)
        plan->loose[0] = '\0';
    return 0;
}

static int search_is_digits(const char *text)
{
    if (*text == '\0')
        return 0;
    for (; *text != '\0'; text++)
        if (*text < '0' || *text > '9')
            return 0;
    return 1;
}

/* Checks the request and fills plan; INVALID_ARGUMENT with ctx->message naming what is wrong. */
static spona_status search_prepare(struct request_context *ctx,
                                   const Spona__V1__PersonSearchRequest *search,
                                   struct search_plan *plan)
{
    memset(plan, 0, sizeof(*plan));
    const char *query = search->query;
    size_t length = strlen(query);
    while (*query == ' ') {
        query++;
        length--;
    }
    while (length > 0 && query[length - 1] == ' ')
        length--;
    if (length == 0) {
        snprintf(ctx->message, sizeof(ctx->message), "query: required (a name or a JMBG)");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    if (length > SEARCH_QUERY_MAX_BYTES) {
        snprintf(ctx->message, sizeof(ctx->message), "query: at most %d bytes",
                 SEARCH_QUERY_MAX_BYTES);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    if (search->limit > SEARCH_MAX_LIMIT) {
        snprintf(ctx->message, sizeof(ctx->message), "limit: at most %d", SEARCH_MAX_LIMIT);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    memcpy(plan->query, query, length);
    plan->query[length] = '\0';
    plan->limit = search->limit != 0 ? search->limit : SEARCH_DEFAULT_LIMIT;
    plan->by_jmbg = search_is_digits(plan->query);
    int valid = plan->by_jmbg ? jmbg_check(plan->query, JMBG_STRICT, NULL, ctx->message,
                                           sizeof(ctx->message)) == 0
                              : search_plan_name(plan, search->loose, ctx->message,
                                                 sizeof(ctx->message)) == 0;
    return valid ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INVALID_ARGUMENT;
}

/* One row of a search result as a hit: its identity fields and open case. */
static Spona__V1__PersonSearchHit *search_hit(const PGresult *result, int row)
{
    Spona__V1__PersonSearchHit *hit = malloc(sizeof(*hit));
    if (hit == NULL)
        return NULL;
    spona__v1__person_search_hit__init(hit);
    hit->person_id = views_strdup(PQgetvalue(result, row, 0));
    hit->case_id = views_strdup(PQgetvalue(result, row, 1 + SEARCH_IDENTITY_COUNT));
    hit->stage = views_strdup(PQgetvalue(result, row, 2 + SEARCH_IDENTITY_COUNT));
    int failed = hit->person_id == NULL || hit->case_id == NULL || hit->stage == NULL;
    for (int i = 0; !failed && i < SEARCH_IDENTITY_COUNT; i++) {
        if (PQgetisnull(result, row, 1 + i))
            continue;
        Spona__V1__PersonField *field = malloc(sizeof(*field));
        if (field == NULL) {
            failed = 1;
            break;
        }
        spona__v1__person_field__init(field);
        field->name = views_strdup(search_identity_fields[i]);
        field->value = views_strdup(PQgetvalue(result, row, 1 + i));
        field->category = views_strdup(policy_category_name(POLICY_CATEGORY_IDENTITY));
        if (field->name == NULL || field->value == NULL || field->category == NULL ||
            views_append((void ***)&hit->fields, &hit->n_fields, field) != 0) {
            spona__v1__person_field__free_unpacked(field, NULL);
            failed = 1;
        }
    }
    if (failed) {
        spona__v1__person_search_hit__free_unpacked(hit, NULL);
        return NULL;
    }
    return hit;
}

static int search_has_hit(const Spona__V1__PersonSearchResponse *answer, const char *person_id)
{
    for (size_t i = 0; i < answer->n_hits; i++)
        if (strcmp(answer->hits[i]->person_id, person_id) == 0)
            return 1;
    return 0;
}

/*
 * Whether the caller may be shown the person of access as a hit: not excluded
 * from any case of hers, and identity readable. Adds the decision to the
 * request's record (shown or withheld) and, when shown, audits the hit under
 * her id. OK with *shown set, or an error status.
 */
static spona_status search_decide_hit(struct request_context *ctx,
                                      const struct access_case *access, int *shown)
{
    struct policy_decision decision;
    access_decide(ctx->policy, access, POLICY_CATEGORY_IDENTITY, POLICY_ACTION_READ, &decision);
    *shown = decision.allowed && !access->caller_excluded;
    if (!*shown) {
        ctx->record.denied |= POLICY_BIT(POLICY_CATEGORY_IDENTITY);
        return SPONA__V1__STATUS__OK;
    }
    ctx->record.disclosed |= POLICY_BIT(POLICY_CATEGORY_IDENTITY);
    audit_add_clause(&ctx->record, decision.clause_number);
    ctx->record.emergency |= access->emergency;
    struct audit_record hit = {.person_id = access->person_id,
                               .case_id = access->case_id[0] != '\0' ? access->case_id : NULL,
                               .disclosed = POLICY_BIT(POLICY_CATEGORY_IDENTITY),
                               .emergency = access->emergency,
                               .detail = "a search hit"};
    audit_add_clause(&hit, decision.clause_number);
    return request_audit_also(ctx, &hit);
}

/* The rows of result not already hits and with an identity: their person ids and rows.
 * Returns the count. */
static size_t search_new_rows(const PGresult *result, const Spona__V1__PersonSearchResponse *answer,
                              const char **person_ids, int *row_of)
{
    size_t count = 0;
    for (int row = 0; row < PQntuples(result); row++) {
        const char *person_id = PQgetvalue(result, row, 0);
        if (PQgetisnull(result, row, 1))
            continue; /* identity refused by the database (persons_identified): no hit */
        if (search_has_hit(answer, person_id))
            continue; /* found by an earlier step */
        person_ids[count] = person_id;
        row_of[count++] = row;
    }
    return count;
}

/*
 * Adds the rows of one search statement to answer (up to limit hits, each
 * person once) that the caller may be shown, as the caller's institution is
 * placed towards each (its case, or its intake: access_person_subjects, one
 * statement for all the rows). The others are left out without a trace in
 * the answer.
 */
static spona_status search_add_hits(struct request_context *ctx, const PGresult *result,
                                    unsigned limit, Spona__V1__PersonSearchResponse *answer)
{
    int rows = PQntuples(result);
    if (rows == 0 || answer->n_hits >= limit)
        return SPONA__V1__STATUS__OK;
    const char **person_ids = calloc((size_t)rows, sizeof(*person_ids));
    int *row_of = calloc((size_t)rows, sizeof(*row_of));
    int *found = calloc((size_t)rows, sizeof(*found));
    struct access_case *access = calloc((size_t)rows, sizeof(*access));
    spona_status status = SPONA__V1__STATUS__INTERNAL;
    if (person_ids == NULL || row_of == NULL || found == NULL || access == NULL) {
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        goto done;
    }
    size_t count = search_new_rows(result, answer, person_ids, row_of);
    status = access_person_subjects(ctx, ctx->policy, person_ids, count, access, found);
    for (size_t i = 0; i < count && answer->n_hits < limit && status == SPONA__V1__STATUS__OK;
         i++) {
        int shown = 0;
        if (found[i]) /* else changed meanwhile: leave it out */
            status = search_decide_hit(ctx, &access[i], &shown);
        if (status != SPONA__V1__STATUS__OK || !shown)
            continue;
        Spona__V1__PersonSearchHit *hit = search_hit(result, row_of[i]);
        if (hit == NULL || views_append((void ***)&answer->hits, &answer->n_hits, hit) != 0) {
            if (hit != NULL)
                spona__v1__person_search_hit__free_unpacked(hit, NULL);
            snprintf(ctx->message, sizeof(ctx->message), "internal error");
            status = SPONA__V1__STATUS__INTERNAL;
        }
    }

done:
    free(person_ids);
    free(row_of);
    free(found);
    free(access);
    return status;
}

/* The steps of a name search, in order (docs/cases.md, "Finding a person"). */
enum search_step_kind {
    SEARCH_STEP_LAST_FIRST, /* the key as a prefix of "last first" (or the JMBG) */
    SEARCH_STEP_FIRST_LAST, /* the key as a prefix of "first last" */
    SEARCH_STEP_SWAPPED,    /* "rest first-word" as a prefix of "last first" */
    SEARCH_STEP_CUT,        /* "first-word... rest..." on "first last" */
    SEARCH_STEP_LOOSE,      /* word similarity of the loose key */
    SEARCH_STEP_COUNT
};

/* One step's statement, its rows limited to rows (the loose candidates in proportion). */
static PGresult *search_step_query(struct request_context *ctx, const struct search_plan *plan,
                                   enum search_step_kind step, unsigned rows,
                                   spona_status *status)
{
    char limit[16], candidates[16];
    snprintf(limit, sizeof(limit), "%u", rows);
    /* the candidates are the municipality's, before row-level security (docs/cases.md) */
    unsigned loose = SEARCH_LOOSE_CANDIDATES * rows;
    snprintf(candidates, sizeof(candidates), "%u",
             loose < SEARCH_LOOSE_CANDIDATES * SEARCH_MAX_LIMIT
                 ? loose
                 : SEARCH_LOOSE_CANDIDATES * SEARCH_MAX_LIMIT);
    const char *municipality = ctx->job->installation.municipality_id;
    const struct search_range *range = step == SEARCH_STEP_SWAPPED ? &plan->swapped
                                       : step == SEARCH_STEP_CUT   ? &plan->cut
                                                                   : &plan->as_written;
    const char *jmbg_params[] = {municipality, plan->query};
    const char *name_params[] = {municipality, range->low, range->high, limit,
                                 plan->cut_pattern};
    const char *loose_params[] = {municipality, plan->loose, candidates, limit};
    if (plan->by_jmbg)
        return request_query(ctx, "search_jmbg", 2, jmbg_params, status);
    if (step == SEARCH_STEP_FIRST_LAST)
        return request_query(ctx, "search_name_first", 4, name_params, status);
    if (step == SEARCH_STEP_CUT)
        return request_query(ctx, plan->cut_short ? "search_name_cut_short" : "search_name_cut",
                             5, name_params, status);
    if (step == SEARCH_STEP_LOOSE)
        return request_query(ctx, "search_loose", 4, loose_params, status);
    return request_query(ctx, "search_name", 4, name_params, status);
}

/*
 * Runs one step of the search and adds its hits. A step that does not apply,
 * or is not needed because the limit is reached, runs nothing. Rows that are
 * no hit (earlier steps' hits, persons the caller may not be shown) must not
 * take the place of a hit further on, or a search would answer differently
 * for a hidden person than for no one: while a step fills its rows without
 * reaching the limit, it runs again with twice the rows (up to
 * SEARCH_MAX_SCAN_ROWS).
 */
static spona_status search_step(struct request_context *ctx, const struct search_plan *plan,
                                enum search_step_kind step,
                                Spona__V1__PersonSearchResponse *answer)
{
    if ((plan->by_jmbg && step != SEARCH_STEP_LAST_FIRST) ||
        ((step == SEARCH_STEP_SWAPPED || step == SEARCH_STEP_CUT) && !plan->several_words) ||
        (step == SEARCH_STEP_LOOSE && plan->loose[0] == '\0'))
        return SPONA__V1__STATUS__OK;
    spona_status status = SPONA__V1__STATUS__OK;
    for (unsigned rows = plan->limit; answer->n_hits < plan->limit; rows *= 2) {
        PGresult *result = search_step_query(ctx, plan, step, rows, &status);
        if (result == NULL)
            return status;
        int full = !plan->by_jmbg && (unsigned)PQntuples(result) >= rows;
        status = search_add_hits(ctx, result, plan->limit, answer);
        PQclear(result);
        if (status != SPONA__V1__STATUS__OK || !full || rows >= SEARCH_MAX_SCAN_ROWS)
            break;
    }
    return status;
}

spona_status handle_person_search(struct request_context *ctx, const spona_request *request,
                                  spona_response *response)
{
    struct search_plan plan;
    spona_status status = search_prepare(ctx, request->person_search, &plan);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    Spona__V1__PersonSearchResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__person_search_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_PERSON_SEARCH;
    response->person_search = answer; /* freed with the response on any failure */
    for (int step = 0; step < SEARCH_STEP_COUNT && status == SPONA__V1__STATUS__OK; step++)
        status = search_step(ctx, &plan, (enum search_step_kind)step, answer);
    snprintf(ctx->audit_detail, sizeof(ctx->audit_detail), "%zu hits", answer->n_hits);
    ctx->record.detail = ctx->audit_detail;
    return status;
}
