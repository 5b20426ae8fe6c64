/*
 * Edit the activation plan (docs/desktop.md, "Work"): add a goal (text, target date),
 * add a measure (kind, description, responsible institution, due date) and set the
 * review date, in one PlanChange on the version read when the editor opened, as `spona
 * plan add-goal | add-measure` do. A measure for a partner institution refers the person
 * to it: the server links or creates the referral (docs/cases.md), which the Plan tab
 * shows beside the measure and the Referrals tab lists.
 */
#ifndef SPONA_DESKTOP_PLAN_EDITOR_H
#define SPONA_DESKTOP_PLAN_EDITOR_H

#include "desktop_context.h"
#include "work_call.h"

void plan_editor_open(struct desktop_context *context, const char *case_id,
                      work_call_written *written, gpointer data);

#endif
