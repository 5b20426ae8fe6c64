/*
 * The printable report (docs/reports.md, "The printable report"): a PDF of the
 * indicators of one ReportResponse, with the key figures and charts, for the
 * protocol's working group meetings. Drawn with cairo; figures only, exactly as
 * the server sent them ("<5" and "x" stay as they are).
 */
#ifndef SPONA_REPORT_PDF_H
#define SPONA_REPORT_PDF_H

#include <stddef.h>

#include "doc_labels.h"
#include "doc_pages.h"
#include "spona.pb-c.h"

/* Writes the report to a PDF file at path: 0, or -1 with a message in err. */
int report_pdf_write(const Spona__V1__ReportResponse *report, const char *path, char *err,
                     size_t err_size);

/*
 * The same with the municipality's and the priority groups' names (labels, NULL: codes)
 * and today (YYYY-MM-DD, NULL: unknown): a period that runs to today or later is
 * partial, said under the title, and its current year's column is drawn pale.
 */
int report_pdf_write_named(const Spona__V1__ReportResponse *report, struct doc_labels *labels,
                           const char *today, const char *path, char *err, size_t err_size);

/* The same drawn as recorded pages appended to pages (doc_pages.h): 0, or -1 with err. */
int report_pdf_record(const Spona__V1__ReportResponse *report, struct doc_labels *labels,
                      const char *today, struct doc_pages *pages, char *err, size_t err_size);

/*
 * Page 1's key figures, for a screen that shows them as the PDF does: how many, the
 * label of figure index (in the language in use), and its value exactly as the server
 * sent it (NULL when the report has no such row).
 */
size_t report_pdf_figure_count(void);
void report_pdf_figure_label(size_t index, char *out, size_t out_size);
const char *report_pdf_figure_value(const Spona__V1__ReportResponse *report, size_t index);

/* The width page 1's charts are drawn in, in points. */
#define REPORT_PDF_CHARTS_WIDTH 515.0

/*
 * Draws page 1's charts (by pathway, by priority group, per year) on cr with their top
 * left corner at the origin, REPORT_PDF_CHARTS_WIDTH wide; returns the height used, or
 * -1 out of memory.
 */
double report_pdf_charts(cairo_t *cr, const Spona__V1__ReportResponse *report,
                         struct doc_labels *labels, const char *today);

#endif
