/*
 * The person as a caller may see her, shared by the handlers that answer with a
 * person view (person get/update, case open, household writes). Defined in
 * handlers_person.c.
 */
#ifndef SPONA_HANDLERS_PERSON_H
#define SPONA_HANDLERS_PERSON_H

#include "access.h"
#include "audit.h"
#include "envelope.h"

/*
 * The person access->person_id as the subject access may
 * see it under policy: every field of a visible category (NULL columns left
 * out) and a read decision per person-level category, plus household members and
 * benefit periods when benefits_household is readable. Adds to record what was
 * disclosed (visible categories holding data), denied (hidden categories), the
 * clauses of visible decisions, the protocol version and the emergency flag.
 * Returns OK with *out set (caller frees with spona__v1__person_view__free_unpacked),
 * or an error status with ctx->message set.
 */
spona_status person_view_load(struct request_context *ctx, const struct policy *policy,
                              const struct access_case *access, Spona__V1__PersonView **out,
                              struct audit_record *record);

#endif
