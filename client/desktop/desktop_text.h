/*
 * Texts spona-desktop makes from the server's answers: a person's name and JMBG from
 * the fields the caller may see, one line for a search hit, a referral or a timeline
 * event. Labels of codes come from the i18n catalogs once they are merged (issue 13);
 * until then the code itself is shown.
 */
#ifndef SPONA_DESKTOP_TEXT_H
#define SPONA_DESKTOP_TEXT_H

#include <stddef.h>

#include "envelope.h"

/* The value of field name in fields, or NULL. */
const char *desktop_text_field(Spona__V1__PersonField *const *fields, size_t count,
                               const char *name);

/* "First Last" from the fields, or a placeholder when identity is hidden. Caller frees. */
char *desktop_text_person_name(Spona__V1__PersonField *const *fields, size_t count);

/* One line for a search hit: name, JMBG, case and stage. Caller frees. */
char *desktop_text_search_hit(const Spona__V1__PersonSearchHit *hit);

/* One line for a referral: measure, institution, status, due date, case. Caller frees. */
char *desktop_text_referral(const Spona__V1__ReferralView *referral);

/* One line for a timeline event: date, kind, who, summary. Caller frees. */
char *desktop_text_event(const Spona__V1__TimelineEvent *event);

#endif
