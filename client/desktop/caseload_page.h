/*
 * The caseload page (docs/desktop.md, "Caseload"; the server's case_list request,
 * docs/cases.md "Caseload"): my cases or my team's, filtered by stage and overdue, the
 * overdue first and then newest first, a page at a time ("Show more cases"). A row
 * shows the case's number, the person's name or "(name hidden)" as the server decides,
 * the stage's label and what is due; activating it opens the case.
 */
#ifndef SPONA_DESKTOP_CASELOAD_PAGE_H
#define SPONA_DESKTOP_CASELOAD_PAGE_H

#include "desktop_context.h"

GtkWidget *caseload_page_new(struct desktop_context *context);

/* Lists the first page again with the filters shown (after sign-in, or a write). */
void caseload_page_reload(GtkWidget *widget);

#endif
