/*
 * Who saw a person's data (docs/desktop.md, "Work"), for the lead agency: the
 * Disclosures tab of the person page lists the person's disclosures (Disclosures: when,
 * institution, user, action, categories, clause and protocol version), newest as the
 * server orders them, one row each, loaded when the tab is shown and again by Refresh.
 * The tab is shown only when the signed-in institution is the lead agency.
 */
#ifndef SPONA_DESKTOP_DISCLOSURES_TAB_H
#define SPONA_DESKTOP_DISCLOSURES_TAB_H

#include "desktop_context.h"

GtkWidget *disclosures_tab_new(struct desktop_context *context);

/* The person shown (NULL: none); empties the list until the tab is shown again. */
void disclosures_tab_set_person(GtkWidget *tab, const char *person_id);

#endif
