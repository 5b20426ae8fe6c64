/*
 * The words of the indicator report (docs/reports.md) in the language in use: an
 * indicator's name for its code (persons_in_case_management), a breakdown's words
 * for its code (sex:F, age:15-24, group:CODE, year:2026) and a figure's text ("n/a"
 * is "not available"; numbers, "<5" and "x" as sent). The CLI's table and the PDF
 * both print these; --csv and --json keep the codes.
 */
#ifndef SPONA_CLI_REPORT_LABELS_H
#define SPONA_CLI_REPORT_LABELS_H

#include <stddef.h>

#include "doc_labels.h"

/* The indicator's name (its code when it has none). */
const char *report_label_indicator(const char *code);

/*
 * The breakdown's words into out: a group's or an institution's name from labels
 * (NULL: their codes), the rest from the catalogs; an unknown breakdown as sent.
 */
const char *report_label_breakdown(struct doc_labels *labels, const char *breakdown, char *out,
                                   size_t out_size);

/* A figure as printed: "n/a" in words, anything else as sent. */
const char *report_label_value(const char *value);

#endif
