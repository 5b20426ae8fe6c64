/*
 * The person and case tabs that come from a view of their own: Identity and Household
 * and benefits (the PersonView), Assessment (AssessmentView) and Plan (PlanView). A
 * category the caller may not read is a hidden row with its reason (hidden_row.h),
 * never an empty tab; a visible category with nothing in it says "Nothing recorded".
 */
#ifndef SPONA_DESKTOP_PERSON_TABS_H
#define SPONA_DESKTOP_PERSON_TABS_H

#include <gtk/gtk.h>

#include "envelope.h"

void person_tabs_identity(GtkBox *tab, const Spona__V1__PersonView *person);

void person_tabs_household(GtkBox *tab, const Spona__V1__PersonView *person);

/* response: the AssessmentGet answer (NULL or not OK: error or "none recorded"). */
void person_tabs_assessment(GtkBox *tab, const spona_response *response, const char *error);

/* response: the PlanGet answer; person gives plan_measures' decision. */
void person_tabs_plan(GtkBox *tab, const spona_response *response, const char *error,
                      const Spona__V1__PersonView *person);

/* A line saying why a tab has nothing (no case, failed to load, nothing recorded). */
void person_tabs_note(GtkBox *tab, const char *text);

#endif
