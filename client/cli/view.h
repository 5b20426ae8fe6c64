/*
 * How the CLI shows the messages several commands print: a person as the
 * caller may see it (PersonView: fields grouped by category, then the decision
 * on each category) and a CategoryDecision, as text and as JSON. Prints only.
 */
#ifndef SPONA_CLI_VIEW_H
#define SPONA_CLI_VIEW_H

#include <stdio.h>

#include "envelope.h"
#include "json.h"

/* Text: "person ID  version N", fields by category, then per category visible/hidden and why. */
void view_person_text(FILE *out, const Spona__V1__PersonView *view);

/* JSON members of the open object: person_id, version, fields[], decisions[]. */
void view_person_json(struct json_writer *writer, const Spona__V1__PersonView *view);

/* A decision as an element of the open array: {category, action, allowed, reason, clause,
 * protocol_version}. */
void view_decision_json(struct json_writer *writer, const Spona__V1__CategoryDecision *decision);

/* "visible"/"hidden" for a read, "allowed"/"denied" for a write. */
const char *view_decision_word(const Spona__V1__CategoryDecision *decision);

/* The reason without a leading "visible: " (or hidden, allowed, denied). Borrowed. */
const char *view_decision_reason(const Spona__V1__CategoryDecision *decision);

#endif
