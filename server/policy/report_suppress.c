/*
 * Primary and secondary suppression of a report's figures (see report_suppress.h).
 */
#include "report_suppress.h"

#include <string.h>

/* Length of the dimension part of a breakdown ("sex" of "sex:F"); 0 for "all". */
static size_t dimension_length(const char *breakdown)
{
    const char *colon = strchr(breakdown, ':');
    return colon == NULL ? 0 : (size_t)(colon - breakdown);
}

static int same_dimension(const struct report_figure *a, const struct report_figure *b)
{
    size_t length = dimension_length(a->breakdown);
    return length > 0 && length == dimension_length(b->breakdown) &&
           strncmp(a->breakdown, b->breakdown, length) == 0;
}

static int is_hidden(const struct report_figure *figure)
{
    return figure->cell != REPORT_CELL_SHOWN;
}

/* The "all" row of an indicator, or NULL. */
static struct report_figure *find_all(struct report_figure *figures, size_t count,
                                      const char *indicator)
{
    for (size_t i = 0; i < count; i++)
        if (figures[i].linked && strcmp(figures[i].indicator, indicator) == 0 &&
            strcmp(figures[i].breakdown, "all") == 0)
            return &figures[i];
    return NULL;
}

/*
 * The linked set of the dimension cell `first` (its indicator's "all" row and the
 * cells of the same dimension): when exactly one of them is hidden, hides another.
 * Returns 1 when it changed something.
 */
static int protect_set(struct report_figure *figures, size_t count,
                       const struct report_figure *first, struct report_figure *all)
{
    int hidden = is_hidden(all);
    struct report_figure *smallest = NULL;
    for (size_t i = 0; i < count; i++) {
        struct report_figure *cell = &figures[i];
        if (!cell->linked || strcmp(cell->indicator, first->indicator) != 0 ||
            !same_dimension(cell, first))
            continue;
        if (is_hidden(cell))
            hidden++;
        else if (cell->base > 0 && (smallest == NULL || cell->base < smallest->base))
            smallest = cell;
    }
    if (hidden != 1)
        return 0;
    if (smallest != NULL)
        smallest->cell = REPORT_CELL_HIDDEN;
    else if (!is_hidden(all) && all->base > 0)
        all->cell = REPORT_CELL_HIDDEN;
    else
        return 0; /* the one hidden cell is the only non-zero one: nothing else to hide */
    return 1;
}

void report_suppress(struct report_figure *figures, size_t count, long min_cell)
{
    for (size_t i = 0; i < count; i++)
        figures[i].cell = figures[i].base > 0 && figures[i].base < min_cell
                              ? REPORT_CELL_SMALL
                              : REPORT_CELL_SHOWN;
    report_suppress_secondary(figures, count);
}

void report_suppress_secondary(struct report_figure *figures, size_t count)
{
    /* every pass hides at least one more cell or stops, so this ends */
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < count; i++) {
            const struct report_figure *cell = &figures[i];
            if (!cell->linked || dimension_length(cell->breakdown) == 0)
                continue;
            /* each set once: at its first cell */
            int first = 1;
            for (size_t j = 0; j < i && first; j++)
                first = !(figures[j].linked &&
                          strcmp(figures[j].indicator, cell->indicator) == 0 &&
                          same_dimension(&figures[j], cell));
            struct report_figure *all = find_all(figures, count, cell->indicator);
            if (first && all != NULL)
                changed |= protect_set(figures, count, cell, all);
        }
    }
}

const char *report_cell_text(const struct report_figure *figure, const char *value)
{
    switch (figure->cell) {
    case REPORT_CELL_SMALL:
        return "<5";
    case REPORT_CELL_HIDDEN:
    case REPORT_CELL_WITHHELD:
        return "x";
    case REPORT_CELL_SHOWN:
        break;
    }
    return value[0] == '\0' ? "n/a" : value;
}
