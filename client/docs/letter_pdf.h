/*
 * The letter to a beneficiary (docs/documents.md): who saw the person's data, when and
 * why, from the disclosures, in the language in use: for each disclosure the date, the
 * institution's full name, the data categories, and the clause of the protocol (or the
 * emergency access) that allowed it.
 */
#ifndef SPONA_LETTER_PDF_H
#define SPONA_LETTER_PDF_H

#include <stddef.h>

#include "doc_labels.h"
#include "doc_pages.h"
#include "spona.pb-c.h"

struct letter_pdf_input {
    const Spona__V1__DisclosuresResponse *disclosures;
    const char *person_name; /* "" when the caller may not see it */
    struct doc_labels *labels;
    const char *today;       /* the letter's date, as written locally */
};

/* Writes the letter to path: 0, or -1 with a message in err (no file left). */
int letter_pdf_write(const struct letter_pdf_input *input, const char *path, char *err,
                     size_t err_size);

/* The same drawn as recorded pages appended to pages (doc_pages.h): 0, or -1 with err. */
int letter_pdf_record(const struct letter_pdf_input *input, struct doc_pages *pages, char *err,
                      size_t err_size);

#endif
