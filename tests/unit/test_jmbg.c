/*
 * Unit test of common/jmbg.c: valid numbers (with their derived birth date, sex
 * and region), and each kind of invalid number with a message naming the part
 * that is wrong: length, digits, date (29 February of a non-leap year, 31 April,
 * day 0, month 13), region 60-69, control digit; and the remainder-10 case,
 * refused when strict and accepted with control digit 0 when lenient.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "jmbg.h"

struct valid_case {
    const char *jmbg;
    int year, month, day;
    char sex;
    int region;
};

/* Each control digit computed by hand from the weights 7 6 5 4 3 2 7 6 5 4 3 2. */
static const struct valid_case valid_cases[] = {
    {"0101100710006", 2100, 1, 1, 'M', 71},   /* YYY 100 < 800: 2100 */
    {"0308964384007", 1964, 8, 3, 'M', 38},
    {"2902964055506", 1964, 2, 29, 'F', 5},   /* 1964 is a leap year */
    {"2902000171507", 2000, 2, 29, 'M', 17},  /* 2000 is a leap year */
    {"1503975712341", 1975, 3, 15, 'M', 71},
    {"3112999179995", 1999, 12, 31, 'F', 17},
    {"0101000100014", 2000, 1, 1, 'M', 10},
    {"0505987885003", 1987, 5, 5, 'F', 88},   /* serial 500: the first female */
    {"3101002154996", 2002, 1, 31, 'M', 15},  /* serial 499: the last male */
    {"0101990591009", 1990, 1, 1, 'M', 59},   /* next to the unused 60-69 */
    {"0101990701009", 1990, 1, 1, 'M', 70},
    {"1203985170020", 1985, 3, 12, 'M', 17},  /* remainder 11: control digit 0 */
};

static void test_valid_numbers_and_what_they_say(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++) {
        const struct valid_case *c = &valid_cases[i];
        struct jmbg_info info;
        memset(&info, 0x55, sizeof(info));
        char err[256] = "";
        for (int mode = JMBG_STRICT; mode <= JMBG_LENIENT; mode++) {
            if (jmbg_check(c->jmbg, (enum jmbg_mode)mode, &info, err, sizeof(err)) != 0)
                fail_msg("%s refused (mode %d): %s", c->jmbg, mode, err);
            assert_int_equal(info.year, c->year);
            assert_int_equal(info.month, c->month);
            assert_int_equal(info.day, c->day);
            assert_int_equal(info.sex, c->sex);
            assert_int_equal(info.region, c->region);
            assert_int_equal(info.lenient, 0);
        }
        /* info may be NULL */
        assert_int_equal(jmbg_check(c->jmbg, JMBG_STRICT, NULL, err, sizeof(err)), 0);
    }
}

/* 01 01 100 71 000 6: YYY 100 is below 800, so the year is 2100 (a date in the future is
 * still a real date); serial 000 is male. */
static void test_three_digit_year_below_800_is_2000s(void **state)
{
    (void)state;
    struct jmbg_info info;
    char err[256] = "";
    assert_int_equal(jmbg_check("0101100710006", JMBG_STRICT, &info, err, sizeof(err)), 0);
    assert_int_equal(info.year, 2100);
    assert_int_equal(info.month, 1);
    assert_int_equal(info.day, 1);
    assert_int_equal(info.sex, 'M');
    assert_int_equal(info.region, 71);
}

/* Refused in both modes with a message containing every word of want. */
static void assert_refused(const char *jmbg, const char *want)
{
    for (int mode = JMBG_STRICT; mode <= JMBG_LENIENT; mode++) {
        char err[256] = "";
        struct jmbg_info info;
        if (jmbg_check(jmbg, (enum jmbg_mode)mode, &info, err, sizeof(err)) == 0)
            fail_msg("'%s' accepted (mode %d); expected a refusal about %s", jmbg, mode, want);
        if (strstr(err, want) == NULL)
            fail_msg("'%s' refused with '%s'; expected it to mention '%s'", jmbg, err, want);
    }
}

static void test_bad_control_digit(void **state)
{
    (void)state;
    assert_refused("0101100710007", "control digit");
    assert_refused("0308964384000", "control digit");
    assert_refused("1203985170021", "control digit"); /* remainder 11 wants 0 */
    char err[256];
    jmbg_check("0101100710007", JMBG_STRICT, NULL, err, sizeof(err));
    assert_non_null(strstr(err, "expected 6"));
}

static void test_bad_dates(void **state)
{
    (void)state;
    assert_refused("2902900151005", "date"); /* 29.02.1900: 1900 is not a leap year */
    assert_refused("2902023151007", "date"); /* 29.02.2023 */
    assert_refused("3104990151009", "date"); /* 31.04. */
    assert_refused("0001990151004", "date"); /* day 0 */
    assert_refused("0113990151007", "date"); /* month 13 */
    assert_refused("3202990151002", "date"); /* day 32 of February */
}

static void test_bad_regions(void **state)
{
    (void)state;
    assert_refused("0101990601004", "region"); /* 60 */
    assert_refused("0101990691003", "region"); /* 69 */
    char err[256];
    jmbg_check("0101990651000", JMBG_STRICT, NULL, err, sizeof(err));
    assert_non_null(strstr(err, "65"));
}

static void test_not_digits_or_wrong_length(void **state)
{
    (void)state;
    assert_refused("010110071000X", "digits");
    assert_refused("01011007 0006", "digits");
    assert_refused("-101100710006", "digits");
    assert_refused("", "13 digits");
    assert_refused("010110071000", "13 digits");   /* 12 */
    assert_refused("01011007100066", "13 digits"); /* 14 */
    char err[256];
    jmbg_check("010110071000X", JMBG_STRICT, NULL, err, sizeof(err));
    assert_non_null(strstr(err, "13")); /* position 13 */
}

/* 12 03 985 17 008: the weighted sum leaves remainder 10, for which no control digit
 * exists. Strict refuses it; lenient accepts control digit 0 and says so. */
static void test_remainder_ten_strict_and_lenient(void **state)
{
    (void)state;
    char err[256] = "";
    struct jmbg_info info;
    assert_int_equal(jmbg_check("1203985170080", JMBG_STRICT, &info, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "control digit"));
    memset(&info, 0, sizeof(info));
    assert_int_equal(jmbg_check("1203985170080", JMBG_LENIENT, &info, err, sizeof(err)), 0);
    assert_int_equal(info.lenient, 1);
    assert_int_equal(info.year, 1985);
    assert_int_equal(info.month, 3);
    assert_int_equal(info.day, 12);
    assert_int_equal(info.sex, 'M');
    /* lenient still wants the 0 */
    assert_int_equal(jmbg_check("1203985170081", JMBG_LENIENT, &info, err, sizeof(err)), -1);
    /* every digit 1-9 is refused strictly too */
    char number[] = "1203985170080";
    for (char digit = '0'; digit <= '9'; digit++) {
        number[12] = digit;
        assert_int_equal(jmbg_check(number, JMBG_STRICT, NULL, err, sizeof(err)), -1);
    }
}

static void test_message_fits_small_buffer(void **state)
{
    (void)state;
    char err[8];
    memset(err, 'x', sizeof(err));
    assert_int_equal(jmbg_check("0101990601004", JMBG_STRICT, NULL, err, sizeof(err)), -1);
    assert_int_equal(err[sizeof(err) - 1], '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_numbers_and_what_they_say),
        cmocka_unit_test(test_three_digit_year_below_800_is_2000s),
        cmocka_unit_test(test_bad_control_digit),
        cmocka_unit_test(test_bad_dates),
        cmocka_unit_test(test_bad_regions),
        cmocka_unit_test(test_not_digits_or_wrong_length),
        cmocka_unit_test(test_remainder_ten_strict_and_lenient),
        cmocka_unit_test(test_message_fits_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
