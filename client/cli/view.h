/*
 * How the CLI shows the messages several commands print: a person as the
 * caller may see it (PersonView: fields grouped by category, household members
 * and benefit periods, then the decision on each category), a CategoryDecision,
 * a case (CaseView), as text and as JSON; and the "label  value" blocks of
 * single records. Prints only.
 */
#ifndef SPONA_CLI_VIEW_H
#define SPONA_CLI_VIEW_H

#include <stddef.h>
#include <stdio.h>

#include "envelope.h"
#include "json.h"

/* The protocol's directory whose priority-group names view_person_text shows instead of
 * the codes (borrowed; NULL: the codes). */
void view_set_directory(const Spona__V1__DirectoryResponse *directory);

/* Text: "person ID  version N", fields by category, household members and benefit periods
 * (tables, when any), then per category visible/hidden and why. */
void view_person_text(FILE *out, const Spona__V1__PersonView *view);

/* JSON members of the open object: person_id, version, fields[], household[] ({name,
 * relation, birth_year}), benefits[] ({kind, since, until, amount, note}), decisions[]. */
void view_person_json(struct json_writer *writer, const Spona__V1__PersonView *view);

/* A decision as an element of the open array: {category, action, allowed, reason, clause,
 * protocol_version}. */
void view_decision_json(struct json_writer *writer, const Spona__V1__CategoryDecision *decision);

/* "visible"/"hidden" for a read, "allowed"/"denied" for a write. */
const char *view_decision_word(const Spona__V1__CategoryDecision *decision);

/* The reason without a leading "visible: " (or hidden, allowed, denied). Borrowed. */
const char *view_decision_reason(const Spona__V1__CategoryDecision *decision);

/* The reason of a decision in the user's language (from its clause; English: the server's). */
void view_decision_reason_text(const Spona__V1__CategoryDecision *decision, char *out,
                               size_t out_size);

/* Starts the one --json object of a result on stdout; the caller writes members and ends it. */
void view_json_open(struct json_writer *writer);

/* Person fields as the JSON array member key: [{name, value, category}]. */
void view_fields_json(struct json_writer *writer, const char *key,
                      Spona__V1__PersonField *const *fields, size_t count);

/* The decisions as the JSON array member key. */
void view_decisions_json(struct json_writer *writer, const char *key,
                         Spona__V1__CategoryDecision *const *decisions, size_t count);

/* The decisions as a table "category | access" ("visible: clause 4 ..."); nothing for none. */
void view_decisions_text(FILE *out, Spona__V1__CategoryDecision *const *decisions,
                         size_t count);

/* JSON members of the open object: case_id, person_id, stage, lead_institution_code,
 * opened_at, version, team[], person (null when absent). */
void view_case_json(struct json_writer *writer, const Spona__V1__CaseView *view);

/* One line of a record shown as "label  value" lines. */
struct view_line {
    const char *label;
    const char *value; /* NULL or empty: the line is left out */
};

/* Prints the lines with labels padded to the widest; a value's own line breaks continue
 * under it. */
void view_lines(FILE *out, const struct view_line *lines, size_t count);

/*
 * A person's name as a list shows it: "Last First", or "(hidden)" when the
 * server withheld it (the caller may not read her identity).
 */
void view_person_name(char *out, size_t size, const char *first, const char *last, int hidden);

/*
 * A referral's measure text as the language says it: one a plan measure sent reads
 * "KIND: DESCRIPTION" (docs/cases.md), shown with the kind's label, the label once
 * when the description only repeats it. Returns measure itself, or out.
 */
const char *view_measure_words(const char *measure, char *out, size_t size);

/*
 * The stage a record implies (docs/cases.md, "Records imply stages") as a prompt to
 * the lead, with the command that makes the move; nothing when suggestion is NULL.
 */
void view_stage_suggestion(FILE *out, const Spona__V1__StageSuggestion *suggestion,
                           const char *case_id);

/* The suggestion as the member "stage_suggestion" (omitted when NULL). */
void view_stage_suggestion_json(struct json_writer *writer,
                                const Spona__V1__StageSuggestion *suggestion);

#endif
