/*
 * A person's benefits_household rows in the person view: the household members
 * and benefit periods that household_set and benefit_add store
 * (handlers_household.c). Loads them only; whether the caller may see them is
 * person_view_load's decision (handlers_person.c), made before calling here.
 */
#ifndef SPONA_PERSON_HOUSEHOLD_H
#define SPONA_PERSON_HOUSEHOLD_H

#include "audit.h"
#include "request.h"

/*
 * Adds to view the members (oldest first, unknown birth years last) and the
 * benefit periods (by since) of person_id, as row-level security lets the
 * caller see them; adds benefits_household to record->disclosed when any row
 * is shown. OK, or an error status with ctx->message set (view keeps what was
 * added, for the caller's free).
 */
spona_status person_household_load(struct request_context *ctx, const char *person_id,
                                   Spona__V1__PersonView *view, struct audit_record *record);

#endif
