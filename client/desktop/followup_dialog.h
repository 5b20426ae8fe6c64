/*
 * Add a follow-up to an outcome (docs/desktop.md, "Work"): the case's outcomes (from its
 * timeline) to choose from, 3, 6 or 12 months, the date checked, still employed or not,
 * and a note. Sends FollowUpRecord, as `spona outcome follow-up` does.
 */
#ifndef SPONA_DESKTOP_FOLLOWUP_DIALOG_H
#define SPONA_DESKTOP_FOLLOWUP_DIALOG_H

#include "desktop_context.h"
#include "work_call.h"

void followup_dialog_open(struct desktop_context *context, const char *case_id,
                          work_call_written *written, gpointer data);

#endif
