/*
 * The work page after sign-in: who is signed in, Sign out, and a notebook of Search,
 * Inbox and My cases (the caseload seam). Ctrl+F goes to search.
 */
#ifndef SPONA_DESKTOP_WORK_PAGE_H
#define SPONA_DESKTOP_WORK_PAGE_H

#include "desktop_context.h"

GtkWidget *work_page_new(struct desktop_context *context);

/* After sign-in: shows who and loads the inbox. */
void work_page_signed_in(GtkWidget *page);

/* Moves the focus to the search entry. */
void work_page_focus_search(GtkWidget *page);

#endif
