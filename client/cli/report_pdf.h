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

#endif
