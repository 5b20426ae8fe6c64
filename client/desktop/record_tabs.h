/*
 * The tabs made from the case's timeline: Referrals, Conferences, Notes, Outcomes (each
 * its events' one-line summaries) and Timeline (every event, then one hidden row per
 * category the timeline says the caller may not read). A tab's category hidden from the
 * caller is a hidden row with the reason of the person's CategoryDecision.
 */
#ifndef SPONA_DESKTOP_RECORD_TABS_H
#define SPONA_DESKTOP_RECORD_TABS_H

#include <gtk/gtk.h>

#include "envelope.h"

enum record_tab {
    RECORD_TAB_REFERRALS,
    RECORD_TAB_CONFERENCES,
    RECORD_TAB_NOTES,
    RECORD_TAB_OUTCOMES,
    RECORD_TAB_TIMELINE,
    RECORD_TAB_COUNT,
};

/* Fills the five tabs from timeline; person (may be NULL) gives the hidden reasons. */
void record_tabs_fill(GtkBox *const tabs[RECORD_TAB_COUNT],
                      const Spona__V1__TimelineResponse *timeline,
                      const Spona__V1__PersonView *person);

#endif
