/*
 * The intervals a suppressed report leaves its hidden cells in, and the hiding that
 * keeps them wide (see report_intervals.h).
 *
 * An indicator's dimensions share one unknown, its "all" (A). Given A, each dimension
 * is a set of cells with published ranges l..h and one constraint:
 *   partition (sex, age, area; group with only "none" and one code): the cells sum to A;
 *   cover (group, pathway, institution): every cell is at most A, their sum at least A.
 * A dimension allows an interval of A; A lies in the intersection of those intervals
 * and its own published range, and every value there is possible in every dimension at
 * once (they share nothing else). A cell's interval is then its exact range over that
 * A range, computed from the other cells' bounds (no enumeration).
 */
#include "report_intervals.h"

#include <stdlib.h>
#include <string.h>

#define INFINITE REPORT_UNBOUNDED

/* Sum of two non-negative bounds; unbounded stays unbounded. */
static long bound_add(long a, long b)
{
    return a >= INFINITE || b >= INFINITE ? INFINITE : a + b;
}

static long max_of(long a, long b)
{
    return a > b ? a : b;
}

static long min_of(long a, long b)
{
    return a < b ? a : b;
}

static size_t dimension_length(const char *breakdown)
{
    const char *colon = strchr(breakdown, ':');
    return colon == NULL ? 0 : (size_t)(colon - breakdown);
}

static int is_hidden(const struct report_figure *figure)
{
    return figure->cell != REPORT_CELL_SHOWN;
}

/* The range a figure's mark publishes. */
static struct report_interval published(const struct report_figure *figure, long min_cell)
{
    switch (figure->cell) {
    case REPORT_CELL_SMALL:
        return (struct report_interval){1, min_cell - 1};
    case REPORT_CELL_HIDDEN:
        return (struct report_interval){min_cell, INFINITE};
    case REPORT_CELL_WITHHELD:
        return (struct report_interval){0, INFINITE};
    case REPORT_CELL_SHOWN:
        break;
    }
    return (struct report_interval){figure->base, figure->base};
}

long report_interval_required(const struct report_figure *figure, long min_cell)
{
    struct report_interval range = published(figure, min_cell);
    long values = range.high >= INFINITE ? INFINITE : range.high - range.low + 1;
    return min_of(values, min_cell);
}

/* Figure i is a linked cell of the indicator `indicator` in dimension `dimension`. */
static int in_dimension(const struct report_figure *figure, const char *indicator,
                        const char *dimension, size_t length)
{
    return figure->linked && strcmp(figure->indicator, indicator) == 0 &&
           dimension_length(figure->breakdown) == length && length > 0 &&
           strncmp(figure->breakdown, dimension, length) == 0;
}

/* One dimension of one indicator: where its cells are, and how they relate to A. */
struct dimension {
    const struct report_figure *figures;
    size_t count;
    long min_cell;
    const char *indicator, *name;
    size_t length;
    int partition;
};

static int dimension_partitions(const struct dimension *d)
{
    static const char *const partitions[] = {"sex", "age", "area"};
    for (size_t i = 0; i < sizeof(partitions) / sizeof(partitions[0]); i++)
        if (strlen(partitions[i]) == d->length && strncmp(d->name, partitions[i], d->length) == 0)
            return 1;
    /* "none" and one code: every person is in exactly one of the two */
    int cells = 0, none = 0;
    for (size_t i = 0; i < d->count; i++)
        if (in_dimension(&d->figures[i], d->indicator, d->name, d->length)) {
            cells++;
            none += strcmp(d->figures[i].breakdown + d->length, ":none") == 0;
        }
    return cells == 2 && none == 1;
}

/*
 * Sums over the dimension's cells other than `skip` (NULL: all): lows, highs, highs
 * capped at `cap` (cover), the largest low, and how many highs are unbounded.
 */
struct dimension_sums {
    long lows, highs, capped_highs, largest_low;
    int unbounded;
};

static struct dimension_sums dimension_sum(const struct dimension *d,
                                           const struct report_figure *skip, long cap)
{
    struct dimension_sums sums = {0, 0, 0, 0, 0};
    for (size_t i = 0; i < d->count; i++) {
        const struct report_figure *cell = &d->figures[i];
        if (cell == skip || !in_dimension(cell, d->indicator, d->name, d->length))
            continue;
        struct report_interval range = published(cell, d->min_cell);
        sums.lows = bound_add(sums.lows, range.low);
        sums.highs = bound_add(sums.highs, range.high);
        sums.capped_highs = bound_add(sums.capped_highs, min_of(range.high, cap));
        sums.largest_low = max_of(sums.largest_low, range.low);
        sums.unbounded += range.high >= INFINITE;
    }
    return sums;
}

/* Narrows *all to the values of A this dimension allows. */
static void dimension_narrow_all(const struct dimension *d, struct report_interval *all)
{
    struct dimension_sums sums = dimension_sum(d, NULL, INFINITE);
    all->low = max_of(all->low, d->partition ? sums.lows : sums.largest_low);
    all->high = min_of(all->high, sums.highs);
}

/* Smallest A - (sum over the others of min(high, A)) for A in all (cover). */
static long cover_least_rest(const struct dimension *d, const struct report_figure *cell,
                             struct report_interval all)
{
    struct dimension_sums at_infinity = dimension_sum(d, cell, INFINITE);
    if (all.high >= INFINITE && at_infinity.unbounded >= 2)
        return -INFINITE; /* it falls without end as A grows */
    /* piecewise linear in A, bending at the others' highs: its least value is at an
     * end of the range or at one of those (past the last bend it rises or stays) */
    long least = all.low - dimension_sum(d, cell, all.low).capped_highs;
    if (all.high < INFINITE)
        least = min_of(least, all.high - dimension_sum(d, cell, all.high).capped_highs);
    for (size_t i = 0; i < d->count; i++) {
        const struct report_figure *other = &d->figures[i];
        if (other == cell || !in_dimension(other, d->indicator, d->name, d->length))
            continue;
        long bend = published(other, d->min_cell).high;
        if (bend > all.low && bend < all.high)
            least = min_of(least, bend - dimension_sum(d, cell, bend).capped_highs);
    }
    return least;
}

/* The interval of one cell of the dimension, A lying in all. */
static struct report_interval cell_interval(const struct dimension *d,
                                            const struct report_figure *cell,
                                            struct report_interval all)
{
    struct report_interval own = published(cell, d->min_cell), out;
    if (d->partition) {
        struct dimension_sums rest = dimension_sum(d, cell, INFINITE);
        out.low = rest.highs >= INFINITE ? own.low : max_of(own.low, all.low - rest.highs);
        out.high = all.high >= INFINITE ? own.high : min_of(own.high, all.high - rest.lows);
    } else {
        out.low = max_of(own.low, cover_least_rest(d, cell, all));
        out.high = min_of(own.high, all.high);
    }
    return out;
}

/* The intervals of the indicator whose "all" is figures[all]; -1 on a contradiction. */
static int indicator_intervals(const struct report_figure *figures, size_t count,
                               long min_cell, size_t all, struct report_interval *intervals)
{
    const char *indicator = figures[all].indicator;
    struct report_interval range = published(&figures[all], min_cell);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < count; i++) {
            struct dimension d = {figures, count, min_cell, indicator, figures[i].breakdown,
                                  dimension_length(figures[i].breakdown), 0};
            int first = in_dimension(&figures[i], indicator, d.name, d.length);
            for (size_t j = 0; j < i && first; j++)
                first = !in_dimension(&figures[j], indicator, d.name, d.length);
            if (!first)
                continue;
            d.partition = dimension_partitions(&d);
            if (pass == 0) {
                dimension_narrow_all(&d, &range);
                continue;
            }
            for (size_t j = i; j < count; j++)
                if (in_dimension(&figures[j], indicator, d.name, d.length))
                    intervals[j] = cell_interval(&d, &figures[j], range);
        }
        if (range.low > range.high)
            return -1;
        intervals[all] = range;
    }
    for (size_t i = 0; i < count; i++)
        if (intervals[i].low > intervals[i].high)
            return -1;
    return 0;
}

/* Whether any linked figure of the indicator is withheld (then nothing is published). */
static int indicator_withheld(const struct report_figure *figures, size_t count,
                              const char *indicator)
{
    for (size_t i = 0; i < count; i++)
        if (figures[i].linked && figures[i].cell == REPORT_CELL_WITHHELD &&
            strcmp(figures[i].indicator, indicator) == 0)
            return 1;
    return 0;
}

int report_intervals(const struct report_figure *figures, size_t count, long min_cell,
                     struct report_interval *intervals)
{
    for (size_t i = 0; i < count; i++)
        intervals[i] = published(&figures[i], min_cell);
    int status = 0;
    for (size_t i = 0; i < count; i++) {
        const struct report_figure *figure = &figures[i];
        if (!figure->linked || strcmp(figure->breakdown, "all") != 0 ||
            indicator_withheld(figures, count, figure->indicator))
            continue;
        int first = 1; /* an indicator with two "all" rows: the first counts */
        for (size_t j = 0; j < i && first; j++)
            first = !(figures[j].linked && strcmp(figures[j].breakdown, "all") == 0 &&
                      strcmp(figures[j].indicator, figure->indicator) == 0);
        if (first && indicator_intervals(figures, count, min_cell, i, intervals) != 0)
            status = -1;
    }
    return status;
}

/* The smallest non-zero shown linked cell of the indicator (in `dimension` when not
 * NULL), or NULL. */
static struct report_figure *smallest_shown(struct report_figure *figures, size_t count,
                                            const char *indicator, const char *dimension)
{
    size_t length = dimension != NULL ? dimension_length(dimension) : 0;
    struct report_figure *smallest = NULL;
    for (size_t i = 0; i < count; i++) {
        struct report_figure *cell = &figures[i];
        if (!cell->linked || is_hidden(cell) || cell->base == 0 ||
            strcmp(cell->indicator, indicator) != 0 ||
            (dimension != NULL && !in_dimension(cell, indicator, dimension, length)))
            continue;
        if (smallest == NULL || cell->base < smallest->base)
            smallest = cell;
    }
    return smallest;
}

/*
 * Hides one more cell for the pinned figures[pinned]: the smallest non-zero shown cell
 * of its dimension, else its indicator's "all", else the smallest non-zero shown cell
 * of the indicator; when none is left, withholds the indicator.
 */
static void hide_for(struct report_figure *figures, size_t count, size_t pinned)
{
    const char *indicator = figures[pinned].indicator;
    struct report_figure *next = NULL;
    if (dimension_length(figures[pinned].breakdown) > 0)
        next = smallest_shown(figures, count, indicator, figures[pinned].breakdown);
    for (size_t i = 0; i < count && next == NULL; i++)
        if (figures[i].linked && !is_hidden(&figures[i]) && figures[i].base > 0 &&
            strcmp(figures[i].breakdown, "all") == 0 &&
            strcmp(figures[i].indicator, indicator) == 0)
            next = &figures[i];
    if (next == NULL)
        next = smallest_shown(figures, count, indicator, NULL);
    if (next != NULL) {
        next->cell = REPORT_CELL_HIDDEN;
        return;
    }
    for (size_t i = 0; i < count; i++)
        if (figures[i].linked && strcmp(figures[i].indicator, indicator) == 0)
            figures[i].cell = REPORT_CELL_WITHHELD;
}

/* Hides one more cell if a hidden cell is pinned; returns 1 when it did. */
static int protect_once(struct report_figure *figures, size_t count, long min_cell,
                        struct report_interval *intervals)
{
    int contradiction = report_intervals(figures, count, min_cell, intervals) != 0;
    for (size_t i = 0; i < count; i++) {
        const struct report_figure *figure = &figures[i];
        if (!figure->linked || (figure->cell != REPORT_CELL_SMALL &&
                                figure->cell != REPORT_CELL_HIDDEN))
            continue;
        long values = intervals[i].high >= INFINITE || intervals[i].low <= -INFINITE
                          ? INFINITE
                          : intervals[i].high - intervals[i].low + 1;
        /* a contradiction never comes from true figures; hide rather than trust it */
        if (contradiction || values < report_interval_required(figure, min_cell)) {
            hide_for(figures, count, i);
            return 1;
        }
    }
    return 0;
}

void report_protect(struct report_figure *figures, size_t count, long min_cell)
{
    report_suppress(figures, count, min_cell);
    struct report_interval *intervals = calloc(count + 1, sizeof(*intervals));
    if (intervals == NULL) {
        /* no room to check: publish nothing linked */
        for (size_t i = 0; i < count; i++)
            if (figures[i].linked)
                figures[i].cell = REPORT_CELL_WITHHELD;
        return;
    }
    /* each round hides or withholds at least one more cell, so this ends */
    while (protect_once(figures, count, min_cell, intervals))
        report_suppress_secondary(figures, count);
    free(intervals);
}
