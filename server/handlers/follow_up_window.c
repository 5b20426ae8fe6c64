/*
 * The window of dates of an outcome's follow-up (see follow_up_window.h):
 * calendar arithmetic on proleptic Gregorian dates, days counted from a fixed
 * epoch so that adding days crosses months and years.
 */
#include "follow_up_window.h"

#include <stdio.h>
#include <string.h>

static int window_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int window_month_days(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && window_leap(year) ? 29 : days[month - 1];
}

/* Days since 0000-03-01 (a civil-from-days count). */
static long window_days(int year, int month, int day)
{
    year -= month <= 2;
    long era = year / 400;
    long of_era = year - era * 400;
    long of_year = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long of_cycle = of_era * 365 + of_era / 4 - of_era / 100 + of_year;
    return era * 146097 + of_cycle;
}

static void window_from_days(long days, int *year, int *month, int *day)
{
    long era = days / 146097;
    long of_era = days - era * 146097;
    long of_cycle = (of_era - of_era / 1460 + of_era / 36524 - of_era / 146096) / 365;
    long of_year = of_era - (365 * of_cycle + of_cycle / 4 - of_cycle / 100);
    long m = (5 * of_year + 2) / 153;
    *day = (int)(of_year - (153 * m + 2) / 5 + 1);
    *month = (int)(m < 10 ? m + 3 : m - 9);
    *year = (int)(of_cycle + era * 400 + (*month <= 2));
}

int follow_up_date_add(int year, int month, int day, int months, int days, char out[11])
{
    long index = (long)year * 12 + (month - 1) + months;
    year = (int)(index / 12);
    month = (int)(index % 12) + 1;
    if (year < 1900 || year > 2199)
        return -1;
    int last = window_month_days(year, month);
    if (day > last)
        day = last;
    window_from_days(window_days(year, month, day) + days, &year, &month, &day);
    if (year < 1900 || year > 2199)
        return -1;
    char text[48]; /* wide enough for any int, so that -O2 sees no truncation */
    if (snprintf(text, sizeof(text), "%04d-%02d-%02d", year, month, day) != 10)
        return -1;
    memcpy(out, text, 11);
    return 0;
}

int follow_up_window(const char *occurred_on, unsigned months, char first[11], char last[11])
{
    int year, month, day;
    char tail;
    if (occurred_on == NULL || strlen(occurred_on) != 10 || months == 0 || months > 1200 ||
        sscanf(occurred_on, "%4d-%2d-%2d%c", &year, &month, &day, &tail) != 3 || month < 1 ||
        month > 12 || day < 1 || day > window_month_days(year, month))
        return -1;
    if (follow_up_date_add(year, month, day, (int)months, -FOLLOW_UP_EARLY_DAYS, first) != 0 ||
        follow_up_date_add(year, month, day, (int)months + FOLLOW_UP_LATE_MONTHS, 0, last) != 0)
        return -1;
    return 0;
}
