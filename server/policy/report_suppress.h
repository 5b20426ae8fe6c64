/*
 * Suppression of the indicators that institutions other than the lead agency see
 * (docs/reports.md, "Suppression"). Pure logic over one report's figures, so that
 * it is unit-tested on its own (tests/unit/test_report_suppress.c):
 *  - primary: a figure over 1 to min-1 persons (or referrals) is SMALL ("<5");
 *  - secondary: the rows of an indicator's dimension ("sex:F", "sex:M", ...) and
 *    its "all" row are linked (a cell is roughly "all" minus the others), so a set
 *    with exactly one hidden cell would give it away: the smallest non-zero shown
 *    cell of the set is HIDDEN ("x") too, or "all" when the set has no other. This
 *    repeats until every linked set hides none or at least two cells.
 */
#ifndef SPONA_REPORT_SUPPRESS_H
#define SPONA_REPORT_SUPPRESS_H

#include <stddef.h>

enum report_cell {
    REPORT_CELL_SHOWN,
    REPORT_CELL_SMALL,  /* a figure over 1..min-1: "<5" */
    REPORT_CELL_HIDDEN, /* shown otherwise, hidden so that a SMALL cannot be worked out */
    REPORT_CELL_WITHHELD, /* any value: its whole indicator is withheld (report_intervals.h) */
};

struct report_figure {
    const char *indicator;
    const char *breakdown; /* "all" or "<dimension>:<value>" */
    long base;             /* how many persons or referrals the figure is over */
    int linked;            /* 1: a count that takes part in its indicator's linked sets */
    enum report_cell cell; /* out */
};

/* Decides the cell of every figure; min_cell: the smallest count shown (5). */
void report_suppress(struct report_figure *figures, size_t count, long min_cell);

/* The secondary rule alone, over cells already decided: hides until every linked set
 * hides none or at least two (used again after report_intervals.c hid more). */
void report_suppress_secondary(struct report_figure *figures, size_t count);

/* The text of a figure as shown: value, "<5", "x" (hidden or withheld), or "n/a" for an
 * empty value. */
const char *report_cell_text(const struct report_figure *figure, const char *value);

#endif
