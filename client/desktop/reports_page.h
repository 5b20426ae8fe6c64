/*
 * The Reports page (docs/desktop.md, "Reports"): the protocol's indicators for a period
 * (the server's report request, docs/reports.md) with the key figures and the charts as
 * the printable report's first page shows them (report_pdf.h: the same figures and the
 * same cairo drawing, in a drawing area), every row below, and a print preview of the
 * whole report. A suppressed figure ("<5", "x") is shown as suppressed with why, never
 * as a number or as empty.
 */
#ifndef SPONA_DESKTOP_REPORTS_PAGE_H
#define SPONA_DESKTOP_REPORTS_PAGE_H

#include "desktop_context.h"

GtkWidget *reports_page_new(struct desktop_context *context);

#endif
