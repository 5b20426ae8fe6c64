/*
 * What a suppressed report still tells (docs/reports.md, "Suppression"): from the
 * figures published in one answer (shown counts and zeros, "<5" = 1..4, "x" = 5 or
 * more) and the links between them (an indicator's "all" is the sum of its sex:, age:
 * and area: cells; a person may count in several group:, pathway: and institution:
 * cells, so there each cell is at most "all" and the cells add up to at least "all"),
 * the interval every hidden cell can still lie in. Pure logic, unit-tested on its own
 * (tests/unit/test_report_intervals.c).
 *
 * report_protect applies report_suppress and then hides more until no hidden cell's
 * interval is narrower than min_cell values, or than its own mark allows ("<5": the 4
 * values 1..4). An indicator whose cells cannot be protected by hiding non-zero cells
 * is withheld whole (every cell "x"). It must never be given unsuppressed figures'
 * texts to publish: it only decides cells.
 */
#ifndef SPONA_REPORT_INTERVALS_H
#define SPONA_REPORT_INTERVALS_H

#include <stddef.h>

#include "report_suppress.h"

/* An upper bound that nothing published limits. */
#define REPORT_UNBOUNDED 1000000000000L

/* Where a figure can lie given what is published: low..high, both inclusive. */
struct report_interval {
    long low, high;
};

/*
 * Fills intervals[i] for every figure (as published: a shown figure is its own
 * value; an unlinked figure or one of an indicator without "all" is its mark's
 * range). Returns 0, or -1 when the published figures contradict each other.
 */
int report_intervals(const struct report_figure *figures, size_t count, long min_cell,
                     struct report_interval *intervals);

/* How many values a hidden figure's interval must hold at least. */
long report_interval_required(const struct report_figure *figure, long min_cell);

/* Suppresses (report_suppress) and hides more until every hidden cell is protected. */
void report_protect(struct report_figure *figures, size_t count, long min_cell);

#endif
