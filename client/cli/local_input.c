/*
 * Local input of dates, sex and yes/no (see local_input.h). Comparisons are on
 * UTF-8 bytes: the Cyrillic and accented letters are listed as strings.
 */
#include "local_input.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"

static int local_month_days(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* Reads 1..max digits at *at into *out; moves *at past them. 0, or -1 without digits. */
static int local_digits(const char **at, int max, int *out)
{
    int count = 0, value = 0;
    while (count < max && isdigit((unsigned char)**at)) {
        value = value * 10 + (**at - '0');
        (*at)++;
        count++;
    }
    *out = value;
    return count == 0 ? -1 : count;
}

static int local_date_parts(const char *text, int *year, int *month, int *day)
{
    const char *at = text;
    int first, second, third;
    int length = local_digits(&at, 4, &first);
    if (length == 4 && *at == '-') { /* ISO: yyyy-mm-dd, two digits each */
        at++;
        if (local_digits(&at, 2, &second) != 2 || *at++ != '-' ||
            local_digits(&at, 2, &third) != 2 || *at != '\0')
            return -1;
        *year = first, *month = second, *day = third;
        return 0;
    }
    if (length < 1 || length > 2 || *at++ != '.') /* d.m.yyyy, dd.mm.yyyy[.] */
        return -1;
    while (*at == ' ')
        at++;
    length = local_digits(&at, 2, &second);
    if (length < 1 || *at++ != '.')
        return -1;
    while (*at == ' ')
        at++;
    if (local_digits(&at, 4, &third) != 4)
        return -1;
    if (*at == '.')
        at++;
    if (*at != '\0')
        return -1;
    *day = first, *month = second, *year = third;
    return 0;
}

int local_date(const char *text, char out[11])
{
    int year, month, day;
    if (text == NULL || local_date_parts(text, &year, &month, &day) != 0 || year < 1900 ||
        year > 2199 || month < 1 || month > 12 || day < 1 || day > local_month_days(year, month))
        return -1;
    char text_out[48]; /* wide enough for any int, so that -O2 sees no truncation */
    if (snprintf(text_out, sizeof(text_out), "%04d-%02d-%02d", year, month, day) != 10)
        return -1;
    memcpy(out, text_out, 11);
    return 0;
}

static int local_in(const char *text, const char *const *words)
{
    for (; *words != NULL; words++)
        if (strcasecmp(text, *words) == 0)
            return 1;
    return 0;
}

int local_sex(const char *text, char out[2])
{
    static const char *const female[] = {"F", "Z", "Ž", "ž", "Ж", "ж", NULL};
    static const char *const male[] = {"M", "М", "м", NULL};
    if (text == NULL)
        return -1;
    if (local_in(text, female))
        out[0] = 'F';
    else if (local_in(text, male))
        out[0] = 'M';
    else
        return -1;
    out[1] = '\0';
    return 0;
}

int local_bool(const char *text, int *out)
{
    static const char *const yes[] = {"da", "yes", "true", "да", "Да", "ДА", NULL};
    static const char *const no[] = {"ne", "no", "false", "не", "Не", "НЕ", NULL};
    if (text == NULL)
        return -1;
    if (local_in(text, yes))
        *out = 1;
    else if (local_in(text, no))
        *out = 0;
    else
        return -1;
    return 0;
}

const char *local_person_field(const char *name, const char *value, char *out, size_t out_size,
                               char *err, size_t err_size)
{
    static const char *const yes_no[] = {"rural", "work_capable", "safety_flag", NULL};
    if (out_size < 11)
        return NULL;
    if (strcmp(name, "birth_date") == 0) {
        if (local_date(value, out) == 0)
            return out;
        snprintf(err, err_size, _("%s: expected a date dd.mm.yyyy or yyyy-mm-dd"), name);
        return NULL;
    }
    if (strcmp(name, "sex") == 0) {
        if (local_sex(value, out) == 0)
            return out;
        snprintf(err, err_size, _("%s: expected Ž (F) or M"), name);
        return NULL;
    }
    if (strcmp(name, "language") == 0 && value[0] != '\0') {
        enum i18n_language language;
        if (i18n_parse_language(value, &language) == 0) {
            snprintf(out, out_size, "%s", i18n_language_tag(language));
            return out;
        }
        snprintf(err, err_size, _("%s: expected bs, hr, sr-Latn, sr-Cyrl or en"), name);
        return NULL;
    }
    for (const char *const *field = yes_no; *field != NULL; field++) {
        if (strcmp(name, *field) != 0)
            continue;
        int yes;
        if (local_bool(value, &yes) == 0) {
            snprintf(out, out_size, "%s", yes ? "true" : "false");
            return out;
        }
        snprintf(err, err_size, _("%s: expected da or ne (yes or no)"), name);
        return NULL;
    }
    return value;
}
