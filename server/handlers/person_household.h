/*
 * A person's benefits_household rows in the person view: the household members
 * and benefit periods that household_set and benefit_add store
 * (handlers_household.c). Reads them only; whether the caller may see them is
 * person_view_load's decision (handlers_person.c), made before calling here.
 */
#ifndef SPONA_PERSON_HOUSEHOLD_H
#define SPONA_PERSON_HOUSEHOLD_H

#include "audit.h"
#include "request.h"

/* Its statements (person_household_statements), read by person_view_load in the round
 * trip of the person's row, with the person's id as $1. */
#define PERSON_HOUSEHOLD_MEMBERS "person_household_members"
#define PERSON_HOUSEHOLD_BENEFITS "person_household_benefits"

/*
 * Adds to view the members (oldest first, unknown birth years last) and the
 * benefit periods (by since) of the person, from the results of
 * PERSON_HOUSEHOLD_MEMBERS and PERSON_HOUSEHOLD_BENEFITS (cleared here), as
 * row-level security let the caller see them; adds benefits_household to
 * record->disclosed when any row is shown. OK, or INTERNAL with ctx->message set
 * (view keeps what was added, for the caller's free).
 */
spona_status person_household_fill(struct request_context *ctx, PGresult *members,
                                   PGresult *benefits, Spona__V1__PersonView *view,
                                   struct audit_record *record);

#endif
