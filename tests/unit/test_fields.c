/*
 * Unit test of server/policy/fields.c, the map of personal fields to data categories:
 * every field has exactly one person-level category and a type, names are
 * unique, the documented map of docs/access.md holds (so a field moved to
 * another category fails here), the system columns are not fields, and each
 * type validates (text length, dates incl. leap years, booleans, household size
 * 1-50, sex, JMBG with the failing part named, required fields).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fields.h"

/* docs/access.md, "Person fields and their categories". */
static const struct {
    const char *name;
    const char *category;
    enum field_type type;
    int required;
    int address;
} documented[] = {
    {"first_name", "identity", FIELD_TEXT, 1, 0},
    {"last_name", "identity", FIELD_TEXT, 1, 0},
    {"jmbg", "identity", FIELD_JMBG, 0, 0},
    {"birth_date", "identity", FIELD_DATE, 0, 0},
    {"sex", "identity", FIELD_SEX, 0, 0},
    {"address", "contact_address", FIELD_TEXT, 0, 1},
    {"phone", "contact_address", FIELD_TEXT, 0, 1},
    {"email", "contact_address", FIELD_TEXT, 0, 1},
    {"language", "contact_address", FIELD_LANGUAGE, 0, 0},
    {"benefit_status", "benefits_household", FIELD_TEXT, 0, 0},
    {"household_size", "benefits_household", FIELD_INT, 0, 0},
    {"rural", "benefits_household", FIELD_BOOL, 0, 0},
    {"education_level", "education_work", FIELD_TEXT, 0, 0},
    {"work_history", "education_work", FIELD_TEXT, 0, 0},
    {"skills", "education_work", FIELD_TEXT, 0, 0},
    {"disability_status", "health_disability", FIELD_TEXT, 0, 0},
    {"work_capability", "health_disability", FIELD_TEXT, 0, 0},
    {"health_notes", "health_disability", FIELD_TEXT, 0, 0},
    {"work_capable", "health_disability", FIELD_BOOL, 0, 0},
    {"safety_flag", "safety", FIELD_BOOL, 0, 0},
    {"safety_notes", "safety", FIELD_TEXT, 0, 0},
    {"priority_groups", "safety", FIELD_TEXT, 0, 0},
};
#define DOCUMENTED_COUNT (sizeof(documented) / sizeof(documented[0]))

static void test_every_field_has_one_person_level_category(void **state)
{
    (void)state;
    assert_true(person_field_count > 0);
    for (size_t i = 0; i < person_field_count; i++) {
        const struct field_def *field = &person_fields[i];
        assert_non_null(field->name);
        if ((unsigned)field->category >= POLICY_CATEGORY_COUNT ||
            !policy_category_is_person_level(field->category))
            fail_msg("field %s has no person-level category (%d)", field->name,
                     (int)field->category);
        assert_non_null(policy_category_name(field->category));
        assert_true(field->type >= FIELD_TEXT && field->type <= FIELD_LANGUAGE);
        for (size_t j = 0; j < i; j++)
            if (strcmp(person_fields[j].name, field->name) == 0)
                fail_msg("field %s is listed twice", field->name);
        assert_ptr_equal(fields_find(field->name), field);
    }
}

static void test_map_is_the_documented_one(void **state)
{
    (void)state;
    assert_int_equal(person_field_count, DOCUMENTED_COUNT);
    for (size_t i = 0; i < DOCUMENTED_COUNT; i++) {
        const struct field_def *field = fields_find(documented[i].name);
        if (field == NULL)
            fail_msg("documented field %s is not in person_fields", documented[i].name);
        if (strcmp(policy_category_name(field->category), documented[i].category) != 0)
            fail_msg("field %s is in %s; docs/access.md says %s", field->name,
                     policy_category_name(field->category), documented[i].category);
        assert_int_equal(field->type, documented[i].type);
        assert_int_equal(!!field->required, documented[i].required);
        assert_int_equal(!!field->address, documented[i].address);
    }
}

static void test_system_columns_are_not_fields(void **state)
{
    (void)state;
    size_t count = 0;
    for (const char *const *column = person_system_columns; *column != NULL; column++) {
        count++;
        if (fields_find(*column) != NULL)
            fail_msg("system column %s is also a personal field", *column);
    }
    assert_true(count >= 1);
    int has_id = 0;
    for (const char *const *column = person_system_columns; *column != NULL; column++)
        has_id |= strcmp(*column, "id") == 0;
    assert_true(has_id);
}

static void test_unknown_names(void **state)
{
    (void)state;
    assert_null(fields_find(""));
    assert_null(fields_find("FIRST_NAME"));
    assert_null(fields_find("health"));
    assert_null(fields_find("id"));
    assert_null(fields_find("first_name "));
}

/* Valid: 0. Invalid: -1 with the field's name and, if given, want in the message. */
static void assert_valid(const char *name, const char *value)
{
    const struct field_def *field = fields_find(name);
    assert_non_null(field);
    char err[256] = "";
    if (fields_validate(field, value, err, sizeof(err)) != 0)
        fail_msg("%s = '%s' refused: %s", name, value, err);
}

static void assert_invalid(const char *name, const char *value, const char *want)
{
    const struct field_def *field = fields_find(name);
    assert_non_null(field);
    char err[256] = "";
    if (fields_validate(field, value, err, sizeof(err)) == 0)
        fail_msg("%s = '%s' accepted", name, value);
    if (strstr(err, name) == NULL)
        fail_msg("%s = '%s' refused with '%s', which does not name the field", name, value, err);
    if (want != NULL && strstr(err, want) == NULL)
        fail_msg("%s = '%s' refused with '%s'; expected it to mention '%s'", name, value, err,
                 want);
}

static void test_text(void **state)
{
    (void)state;
    assert_valid("address", "Ulica 1, Testgrad");
    assert_valid("health_notes", "čćžšđ ČĆŽŠĐ");
    assert_valid("address", ""); /* clears */
    char *long_text = malloc(2002);
    assert_non_null(long_text);
    memset(long_text, 'a', 2000);
    long_text[2000] = '\0';
    assert_valid("work_history", long_text);
    long_text[2000] = 'a';
    long_text[2001] = '\0';
    assert_invalid("work_history", long_text, "2000");
    free(long_text);
}

static void test_required(void **state)
{
    (void)state;
    assert_valid("first_name", "Ana");
    assert_invalid("first_name", "", "required");
    assert_invalid("last_name", "", "required");
}

static void test_dates(void **state)
{
    (void)state;
    assert_valid("birth_date", "1985-03-12");
    assert_valid("birth_date", "2000-02-29");
    assert_valid("birth_date", "1964-02-29");
    assert_valid("birth_date", "");
    assert_invalid("birth_date", "1900-02-29", "date");
    assert_invalid("birth_date", "2023-02-29", "date");
    assert_invalid("birth_date", "2024-04-31", "date");
    assert_invalid("birth_date", "2024-13-01", "date");
    assert_invalid("birth_date", "2024-00-10", "date");
    assert_invalid("birth_date", "12.03.1985", "date");
    assert_invalid("birth_date", "1985-3-12", "date");
    assert_invalid("birth_date", "1985-03-12x", "date");
}

static void test_booleans(void **state)
{
    (void)state;
    assert_valid("rural", "true");
    assert_valid("rural", "false");
    assert_valid("safety_flag", "true");
    assert_invalid("rural", "yes", "true or false");
    assert_invalid("safety_flag", "1", "true or false");
    assert_invalid("safety_flag", "TRUE", NULL);
}

static void test_household_size(void **state)
{
    (void)state;
    assert_valid("household_size", "1");
    assert_valid("household_size", "50");
    assert_invalid("household_size", "0", "1 to 50");
    assert_invalid("household_size", "51", "1 to 50");
    assert_invalid("household_size", "-3", NULL);
    assert_invalid("household_size", "4 ", NULL);
    assert_invalid("household_size", "four", NULL);
    assert_invalid("household_size", "99999999999999999999", NULL);
}

static void test_sex(void **state)
{
    (void)state;
    assert_valid("sex", "F");
    assert_valid("sex", "M");
    assert_invalid("sex", "f", "F or M");
    assert_invalid("sex", "X", "F or M");
    assert_invalid("sex", "Ž", NULL);
}

static void test_jmbg(void **state)
{
    (void)state;
    assert_valid("jmbg", "0101100710006");
    assert_valid("jmbg", "0308964384007");
    assert_invalid("jmbg", "0101100710007", "control digit");
    assert_invalid("jmbg", "3104990151009", "date");
    assert_invalid("jmbg", "0101990651000", "region");
    assert_invalid("jmbg", "01011007100", "13 digits");
    assert_invalid("jmbg", "01011007100O6", "digits");
    assert_invalid("jmbg", "1203985170080", "control digit"); /* remainder 10: strict */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_field_has_one_person_level_category),
        cmocka_unit_test(test_map_is_the_documented_one),
        cmocka_unit_test(test_system_columns_are_not_fields),
        cmocka_unit_test(test_unknown_names),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_required),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_household_size),
        cmocka_unit_test(test_sex),
        cmocka_unit_test(test_jmbg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
