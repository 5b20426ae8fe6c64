/*
 * The print preview of a printed document (docs/desktop.md, "Documents"): a window that
 * fetches the document (document_fetch.c) and shows its pages as the PDF draws them
 * (doc_pages.h replayed into a drawing area per page), says how many pages there are,
 * and offers Print (GtkPrintOperation drawing the same pages), Save as PDF (the same
 * pages written to a file) and Close (Escape too).
 */
#ifndef SPONA_DESKTOP_DOCUMENT_PREVIEW_H
#define SPONA_DESKTOP_DOCUMENT_PREVIEW_H

#include "desktop_context.h"
#include "document_fetch.h"

/*
 * Opens the preview of the document of kind: the plan of case id, the letter about
 * person id, or report (copied). file_name is the name Save as PDF proposes.
 */
void document_preview_open(struct desktop_context *context, enum document_kind kind,
                           const char *id, const Spona__V1__ReportResponse *report,
                           const char *file_name);

#endif
