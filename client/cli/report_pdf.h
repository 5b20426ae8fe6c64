/*
 * The printable report (docs/reports.md, "The printable report"): a PDF of the
 * indicators of one ReportResponse, with the key figures and charts, for the
 * protocol's working group meetings. Drawn with cairo; figures only, exactly as
 * the server sent them ("<5" and "x" stay as they are).
 */
#ifndef SPONA_REPORT_PDF_H
#define SPONA_REPORT_PDF_H

#include <stddef.h>

#include "spona.pb-c.h"

/* Writes the report to a PDF file at path: 0, or -1 with a message in err. */
int report_pdf_write(const Spona__V1__ReportResponse *report, const char *path, char *err,
                     size_t err_size);

#endif
