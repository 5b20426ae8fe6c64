/*
 * Persons (beneficiaries): register, read and change a person's record under
 * the protocol in force (docs/access.md). A read answers only the fields of
 * the categories the caller may see, with a decision per category; a write
 * touching any category the caller may not write is refused whole. Every
 * request is audited with what it disclosed or wrote.
 *
 * SQL naming the person's columns is built from the field table (fields.c),
 * never from the request, so a new column needs only its row there. Values
 * always travel as parameters. Never log a field's value.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "audit.h"
#include "fields.h"
#include "conflict_explain.h"
#include "handlers.h"
#include "handlers_util.h"
#include "priority_groups.h"
#include "handlers_person.h"
#include "jmbg.h"
#include "namekey.h"
#include "person_household.h"
#include "statements.h"
#include "views.h"

#define PERSON_MAX_FIELDS 32
#define PERSON_SQL_BYTES 4096
#define PERSON_DUPLICATE_JMBG "a person with this JMBG is already registered"

/* A read takes the fields from persons_for_caller, the database's category-aware view
 * (sql/022, sql/025: spona_app may not select a personal column of persons itself), and
 * shows those of the categories access_decide allows: two walls, each deciding from the
 * protocol in force. A test build only (CMake option SPONA_TEST_NO_C_FILTER, the server
 * variant spona-server-no-c-filter, never installed) switches the C filter off, so that a
 * test can show both give the same answer (docs/access.md "The decision table"). */
#define PERSON_VIEW_SOURCE "persons_for_caller"
#ifdef SPONA_TEST_NO_C_FILTER
#define PERSON_VIEW_C_FILTER 0
#else
#define PERSON_VIEW_C_FILTER 1
#endif

const struct db_statement person_statements[] = {
    /* finds only persons whose identity the caller may read (sql/025); another holder
     * of the JMBG is found by the insert's or update's unique constraint, unnamed */
    {"person_jmbg_visible",
     "SELECT id FROM persons_identified WHERE jmbg = $1"
     "   AND id IS DISTINCT FROM NULLIF($2, '')::uuid LIMIT 1"},
    {"person_version", "SELECT version FROM persons WHERE id = $1::uuid"},
    {"person_names",
     "SELECT last_name, first_name FROM persons_for_caller WHERE id = $1::uuid"},
    {"person_name_key",
     "UPDATE persons SET name_key = $2, name_key_loose = $3, name_key_first = $4"
     " WHERE id = $1::uuid"},
    {NULL, NULL},
};

/* The fields of a create or update request, checked. */
struct person_input {
    size_t count;
    const struct field_def *fields[PERSON_MAX_FIELDS];
    const char *values[PERSON_MAX_FIELDS]; /* borrowed from the request, or the derived below */
    char birth_date[16];                   /* derived from the JMBG */
    char sex[2];
    policy_mask categories;                /* categories written */
};

static int person_input_find(const struct person_input *input, const char *name)
{
    for (size_t i = 0; i < input->count; i++)
        if (strcmp(input->fields[i]->name, name) == 0)
            return (int)i;
    return -1;
}

static const char *person_input_value(const struct person_input *input, const char *name)
{
    int at = person_input_find(input, name);
    return at >= 0 ? input->values[at] : NULL;
}

/* Fills the field name from the JMBG when not given; refuses a given value that differs. */
static int person_input_derive(struct person_input *input, const char *name, const char *derived,
                               char *err, size_t err_size)
{
    int at = person_input_find(input, name);
    if (at >= 0 && input->values[at][0] != '\0') {
        if (strcmp(input->values[at], derived) == 0)
            return 0;
        snprintf(err, err_size, "%s does not match the JMBG", name);
        return -1;
    }
    if (at >= 0) {
        input->values[at] = derived;
        return 0;
    }
    const struct field_def *field = fields_find(name);
    if (field == NULL || input->count >= PERSON_MAX_FIELDS)
        return 0;
    input->fields[input->count] = field;
    input->values[input->count] = derived;
    input->count++;
    return 0;
}

/*
 * A priority-group list refused (ctx->message says why): the error code
 * priority_group_unknown or priority_group_repeated with the entry's position
 * and the protocol's codes (never the request's text). INVALID_ARGUMENT.
 */
static spona_status person_groups_refused(struct request_context *ctx)
{
    const char *entry = strstr(ctx->message, "entry ");
    char position[12] = "", codes[ERROR_CODE_VALUE_MAX];
    size_t used = 0;
    if (entry != NULL)
        snprintf(position, sizeof(position), "%.*s", (int)strspn(entry + 6, "0123456789"),
                 entry + 6);
    codes[0] = '\0';
    for (size_t i = 0; ctx->policy != NULL && i < ctx->policy->priority_group_count &&
                       used < sizeof(codes);
         i++)
        used += (size_t)snprintf(codes + used, sizeof(codes) - used, "%s%s", i == 0 ? "" : ", ",
                                 ctx->policy->priority_groups[i].code);
    error_code_set(&ctx->error, strstr(ctx->message, "repeats") != NULL
                                    ? "priority_group_repeated"
                                    : "priority_group_unknown");
    error_code_param(&ctx->error, "entry", position);
    error_code_param(&ctx->error, "groups", codes);
    return SPONA__V1__STATUS__INVALID_ARGUMENT;
}

/*
 * Checks the request's fields: known names, each once, valid values, the
 * required ones when creating, birth date and sex consistent with a JMBG (and
 * filled from it). INVALID_ARGUMENT with ctx->message naming the field.
 */
static spona_status person_input_read(struct request_context *ctx,
                                      Spona__V1__PersonField *const *fields, size_t count,
                                      int creating, struct person_input *input)
{
    memset(input, 0, sizeof(*input));
    if (person_field_count > PERSON_MAX_FIELDS) {
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }
    if (count == 0 && !creating) {
        snprintf(ctx->message, sizeof(ctx->message), "no fields to change");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    for (size_t i = 0; i < count; i++) {
        const char *name = fields[i]->name;
        const struct field_def *field = fields_find(name);
        if (field == NULL) {
            snprintf(ctx->message, sizeof(ctx->message), "fields[%zu]: not a field of a person", i);
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
        }
        if (person_input_find(input, name) >= 0) {
            snprintf(ctx->message, sizeof(ctx->message), "field '%s' is given twice", name);
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
        }
        if (fields_validate(field, fields[i]->value, ctx->message, sizeof(ctx->message)) != 0)
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
        if (strcmp(name, "priority_groups") == 0 &&
            priority_groups_check(ctx->policy, fields[i]->value, ctx->message,
                                  sizeof(ctx->message)) != 0)
            return person_groups_refused(ctx);
        input->fields[input->count] = field;
        input->values[input->count] = fields[i]->value;
        input->count++;
    }
    if (creating) {
        for (size_t i = 0; i < person_field_count; i++) {
            if (person_fields[i].required && person_input_find(input, person_fields[i].name) < 0) {
                snprintf(ctx->message, sizeof(ctx->message), "%s: required",
                         person_fields[i].name);
                return SPONA__V1__STATUS__INVALID_ARGUMENT;
            }
        }
    }

    const char *jmbg = person_input_value(input, "jmbg");
    if (jmbg != NULL && jmbg[0] != '\0') {
        struct jmbg_info info;
        if (jmbg_check(jmbg, JMBG_STRICT, &info, ctx->message, sizeof(ctx->message)) != 0)
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
        snprintf(input->birth_date, sizeof(input->birth_date), "%04d-%02d-%02d", info.year,
                 info.month, info.day);
        input->sex[0] = info.sex;
        input->sex[1] = '\0';
        if (person_input_derive(input, "birth_date", input->birth_date, ctx->message,
                                sizeof(ctx->message)) != 0 ||
            person_input_derive(input, "sex", input->sex, ctx->message,
                                sizeof(ctx->message)) != 0)
            return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    for (size_t i = 0; i < input->count; i++)
        input->categories |= POLICY_BIT(input->fields[i]->category);
    return SPONA__V1__STATUS__OK;
}

/*
 * Decides "write" on every category of input. OK (record: categories written,
 * clauses that allow it), or PERMISSION_DENIED with the first refusal's reason
 * (record: the refused categories).
 */
static spona_status person_decide_writes(struct request_context *ctx, const struct policy *policy,
                                         const struct access_case *access,
                                         const struct person_input *input,
                                         struct audit_record *record)
{
    int refused = 0;
    struct audit_record allowed = {0};
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++) {
        if (!(input->categories & POLICY_BIT(category)))
            continue;
        struct policy_decision decision;
        access_decide(policy, access, (enum policy_category)category, POLICY_ACTION_WRITE,
                      &decision);
        if (decision.allowed) {
            audit_add_clause(&allowed, decision.clause_number);
            continue;
        }
        record->denied |= POLICY_BIT(category);
        if (!refused) {
            snprintf(ctx->message, sizeof(ctx->message), "%s", decision.reason);
            error_code_decision(&ctx->error, &decision, (enum policy_category)category,
                                POLICY_ACTION_WRITE);
        }
        refused = 1;
    }
    if (refused)
        return SPONA__V1__STATUS__PERMISSION_DENIED;
    record->disclosed |= input->categories;
    for (int i = 0; i < allowed.clause_count; i++)
        audit_add_clause(record, allowed.clauses[i]);
    return SPONA__V1__STATUS__OK;
}

/* Appends to a statement being built from the field table; -1 when it does not fit. */
__attribute__((format(printf, 4, 5))) static int sql_append(char *sql, size_t size, size_t *used,
                                                            const char *format, ...)
{
    if (*used >= size)
        return -1;
    va_list arguments;
    va_start(arguments, format);
    int written = vsnprintf(sql + *used, size - *used, format, arguments);
    va_end(arguments);
    if (written < 0 || (size_t)written >= size - *used) {
        *used = size;
        return -1;
    }
    *used += (size_t)written;
    return 0;
}

/* Names the fields written, for the audit detail (names only, never values). */
static void person_written_detail(const struct person_input *input, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    (void)sql_append(out, out_size, &used, "fields:");
    for (size_t i = 0; i < input->count; i++)
        (void)sql_append(out, out_size, &used, "%s%s", i ? "," : " ", input->fields[i]->name);
}

/*
 * 1 when the caller may be told the id of person_id: it may read her identity
 * and is excluded from no case of hers. Row-level security lets a caller see
 * more persons than that (its intakes, a case it is excluded from by name).
 */
static int person_id_tellable(struct request_context *ctx, const char *person_id)
{
    char message[sizeof(ctx->message)];
    memcpy(message, ctx->message, sizeof(message));
    struct access_case access;
    spona_status status = access_person_subject(ctx, person_id, NULL, &access);
    memcpy(ctx->message, message, sizeof(message));
    if (status != SPONA__V1__STATUS__OK || access.caller_excluded)
        return 0;
    struct policy_decision decision;
    access_decide(ctx->policy, &access, POLICY_CATEGORY_IDENTITY, POLICY_ACTION_READ, &decision);
    return decision.allowed;
}

/*
 * Looks for another person with the JMBG of input, among those the caller may
 * see. CONFLICT (found: her id, for the audit record; the message names her
 * only when the caller may read her identity), or OK.
 */
static spona_status person_check_duplicate(struct request_context *ctx,
                                           const struct person_input *input,
                                           const char *person_id, char found[UUID_TEXT])
{
    const char *jmbg = person_input_value(input, "jmbg");
    if (jmbg == NULL || jmbg[0] == '\0')
        return SPONA__V1__STATUS__OK;
    const char *params[] = {jmbg, person_id != NULL ? person_id : ""};
    spona_status status;
    PGresult *result = request_query(ctx, "person_jmbg_visible", 2, params, &status);
    if (result == NULL)
        return status;
    int duplicate = PQntuples(result) > 0;
    if (duplicate)
        db_copy(result, 0, 0, found, UUID_TEXT);
    PQclear(result);
    if (!duplicate)
        return SPONA__V1__STATUS__OK;
    if (person_id_tellable(ctx, found))
        snprintf(ctx->message, sizeof(ctx->message), PERSON_DUPLICATE_JMBG ": %s", found);
    else /* the same as for a person the caller cannot see at all (person_insert) */
        snprintf(ctx->message, sizeof(ctx->message), PERSON_DUPLICATE_JMBG);
    return SPONA__V1__STATUS__CONFLICT;
}

/* The name as stored now: the value written (input), else the stored one from row. */
static const char *person_stored_name(const struct person_input *input, const char *name,
                                      const PGresult *row, int column)
{
    const char *written = person_input_value(input, name);
    if (written != NULL)
        return written;
    return PQntuples(row) == 1 && !PQgetisnull(row, 0, column) ? PQgetvalue(row, 0, column)
                                                                 : NULL;
}

/*
 * Derives the person's search keys (namekey.c) from her names, as "last first"
 * (also loose) and "first last" (docs/cases.md, "Finding a person"): the names
 * written by input, a name not written as stored (read through
 * persons_for_caller). OK, or an error status.
 */
static spona_status person_store_name_key(struct request_context *ctx, const char *person_id,
                                          const struct person_input *input)
{
    const char *params[4] = {person_id};
    spona_status status;
    PGresult *result = request_query(ctx, "person_names", 1, params, &status);
    if (result == NULL)
        return status;
    const char *last = person_stored_name(input, "last_name", result, 0);
    const char *first = person_stored_name(input, "first_name", result, 1);
    if (last == NULL || first == NULL) { /* a name the caller may write but not read */
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), "first_name, last_name: give both");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    char names[2 * PERSON_SQL_BYTES + 8];
    char key[2 * PERSON_SQL_BYTES + 8], loose[sizeof(key)], first_key[sizeof(key)];
    snprintf(names, sizeof(names), "%s %s", last, first);
    int made = namekey_make(names, key, sizeof(key)) >= 0 &&
               namekey_make_loose(names, loose, sizeof(loose)) >= 0;
    snprintf(names, sizeof(names), "%s %s", first, last);
    made = made && namekey_make(names, first_key, sizeof(first_key)) >= 0;
    PQclear(result);
    if (!made) {
        snprintf(ctx->message, sizeof(ctx->message), "first_name, last_name: not valid UTF-8");
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    params[1] = key;
    params[2] = loose;
    params[3] = first_key;
    result = request_query(ctx, "person_name_key", 4, params, &status);
    PQclear(result);
    return status;
}

/* The statement of the person's row: version, then every field of person_fields as
 * text. 0, or -1 when it does not fit (INTERNAL, ctx->message set). */
static int person_view_sql(struct request_context *ctx, char *sql, size_t size)
{
    size_t used = 0;
    int built = sql_append(sql, size, &used, "SELECT version::text");
    for (size_t i = 0; i < person_field_count; i++)
        built |= person_fields[i].type == FIELD_DATE
                     ? sql_append(sql, size, &used, ", to_char(%s, 'YYYY-MM-DD')",
                                  person_fields[i].name)
                     : sql_append(sql, size, &used, ", %s::text", person_fields[i].name);
    built |= sql_append(sql, size, &used, " FROM " PERSON_VIEW_SOURCE " WHERE id = $1::uuid");
    if (built != 0)
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
    return built != 0 ? -1 : 0;
}

/*
 * The person's row (person_view_sql) and, when with_household, her household members and
 * benefit periods (person_household.h), all in one round trip: the decision whether the
 * caller may read them was made in C before (person_view_decide), so nothing waits on the
 * row. OK with out[0] the row and out[1], out[2] the household's results (NULL without),
 * or an error status with ctx->message set (NOT_FOUND when the row is not visible).
 */
static spona_status person_view_select(struct request_context *ctx, const char *person_id,
                                       int with_household, PGresult *out[3])
{
    char sql[PERSON_SQL_BYTES];
    out[0] = out[1] = out[2] = NULL;
    if (person_view_sql(ctx, sql, sizeof(sql)) != 0)
        return SPONA__V1__STATUS__INTERNAL;
    const char *const names[] = {HANDLERS_KEPT_PLAN, PERSON_HOUSEHOLD_MEMBERS,
                                 PERSON_HOUSEHOLD_BENEFITS};
    const char *const sqls[] = {sql, NULL, NULL};
    const char *params[] = {person_id};
    spona_status status =
        request_query_pipeline(ctx, with_household ? 3 : 1, names, sqls, 1, params, out);
    if (status == SPONA__V1__STATUS__OK && PQntuples(out[0]) != 1) {
        for (int i = 0; i < 3; i++) {
            PQclear(out[i]);
            out[i] = NULL;
        }
        snprintf(ctx->message, sizeof(ctx->message), "no person %s that you may see",
                 person_id);
        status = SPONA__V1__STATUS__NOT_FOUND;
    }
    return status;
}

/* Decides every person-level category for the view (decisions[] filled), noting clauses
 * and denials in record. 0, or -1 out of memory. */
static int person_view_decide(const struct policy *policy, const struct access_case *access,
                              Spona__V1__PersonView *view, struct policy_decision *decisions,
                              struct audit_record *record)
{
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++) {
        if (!policy_category_is_person_level((enum policy_category)category))
            continue;
        access_decide(policy, access, (enum policy_category)category, POLICY_ACTION_READ,
                      &decisions[category]);
        Spona__V1__CategoryDecision *decision =
            views_decision(policy, (enum policy_category)category, POLICY_ACTION_READ,
                           &decisions[category]);
        if (decision == NULL ||
            views_append((void ***)&view->decisions, &view->n_decisions, decision) != 0) {
            if (decision != NULL)
                spona__v1__category_decision__free_unpacked(decision, NULL);
            return -1;
        }
        if (decisions[category].allowed)
            audit_add_clause(record, decisions[category].clause_number);
        else
            record->denied |= POLICY_BIT(category);
    }
    return 0;
}

/* Adds the row's non-NULL fields of allowed categories to the view, noting each
 * disclosed category in record. 0, or -1 out of memory. */
static int person_view_fields(const PGresult *result, const struct policy_decision *decisions,
                              Spona__V1__PersonView *view, struct audit_record *record)
{
    for (size_t i = 0; i < person_field_count; i++) {
        const struct field_def *def = &person_fields[i];
        int column = (int)i + 1;
        if ((PERSON_VIEW_C_FILTER && !decisions[def->category].allowed) ||
            PQgetisnull(result, 0, column))
            continue;
        Spona__V1__PersonField *field = malloc(sizeof(*field));
        if (field == NULL)
            return -1;
        spona__v1__person_field__init(field);
        field->name = views_strdup(def->name);
        field->value = views_strdup(PQgetvalue(result, 0, column));
        field->category = views_strdup(policy_category_name(def->category));
        if (field->name == NULL || field->value == NULL || field->category == NULL ||
            views_append((void ***)&view->fields, &view->n_fields, field) != 0) {
            spona__v1__person_field__free_unpacked(field, NULL);
            return -1;
        }
        record->disclosed |= POLICY_BIT(def->category);
    }
    return 0;
}

spona_status person_view_load(struct request_context *ctx, const struct policy *policy,
                              const struct access_case *access, Spona__V1__PersonView **out,
                              struct audit_record *record)
{
    *out = NULL;
    struct policy_decision decisions[POLICY_CATEGORY_COUNT];
    memset(decisions, 0, sizeof(decisions));
    Spona__V1__PersonView *view = malloc(sizeof(*view));
    if (view == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__person_view__init(view);
    view->person_id = views_strdup(access->person_id);
    struct audit_record decided = *record; /* noted only when the person is there */
    spona_status status = view->person_id == NULL ||
                                  person_view_decide(policy, access, view, decisions, &decided) != 0
                              ? SPONA__V1__STATUS__INTERNAL
                              : SPONA__V1__STATUS__OK;
    PGresult *rows[3] = {NULL, NULL, NULL};
    int household = decisions[POLICY_CATEGORY_BENEFITS_HOUSEHOLD].allowed;
    if (status == SPONA__V1__STATUS__OK)
        status = person_view_select(ctx, access->person_id, household, rows);
    if (status == SPONA__V1__STATUS__OK) {
        *record = decided;
        view->version = strtoull(PQgetvalue(rows[0], 0, 0), NULL, 10);
        if (person_view_fields(rows[0], decisions, view, record) != 0)
            status = SPONA__V1__STATUS__INTERNAL;
    }
    PQclear(rows[0]);
    if (household && status == SPONA__V1__STATUS__OK)
        status = person_household_fill(ctx, rows[1], rows[2], view, record);
    else {
        PQclear(rows[1]);
        PQclear(rows[2]);
    }
    if (status != SPONA__V1__STATUS__OK) {
        spona__v1__person_view__free_unpacked(view, NULL);
        return status;
    }
    record->protocol_version = policy != NULL ? policy->version : 0;
    record->emergency = access->emergency;
    *out = view;
    return SPONA__V1__STATUS__OK;
}

/* Inserts the person; OK with id and version, or CONFLICT when its JMBG is taken. */
static spona_status person_insert(struct request_context *ctx, const struct person_input *input,
                                  char id[UUID_TEXT], uint64_t *version)
{
    char sql[PERSON_SQL_BYTES];
    const char *params[PERSON_MAX_FIELDS + 2];
    int count = 2;
    params[0] = ctx->job->installation.municipality_id;
    params[1] = ctx->job->installation.institution_id;
    size_t used = 0;
    int built = sql_append(sql, sizeof(sql), &used,
                           "INSERT INTO persons (municipality_id, created_by_institution");
    for (size_t i = 0; i < input->count; i++)
        if (input->values[i][0] != '\0') /* empty: the column's default */
            built |= sql_append(sql, sizeof(sql), &used, ", %s", input->fields[i]->name);
    built |= sql_append(sql, sizeof(sql), &used, ") VALUES ($1, $2");
    for (size_t i = 0; i < input->count; i++) {
        if (input->values[i][0] == '\0')
            continue;
        params[count++] = input->values[i];
        built |= sql_append(sql, sizeof(sql), &used, ", $%d", count);
    }
    /* no conflict target: naming (municipality_id, jmbg) would need SELECT on jmbg, which
     * spona_app has not (sql/025); it is the only unique key a new row can meet */
    built |= sql_append(sql, sizeof(sql), &used, ") ON CONFLICT DO NOTHING RETURNING id, version");
    if (built != 0) {
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }
    spona_status status;
    PGresult *result = handlers_exec_built(ctx, "person_insert", sql, count, params, NULL, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) != 1) {
        /* the JMBG belongs to a person the caller may not see */
        PQclear(result);
        snprintf(ctx->message, sizeof(ctx->message), PERSON_DUPLICATE_JMBG);
        return SPONA__V1__STATUS__CONFLICT;
    }
    db_copy(result, 0, 0, id, UUID_TEXT);
    *version = strtoull(PQgetvalue(result, 0, 1), NULL, 10);
    PQclear(result);
    return SPONA__V1__STATUS__OK;
}

spona_status handle_person_create(struct request_context *ctx, const spona_request *request,
                                  spona_response *response)
{
    const Spona__V1__PersonCreateRequest *create = request->person_create;
    struct person_input input;
    spona_status status = person_input_read(ctx, create->fields, create->n_fields, 1, &input);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    struct audit_record *record = &ctx->record;
    person_written_detail(&input, ctx->audit_detail, sizeof(ctx->audit_detail));
    record->detail = ctx->audit_detail;
    struct access_case *access = &ctx->subject;
    const char *safety_flag = person_input_value(&input, "safety_flag");
    access->subject.person_has_safety_flag = safety_flag != NULL && strcmp(safety_flag, "true") == 0;

    /* without a protocol or a role the lead-agency rule says more than the decisions */
    if (ctx->policy == NULL || !access->is_signatory)
        status = handlers_require_lead_agency(ctx, ctx->policy, access, "register a person");
    else
        status = person_decide_writes(ctx, ctx->policy, access, &input, record);
    if (status == SPONA__V1__STATUS__OK)
        status = handlers_require_lead_agency(ctx, ctx->policy, access, "register a person");
    if (status != SPONA__V1__STATUS__OK) {
        record->denied |= input.categories; /* refused whole */
        record->disclosed = 0;
        record->clause_count = 0;
        return status;
    }
    char person_id[UUID_TEXT] = "";
    uint64_t version = 0;
    status = person_check_duplicate(ctx, &input, NULL, person_id);
    if (status == SPONA__V1__STATUS__OK)
        status = person_insert(ctx, &input, person_id, &version);
    if (status == SPONA__V1__STATUS__OK)
        status = person_store_name_key(ctx, person_id, &input);
    if (status == SPONA__V1__STATUS__CONFLICT) {
        request_set_ids(ctx, person_id[0] != '\0' ? person_id : NULL, NULL);
        record->disclosed = 0;
        record->clause_count = 0;
        record->detail = "duplicate JMBG";
        return status;
    }
    if (status != SPONA__V1__STATUS__OK)
        return status;
    request_set_ids(ctx, person_id, NULL);

    Spona__V1__PersonCreateResponse *answer = malloc(sizeof(*answer));
    if (answer == NULL)
        return SPONA__V1__STATUS__INTERNAL;
    spona__v1__person_create_response__init(answer);
    response->body_case = SPONA__V1__RESPONSE__BODY_PERSON_CREATE;
    response->person_create = answer;
    answer->person_id = views_strdup(person_id);
    answer->version = version;
    return answer->person_id != NULL ? SPONA__V1__STATUS__OK : SPONA__V1__STATUS__INTERNAL;
}

spona_status handle_person_get(struct request_context *ctx, const spona_request *request,
                               spona_response *response)
{
    (void)request;
    Spona__V1__PersonView *view = NULL;
    spona_status status = person_view_load(ctx, ctx->policy, &ctx->subject, &view, &ctx->record);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    response->body_case = SPONA__V1__RESPONSE__BODY_PERSON_GET;
    response->person_get = view;
    return SPONA__V1__STATUS__OK;
}

/*
 * Writes input to the person when its version is still expected. OK, or
 * CONFLICT with ctx->message (stale version, or a JMBG taken by a person the
 * caller may not see); the transaction stays usable either way.
 */
static spona_status person_write(struct request_context *ctx, const char *person_id,
                                 uint64_t expected, const struct person_input *input)
{
    char sql[PERSON_SQL_BYTES], expected_text[24], categories[256] = "{";
    const char *params[PERSON_MAX_FIELDS + 3];
    snprintf(expected_text, sizeof(expected_text), "%llu", (unsigned long long)expected);
    for (int category = 0; category < POLICY_CATEGORY_COUNT; category++) /* sql/054 */
        if (input->categories & POLICY_BIT(category))
            snprintf(categories + strlen(categories), sizeof(categories) - strlen(categories),
                     "%s%s", categories[1] != '\0' ? "," : "",
                     policy_category_name((enum policy_category)category));
    snprintf(categories + strlen(categories), sizeof(categories) - strlen(categories), "}");
    params[0] = person_id;
    params[1] = expected_text;
    int count = 2;
    size_t used = 0;
    int built = sql_append(sql, sizeof(sql), &used, "UPDATE persons SET");
    for (size_t i = 0; i < input->count; i++) {
        if (input->values[i][0] == '\0') { /* empty clears: the column's default */
            built |= sql_append(sql, sizeof(sql), &used, " %s = DEFAULT,", input->fields[i]->name);
            continue;
        }
        params[count++] = input->values[i];
        built |= sql_append(sql, sizeof(sql), &used, " %s = $%d,", input->fields[i]->name, count);
    }
    built |= sql_append(sql, sizeof(sql), &used,
                        " version = version + 1, updated_at = now(),"
                        " updated_by = spona_current_user(), updated_categories = $%d::text[]"
                        " WHERE id = $1::uuid AND version = $2::bigint RETURNING version",
                        count + 1);
    params[count++] = categories;
    if (built != 0) {
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }

    if (db_command(ctx->db, "SAVEPOINT person_write") != 0) {
        snprintf(ctx->message, sizeof(ctx->message), "internal error");
        return SPONA__V1__STATUS__INTERNAL;
    }
    spona_status status;
    PGresult *result =
        handlers_exec_built(ctx, "person_update", sql, count, params, "23505", &status);
    if (result == NULL && status == SPONA__V1__STATUS__CONFLICT) {
        /* unique (municipality, jmbg): a person the caller may not see */
        if (db_command(ctx->db, "ROLLBACK TO SAVEPOINT person_write") != 0) {
            snprintf(ctx->message, sizeof(ctx->message), "internal error");
            return SPONA__V1__STATUS__INTERNAL;
        }
        snprintf(ctx->message, sizeof(ctx->message), PERSON_DUPLICATE_JMBG);
        return SPONA__V1__STATUS__CONFLICT;
    }
    if (result == NULL)
        return status;
    int updated = PQntuples(result) == 1;
    PQclear(result);
    if (updated)
        return SPONA__V1__STATUS__OK;

    const char *version_params[] = {person_id};
    result = request_query(ctx, "person_version", 1, version_params, &status);
    if (result == NULL)
        return status;
    if (PQntuples(result) == 1) {
        char current[24];
        snprintf(current, sizeof(current), "%s", PQgetvalue(result, 0, 0));
        PQclear(result);
        return conflict_explain(ctx, CONFLICT_PERSON, person_id, current);
    }
    snprintf(ctx->message, sizeof(ctx->message), "no person %s that you may see", person_id);
    PQclear(result);
    return SPONA__V1__STATUS__NOT_FOUND;
}

spona_status handle_person_update(struct request_context *ctx, const spona_request *request,
                                  spona_response *response)
{
    const Spona__V1__PersonUpdateRequest *update = request->person_update;
    struct person_input input;
    spona_status status = person_input_read(ctx, update->fields, update->n_fields, 0, &input);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    struct audit_record *record = &ctx->record;
    person_written_detail(&input, ctx->audit_detail, sizeof(ctx->audit_detail));
    record->detail = ctx->audit_detail;
    status = person_decide_writes(ctx, ctx->policy, &ctx->subject, &input, record);
    if (status != SPONA__V1__STATUS__OK) {
        record->denied |= input.categories; /* refused whole */
        return status;
    }
    char duplicate[UUID_TEXT] = "";
    status = person_check_duplicate(ctx, &input, update->person_id, duplicate);
    if (status == SPONA__V1__STATUS__OK)
        status = person_write(ctx, update->person_id, update->expected_version, &input);
    if (status == SPONA__V1__STATUS__OK && (person_input_find(&input, "first_name") >= 0 ||
                                            person_input_find(&input, "last_name") >= 0))
        status = person_store_name_key(ctx, update->person_id, &input);
    if (status == SPONA__V1__STATUS__CONFLICT || status == SPONA__V1__STATUS__NOT_FOUND) {
        record->disclosed = 0;
        record->clause_count = 0;
        return status;
    }
    if (status != SPONA__V1__STATUS__OK)
        return status;

    /* the answer as person_get would give it now (the safety flag may have changed) */
    Spona__V1__PersonView *view = NULL;
    status = access_person_subject(ctx, update->person_id, NULL, &ctx->subject);
    if (status == SPONA__V1__STATUS__OK)
        status = person_view_load(ctx, ctx->policy, &ctx->subject, &view, record);
    if (status != SPONA__V1__STATUS__OK)
        return status == SPONA__V1__STATUS__NOT_FOUND ? SPONA__V1__STATUS__INTERNAL : status;
    response->body_case = SPONA__V1__RESPONSE__BODY_PERSON_UPDATE;
    response->person_update = view;
    return SPONA__V1__STATUS__OK;
}
