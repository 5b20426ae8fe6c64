/*
 * Personal fields of a beneficiary and their categories (see fields.h).
 * Adding a column to persons means adding a row here, in its category.
 */
#include "fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jmbg.h"

#define FIELD_MAX_BYTES 2000

const struct field_def person_fields[] = {
    {"first_name", POLICY_CATEGORY_IDENTITY, FIELD_TEXT, 1, 0},
    {"last_name", POLICY_CATEGORY_IDENTITY, FIELD_TEXT, 1, 0},
    {"jmbg", POLICY_CATEGORY_IDENTITY, FIELD_JMBG, 0, 0},
    {"birth_date", POLICY_CATEGORY_IDENTITY, FIELD_DATE, 0, 0},
    {"sex", POLICY_CATEGORY_IDENTITY, FIELD_SEX, 0, 0},
    {"address", POLICY_CATEGORY_CONTACT_ADDRESS, FIELD_TEXT, 0, 1},
    {"phone", POLICY_CATEGORY_CONTACT_ADDRESS, FIELD_TEXT, 0, 1},
    {"email", POLICY_CATEGORY_CONTACT_ADDRESS, FIELD_TEXT, 0, 1},
    /* the language letters to the person are written in (sql/063) */
    {"language", POLICY_CATEGORY_CONTACT_ADDRESS, FIELD_LANGUAGE, 0, 0},
    {"benefit_status", POLICY_CATEGORY_BENEFITS_HOUSEHOLD, FIELD_TEXT, 0, 0},
    {"household_size", POLICY_CATEGORY_BENEFITS_HOUSEHOLD, FIELD_INT, 0, 0},
    {"rural", POLICY_CATEGORY_BENEFITS_HOUSEHOLD, FIELD_BOOL, 0, 0},
    {"education_level", POLICY_CATEGORY_EDUCATION_WORK, FIELD_TEXT, 0, 0},
    {"work_history", POLICY_CATEGORY_EDUCATION_WORK, FIELD_TEXT, 0, 0},
    {"skills", POLICY_CATEGORY_EDUCATION_WORK, FIELD_TEXT, 0, 0},
    {"disability_status", POLICY_CATEGORY_HEALTH_DISABILITY, FIELD_TEXT, 0, 0},
    {"work_capability", POLICY_CATEGORY_HEALTH_DISABILITY, FIELD_TEXT, 0, 0},
    {"work_capable", POLICY_CATEGORY_HEALTH_DISABILITY, FIELD_BOOL, 0, 0},
    {"health_notes", POLICY_CATEGORY_HEALTH_DISABILITY, FIELD_TEXT, 0, 0},
    {"safety_flag", POLICY_CATEGORY_SAFETY, FIELD_BOOL, 0, 0},
    {"safety_notes", POLICY_CATEGORY_SAFETY, FIELD_TEXT, 0, 0},
    /* codes of the protocol's priority groups, comma-separated: one of them is survivors
     * of domestic violence, so membership is safety data */
    {"priority_groups", POLICY_CATEGORY_SAFETY, FIELD_TEXT, 0, 0},
};

const size_t person_field_count = sizeof(person_fields) / sizeof(person_fields[0]);

/* name_key ("last first"), name_key_first ("first last") and name_key_loose are search
 * keys derived from the identity fields (common/namekey.c): written by the server, never
 * sent to a client; name_key_cut is generated from them by the database (sql/011).
 * updated_by and updated_categories (sql/054) say who changed the person last and which
 * categories: told in a version conflict (server/handlers/conflict_explain.c). */
const char *const person_system_columns[] = {
    "id", "municipality_id", "version", "created_by_institution", "created_at", "updated_at",
    "name_key", "name_key_first", "name_key_loose", "name_key_cut", "updated_by",
    "updated_categories", NULL,
};

const struct field_def *fields_find(const char *name)
{
    for (size_t i = 0; i < person_field_count; i++)
        if (strcmp(person_fields[i].name, name) == 0)
            return &person_fields[i];
    return NULL;
}

static int valid_date(const char *value)
{
    int year, month, day;
    char tail;
    if (strlen(value) != 10 || sscanf(value, "%4d-%2d-%2d%c", &year, &month, &day, &tail) != 3)
        return 0;
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1 ||
        day > days[month - 1])
        return 0;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return !(month == 2 && day == 29 && !leap);
}

int fields_validate(const struct field_def *field, const char *value, char *err,
                    size_t err_size)
{
    size_t length = strlen(value);
    if (length > FIELD_MAX_BYTES) {
        snprintf(err, err_size, "%s: at most %d bytes", field->name, FIELD_MAX_BYTES);
        return -1;
    }
    if (field->required && length == 0) {
        snprintf(err, err_size, "%s: required", field->name);
        return -1;
    }
    if (length == 0)
        return 0; /* empty clears an optional field */
    switch (field->type) {
    case FIELD_TEXT:
        return 0;
    case FIELD_DATE:
        if (valid_date(value))
            return 0;
        snprintf(err, err_size, "%s: not a date YYYY-MM-DD", field->name);
        return -1;
    case FIELD_BOOL:
        if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0)
            return 0;
        snprintf(err, err_size, "%s: expected true or false", field->name);
        return -1;
    case FIELD_INT: {
        char *end;
        long number = strtol(value, &end, 10);
        if (*end == '\0' && number >= 1 && number <= 50)
            return 0;
        snprintf(err, err_size, "%s: expected a whole number from 1 to 50", field->name);
        return -1;
    }
    case FIELD_SEX:
        if (strcmp(value, "F") == 0 || strcmp(value, "M") == 0)
            return 0;
        snprintf(err, err_size, "%s: expected F or M", field->name);
        return -1;
    case FIELD_LANGUAGE:
        if (strcmp(value, "bs") == 0 || strcmp(value, "hr") == 0 ||
            strcmp(value, "sr-Latn") == 0 || strcmp(value, "sr-Cyrl") == 0 ||
            strcmp(value, "en") == 0)
            return 0;
        snprintf(err, err_size, "%s: expected bs, hr, sr-Latn, sr-Cyrl or en", field->name);
        return -1;
    case FIELD_JMBG: {
        char reason[160];
        if (jmbg_check(value, JMBG_STRICT, NULL, reason, sizeof(reason)) == 0)
            return 0;
        snprintf(err, err_size, "%s: %s", field->name, reason);
        return -1;
    }
    }
    return -1;
}
