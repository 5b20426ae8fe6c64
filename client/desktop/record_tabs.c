/*
 * Tabs from the timeline (see record_tabs.h).
 */
#include "record_tabs.h"

#include <string.h>

#include "desktop_text.h"
#include "hidden_row.h"
#include "i18n.h"
#include "person_tabs.h"
#include "ui_util.h"

/* The category of each record tab (docs/cases.md) and the event kinds it shows. */
static const struct {
    const char *category;
    const char *kinds[3];
} record_tab_kinds[RECORD_TAB_TIMELINE] = {
    [RECORD_TAB_REFERRALS] = { "plan_measures", { "referral", "referral_answer", NULL } },
    [RECORD_TAB_CONFERENCES] = { "case_notes", { "conference", NULL, NULL } },
    [RECORD_TAB_NOTES] = { "case_notes", { "note", NULL, NULL } },
    [RECORD_TAB_OUTCOMES] = { "outcomes", { "outcome", "follow_up", NULL } },
};

/* 1 when the timeline says category is hidden from the caller. */
static int timeline_hides(const Spona__V1__TimelineResponse *timeline, const char *category)
{
    for (size_t i = 0; i < timeline->n_hidden_categories; i++)
        if (strcmp(timeline->hidden_categories[i], category) == 0)
            return 1;
    return 0;
}

static const Spona__V1__CategoryDecision *person_decision(const Spona__V1__PersonView *person,
                                                          const char *category)
{
    return person != NULL ? hidden_row_find(person->decisions, person->n_decisions, category)
                          : NULL;
}

/* One record tab. */
static void record_tab_fill(GtkBox *tab, enum record_tab which,
                            const Spona__V1__TimelineResponse *timeline,
                            const Spona__V1__PersonView *person)
{
    const char *category = record_tab_kinds[which].category;
    if (timeline_hides(timeline, category)) {
        gtk_box_append(tab, hidden_row_new(category, person_decision(person, category)));
        return;
    }
    int shown = 0;
    for (size_t i = 0; i < timeline->n_events; i++) {
        const Spona__V1__TimelineEvent *event = timeline->events[i];
        for (size_t k = 0; k < 3 && record_tab_kinds[which].kinds[k] != NULL; k++) {
            if (strcmp(event->kind, record_tab_kinds[which].kinds[k]) != 0)
                continue;
            char *line = desktop_text_event(event);
            gtk_box_append(tab, ui_text(line));
            g_free(line);
            shown++;
        }
    }
    if (shown == 0)
        person_tabs_note(tab, _("Nothing recorded"));
}

void record_tabs_fill(GtkBox *const tabs[RECORD_TAB_COUNT],
                      const Spona__V1__TimelineResponse *timeline,
                      const Spona__V1__PersonView *person)
{
    for (int which = 0; which < RECORD_TAB_COUNT; which++)
        ui_box_clear(tabs[which]);
    for (int which = 0; which < RECORD_TAB_TIMELINE; which++)
        record_tab_fill(tabs[which], which, timeline, person);
    GtkBox *all = tabs[RECORD_TAB_TIMELINE];
    for (size_t i = 0; i < timeline->n_events; i++) {
        char *line = desktop_text_event(timeline->events[i]);
        gtk_box_append(all, ui_text(line));
        g_free(line);
    }
    if (timeline->n_events == 0)
        person_tabs_note(all, _("Nothing recorded"));
    for (size_t i = 0; i < timeline->n_hidden_categories; i++) {
        const char *category = timeline->hidden_categories[i];
        gtk_box_append(all, hidden_row_new(category, person_decision(person, category)));
    }
}
