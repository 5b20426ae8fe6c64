/*
 * The printable report (report_pdf.h, docs/reports.md "The printable report"):
 * an A4 PDF of one ReportResponse for the protocol's working group meetings.
 * Page 1: the title block, the key figures and the charts (employed by pathway,
 * persons in case management by priority group, one-time assistance recipients
 * per year); the following pages: every row as indicator | breakdown | value,
 * the header row repeated on each, and "page N of M" at the foot of every page.
 * Shows the figures exactly as the server sent them: it never computes, sums or
 * un-suppresses one ("<5", "x" and "n/a" are printed as they are).
 */
#include "report_pdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo.h>

#include "doc_pages.h"
#include "i18n.h"
#include "report_pdf_chart.h"
#include "report_pdf_draw.h"

/* A4 portrait, in points. */
#define REPORT_PAGE_WIDTH 595.0
#define REPORT_PAGE_HEIGHT 842.0
#define REPORT_MARGIN 40.0
#define REPORT_CONTENT_WIDTH (REPORT_PAGE_WIDTH - 2 * REPORT_MARGIN)
#define REPORT_CONTENT_BOTTOM (REPORT_PAGE_HEIGHT - REPORT_MARGIN - 20) /* above the footer */
#define REPORT_FOOTER_BASELINE (REPORT_PAGE_HEIGHT - REPORT_MARGIN)

/* Key figures: a row of boxes. */
#define REPORT_FIGURE_COUNT 6
#define REPORT_FIGURE_GAP 8.0
#define REPORT_FIGURE_HEIGHT 56.0

/* Charts on page 1. */
#define REPORT_CHART_GAP 20.0
#define REPORT_PATHWAY_ROWS_MAX 6
#define REPORT_YEARS_HEIGHT 170.0

/* The table pages. */
#define REPORT_TABLE_HEADER_TOP 98.0
#define REPORT_TABLE_HEADER_HEIGHT 18.0
#define REPORT_TABLE_ROW 15.0
#define REPORT_TABLE_FIRST_ROW (REPORT_TABLE_HEADER_TOP + REPORT_TABLE_HEADER_HEIGHT)
#define REPORT_TABLE_FONT 8.5
#define REPORT_TABLE_BREAKDOWN_X (REPORT_MARGIN + 215)
#define REPORT_TABLE_VALUE_WIDTH 90.0

/* Colours; the pathway chart's (one per pathway) are used nowhere else on the page. */
#define REPORT_RGB(r, g, b) { (r) / 255.0, (g) / 255.0, (b) / 255.0 }
static const struct pdf_colour report_ink = REPORT_RGB(33, 38, 51);
static const struct pdf_colour report_title = REPORT_RGB(20, 45, 85);
static const struct pdf_colour report_muted = REPORT_RGB(107, 112, 122);
static const struct pdf_colour report_rule = REPORT_RGB(190, 195, 204);
static const struct pdf_colour report_figure_fill = REPORT_RGB(236, 240, 246);
static const struct pdf_colour report_table_header = REPORT_RGB(226, 231, 239);
static const struct pdf_colour report_table_stripe = REPORT_RGB(246, 247, 250);
static const struct pdf_colour report_pathway_icm = REPORT_RGB(31, 97, 168);
static const struct pdf_colour report_pathway_social = REPORT_RGB(230, 133, 33);
static const struct pdf_colour report_pathway_other = REPORT_RGB(140, 148, 158);
static const struct pdf_colour report_group = REPORT_RGB(41, 140, 128);
static const struct pdf_colour report_year = REPORT_RGB(115, 89, 166);
static const struct pdf_colour report_year_partial = REPORT_RGB(200, 190, 222);

struct report_document {
    const Spona__V1__ReportResponse *report; /* borrowed */
    struct doc_labels *labels;               /* borrowed; NULL: codes as sent */
    const char *today;                       /* YYYY-MM-DD; NULL: no period is partial */
    cairo_t *cr;
    struct doc_pages *pages;                 /* recording pages (borrowed); NULL: a PDF */
    size_t rows_per_page;
    size_t first_page_rows;                  /* rows of the table under page 1's charts */
    double first_page_top;                   /* where page 1's table starts */
    size_t page_count;
    char year_labels[16][40];                /* "2026 (partial)" and the like */
};

/* A key figure: which row, and its label in one or two lines. */
struct report_figure {
    const char *indicator;
    const char *breakdown;
    const char *label[2];
};

static const struct report_figure report_figures[REPORT_FIGURE_COUNT] = {
    { "persons_in_case_management", "all", { N_("persons in"), N_("case management") } },
    { "assessed", "all", { N_("assessed"), NULL } },
    { "with_plan", "all", { N_("with a plan"), NULL } },
    { "referred", "all", { N_("referred"), NULL } },
    { "employed", "all", { N_("employed"), NULL } },
    { "median_days_to_employment", "all", { N_("median days"), N_("to employment") } },
};

/* Protobuf-c strings are "" when unset; a row built by hand may still hold NULL. */
static const char *report_string(const char *text)
{
    return text != NULL ? text : "";
}

/* The value of the row indicator/breakdown, or NULL when the report has none. */
static const char *report_find(const Spona__V1__ReportResponse *report, const char *indicator,
                               const char *breakdown)
{
    for (size_t i = 0; i < report->n_rows; i++) {
        const Spona__V1__IndicatorRow *row = report->rows[i];
        if (strcmp(report_string(row->indicator), indicator) == 0 &&
            strcmp(report_string(row->breakdown), breakdown) == 0)
            return report_string(row->value);
    }
    return NULL;
}

/* Labels and colours of the charts' items, from the code after the breakdown's prefix. */
static void report_name_pathway(struct report_document *document, struct pdf_chart_item *item,
                                const char *code)
{
    (void)document;
    item->label = i18n_code_label("pathway", code);
    item->colour = report_pathway_other;
    if (strcmp(code, "integrated_case_management") == 0) {
        item->label = _("integrated case management");
        item->colour = report_pathway_icm;
    } else if (strcmp(code, "social_entrepreneurship") == 0) {
        item->label = _("social entrepreneurship");
        item->colour = report_pathway_social;
    }
}

/* A group as the protocol names it (directory), its code when the names are unknown. */
static void report_name_group(struct report_document *document, struct pdf_chart_item *item,
                              const char *code)
{
    if (strcmp(code, "none") == 0)
        item->label = _("no priority group");
    else
        item->label = document->labels != NULL ? doc_labels_group(document->labels, code) : code;
    item->colour = report_group;
}

/* Whether the period runs to today or later: its last part has not happened yet. */
static int report_partial(const struct report_document *document)
{
    return document->today != NULL &&
           strcmp(report_string(document->report->to), document->today) >= 0;
}

/* A year; the current year of a partial period is drawn pale and says so. */
static void report_name_year(struct report_document *document, struct pdf_chart_item *item,
                             const char *code)
{
    item->label = code;
    item->colour = report_year;
    if (report_partial(document) && strncmp(code, document->today, 4) == 0) {
        char *label = document->year_labels[0];
        snprintf(label, sizeof(document->year_labels[0]), _("%s (partial)"), code);
        item->label = label;
        item->colour = report_year_partial;
    }
}

/*
 * The chart of the rows of indicator whose breakdown starts with prefix, in the
 * report's order. Returns 0 with its items in *items (caller frees; they borrow
 * the report's strings), or -1 out of memory.
 */
static int report_chart(struct report_document *document, const char *title,
                        const char *indicator, const char *prefix,
                        void (*name)(struct report_document *document,
                                     struct pdf_chart_item *item, const char *code),
                        struct pdf_chart *chart, struct pdf_chart_item **items_out)
{
    const Spona__V1__ReportResponse *report = document->report;
    struct pdf_chart_item *items = calloc(report->n_rows > 0 ? report->n_rows : 1, sizeof(*items));
    if (items == NULL)
        return -1;
    size_t count = 0, prefix_length = strlen(prefix);
    for (size_t i = 0; i < report->n_rows; i++) {
        const Spona__V1__IndicatorRow *row = report->rows[i];
        const char *breakdown = report_string(row->breakdown);
        if (strcmp(report_string(row->indicator), indicator) != 0 ||
            strncmp(breakdown, prefix, prefix_length) != 0)
            continue;
        name(document, &items[count], breakdown + prefix_length);
        items[count].value = report_string(row->value);
        count++;
    }
    chart->title = title;
    chart->items = items;
    chart->item_count = count;
    *items_out = items;
    return 0;
}

/* The municipality's name (its code when the names are unknown). */
static const char *report_municipality(const struct report_document *document)
{
    const char *name = document->labels != NULL ? doc_labels_municipality(document->labels) : "";
    return name[0] != '\0' ? name : report_string(document->report->municipality_code);
}

/* "Testgrad · 2025-12-01 to 2026-11-30": names the report at the foot of every page. */
static void report_identity(const struct report_document *document, char *out, size_t out_size)
{
    snprintf(out, out_size, _("Spona \xc2\xb7 %s \xc2\xb7 %s to %s"),
             report_municipality(document), report_string(document->report->from),
             report_string(document->report->to));
}

static void report_footer(const struct report_document *document, size_t page)
{
    cairo_t *cr = document->cr;
    char identity[PDF_DRAW_TEXT_MAX], number[64];
    report_identity(document, identity, sizeof(identity));
    snprintf(number, sizeof(number), _("page %zu of %zu"), page, document->page_count);
    pdf_draw_rule(cr, REPORT_MARGIN, REPORT_FOOTER_BASELINE - 12,
                  REPORT_PAGE_WIDTH - REPORT_MARGIN, REPORT_FOOTER_BASELINE - 12, 0.5,
                  report_rule);
    pdf_draw_font(cr, 8, PDF_WEIGHT_NORMAL);
    pdf_draw_colour(cr, report_muted);
    pdf_draw_text(cr, REPORT_PAGE_WIDTH - REPORT_MARGIN, REPORT_FOOTER_BASELINE, number,
                  PDF_ALIGN_RIGHT, 0);
    pdf_draw_text(cr, REPORT_MARGIN, REPORT_FOOTER_BASELINE, identity, PDF_ALIGN_LEFT,
                  REPORT_CONTENT_WIDTH - 90);
}

/* "Municipality TESTGRAD · period ... · protocol version 2" */
static void report_subtitle(const struct report_document *document, char *out, size_t out_size)
{
    const Spona__V1__ReportResponse *report = document->report;
    snprintf(out, out_size,
             _("Municipality %s  \xc2\xb7  period %s to %s  \xc2\xb7  protocol version %u"),
             report_municipality(document), report_string(report->from),
             report_string(report->to), (unsigned)report->protocol_version);
}

/* The title block of page 1; returns the y under it. */
static double report_heading(const struct report_document *document)
{
    cairo_t *cr = document->cr;
    const Spona__V1__ReportResponse *report = document->report;
    char line[PDF_DRAW_TEXT_MAX];
    double y = REPORT_MARGIN + 20;

    pdf_draw_font(cr, 17, PDF_WEIGHT_BOLD);
    pdf_draw_colour(cr, report_title);
    pdf_draw_text(cr, REPORT_MARGIN, y,
                  _("Spona \xe2\x80\x94 indicators of the Protocol on cooperation"), PDF_ALIGN_LEFT,
                  REPORT_CONTENT_WIDTH);
    y += 20;
    report_subtitle(document, line, sizeof(line));
    pdf_draw_font(cr, 10.5, PDF_WEIGHT_NORMAL);
    pdf_draw_colour(cr, report_ink);
    pdf_draw_text(cr, REPORT_MARGIN, y, line, PDF_ALIGN_LEFT, REPORT_CONTENT_WIDTH);
    pdf_draw_font(cr, 9, PDF_WEIGHT_NORMAL);
    pdf_draw_colour(cr, report_muted);
    if (report_string(report->released_at)[0] != '\0') {
        y += 15;
        snprintf(line, sizeof(line), _("Figures released at %s"), report->released_at);
        pdf_draw_text(cr, REPORT_MARGIN, y, line, PDF_ALIGN_LEFT, REPORT_CONTENT_WIDTH);
    }
    if (report_partial(document)) {
        y += 13;
        snprintf(line, sizeof(line),
                 _("Partial period: the figures run to %s; the rest of the period has not "
                   "happened yet."),
                 document->today);
        pdf_draw_text(cr, REPORT_MARGIN, y, line, PDF_ALIGN_LEFT, REPORT_CONTENT_WIDTH);
    }
    if (report->suppressed_view) {
        y += 13;
        int lines = pdf_draw_wrapped(cr, REPORT_MARGIN, y, REPORT_CONTENT_WIDTH, 12,
                                     _("Small cells are suppressed: counts from 1 to 4 are shown "
                                       "as \"<5\", and \"x\" marks a cell hidden so that a \"<5\" "
                                       "cannot be worked out from the other cells."));
        y += (lines - 1) * 12;
    }
    y += 12;
    pdf_draw_rule(cr, REPORT_MARGIN, y, REPORT_PAGE_WIDTH - REPORT_MARGIN, y, 0.8, report_rule);
    return y;
}

/* One key-figure box at x, top: the value as sent (an em dash when the row is missing). */
static void report_figure_box(const struct report_document *document,
                              const struct report_figure *figure, double x, double top,
                              double width)
{
    cairo_t *cr = document->cr;
    const char *value = report_find(document->report, figure->indicator, figure->breakdown);
    pdf_draw_box(cr, x, top, width, REPORT_FIGURE_HEIGHT, report_figure_fill);
    pdf_draw_font(cr, 17, PDF_WEIGHT_BOLD);
    pdf_draw_colour(cr, report_title);
    pdf_draw_text(cr, x + width / 2, top + 25, value != NULL ? value : "\xe2\x80\x94",
                  PDF_ALIGN_CENTRE, width - 6);
    pdf_draw_font(cr, 7.5, PDF_WEIGHT_NORMAL);
    pdf_draw_colour(cr, report_ink);
    for (int line = 0; line < 2 && figure->label[line] != NULL; line++)
        pdf_draw_text(cr, x + width / 2, top + 39 + line * 9, _(figure->label[line]),
                      PDF_ALIGN_CENTRE, width - 4);
}

/* The row of key figures under y; returns the y under it. */
static double report_key_figures(const struct report_document *document, double y)
{
    double top = y + 14;
    double width = (REPORT_CONTENT_WIDTH - (REPORT_FIGURE_COUNT - 1) * REPORT_FIGURE_GAP) /
                   REPORT_FIGURE_COUNT;
    for (size_t i = 0; i < REPORT_FIGURE_COUNT; i++)
        report_figure_box(document, &report_figures[i],
                          REPORT_MARGIN + (double)i * (width + REPORT_FIGURE_GAP), top, width);
    return top + REPORT_FIGURE_HEIGHT;
}

/* The charts under y; the y under them, or -1 out of memory. */
static double report_charts(struct report_document *document, double y)
{
    cairo_t *cr = document->cr;
    struct pdf_chart pathway = { 0 }, groups = { 0 }, years = { 0 };
    struct pdf_chart_item *pathway_items = NULL, *group_items = NULL, *year_items = NULL;
    double status = -1;
    if (report_chart(document, _("Employed, by pathway"), "employed", "pathway:",
                     report_name_pathway, &pathway, &pathway_items) != 0 ||
        report_chart(document, _("Persons in case management, by priority group"),
                     "persons_in_case_management", "group:", report_name_group, &groups,
                     &group_items) != 0 ||
        report_chart(document, _("One-time assistance recipients, per year"),
                     "one_time_assistance_recipients", "year:", report_name_year, &years,
                     &year_items) != 0)
        goto done;

    y += REPORT_CHART_GAP;
    y += pdf_chart_bars(cr, &pathway, REPORT_MARGIN, y, REPORT_CONTENT_WIDTH,
                        pdf_chart_bars_height(pathway.item_count < REPORT_PATHWAY_ROWS_MAX
                                                  ? pathway.item_count
                                                  : REPORT_PATHWAY_ROWS_MAX));
    y += REPORT_CHART_GAP;
    double years_room = years.item_count > 0 ? REPORT_YEARS_HEIGHT + REPORT_CHART_GAP : 0;
    y += pdf_chart_bars(cr, &groups, REPORT_MARGIN, y, REPORT_CONTENT_WIDTH,
                        REPORT_CONTENT_BOTTOM - y - years_room);
    if (years.item_count > 0) {
        pdf_chart_columns(cr, &years, REPORT_MARGIN, y + REPORT_CHART_GAP, REPORT_CONTENT_WIDTH,
                          REPORT_YEARS_HEIGHT);
        y += REPORT_CHART_GAP + REPORT_YEARS_HEIGHT;
    }
    status = y;
done:
    free(pathway_items);
    free(group_items);
    free(year_items);
    return status;
}

static void report_table_header_row(const struct report_document *document, double top);
static void report_table_legend(const struct report_document *document, double baseline);
static void report_table_row(const struct report_document *document, size_t index, size_t line,
                             double first_row);

/*
 * Lays the table out: as many rows as fit under page 1's charts (no empty page area),
 * the rest rows_per_page a page.
 */
static void report_layout(struct report_document *document, double charts_bottom)
{
    size_t rows = document->report->n_rows;
    double top = charts_bottom + REPORT_CHART_GAP;
    double room = REPORT_CONTENT_BOTTOM - top - REPORT_TABLE_HEADER_HEIGHT - 20;
    document->first_page_top = top;
    document->first_page_rows = room > 0 ? (size_t)(room / REPORT_TABLE_ROW) : 0;
    if (document->first_page_rows > rows)
        document->first_page_rows = rows;
    size_t rest = rows - document->first_page_rows;
    document->page_count = 1 + (rest + document->rows_per_page - 1) / document->rows_per_page;
}

/* Page 1; 0, or -1 with a message in err. */
static int report_summary_page(struct report_document *document, char *err, size_t err_size)
{
    double y = report_heading(document);
    y = report_key_figures(document, y);
    y = report_charts(document, y);
    if (y < 0) {
        snprintf(err, err_size, "%s", _("out of memory"));
        return -1;
    }
    report_layout(document, y);
    cairo_t *cr = document->cr;
    if (document->first_page_rows > 0 || document->report->n_rows == 0) {
        pdf_draw_font(cr, 11, PDF_WEIGHT_BOLD);
        pdf_draw_colour(cr, report_title);
        pdf_draw_text(cr, REPORT_MARGIN, document->first_page_top + 12, _("All indicators"),
                      PDF_ALIGN_LEFT, 0);
        report_table_legend(document, document->first_page_top + 12);
        report_table_header_row(document, document->first_page_top + 18);
    }
    double first_row = document->first_page_top + 18 + REPORT_TABLE_HEADER_HEIGHT;
    for (size_t index = 0; index < document->first_page_rows; index++)
        report_table_row(document, index, index, first_row);
    if (document->report->n_rows == 0) {
        pdf_draw_font(cr, REPORT_TABLE_FONT, PDF_WEIGHT_NORMAL);
        pdf_draw_colour(cr, report_muted);
        pdf_draw_text(cr, REPORT_MARGIN + 6, first_row + 10.5, _("The report has no rows."),
                      PDF_ALIGN_LEFT, 0);
    }
    report_footer(document, 1);
    return 0;
}

/* The heading of a table page and its header row. */
static void report_table_heading(const struct report_document *document)
{
    cairo_t *cr = document->cr;
    char line[PDF_DRAW_TEXT_MAX];
    pdf_draw_font(cr, 13, PDF_WEIGHT_BOLD);
    pdf_draw_colour(cr, report_title);
    pdf_draw_text(cr, REPORT_MARGIN, REPORT_MARGIN + 18, _("All indicators"), PDF_ALIGN_LEFT, 0);
    report_subtitle(document, line, sizeof(line));
    pdf_draw_font(cr, 9, PDF_WEIGHT_NORMAL);
    pdf_draw_colour(cr, report_ink);
    pdf_draw_text(cr, REPORT_MARGIN, REPORT_MARGIN + 34, line, PDF_ALIGN_LEFT,
                  REPORT_CONTENT_WIDTH);
    report_table_legend(document, REPORT_MARGIN + 47);
    report_table_header_row(document, REPORT_TABLE_HEADER_TOP);
}

/* For a suppressed view, what <5, x and n/a mean, right of x = margin + 110 on baseline. */
static void report_table_legend(const struct report_document *document, double baseline)
{
    if (!document->report->suppressed_view)
        return;
    cairo_t *cr = document->cr;
    double x = baseline == REPORT_MARGIN + 47 ? REPORT_MARGIN : REPORT_MARGIN + 110;
    pdf_draw_font(cr, 7.5, PDF_WEIGHT_NORMAL);
    pdf_draw_colour(cr, report_muted);
    pdf_draw_text(cr, x, baseline,
                  _("<5: a count from 1 to 4  \xc2\xb7  x: hidden so that a <5 cannot be "
                    "worked out  \xc2\xb7  n/a: a median over no one"),
                  PDF_ALIGN_LEFT, REPORT_PAGE_WIDTH - REPORT_MARGIN - x);
}

/* The table's header row with its top at top. */
static void report_table_header_row(const struct report_document *document, double top)
{
    cairo_t *cr = document->cr;
    double baseline = top + 12.5;
    pdf_draw_box(cr, REPORT_MARGIN, top, REPORT_CONTENT_WIDTH, REPORT_TABLE_HEADER_HEIGHT,
                 report_table_header);
    pdf_draw_font(cr, REPORT_TABLE_FONT, PDF_WEIGHT_BOLD);
    pdf_draw_colour(cr, report_ink);
    pdf_draw_text(cr, REPORT_MARGIN + 6, baseline, _("indicator"), PDF_ALIGN_LEFT, 0);
    pdf_draw_text(cr, REPORT_TABLE_BREAKDOWN_X, baseline, _("breakdown"), PDF_ALIGN_LEFT, 0);
    pdf_draw_text(cr, REPORT_PAGE_WIDTH - REPORT_MARGIN - 6, baseline, _("value"),
                  PDF_ALIGN_RIGHT, 0);
}

/* A row's breakdown as printed: a priority group by the protocol's name when known. */
static const char *report_breakdown(const struct report_document *document,
                                    const Spona__V1__IndicatorRow *row)
{
    const char *breakdown = report_string(row->breakdown);
    if (document->labels == NULL || strncmp(breakdown, "group:", 6) != 0 ||
        strcmp(breakdown + 6, "none") == 0)
        return breakdown;
    return doc_labels_group(document->labels, breakdown + 6);
}

/*
 * Draws the report's row index at line of its table page (0: the first). The
 * indicator is printed on the first row of each indicator and at the top of a
 * page; a rule separates indicators.
 */
static void report_table_row(const struct report_document *document, size_t index, size_t line,
                             double first_row)
{
    cairo_t *cr = document->cr;
    const Spona__V1__IndicatorRow *row = document->report->rows[index];
    const char *indicator = report_string(row->indicator);
    int same = line > 0 &&
               strcmp(report_string(document->report->rows[index - 1]->indicator), indicator) == 0;
    double top = first_row + (double)line * REPORT_TABLE_ROW;
    double baseline = top + 10.5;
    double value_x = REPORT_PAGE_WIDTH - REPORT_MARGIN - 6;

    if (line % 2 == 1)
        pdf_draw_box(cr, REPORT_MARGIN, top, REPORT_CONTENT_WIDTH, REPORT_TABLE_ROW,
                     report_table_stripe);
    if (line > 0 && !same)
        pdf_draw_rule(cr, REPORT_MARGIN, top, REPORT_PAGE_WIDTH - REPORT_MARGIN, top, 0.5,
                      report_rule);
    pdf_draw_font(cr, REPORT_TABLE_FONT, PDF_WEIGHT_NORMAL);
    pdf_draw_colour(cr, report_ink);
    if (!same)
        pdf_draw_text(cr, REPORT_MARGIN + 6, baseline, indicator, PDF_ALIGN_LEFT,
                      REPORT_TABLE_BREAKDOWN_X - REPORT_MARGIN - 14);
    pdf_draw_text(cr, REPORT_TABLE_BREAKDOWN_X, baseline, report_breakdown(document, row),
                  PDF_ALIGN_LEFT,
                  value_x - REPORT_TABLE_VALUE_WIDTH - REPORT_TABLE_BREAKDOWN_X - 8);
    pdf_draw_text(cr, value_x, baseline, report_string(row->value), PDF_ALIGN_RIGHT,
                  REPORT_TABLE_VALUE_WIDTH);
}

/* Table page page (2..page_count): its rows. */
static void report_table_page(const struct report_document *document, size_t page)
{
    size_t first = document->first_page_rows + (page - 2) * document->rows_per_page;
    size_t end = first + document->rows_per_page;
    if (end > document->report->n_rows)
        end = document->report->n_rows;
    report_table_heading(document);
    for (size_t index = first; index < end; index++)
        report_table_row(document, index, index - first, REPORT_TABLE_FIRST_ROW);
    report_footer(document, page);
}

/* Ends a page (shown, or the next one recorded unless last); 0, or -1 with err. */
static int report_page_done(struct report_document *document, int last, char *err,
                            size_t err_size)
{
    cairo_status_t status = cairo_status(document->cr);
    if (document->pages == NULL) {
        cairo_show_page(document->cr);
        status = cairo_status(document->cr);
    } else if (!last && status == CAIRO_STATUS_SUCCESS) {
        cairo_t *next = doc_pages_next(document->pages, document->cr);
        if (next == NULL) {
            snprintf(err, err_size, "%s", _("out of memory"));
            return -1;
        }
        cairo_destroy(document->cr);
        document->cr = next;
    }
    if (status == CAIRO_STATUS_SUCCESS)
        return 0;
    snprintf(err, err_size, _("cannot draw the report: %s"), cairo_status_to_string(status));
    return -1;
}

/* Every page of the document; 0, or -1 with a message in err. */
static int report_pages(struct report_document *document, char *err, size_t err_size)
{
    if (report_summary_page(document, err, err_size) != 0 ||
        report_page_done(document, document->page_count == 1, err, err_size) != 0)
        return -1;
    for (size_t page = 2; page <= document->page_count; page++) {
        report_table_page(document, page);
        if (report_page_done(document, page == document->page_count, err, err_size) != 0)
            return -1;
    }
    return 0;
}

/* The PDF's title in its metadata (shown by viewers in the window title). */
static void report_metadata(cairo_surface_t *surface, const struct report_document *document)
{
    char identity[PDF_DRAW_TEXT_MAX], clean[PDF_DRAW_TEXT_MAX];
    report_identity(document, identity, sizeof(identity));
    pdf_draw_clean(identity, clean, sizeof(clean));
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, clean);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Spona");
}

int report_pdf_write(const Spona__V1__ReportResponse *report, const char *path, char *err,
                     size_t err_size)
{
    return report_pdf_write_named(report, NULL, NULL, path, err, err_size);
}

static void report_document_init(struct report_document *document,
                                 const Spona__V1__ReportResponse *report,
                                 struct doc_labels *labels, const char *today)
{
    memset(document, 0, sizeof(*document));
    document->report = report;
    document->labels = labels;
    document->today = today;
    document->rows_per_page =
        (size_t)((REPORT_CONTENT_BOTTOM - REPORT_TABLE_FIRST_ROW) / REPORT_TABLE_ROW);
    document->page_count = 1;
}

int report_pdf_write_named(const Spona__V1__ReportResponse *report, struct doc_labels *labels,
                           const char *today, const char *path, char *err, size_t err_size)
{
    struct report_document document;
    report_document_init(&document, report, labels, today);

    cairo_surface_t *surface =
        cairo_pdf_surface_create(path, REPORT_PAGE_WIDTH, REPORT_PAGE_HEIGHT);
    cairo_status_t status = cairo_surface_status(surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        snprintf(err, err_size, _("cannot write %s: %s"), path, cairo_status_to_string(status));
        cairo_surface_destroy(surface);
        return -1;
    }
    report_metadata(surface, &document);
    document.cr = cairo_create(surface);
    int result = report_pages(&document, err, err_size);
    status = cairo_status(document.cr);
    if (result == 0 && status != CAIRO_STATUS_SUCCESS) {
        snprintf(err, err_size, _("cannot draw the report: %s"), cairo_status_to_string(status));
        result = -1;
    }
    cairo_destroy(document.cr);
    cairo_surface_finish(surface);
    status = cairo_surface_status(surface);
    if (result == 0 && status != CAIRO_STATUS_SUCCESS) {
        snprintf(err, err_size, _("cannot write %s: %s"), path, cairo_status_to_string(status));
        result = -1;
    }
    cairo_surface_destroy(surface);
    if (result != 0)
        unlink(path); /* leave no half-written PDF behind; the message says why */
    return result;
}

int report_pdf_record(const Spona__V1__ReportResponse *report, struct doc_labels *labels,
                      const char *today, struct doc_pages *pages, char *err, size_t err_size)
{
    struct report_document document;
    report_document_init(&document, report, labels, today);
    document.pages = pages;
    report_identity(&document, pages->title, sizeof(pages->title));
    document.cr = doc_pages_next(pages, NULL);
    if (document.cr == NULL) {
        snprintf(err, err_size, "%s", _("out of memory"));
        return -1;
    }
    int result = report_pages(&document, err, err_size);
    cairo_status_t status = cairo_status(document.cr);
    if (result == 0 && status != CAIRO_STATUS_SUCCESS) {
        snprintf(err, err_size, _("cannot draw the report: %s"), cairo_status_to_string(status));
        result = -1;
    }
    cairo_destroy(document.cr);
    return result;
}

size_t report_pdf_figure_count(void)
{
    return REPORT_FIGURE_COUNT;
}

void report_pdf_figure_label(size_t index, char *out, size_t out_size)
{
    const struct report_figure *figure = &report_figures[index % REPORT_FIGURE_COUNT];
    snprintf(out, out_size, "%s%s%s", _(figure->label[0]), figure->label[1] != NULL ? " " : "",
             figure->label[1] != NULL ? _(figure->label[1]) : "");
}

const char *report_pdf_figure_value(const Spona__V1__ReportResponse *report, size_t index)
{
    const struct report_figure *figure = &report_figures[index % REPORT_FIGURE_COUNT];
    return report_find(report, figure->indicator, figure->breakdown);
}

double report_pdf_charts(cairo_t *cr, const Spona__V1__ReportResponse *report,
                         struct doc_labels *labels, const char *today)
{
    struct report_document document;
    report_document_init(&document, report, labels, today);
    document.cr = cr;
    cairo_save(cr);
    cairo_translate(cr, -REPORT_MARGIN, 0);
    double bottom = report_charts(&document, -REPORT_CHART_GAP);
    cairo_restore(cr);
    return bottom;
}
