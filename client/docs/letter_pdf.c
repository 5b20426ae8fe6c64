/*
 * The letter to a beneficiary about the disclosures of their data (letter_pdf.h),
 * drawn by doc_pdf.c: the sender, place and date, the addressee, an explanation, and a
 * table of who saw what, when and why.
 */
#include "letter_pdf.h"

#include <stdio.h>
#include <string.h>

#include "doc_pdf.h"
#include "i18n.h"
#include "plan_pdf.h"

static void letter_pdf_categories(const Spona__V1__Disclosure *disclosure, char *out,
                                  size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < disclosure->n_categories && used < out_size; i++)
        used += (size_t)snprintf(out + used, out_size - used, "%s%s", i > 0 ? ", " : "",
                                 i18n_code_label("category", disclosure->categories[i]));
}

/* Why: the clause(s) of the protocol version, or the emergency access. */
static void letter_pdf_why(const Spona__V1__Disclosure *disclosure, char *out, size_t out_size)
{
    char clauses[128] = "";
    size_t used = 0;
    for (size_t i = 0; i < disclosure->n_clauses && used < sizeof(clauses); i++)
        used += (size_t)snprintf(clauses + used, sizeof(clauses) - used, "%s%u",
                                 i > 0 ? ", " : "", (unsigned)disclosure->clauses[i]);
    if (disclosure->emergency)
        snprintf(out, out_size, "%s", _("emergency access, reviewed by the lead agency"));
    else if (clauses[0] != '\0')
        snprintf(out, out_size, _("clause %s of the protocol on cooperation (version %u)"),
                 clauses, (unsigned)disclosure->protocol_version);
    else
        snprintf(out, out_size, "%s", _("the work on your case"));
}

static void letter_pdf_table(struct doc_pdf *doc, const struct letter_pdf_input *input)
{
    static const double offsets[] = {0, 80, 235, 375};
    const Spona__V1__DisclosuresResponse *answer = input->disclosures;
    if (answer->n_disclosures == 0) {
        doc_pdf_paragraph(doc, _("No institution has seen your data so far."), 10);
        return;
    }
    const char *header[] = {_("When"), _("Institution"), _("Which data"), _("Why")};
    doc_pdf_row(doc, header, offsets, 4, 1);
    for (size_t i = 0; i < answer->n_disclosures; i++) {
        const Spona__V1__Disclosure *disclosure = answer->disclosures[i];
        char when[64], categories[1024], why[256], day[16];
        snprintf(day, sizeof(day), "%.10s", disclosure->at);
        plan_pdf_date(day, when, sizeof(when));
        if (strlen(disclosure->at) >= 16)
            snprintf(when + strlen(when), sizeof(when) - strlen(when), " %.5s",
                     disclosure->at + 11);
        letter_pdf_categories(disclosure, categories, sizeof(categories));
        letter_pdf_why(disclosure, why, sizeof(why));
        const char *row[] = {when,
                             doc_labels_institution(input->labels, disclosure->institution_code),
                             categories[0] != '\0' ? categories : "-", why};
        doc_pdf_row(doc, row, offsets, 4, 0);
    }
}

/* The letter on an open document; closes it (0, or -1 with err). */
static int letter_pdf_body(struct doc_pdf *doc, const struct letter_pdf_input *input, char *err,
                           size_t err_size)
{
    struct doc_labels *labels = input->labels;
    char line[1200];
    if (labels->whoami != NULL)
        doc_pdf_paragraph(doc, doc_labels_institution(labels, labels->whoami->institution_code),
                          10);
    snprintf(line, sizeof(line), "%s, %s", doc_labels_municipality(labels), input->today);
    doc_pdf_paragraph(doc, line, 10);
    doc_pdf_space(doc, 12);
    doc_pdf_title(doc, _("Who saw your data"));
    if (input->person_name[0] != '\0') {
        snprintf(line, sizeof(line), _("Dear %s,"), doc_labels_text(labels, input->person_name));
        doc_pdf_paragraph(doc, line, 10.5);
    }
    doc_pdf_paragraph(doc,
                      _("as you asked, this letter lists every time an institution of the "
                        "protocol on cooperation saw your personal data: when, which "
                        "institution, which data and on what grounds. The list comes from the "
                        "audit trail, which no one can change."),
                      10);
    doc_pdf_space(doc, 6);
    letter_pdf_table(doc, input);
    doc_pdf_space(doc, 10);
    doc_pdf_paragraph(doc,
                      _("If you think your data was seen without grounds, or you want to "
                        "withdraw a consent, contact your case manager."),
                      10);
    snprintf(line, sizeof(line), "%s, %s",
             labels->whoami != NULL ? doc_labels_text(labels, labels->whoami->full_name) : "",
             labels->whoami != NULL
                 ? doc_labels_institution(labels, labels->whoami->institution_code)
                 : "");
    doc_pdf_signature(doc, _("Case manager"), line);
    return doc_pdf_close(doc, err, err_size);
}

int letter_pdf_write(const struct letter_pdf_input *input, const char *path, char *err,
                     size_t err_size)
{
    struct doc_pdf doc;
    if (doc_pdf_open(&doc, path, _("Who saw your data"), _("Who saw your data"), err,
                     err_size) != 0)
        return -1;
    return letter_pdf_body(&doc, input, err, err_size);
}

int letter_pdf_record(const struct letter_pdf_input *input, struct doc_pages *pages, char *err,
                      size_t err_size)
{
    struct doc_pdf doc;
    if (doc_pdf_open_pages(&doc, pages, _("Who saw your data"), _("Who saw your data"), err,
                           err_size) != 0)
        return -1;
    return letter_pdf_body(&doc, input, err, err_size);
}
