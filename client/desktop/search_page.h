/*
 * The search page: search as you type (a name or its beginning, in Latin or Cyrillic,
 * or a 13-digit JMBG), 250 ms after the last key, cancelling the search still pending;
 * one row per person; Enter or a click opens the person's case (or the person).
 */
#ifndef SPONA_DESKTOP_SEARCH_PAGE_H
#define SPONA_DESKTOP_SEARCH_PAGE_H

#include "desktop_context.h"

GtkWidget *search_page_new(struct desktop_context *context);

/* Moves the keyboard focus to the search entry (Ctrl+F). */
void search_page_focus(GtkWidget *page);

#endif
