/*
 * The caseload's priority group and partner filters (docs/desktop.md, "Caseload"; the
 * case_list request's group and partner): two drop-downs filled from the protocol's
 * directory (its priority groups and institutions, by the names the protocol gives them
 * in the language in use), "Any group" and "Any partner" first. The directory is loaded
 * off the main thread once the caseload is first listed.
 */
#ifndef SPONA_DESKTOP_CASELOAD_FILTERS_H
#define SPONA_DESKTOP_CASELOAD_FILTERS_H

#include "desktop_context.h"

typedef void caseload_filters_changed(gpointer data);

/* The filters appended to bar; changed(data) when the user picks another. */
struct caseload_filters *caseload_filters_new(struct desktop_context *context, GtkBox *bar,
                                              caseload_filters_changed *changed,
                                              gpointer data);

/* Loads the directory (the first time only). */
void caseload_filters_load(struct caseload_filters *filters);

/* The chosen codes ("" for any); valid until the choices are filled again. */
const char *caseload_filters_group(const struct caseload_filters *filters);
const char *caseload_filters_partner(const struct caseload_filters *filters);

void caseload_filters_free(struct caseload_filters *filters);

#endif
