/*
 * JMBG validation (see jmbg.h and docs/domain.md). The region is never
 * used to guess where a person lives.
 */
#include "jmbg.h"

#include <stdio.h>
#include <string.h>

static int is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Registration regions in use: 00-09 (foreign/older), 10-19 BiH, 20-29 Montenegro,
 * 30-39 Croatia, 40-49 North Macedonia, 50-59 Slovenia, 70-89 Serbia, 90-99 Kosovo. */
static int region_valid(int region)
{
    return !(region >= 60 && region <= 69);
}

int jmbg_check(const char *jmbg, enum jmbg_mode mode, struct jmbg_info *info, char *err,
               size_t err_size)
{
    int d[13];
    if (strlen(jmbg) != 13) {
        snprintf(err, err_size, "JMBG must have 13 digits, not %zu characters", strlen(jmbg));
        return -1;
    }
    for (int i = 0; i < 13; i++) {
        if (jmbg[i] < '0' || jmbg[i] > '9') {
            snprintf(err, err_size, "JMBG must have only digits (position %d is '%c')", i + 1,
                     jmbg[i]);
            return -1;
        }
        d[i] = jmbg[i] - '0';
    }
    int day = d[0] * 10 + d[1];
    int month = d[2] * 10 + d[3];
    int yyy = d[4] * 100 + d[5] * 10 + d[6];
    int year = yyy >= 800 ? 1000 + yyy : 2000 + yyy;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int month_days = month >= 1 && month <= 12 ? days[month - 1] + (month == 2 && is_leap(year))
                                               : 0;
    if (month_days == 0 || day < 1 || day > month_days) {
        snprintf(err, err_size, "JMBG date part %.2s.%.2s.%d is not a real date", jmbg,
                 jmbg + 2, year);
        return -1;
    }
    int region = d[7] * 10 + d[8];
    if (!region_valid(region)) {
        snprintf(err, err_size, "JMBG region code %02d is not in use", region);
        return -1;
    }
    static const int weights[12] = {7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
    int sum = 0;
    for (int i = 0; i < 12; i++)
        sum += weights[i] * d[i];
    int m = 11 - sum % 11;
    int lenient = 0;
    int expected;
    if (m == 11)
        expected = 0;
    else if (m == 10) {
        if (mode == JMBG_STRICT) {
            snprintf(err, err_size,
                     "JMBG control digit cannot be valid for these 12 digits (remainder 10)");
            return -1;
        }
        expected = 0;
        lenient = 1;
    } else
        expected = m;
    if (d[12] != expected) {
        snprintf(err, err_size, "JMBG control digit is %d, expected %d", d[12], expected);
        return -1;
    }
    if (info != NULL) {
        info->year = year;
        info->month = month;
        info->day = day;
        int serial = d[9] * 100 + d[10] * 10 + d[11];
        info->sex = serial < 500 ? 'M' : 'F';
        info->region = region;
        info->lenient = lenient;
    }
    return 0;
}
