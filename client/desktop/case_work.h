/*
 * The case's work actions (docs/desktop.md, "Work"), a row of buttons under the person
 * page's header: Record assessment, Edit plan, Add follow-up and, for the lead agency,
 * Consent. Each opens its dialog (assessment_dialog.c, plan_editor.c, followup_dialog.c,
 * consent_dialog.c) for the case and person shown at the time of the click; after a
 * write the page reloads.
 */
#ifndef SPONA_DESKTOP_CASE_WORK_H
#define SPONA_DESKTOP_CASE_WORK_H

#include "desktop_context.h"
#include "work_call.h"

/* The case shown (NULL: none) and its person's view (NULL: not loaded yet). */
typedef void case_work_target(gpointer data, const char **case_id,
                              const Spona__V1__PersonView **person);

GtkWidget *case_work_bar_new(struct desktop_context *context, case_work_target *target,
                             work_call_written *reload, gpointer data);

#endif
