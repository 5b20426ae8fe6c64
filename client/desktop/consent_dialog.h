/*
 * A person's consent (docs/desktop.md, "Work"), for the case's lead: the consent records
 * (ConsentList: institution, category, given, form, in force or withdrawn), each with
 * Withdraw while it is not withdrawn (ConsentWithdraw of that institution and category),
 * and a form that records a new consent from a signed form (ConsentGrant: institution,
 * categories, date given, form reference, expiry), as `spona consent` does. The dialog
 * stays open after a write and shows the list again.
 */
#ifndef SPONA_DESKTOP_CONSENT_DIALOG_H
#define SPONA_DESKTOP_CONSENT_DIALOG_H

#include "desktop_context.h"
#include "work_call.h"

/* written(data) after each recorded or withdrawn consent (the page reloads). */
void consent_dialog_open(struct desktop_context *context, const char *person_id,
                         work_call_written *written, gpointer data);

#endif
