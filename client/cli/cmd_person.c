/*
 * `spona person add | show | update | search | household | benefit`: a
 * beneficiary's record. Fields travel as NAME=VALUE text (docs/access.md lists
 * the names and their categories); household members and benefit periods as
 * their own messages. The server checks names and values, and shows only what
 * the caller may see.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "group_names.h"
#include "i18n.h"
#include "json.h"
#include "local_input.h"
#include "output.h"
#include "remote.h"
#include "table.h"
#include "view.h"

enum person_option {
    PERSON_OPTION_FIELD = 1,
    PERSON_OPTION_FIRST_NAME,
    PERSON_OPTION_LAST_NAME,
    PERSON_OPTION_JMBG,
    PERSON_OPTION_VERSION,
    PERSON_OPTION_LOOSE,
    PERSON_OPTION_LIMIT,
    PERSON_OPTION_MEMBER,
    PERSON_OPTION_NONE,
    PERSON_OPTION_KIND,
    PERSON_OPTION_SINCE,
    PERSON_OPTION_UNTIL,
    PERSON_OPTION_AMOUNT,
    PERSON_OPTION_NOTE,
};

/* Search results show at most this many columns of identity fields. */
#define PERSON_SEARCH_MAX_FIELDS 12

/* The fields of a request, built from --field and the shortcuts; owns the names. */
struct person_fields {
    Spona__V1__PersonField *items;
    Spona__V1__PersonField **pointers;
    char (*local)[16]; /* a value converted from local input (Ž, 15.05.1990, da) */
    size_t count;
};

static void person_fields_free(struct person_fields *fields)
{
    for (size_t i = 0; i < fields->count; i++)
        free(fields->items[i].name);
    free(fields->items);
    free(fields->pointers);
    free(fields->local);
    memset(fields, 0, sizeof(*fields));
}

/* The value of field name as the server takes it (local_input.h), kept in fields. */
static char *person_local_value(struct person_fields *fields, const char *name, char *value,
                                char *err, size_t err_size)
{
    char *slot = fields->local[fields->count];
    const char *converted = local_person_field(name, value, slot, sizeof(fields->local[0]),
                                               err, err_size);
    return converted == slot ? slot : converted == NULL ? NULL : value;
}

/* The field name a shortcut option stands for, or NULL. */
static const char *person_shortcut(int id)
{
    switch (id) {
    case PERSON_OPTION_FIRST_NAME: return "first_name";
    case PERSON_OPTION_LAST_NAME: return "last_name";
    case PERSON_OPTION_JMBG: return "jmbg";
    default: return NULL;
    }
}

/*
 * Collects the fields in the order given. Returns 0, or -1 with a usage error
 * in err (bad --field, a field named twice, none at all).
 */
static int person_fields_collect(struct person_fields *fields, const struct args *args,
                                 char *err, size_t err_size)
{
    memset(fields, 0, sizeof(*fields));
    fields->items = calloc(args->item_count + 1, sizeof(*fields->items));
    fields->pointers = calloc(args->item_count + 1, sizeof(*fields->pointers));
    fields->local = calloc(args->item_count + 1, sizeof(*fields->local));
    if (fields->items == NULL || fields->pointers == NULL || fields->local == NULL) {
        snprintf(err, err_size, _("out of memory"));
        return -1;
    }
    for (size_t i = 0; i < args->item_count; i++) {
        const struct args_item *item = &args->items[i];
        const char *shortcut = person_shortcut(item->id);
        char *name = NULL;
        char *value = NULL;
        if (shortcut != NULL) {
            name = strdup(shortcut);
            value = item->value;
        } else if (item->id == PERSON_OPTION_FIELD) {
            char *equals = strchr(item->value, '=');
            if (equals == NULL || equals == item->value) {
                snprintf(err, err_size, _("--field '%s': expected NAME=VALUE"), item->value);
                return -1;
            }
            name = strndup(item->value, (size_t)(equals - item->value));
            value = equals + 1;
        } else {
            continue;
        }
        if (name == NULL) {
            snprintf(err, err_size, _("out of memory"));
            return -1;
        }
        for (size_t j = 0; j < fields->count; j++)
            if (strcmp(fields->items[j].name, name) == 0) {
                snprintf(err, err_size, _("field '%s' is given more than once"), name);
                free(name);
                return -1;
            }
        value = person_local_value(fields, name, value, err, err_size);
        if (value == NULL) {
            free(name);
            return -1;
        }
        Spona__V1__PersonField init = SPONA__V1__PERSON_FIELD__INIT;
        fields->items[fields->count] = init;
        fields->items[fields->count].name = name;
        fields->items[fields->count].value = value;
        fields->count++;
    }
    if (fields->count == 0) {
        snprintf(err, err_size, _("no field given: use --field NAME=VALUE"));
        return -1;
    }
    for (size_t i = 0; i < fields->count; i++)
        fields->pointers[i] = &fields->items[i];
    return 0;
}

/* The person a get, update, household or benefit change answers with. */
static const Spona__V1__PersonView *person_answered(const spona_response *response)
{
    switch (response->body_case) {
    case SPONA__V1__RESPONSE__BODY_PERSON_UPDATE: return response->person_update;
    case SPONA__V1__RESPONSE__BODY_HOUSEHOLD_SET: return response->household_set;
    case SPONA__V1__RESPONSE__BODY_BENEFIT_ADD: return response->benefit_add;
    default: return response->person_get;
    }
}

/* The person as JSON members, for show and every change. */
static void person_view_json(struct json_writer *writer, const spona_request *request,
                             const spona_response *response)
{
    (void)request;
    view_person_json(writer, person_answered(response));
}

static void person_add_json(struct json_writer *writer, const spona_request *request,
                            const spona_response *response)
{
    (void)request;
    json_string(writer, "person_id", response->person_create->person_id);
    json_uint(writer, "version", response->person_create->version);
}

static void person_add_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    output_printf(stdout, _("registered person %s (version %llu)\n"),
                  response->person_create->person_id,
                  (unsigned long long)response->person_create->version);
}

static int person_add_run(const struct settings *settings, const struct args *args)
{
    char err[512];
    struct person_fields fields;
    int code;
    if (person_fields_collect(&fields, args, err, sizeof(err)) != 0) {
        code = output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    Spona__V1__PersonCreateRequest create = SPONA__V1__PERSON_CREATE_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    create.n_fields = fields.count;
    create.fields = fields.pointers;
    request.body_case = SPONA__V1__REQUEST__BODY_PERSON_CREATE;
    request.person_create = &create;
    code = remote_write_print(settings, args, &request, person_add_json, person_add_text);

cleanup:
    person_fields_free(&fields);
    return code;
}

static const struct settings *show_settings; /* person show's, for the group names */

static void person_show_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    group_names_prepare(show_settings, response->person_get);
    view_person_text(stdout, response->person_get);
    group_names_release();
}

static int person_show_run(const struct settings *settings, const struct args *args)
{
    show_settings = settings;
    Spona__V1__PersonGetRequest get = SPONA__V1__PERSON_GET_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    get.person_id = args->operands[0];
    request.body_case = SPONA__V1__REQUEST__BODY_PERSON_GET;
    request.person_get = &get;
    return remote_read_print(settings, &request, person_view_json, person_show_text);
}

static void person_update_text(const spona_request *request, const spona_response *response)
{
    const Spona__V1__PersonView *view = response->person_update;
    size_t count = request->person_update->n_fields;
    output_printf(stdout,
                  i18n_n("updated person %s: %zu field, now version %llu\n",
                         "updated person %s: %zu fields, now version %llu\n", count),
                  view->person_id, count, (unsigned long long)view->version);
}

static int person_update_run(const struct settings *settings, const struct args *args)
{
    char err[512];
    struct person_fields fields;
    uint64_t version = 0;
    int code;
    if (person_fields_collect(&fields, args, err, sizeof(err)) != 0 ||
        (args_has(args, ARGS_VERSION) &&
         args_positive("--version", args_value(args, ARGS_VERSION), UINT64_MAX, &version, err,
                       sizeof(err)) != 0)) {
        code = output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    Spona__V1__PersonUpdateRequest update = SPONA__V1__PERSON_UPDATE_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    update.person_id = args->operands[0];
    update.expected_version = version;
    update.n_fields = fields.count;
    update.fields = fields.pointers;
    request.body_case = SPONA__V1__REQUEST__BODY_PERSON_UPDATE;
    request.person_update = &update;
    code = remote_write_print(settings, args, &request, person_view_json, person_update_text);

cleanup:
    person_fields_free(&fields);
    return code;
}

/* The search hits as a table: person | one column per identity field shown | case | stage. */
static void person_search_text(const spona_request *request, const spona_response *response)
{
    (void)request;
    const Spona__V1__PersonSearchResponse *answer = response->person_search;
    if (answer->n_hits == 0) {
        fputs(_("no person found among those you may see\n"), stdout);
        return;
    }
    const char *names[PERSON_SEARCH_MAX_FIELDS];
    size_t name_count = 0;
    for (size_t i = 0; i < answer->n_hits; i++)
        for (size_t j = 0; j < answer->hits[i]->n_fields; j++) {
            const char *name = answer->hits[i]->fields[j]->name;
            size_t k = 0;
            while (k < name_count && strcmp(names[k], name) != 0)
                k++;
            if (k == name_count && name_count < PERSON_SEARCH_MAX_FIELDS)
                names[name_count++] = name;
        }
    struct table table;
    size_t columns = name_count + 3;
    const char *cells[PERSON_SEARCH_MAX_FIELDS + 3];
    table_init(&table, columns);
    cells[0] = _("person");
    for (size_t k = 0; k < name_count; k++)
        cells[k + 1] = i18n_code_label("field", names[k]);
    cells[name_count + 1] = _("case");
    cells[name_count + 2] = _("stage");
    int failed = table_add(&table, cells);
    for (size_t i = 0; !failed && i < answer->n_hits; i++) {
        const Spona__V1__PersonSearchHit *hit = answer->hits[i];
        cells[0] = hit->person_id;
        for (size_t k = 0; k < name_count; k++) {
            cells[k + 1] = "";
            for (size_t j = 0; j < hit->n_fields; j++)
                if (strcmp(hit->fields[j]->name, names[k]) == 0)
                    cells[k + 1] = hit->fields[j]->value;
        }
        cells[name_count + 1] = hit->case_id[0] != '\0' ? hit->case_id : "-";
        cells[name_count + 2] = i18n_code_label("stage", hit->stage);
        failed = table_add(&table, cells);
    }
    printf("%zu person%s found\n\n", answer->n_hits, answer->n_hits == 1 ? "" : "s");
    table_print(&table, stdout, 0);
    table_free(&table);
}

static void person_search_json(struct json_writer *writer, const spona_request *request,
                               const spona_response *response)
{
    (void)request;
    const Spona__V1__PersonSearchResponse *answer = response->person_search;
    json_array_begin(writer, "hits");
    for (size_t i = 0; i < answer->n_hits; i++) {
        json_object_begin(writer, NULL);
        json_string(writer, "person_id", answer->hits[i]->person_id);
        view_fields_json(writer, "fields", answer->hits[i]->fields, answer->hits[i]->n_fields);
        json_string(writer, "case_id", answer->hits[i]->case_id);
        json_string(writer, "stage", answer->hits[i]->stage);
        json_object_end(writer);
    }
    json_array_end(writer);
}

static int person_search_run(const struct settings *settings, const struct args *args)
{
    char err[256];
    uint64_t limit = 0;
    const char *limit_text = args_value(args, PERSON_OPTION_LIMIT);
    if (limit_text != NULL &&
        args_positive("--limit", limit_text, 100, &limit, err, sizeof(err)) != 0)
        return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
    Spona__V1__PersonSearchRequest search = SPONA__V1__PERSON_SEARCH_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    search.query = args->operands[0];
    search.loose = args_has(args, PERSON_OPTION_LOOSE);
    search.limit = (uint32_t)limit;
    request.body_case = SPONA__V1__REQUEST__BODY_PERSON_SEARCH;
    request.person_search = &search;
    return remote_read_print(settings, &request, person_search_json, person_search_text);
}

/* The person's --version N, the version the change applies to. 0, or -1 with err set. */
static int person_version(const struct args *args, uint64_t *version, char *err,
                          size_t err_size)
{
    *version = 0; /* not given: remote_session_write fills it (versions.h) */
    return args_has(args, ARGS_VERSION)
               ? args_positive("--version", args_value(args, ARGS_VERSION), UINT64_MAX, version,
                               err, err_size)
               : 0;
}

/* Reports a changed person as text: "WHAT of person ID; now version N". */
static void person_changed(const Spona__V1__PersonView *view, const char *what)
{
    output_printf(stdout, _("%s of person %s; now version %llu\n"), what, view->person_id,
                  (unsigned long long)view->version);
}

static void person_household_text(const spona_request *request, const spona_response *response)
{
    size_t count = request->household_set->n_members;
    char what[64];
    snprintf(what, sizeof(what),
             i18n_n("set the household (%zu member)", "set the household (%zu members)", count),
             count);
    person_changed(response->household_set, what);
}

static void person_benefit_text(const spona_request *request, const spona_response *response)
{
    const Spona__V1__BenefitPeriod *benefit = request->benefit_add->benefit;
    char what[160];
    snprintf(what, sizeof(what), _("added a benefit period (%s since %s)"),
             i18n_code_label("benefit_kind", benefit->kind),
             benefit->since);
    person_changed(response->benefit_add, what);
}

/*
 * Parses "NAME|RELATION|BIRTH_YEAR" (the year may be left out or empty: 0) into
 * member, whose strings point into copy (caller frees). 0, or -1 with err set.
 */
static int person_member_parse(const char *text, char **copy, Spona__V1__HouseholdMember *member,
                               char *err, size_t err_size)
{
    *copy = strdup(text);
    if (*copy == NULL) {
        snprintf(err, err_size, _("out of memory"));
        return -1;
    }
    char *name = *copy;
    char *relation = strchr(name, '|');
    char *year = relation != NULL ? strchr(relation + 1, '|') : NULL;
    if (relation != NULL)
        *relation++ = '\0';
    if (year != NULL)
        *year++ = '\0';
    if (relation == NULL || name[0] == '\0' || relation[0] == '\0' ||
        (year != NULL && strchr(year, '|') != NULL)) {
        snprintf(err, err_size, _("--member '%s': expected NAME|RELATION|BIRTH_YEAR"), text);
        return -1;
    }
    member->name = name;
    member->relation = relation;
    if (year != NULL && year[0] != '\0') {
        char *end = NULL;
        errno = 0;
        unsigned long number = strtoul(year, &end, 10);
        if (year[0] < '0' || year[0] > '9' || *end != '\0' || errno != 0 || number < 1900 ||
            number > 2100) {
            snprintf(err, err_size, _("--member '%s': birth year '%s': expected a year 1900-2100"),
                     text, year);
            return -1;
        }
        member->birth_year = (uint32_t)number;
    }
    return 0;
}

static int person_household_run(const struct settings *settings, const struct args *args)
{
    char err[512];
    uint64_t version = 0;
    size_t count = 0;
    int code;
    for (size_t i = 0; i < args->item_count; i++)
        count += args->items[i].id == PERSON_OPTION_MEMBER;
    Spona__V1__HouseholdMember *members = calloc(count + 1, sizeof(*members));
    Spona__V1__HouseholdMember **pointers = calloc(count + 1, sizeof(*pointers));
    char **copies = calloc(count + 1, sizeof(*copies));
    if (members == NULL || pointers == NULL || copies == NULL) {
        code = output_error(settings->json, OUTPUT_STATUS_LOCAL, _("out of memory"),
                            OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    if (count == 0 && !args_has(args, PERSON_OPTION_NONE)) {
        code = output_error(settings->json, OUTPUT_STATUS_USAGE,
                            _("no --member given (use --none for a person who lives alone)"),
                            OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    if (count > 0 && args_has(args, PERSON_OPTION_NONE)) {
        code = output_error(settings->json, OUTPUT_STATUS_USAGE,
                            _("--none and --member exclude each other"), OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    if (person_version(args, &version, err, sizeof(err)) != 0) {
        code = output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
        goto cleanup;
    }
    size_t n = 0;
    for (size_t i = 0; i < args->item_count; i++) {
        if (args->items[i].id != PERSON_OPTION_MEMBER)
            continue;
        Spona__V1__HouseholdMember init = SPONA__V1__HOUSEHOLD_MEMBER__INIT;
        members[n] = init;
        pointers[n] = &members[n];
        if (person_member_parse(args->items[i].value, &copies[n], &members[n], err,
                                sizeof(err)) != 0) {
            code = output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
            goto cleanup;
        }
        n++;
    }
    Spona__V1__HouseholdSetRequest household = SPONA__V1__HOUSEHOLD_SET_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    household.person_id = args->operands[0];
    household.expected_version = version;
    household.n_members = count;
    household.members = pointers;
    request.body_case = SPONA__V1__REQUEST__BODY_HOUSEHOLD_SET;
    request.household_set = &household;
    code = remote_write_print(settings, args, &request, person_view_json, person_household_text);

cleanup:
    for (size_t i = 0; copies != NULL && i < count; i++)
        free(copies[i]);
    free(copies);
    free(pointers);
    free(members);
    return code;
}

/* Whether text is an amount: digits, then optionally '.' and one or two digits. */
static int person_amount_valid(const char *text)
{
    size_t digits = strspn(text, "0123456789");
    if (digits == 0 || digits > 9)
        return 0;
    if (text[digits] == '\0')
        return 1;
    size_t cents = strspn(text + digits + 1, "0123456789");
    return text[digits] == '.' && cents >= 1 && cents <= 2 && text[digits + 1 + cents] == '\0';
}

static int person_benefit_run(const struct settings *settings, const struct args *args)
{
    char err[512];
    uint64_t version = 0;
    Spona__V1__BenefitPeriod benefit = SPONA__V1__BENEFIT_PERIOD__INIT;
    benefit.kind = args_value(args, PERSON_OPTION_KIND);
    benefit.since = args_value(args, PERSON_OPTION_SINCE);
    if (args_has(args, PERSON_OPTION_UNTIL))
        benefit.until = args_value(args, PERSON_OPTION_UNTIL);
    if (args_has(args, PERSON_OPTION_AMOUNT))
        benefit.amount = args_value(args, PERSON_OPTION_AMOUNT);
    if (args_has(args, PERSON_OPTION_NOTE))
        benefit.note = args_value(args, PERSON_OPTION_NOTE);
    if (person_version(args, &version, err, sizeof(err)) != 0 ||
        args_date("--since", benefit.since, err, sizeof(err)) != 0 ||
        (args_has(args, PERSON_OPTION_UNTIL) &&
         args_date("--until", benefit.until, err, sizeof(err)) != 0))
        return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
    if (args_has(args, PERSON_OPTION_AMOUNT) && !person_amount_valid(benefit.amount)) {
        snprintf(err, sizeof(err), _("--amount '%s': expected an amount in BAM such as 250 or 187.50"),
                 benefit.amount);
        return output_error(settings->json, OUTPUT_STATUS_USAGE, err, OUTPUT_EXIT_USAGE);
    }
    Spona__V1__BenefitAddRequest add = SPONA__V1__BENEFIT_ADD_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    add.person_id = args->operands[0];
    add.expected_version = version;
    add.benefit = &benefit;
    request.body_case = SPONA__V1__REQUEST__BODY_BENEFIT_ADD;
    request.benefit_add = &add;
    return remote_write_print(settings, args, &request, person_view_json, person_benefit_text);
}

#define PERSON_FIELD_OPTIONS                                                                  \
    { "field", PERSON_OPTION_FIELD, ARGS_VALUE | ARGS_REPEATABLE, "NAME=VALUE" },            \
    { "first-name", PERSON_OPTION_FIRST_NAME, ARGS_VALUE, "TEXT" },                          \
    { "last-name", PERSON_OPTION_LAST_NAME, ARGS_VALUE, "TEXT" },                            \
    { "jmbg", PERSON_OPTION_JMBG, ARGS_VALUE, "DIGITS" }


static const struct args_option person_add_options[] = {
    PERSON_FIELD_OPTIONS,
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

static const struct command person_add = {
    .name = "add",
    .summary = N_("register a person (lead agency)"),
    .help = N_("Usage: spona person add --field NAME=VALUE ... [OPTIONS]\n"
            "       spona person add --first-name TEXT --last-name TEXT [--jmbg DIGITS] ...\n"
            "\n"
            "Registers a beneficiary; first_name and last_name are required. Prints the new\n"
            "person's id and version. For the lead agency, which must be allowed to write\n"
            "every category given.\n"
            "\n"),
    .help_notes = {commands_help_person_fields, commands_help_idempotency},
    .options = person_add_options,
    .run = person_add_run,
};

static const struct command person_show = {
    .name = "show",
    .summary = N_("show what you may see of a person, and why"),
    .help = N_("Usage: spona person show PERSON_ID [OPTIONS]\n"
            "\n"
            "Shows the person's fields that your institution may see, grouped by data\n"
            "category, then for every category whether it is visible or hidden to you and\n"
            "why (the clause of the protocol, the consent, or what is missing).\n"),
    .operands = "PERSON_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = person_show_run,
};

static const struct args_option person_update_options[] = {
    PERSON_FIELD_OPTIONS,
    ARGS_VERSION_OPTION,
    ARGS_FRESH_OPTION,
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

static const struct command person_update = {
    .name = "update",
    .summary = N_("change fields of a person"),
    .help = N_("Usage: spona person update PERSON_ID [--version N] --field NAME=VALUE ... [OPTIONS]\n"
            "\n"
            "Changes the fields given (an empty VALUE clears an optional field). Your\n"
            "institution must be allowed to write every field's category. N is the version\n"
            "you last saw (person show): when someone changed the person since, the server\n"
            "refuses with the current version.\n"
            "\n"
            "  --version N         the version the change applies to (default: the one this\n"
            "                      CLI last showed or wrote; not the program's: use -V)\n"
            "  --fresh             use the person's current version, read first\n"),
    .help_notes = {commands_help_person_fields, commands_help_idempotency},
    .options = person_update_options,
    .operands = "PERSON_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = person_update_run,
};

static const struct args_option person_search_options[] = {
    { "loose", PERSON_OPTION_LOOSE, 0, NULL },
    { "limit", PERSON_OPTION_LIMIT, ARGS_VALUE, "N" },
    { NULL, 0, 0, NULL },
};

static const struct command person_search = {
    .name = "search",
    .summary = N_("find persons by name (any script, diacritics) or JMBG"),
    .help = N_("Usage: spona person search QUERY [--loose] [--limit N] [OPTIONS]\n"
            "\n"
            "Finds persons whose name begins with QUERY, ignoring script, case and\n"
            "diacritics (\"Савић\", \"Savić\", \"savic\" find the same person), or by JMBG\n"
            "when QUERY is 13 digits. Only persons you may see, and only the identity fields\n"
            "you may read. Prints a table person | the identity fields shown | case | stage.\n"
            "\n"
            "  --loose     also find names that are close (typos, dj for d)\n"
            "  --limit N   at most N results (default 20, at most 100)\n"),
    .options = person_search_options,
    .operands = "QUERY",
    .min_operands = 1,
    .max_operands = 1,
    .run = person_search_run,
};

static const struct args_option person_household_options[] = {
    ARGS_VERSION_OPTION,
    ARGS_FRESH_OPTION,
    { "member", PERSON_OPTION_MEMBER, ARGS_VALUE | ARGS_REPEATABLE, "NAME|RELATION|BIRTH_YEAR" },
    { "none", PERSON_OPTION_NONE, 0, NULL },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

static const struct command person_household = {
    .name = "household",
    .summary = N_("set the members of a person's household"),
    .help = N_("Usage: spona person household PERSON_ID [--version N]\n"
            "                              --member \"NAME|RELATION|BIRTH_YEAR\" ... [OPTIONS]\n"
            "       spona person household PERSON_ID --version N --none [OPTIONS]\n"
            "\n"
            "Replaces the list of the person's household members (benefits_household\n"
            "data: your institution must be allowed to write it). N is the person's\n"
            "version you last saw; a stale one is refused with the current version.\n"
            "\n"
            "  --version N        the person's version (default: the one last shown;\n"
            "                     --fresh: the current one)\n"
            "  --member M         a member (repeatable), \"NAME|RELATION|BIRTH_YEAR\": RELATION\n"
            "                     spouse, child, parent, sibling or other; the year may be\n"
            "                     left out (\"Ana Savić|child|2015\", \"Dragan Savić|spouse\")\n"
            "  --none             the person lives alone: empty the list\n"),
    .help_notes = {commands_help_idempotency},
    .options = person_household_options,
    .operands = "PERSON_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = person_household_run,
};

static const struct args_option person_benefit_options[] = {
    ARGS_VERSION_OPTION,
    ARGS_FRESH_OPTION,
    { "kind", PERSON_OPTION_KIND, ARGS_VALUE | ARGS_REQUIRED, "KIND" },
    { "since", PERSON_OPTION_SINCE, ARGS_VALUE | ARGS_REQUIRED, "YYYY-MM-DD" },
    { "until", PERSON_OPTION_UNTIL, ARGS_VALUE, "YYYY-MM-DD" },
    { "amount", PERSON_OPTION_AMOUNT, ARGS_VALUE, "BAM" },
    { "note", PERSON_OPTION_NOTE, ARGS_VALUE, "TEXT" },
    ARGS_IDEMPOTENCY_OPTION,
    { NULL, 0, 0, NULL },
};

static const struct command person_benefit = {
    .name = "benefit",
    .summary = N_("add a period of social benefit to a person"),
    .help = N_("Usage: spona person benefit PERSON_ID [--version N] --kind KIND --since YYYY-MM-DD\n"
            "                            [--until YYYY-MM-DD] [--amount BAM] [--note TEXT]\n"
            "                            [OPTIONS]\n"
            "\n"
            "Records a period of social benefit (benefits_household data: your institution\n"
            "must be allowed to write it). N is the person's version you last saw.\n"
            "\n"
            "  --version N          the person's version (default: the one last shown;\n"
            "                       --fresh: the current one)\n"
            "  --kind KIND          cash_assistance, one_time_assistance, child_allowance\n"
            "                       or other (required)\n"
            "  --since YYYY-MM-DD   first day (required)\n"
            "  --until YYYY-MM-DD   last day (default: ongoing)\n"
            "  --amount BAM         amount in BAM, e.g. 187.50 (a month, or once)\n"
            "  --note TEXT          a note\n"),
    .help_notes = {commands_help_idempotency},
    .options = person_benefit_options,
    .operands = "PERSON_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = person_benefit_run,
};

static const struct command *const person_subcommands[] = {
    &person_add,
    &person_show,
    &person_update,
    &person_search,
    &person_household,
    &person_benefit,
    NULL,
};

const struct command command_person = {
    .name = "person",
    .summary = N_("beneficiaries' records"),
    .help = N_("Usage: spona person SUBCOMMAND [ARGUMENTS] [OPTIONS]\n"
            "\n"
            "A beneficiary's record: every field belongs to one data category, and the\n"
            "protocol decides per category who may read and write it (docs/access.md).\n"),
    .subcommands = person_subcommands,
};
