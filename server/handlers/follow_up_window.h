/*
 * The dates an outcome's follow-up may carry (docs/cases.md, "Rules the workflow
 * owes its users"): an M-month follow-up of an outcome dated D lies within
 * [D + M months - 14 days, D + M months + 3 months], calendar months, a day past a
 * month's end clamped to its last day. Pure date arithmetic: no database, no clock.
 */
#ifndef SPONA_FOLLOW_UP_WINDOW_H
#define SPONA_FOLLOW_UP_WINDOW_H

#include <stddef.h>

#define FOLLOW_UP_EARLY_DAYS 14   /* how early a follow-up may be */
#define FOLLOW_UP_LATE_MONTHS 3   /* how late */

/*
 * The window of a months-month follow-up of an outcome dated occurred_on
 * (YYYY-MM-DD) as YYYY-MM-DD texts into first and last (11 bytes each). Returns
 * 0, or -1 when occurred_on is not a date or months is 0.
 */
int follow_up_window(const char *occurred_on, unsigned months, char first[11], char last[11]);

/*
 * Adds months calendar months to the date y-m-d (a day past the month's end becomes
 * its last day), then days days (may be negative), into out (11 bytes). Returns 0, or
 * -1 on a date out of 1900..2199.
 */
int follow_up_date_add(int year, int month, int day, int months, int days, char out[11]);

#endif
