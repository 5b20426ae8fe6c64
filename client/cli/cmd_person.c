/*
 * `spona person add | show | update`: a beneficiary's record. Fields travel
 * as NAME=VALUE text (docs/access.md lists the names and their categories);
 * the server checks names and values, and shows only what the caller may see.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "json.h"
#include "output.h"
#include "remote.h"
#include "view.h"

enum person_option {
    PERSON_OPTION_FIELD = 1,
    PERSON_OPTION_FIRST_NAME,
    PERSON_OPTION_LAST_NAME,
    PERSON_OPTION_JMBG,
    PERSON_OPTION_VERSION,
};

/* The fields of a request, built from --field and the shortcuts; owns the names. */
struct person_fields {
    Spona__V1__PersonField *items;
    Spona__V1__PersonField **pointers;
    size_t count;
};

static void person_fields_free(struct person_fields *fields)
{
    for (size_t i = 0; i < fields->count; i++)
        free(fields->items[i].name);
    free(fields->items);
    free(fields->pointers);
    memset(fields, 0, sizeof(*fields));
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
    if (fields->items == NULL || fields->pointers == NULL) {
        snprintf(err, err_size, "out of memory");
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
                snprintf(err, err_size, "--field '%s': expected NAME=VALUE", item->value);
                return -1;
            }
            name = strndup(item->value, (size_t)(equals - item->value));
            value = equals + 1;
        } else {
            continue;
        }
        if (name == NULL) {
            snprintf(err, err_size, "out of memory");
            return -1;
        }
        for (size_t j = 0; j < fields->count; j++)
            if (strcmp(fields->items[j].name, name) == 0) {
                snprintf(err, err_size, "field '%s' is given more than once", name);
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
        snprintf(err, err_size, "no field given: use --field NAME=VALUE");
        return -1;
    }
    for (size_t i = 0; i < fields->count; i++)
        fields->pointers[i] = &fields->items[i];
    return 0;
}

static int person_add_run(const struct settings *settings, const struct args *args)
{
    char err[512];
    struct person_fields fields;
    spona_response *response = NULL;
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
    code = remote_session_call(settings, &request, &response);
    if (code != OUTPUT_EXIT_OK)
        goto cleanup;

    const Spona__V1__PersonCreateResponse *answer = response->person_create;
    if (settings->json) {
        struct json_writer writer;
        json_init(&writer, stdout);
        json_object_begin(&writer, NULL);
        json_string(&writer, "person_id", answer->person_id);
        json_uint(&writer, "version", answer->version);
        json_object_end(&writer);
    } else {
        printf("registered person ");
        output_text(stdout, answer->person_id);
        printf(" (version %llu)\n", (unsigned long long)answer->version);
    }

cleanup:
    envelope_free_response(response);
    person_fields_free(&fields);
    return code;
}

static int person_show_run(const struct settings *settings, const struct args *args)
{
    spona_response *response = NULL;
    Spona__V1__PersonGetRequest get = SPONA__V1__PERSON_GET_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    get.person_id = args->operands[0];
    request.body_case = SPONA__V1__REQUEST__BODY_PERSON_GET;
    request.person_get = &get;
    int code = remote_session_call(settings, &request, &response);
    if (code != OUTPUT_EXIT_OK)
        return code;
    if (settings->json) {
        struct json_writer writer;
        json_init(&writer, stdout);
        json_object_begin(&writer, NULL);
        view_person_json(&writer, response->person_get);
        json_object_end(&writer);
    } else {
        view_person_text(stdout, response->person_get);
    }
    envelope_free_response(response);
    return OUTPUT_EXIT_OK;
}

static int person_update_run(const struct settings *settings, const struct args *args)
{
    char err[512];
    struct person_fields fields;
    spona_response *response = NULL;
    uint64_t version = 0;
    int code;
    if (person_fields_collect(&fields, args, err, sizeof(err)) != 0 ||
        args_positive("--version", args_value(args, PERSON_OPTION_VERSION), UINT64_MAX,
                      &version, err, sizeof(err)) != 0) {
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
    code = remote_session_call(settings, &request, &response);
    if (code != OUTPUT_EXIT_OK)
        goto cleanup;

    const Spona__V1__PersonView *view = response->person_update;
    if (settings->json) {
        struct json_writer writer;
        json_init(&writer, stdout);
        json_object_begin(&writer, NULL);
        view_person_json(&writer, view);
        json_object_end(&writer);
    } else {
        printf("updated person ");
        output_text(stdout, view->person_id);
        printf(": %zu field%s, now version %llu\n", fields.count, fields.count == 1 ? "" : "s",
               (unsigned long long)view->version);
    }

cleanup:
    envelope_free_response(response);
    person_fields_free(&fields);
    return code;
}

#define PERSON_FIELD_OPTIONS                                                                  \
    { "field", PERSON_OPTION_FIELD, ARGS_VALUE | ARGS_REPEATABLE, "NAME=VALUE" },            \
    { "first-name", PERSON_OPTION_FIRST_NAME, ARGS_VALUE, "TEXT" },                          \
    { "last-name", PERSON_OPTION_LAST_NAME, ARGS_VALUE, "TEXT" },                            \
    { "jmbg", PERSON_OPTION_JMBG, ARGS_VALUE, "DIGITS" }

#define PERSON_FIELD_HELP                                                                     \
    "  --field NAME=VALUE  a field (repeatable): first_name, last_name, jmbg,\n"              \
    "                      birth_date (YYYY-MM-DD), sex (F/M), address, phone, email,\n"      \
    "                      benefit_status, household_size (1-50), rural (true/false),\n"     \
    "                      education_level, work_history, skills, disability_status,\n"       \
    "                      work_capability, health_notes, safety_flag (true/false),\n"        \
    "                      safety_notes (docs/access.md: each field's category)\n"            \
    "  --first-name TEXT   the same as --field first_name=TEXT\n"                             \
    "  --last-name TEXT    the same as --field last_name=TEXT\n"                              \
    "  --jmbg DIGITS       the same as --field jmbg=DIGITS\n"

static const struct args_option person_add_options[] = {
    PERSON_FIELD_OPTIONS,
    { NULL, 0, 0, NULL },
};

static const struct command person_add = {
    .name = "add",
    .summary = "register a person (lead agency)",
    .help = "Usage: spona person add --field NAME=VALUE ... [OPTIONS]\n"
            "       spona person add --first-name TEXT --last-name TEXT [--jmbg DIGITS] ...\n"
            "\n"
            "Registers a beneficiary; first_name and last_name are required. Prints the new\n"
            "person's id and version. For the lead agency, which must be allowed to write\n"
            "every category given.\n"
            "\n" PERSON_FIELD_HELP,
    .options = person_add_options,
    .run = person_add_run,
};

static const struct command person_show = {
    .name = "show",
    .summary = "show what you may see of a person, and why",
    .help = "Usage: spona person show PERSON_ID [OPTIONS]\n"
            "\n"
            "Shows the person's fields that your institution may see, grouped by data\n"
            "category, then for every category whether it is visible or hidden to you and\n"
            "why (the clause of the protocol, the consent, or what is missing).\n",
    .operands = "PERSON_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = person_show_run,
};

static const struct args_option person_update_options[] = {
    PERSON_FIELD_OPTIONS,
    { "version", PERSON_OPTION_VERSION, ARGS_VALUE | ARGS_REQUIRED, "N" },
    { NULL, 0, 0, NULL },
};

static const struct command person_update = {
    .name = "update",
    .summary = "change fields of a person",
    .help = "Usage: spona person update PERSON_ID --version N --field NAME=VALUE ... [OPTIONS]\n"
            "\n"
            "Changes the fields given (an empty VALUE clears an optional field). Your\n"
            "institution must be allowed to write every field's category. N is the version\n"
            "you last saw (person show): when someone changed the person since, the server\n"
            "refuses with the current version.\n"
            "\n"
            "  --version N         the version the change applies to (required; not the\n"
            "                      program's version: use -V for that)\n" PERSON_FIELD_HELP,
    .options = person_update_options,
    .operands = "PERSON_ID",
    .min_operands = 1,
    .max_operands = 1,
    .run = person_update_run,
};

static const struct command *const person_subcommands[] = {
    &person_add,
    &person_show,
    &person_update,
    NULL,
};

const struct command command_person = {
    .name = "person",
    .summary = "beneficiaries' records",
    .help = "Usage: spona person SUBCOMMAND [ARGUMENTS] [OPTIONS]\n"
            "\n"
            "A beneficiary's record: every field belongs to one data category, and the\n"
            "protocol decides per category who may read and write it (docs/access.md).\n",
    .subcommands = person_subcommands,
};
