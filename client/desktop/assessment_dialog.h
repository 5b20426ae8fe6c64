/*
 * Record an assessment (docs/desktop.md, "Work"): the domains grouped by their data
 * category (docs/cases.md), each with a rating (not assessed, 1 no barrier to 5 severe
 * barrier) and notes, then the strengths and the date. A category the caller may not read
 * is a hidden row with its reason instead of its domains. Sends AssessmentRecord (a new
 * version), as `spona assess` does.
 */
#ifndef SPONA_DESKTOP_ASSESSMENT_DIALOG_H
#define SPONA_DESKTOP_ASSESSMENT_DIALOG_H

#include "desktop_context.h"
#include "work_call.h"

/* person (may be NULL) gives the read decisions of the categories. */
void assessment_dialog_open(struct desktop_context *context, const char *case_id,
                            const Spona__V1__PersonView *person, work_call_written *written,
                            gpointer data);

#endif
