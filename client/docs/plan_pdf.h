/*
 * The activation plan to sign (docs/documents.md): a PDF of one plan version with the
 * beneficiary's name, JMBG and birth date (as the caller may see them), the case
 * number, place and date, the goals and the measures with their responsible
 * institutions' full names, and a signature line for the beneficiary, the case manager
 * and each partner institution carrying a measure. Every label through the catalogs.
 */
#ifndef SPONA_PLAN_PDF_H
#define SPONA_PLAN_PDF_H

#include <stddef.h>

#include "doc_labels.h"
#include "doc_pages.h"
#include "spona.pb-c.h"

struct plan_pdf_input {
    const Spona__V1__CaseView *case_view;
    const Spona__V1__PlanView *plan;
    struct doc_labels *labels;
    const char *today;          /* the place and date line's date, as written locally */
};

/* Writes the plan to path: 0, or -1 with a message in err (no file left). */
int plan_pdf_write(const struct plan_pdf_input *input, const char *path, char *err,
                   size_t err_size);

/* The same drawn as recorded pages appended to pages (doc_pages.h): 0, or -1 with err. */
int plan_pdf_record(const struct plan_pdf_input *input, struct doc_pages *pages, char *err,
                    size_t err_size);

/* "1990-05-15" as "15.05.1990." (bs, hr, sr) or as it is (en, anything else). */
void plan_pdf_date(const char *iso, char *out, size_t out_size);

#endif
