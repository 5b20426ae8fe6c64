/*
 * The charts of the printable report: horizontal bars and columns, drawn as
 * vectors (report_pdf_chart.h). Scales to the largest number of the chart and
 * prints every value as given; never computes a figure of its own.
 */
#include "report_pdf_chart.h"

#include <stdio.h>

#define PDF_CHART_FONT 8.5
#define PDF_CHART_TITLE_FONT 10.5
#define PDF_CHART_BAR_THICKNESS 12.0
#define PDF_CHART_VALUE_ROOM 52.0  /* right of the longest bar, for its value */
#define PDF_CHART_COLUMN_MAX 44.0  /* widest column */

static const struct pdf_colour pdf_chart_ink = { 0.13, 0.15, 0.20 };
static const struct pdf_colour pdf_chart_muted = { 0.42, 0.44, 0.48 };
static const struct pdf_colour pdf_chart_axis = { 0.62, 0.64, 0.68 };

/* The largest number among the chart's values; 0 when none is a number. */
static double pdf_chart_largest(const struct pdf_chart *chart)
{
    double largest = 0;
    for (size_t i = 0; i < chart->item_count; i++) {
        double number;
        if (pdf_draw_number(chart->items[i].value, &number) && number > largest)
            largest = number;
    }
    return largest;
}

/* Length of a bar for number, at most full; at least a hairline for a positive number. */
static double pdf_chart_length(double number, double largest, double full)
{
    if (largest <= 0 || number <= 0)
        return 0;
    double length = number / largest * full;
    return length < 1.0 ? 1.0 : length;
}

static void pdf_chart_title(cairo_t *cr, const char *title, double x, double y, double width)
{
    pdf_draw_font(cr, PDF_CHART_TITLE_FONT, PDF_WEIGHT_BOLD);
    pdf_draw_colour(cr, pdf_chart_ink);
    pdf_draw_text(cr, x, y + 12, title, PDF_ALIGN_LEFT, width);
}

static void pdf_chart_no_data(cairo_t *cr, double x, double baseline)
{
    pdf_draw_font(cr, PDF_CHART_FONT, PDF_WEIGHT_NORMAL);
    pdf_draw_colour(cr, pdf_chart_muted);
    pdf_draw_text(cr, x, baseline, "no data", PDF_ALIGN_LEFT, 0);
}

double pdf_chart_bars_height(size_t item_count)
{
    return PDF_CHART_TITLE_HEIGHT + (double)(item_count == 0 ? 1 : item_count) * PDF_CHART_BAR_ROW;
}

/*
 * Width of the label column: the same share of every bar chart, so that the
 * charts of a page start their bars on one line; longer labels end in "…".
 */
static double pdf_chart_label_width(double width)
{
    return width * 0.45; /* the protocol's group names are long */
}

/* One row of bars: label, then the bar and its value, or the value where the bar would be. */
static void pdf_chart_bar_row(cairo_t *cr, const struct pdf_chart_item *item, double x,
                              double top, double label_width, double bar_x, double full,
                              double largest)
{
    double baseline = top + PDF_CHART_BAR_ROW / 2 + 3;
    pdf_draw_font(cr, PDF_CHART_FONT, PDF_WEIGHT_NORMAL);
    pdf_draw_colour(cr, pdf_chart_ink);
    pdf_draw_text(cr, x, baseline, item->label, PDF_ALIGN_LEFT, label_width);
    double number;
    if (!pdf_draw_number(item->value, &number)) {
        pdf_draw_colour(cr, pdf_chart_muted);
        pdf_draw_text(cr, bar_x + 3, baseline, item->value, PDF_ALIGN_LEFT,
                      full + PDF_CHART_VALUE_ROOM - 3);
        return;
    }
    double length = pdf_chart_length(number, largest, full);
    pdf_draw_box(cr, bar_x, top + (PDF_CHART_BAR_ROW - PDF_CHART_BAR_THICKNESS) / 2, length,
                 PDF_CHART_BAR_THICKNESS, item->colour);
    pdf_draw_colour(cr, pdf_chart_ink);
    pdf_draw_text(cr, bar_x + length + 4, baseline, item->value, PDF_ALIGN_LEFT,
                  PDF_CHART_VALUE_ROOM - 4);
}

double pdf_chart_bars(cairo_t *cr, const struct pdf_chart *chart, double x, double y,
                      double width, double max_height)
{
    pdf_chart_title(cr, chart->title, x, y, width);
    double top = y + PDF_CHART_TITLE_HEIGHT;
    if (chart->item_count == 0) {
        pdf_chart_no_data(cr, x, top + PDF_CHART_BAR_ROW / 2 + 3);
        return pdf_chart_bars_height(0);
    }
    size_t rows = chart->item_count;
    if (pdf_chart_bars_height(rows) > max_height) {
        double room = max_height - PDF_CHART_TITLE_HEIGHT - PDF_CHART_BAR_ROW; /* "… more" */
        rows = room > PDF_CHART_BAR_ROW ? (size_t)(room / PDF_CHART_BAR_ROW) : 1;
    }
    double label_width = pdf_chart_label_width(width);
    double bar_x = x + label_width + 8;
    double full = x + width - PDF_CHART_VALUE_ROOM - bar_x;
    double largest = pdf_chart_largest(chart);
    for (size_t i = 0; i < rows; i++)
        pdf_chart_bar_row(cr, &chart->items[i], x, top + (double)i * PDF_CHART_BAR_ROW,
                          label_width, bar_x, full, largest);
    double bottom = top + (double)rows * PDF_CHART_BAR_ROW;
    pdf_draw_rule(cr, bar_x, top, bar_x, bottom, 0.6, pdf_chart_axis);
    if (rows == chart->item_count)
        return bottom - y;
    char more[96];
    snprintf(more, sizeof(more), "\xe2\x80\xa6 and %zu more (see the table)",
             chart->item_count - rows);
    pdf_draw_font(cr, PDF_CHART_FONT, PDF_WEIGHT_NORMAL);
    pdf_draw_colour(cr, pdf_chart_muted);
    pdf_draw_text(cr, bar_x + 3, bottom + PDF_CHART_BAR_ROW / 2 + 3, more, PDF_ALIGN_LEFT, 0);
    return bottom + PDF_CHART_BAR_ROW - y;
}

/* One column: the bar with its value above, or the value on the axis; the label below. */
static void pdf_chart_column(cairo_t *cr, const struct pdf_chart_item *item, double centre,
                             double slot, double axis, double full, double largest)
{
    double column = slot * 0.6 > PDF_CHART_COLUMN_MAX ? PDF_CHART_COLUMN_MAX : slot * 0.6;
    double number;
    pdf_draw_font(cr, PDF_CHART_FONT, PDF_WEIGHT_NORMAL);
    if (pdf_draw_number(item->value, &number)) {
        double height = pdf_chart_length(number, largest, full);
        pdf_draw_box(cr, centre - column / 2, axis - height, column, height, item->colour);
        pdf_draw_colour(cr, pdf_chart_ink);
        pdf_draw_text(cr, centre, axis - height - 4, item->value, PDF_ALIGN_CENTRE, slot - 2);
    } else {
        pdf_draw_colour(cr, pdf_chart_muted);
        pdf_draw_text(cr, centre, axis - 4, item->value, PDF_ALIGN_CENTRE, slot - 2);
    }
    pdf_draw_colour(cr, pdf_chart_ink);
    pdf_draw_text(cr, centre, axis + 12, item->label, PDF_ALIGN_CENTRE, slot - 2);
}

void pdf_chart_columns(cairo_t *cr, const struct pdf_chart *chart, double x, double y,
                       double width, double height)
{
    pdf_chart_title(cr, chart->title, x, y, width);
    if (chart->item_count == 0) {
        pdf_chart_no_data(cr, x, y + PDF_CHART_TITLE_HEIGHT + PDF_CHART_BAR_ROW / 2 + 3);
        return;
    }
    double top = y + PDF_CHART_TITLE_HEIGHT + 14; /* room for the value over the tallest */
    double axis = y + height - 18;                /* room for the labels below */
    double slot = width / (double)chart->item_count;
    double largest = pdf_chart_largest(chart);
    for (size_t i = 0; i < chart->item_count; i++)
        pdf_chart_column(cr, &chart->items[i], x + slot * ((double)i + 0.5), slot, axis,
                         axis - top, largest);
    pdf_draw_rule(cr, x, axis, x + width, axis, 0.6, pdf_chart_axis);
}
