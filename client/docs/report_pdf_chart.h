/*
 * The charts of the printable report (report_pdf.c), drawn as vectors with
 * cairo: horizontal bars (one row per item, its label on the left) and columns
 * (one per item, its label below). Bars are scaled to the chart's largest
 * number; a value that is not a number ("<5", "x", "n/a") draws no bar, and its
 * text is printed where the bar would be. Values are printed exactly as given.
 * A chart with no items says "no data". Knows nothing about indicators.
 */
#ifndef SPONA_REPORT_PDF_CHART_H
#define SPONA_REPORT_PDF_CHART_H

#include <stddef.h>

#include <cairo.h>

#include "report_pdf_draw.h"

struct pdf_chart_item {
    const char *label;        /* borrowed */
    const char *value;        /* as the server sent it; borrowed */
    struct pdf_colour colour; /* of its bar */
};

struct pdf_chart {
    const char *title;
    const struct pdf_chart_item *items; /* borrowed */
    size_t item_count;
};

/* Height of the title line, the gap under it, and of one row of bars. */
#define PDF_CHART_TITLE_HEIGHT 22.0
#define PDF_CHART_BAR_ROW 18.0

/*
 * The height pdf_chart_bars takes for item_count rows (and "no data" for none),
 * not counting a last line about rows that did not fit.
 */
double pdf_chart_bars_height(size_t item_count);

/*
 * Horizontal bars in the box at x, y (top) of width, at most max_height high:
 * as many rows as fit, then a line saying how many more are in the table.
 * Returns the height used.
 */
double pdf_chart_bars(cairo_t *cr, const struct pdf_chart *chart, double x, double y,
                      double width, double max_height);

/* Columns in the box at x, y (top) of width and height, labels below the axis. */
void pdf_chart_columns(cairo_t *cr, const struct pdf_chart *chart, double x, double y,
                       double width, double height);

#endif
