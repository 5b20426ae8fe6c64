/*
 * A hidden category shown as hidden, with its reason (docs/desktop.md, "Hidden
 * categories"): a lock icon, "Hidden: CATEGORY" and the reason from the caller's
 * CategoryDecision (the protocol clause and version, the missing consent, an exclusion).
 * Its accessible name is "Hidden: CATEGORY" and its description the reason.
 */
#ifndef SPONA_DESKTOP_HIDDEN_ROW_H
#define SPONA_DESKTOP_HIDDEN_ROW_H

#include <gtk/gtk.h>

#include "envelope.h"

/* The widget for category; decision may be NULL (then "no decision from the server"). */
GtkWidget *hidden_row_new(const char *category, const Spona__V1__CategoryDecision *decision);

/*
 * The read decision for category in decisions, or NULL. (Decisions come with person
 * views and assessments; the same category has one read decision.)
 */
const Spona__V1__CategoryDecision *
hidden_row_find(Spona__V1__CategoryDecision *const *decisions, size_t count,
                const char *category);

/* 1 when decision hides its category (a missing decision hides too). */
int hidden_row_hides(const Spona__V1__CategoryDecision *decision);

#endif
