/*
 * The protocol's names of a person's priority groups in `person show` and `case show`
 * (the field priority_groups holds the protocol's codes, comma-separated): fetched with
 * `directory` only when the view has any, and handed to view.c; the codes stay when the
 * directory cannot be had.
 */
#ifndef SPONA_GROUP_NAMES_H
#define SPONA_GROUP_NAMES_H

#include "envelope.h"
#include "settings.h"

/* Fetches the directory when view shows priority groups (text output only). */
void group_names_prepare(const struct settings *settings, const Spona__V1__PersonView *view);

/* Forgets what group_names_prepare fetched. */
void group_names_release(void);

#endif
