/*
 * Unit test of client/cli/local_input.c: dates as users write them (dd.mm.yyyy,
 * d.m.yyyy, a trailing dot, ISO) become YYYY-MM-DD and only real calendar dates
 * pass; sex Ž/Z/F/M and Cyrillic Ж/М become F or M; da/ne, yes/no, true/false and
 * Cyrillic да/не become yes or no; person fields are converted by their kind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "local_input.h"

static void test_dates_accepted(void **state)
{
    (void)state;
    static const struct {
        const char *text, *iso;
    } cases[] = {
        {"15.05.1990", "1990-05-15"}, {"15.05.1990.", "1990-05-15"},
        {"5.5.1990", "1990-05-05"},   {"5.5.1990.", "1990-05-05"},
        {"05.5.1990", "1990-05-05"},  {"1990-05-15", "1990-05-15"},
        {"29.02.2024", "2024-02-29"}, {"29.02.2000.", "2000-02-29"},
        {"31.12.2199", "2199-12-31"}, {"1.1.1900", "1900-01-01"},
        {"15. 05. 1990.", "1990-05-15"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[11] = "";
        if (local_date(cases[i].text, out) != 0)
            fail_msg("'%s' was refused", cases[i].text);
        assert_string_equal(out, cases[i].iso);
    }
}

static void test_dates_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "31.04.2026", "29.02.2023", "29.02.1900", "30.02.2024", "00.05.1990", "15.00.1990",
        "15.13.1990", "32.01.1990", "1990-5-15", "1990-02-30", "15.05.90", "15/05/1990",
        "15.05.1990..", "15.05.1990x", "x15.05.1990", "", "15.05", "123.05.1990",
        "15.05.1899", "1.1.2200", "2026-04-31", "1990-05-15.", "15..05.1990",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char out[11];
        if (local_date(bad[i], out) == 0)
            fail_msg("'%s' was taken as %s", bad[i], out);
    }
    char out[11];
    assert_int_equal(local_date(NULL, out), -1);
}

static void test_sex(void **state)
{
    (void)state;
    static const char *const female[] = {"Ž", "ž", "Z", "z", "F", "f", "Ж", "ж"};
    static const char *const male[] = {"M", "m", "М", "м"};
    char out[2];
    for (size_t i = 0; i < sizeof(female) / sizeof(female[0]); i++) {
        assert_int_equal(local_sex(female[i], out), 0);
        assert_string_equal(out, "F");
    }
    for (size_t i = 0; i < sizeof(male) / sizeof(male[0]); i++) {
        assert_int_equal(local_sex(male[i], out), 0);
        assert_string_equal(out, "M");
    }
    static const char *const bad[] = {"", "X", "ŽM", "muško", "Z ", "Ш"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(local_sex(bad[i], out), -1);
}

static void test_booleans(void **state)
{
    (void)state;
    static const char *const yes[] = {"da", "DA", "Da", "yes", "YES", "true", "True", "да", "Да", "ДА"};
    static const char *const no[] = {"ne", "NE", "no", "No", "false", "FALSE", "не", "Не", "НЕ"};
    int value = -1;
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        assert_int_equal(local_bool(yes[i], &value), 0);
        assert_int_equal(value, 1);
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        assert_int_equal(local_bool(no[i], &value), 0);
        assert_int_equal(value, 0);
    }
    static const char *const bad[] = {"", "1", "0", "y", "n", "jes", "dane", "nein"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(local_bool(bad[i], &value), -1);
}

static void test_person_fields(void **state)
{
    (void)state;
    char out[16], err[128];
    assert_string_equal(local_person_field("birth_date", "15.05.1990", out, sizeof(out), err,
                                           sizeof(err)),
                        "1990-05-15");
    assert_string_equal(local_person_field("sex", "Ž", out, sizeof(out), err, sizeof(err)), "F");
    assert_string_equal(local_person_field("rural", "da", out, sizeof(out), err, sizeof(err)),
                        "true");
    assert_string_equal(
        local_person_field("safety_flag", "не", out, sizeof(out), err, sizeof(err)), "false");
    assert_string_equal(
        local_person_field("work_capable", "true", out, sizeof(out), err, sizeof(err)), "true");
    const char *name = "Željka";
    assert_ptr_equal(local_person_field("first_name", name, out, sizeof(out), err, sizeof(err)),
                     name);
    assert_null(local_person_field("birth_date", "31.02.1990", out, sizeof(out), err,
                                   sizeof(err)));
    assert_non_null(strstr(err, "birth_date"));
    assert_null(local_person_field("sex", "X", out, sizeof(out), err, sizeof(err)));
    assert_non_null(strstr(err, "sex"));
    assert_null(local_person_field("rural", "mozda", out, sizeof(out), err, sizeof(err)));
    assert_non_null(strstr(err, "rural"));
    assert_null(strstr(err, "mozda")); /* the value is not repeated */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates_accepted),    cmocka_unit_test(test_dates_refused),
        cmocka_unit_test(test_sex),               cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_person_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
