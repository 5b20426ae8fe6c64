/*
 * The person and case page: a header (name, stage, case), the case actions (Add note,
 * Refer, Record outcome; Back), the work actions (case_work.h), and the tabs Identity,
 * Household and benefits, Assessment, Plan, Referrals, Conferences, Notes, Outcomes,
 * Timeline and, for the lead agency, Disclosures (disclosures_tab.h). Opening a case
 * loads CaseGet, then the assessment, the plan and the timeline, each off the main
 * thread; answers for a case no longer shown are dropped.
 */
#ifndef SPONA_DESKTOP_PERSON_PAGE_H
#define SPONA_DESKTOP_PERSON_PAGE_H

#include "desktop_context.h"

GtkWidget *person_page_new(struct desktop_context *context);

/* Shows case_id (when not NULL), else the person person_id without a case. */
void person_page_open(GtkWidget *page, const char *case_id, const char *person_id);

#endif
