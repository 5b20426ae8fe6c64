/*
 * The activation plan to sign (plan_pdf.h): the header block (beneficiary, case,
 * place and date), the goals and the measures as tables, the person's obligations, and
 * the signature lines, drawn by doc_pdf.c. Labels of the catalogs and the protocol
 * are in the language and script in use; what people typed (goals, measures,
 * obligations) is printed as typed, never transliterated; persons' names are
 * written in the document's script (doc_labels_text).
 */
#include "plan_pdf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "doc_pdf.h"
#include "i18n.h"

void plan_pdf_date(const char *iso, char *out, size_t out_size)
{
    if (iso == NULL)
        iso = "";
    if (i18n_current() != I18N_EN && strlen(iso) == 10 && iso[4] == '-' && iso[7] == '-')
        snprintf(out, out_size, "%.2s.%.2s.%.4s.", iso + 8, iso + 5, iso);
    else
        snprintf(out, out_size, "%s", iso);
}

/* The value of a person's field, or "" when the caller may not see it. */
static const char *plan_pdf_field(const Spona__V1__CaseView *case_view, const char *name)
{
    const Spona__V1__PersonView *person = case_view->person;
    for (size_t i = 0; person != NULL && i < person->n_fields; i++)
        if (strcmp(person->fields[i]->name, name) == 0)
            return person->fields[i]->value;
    return "";
}

/* 1 when the caller may read the person's identity (the JMBG, name, birth date). */
static int plan_pdf_identity_readable(const Spona__V1__CaseView *case_view)
{
    const Spona__V1__PersonView *person = case_view->person;
    for (size_t i = 0; person != NULL && i < person->n_decisions; i++) {
        const Spona__V1__CategoryDecision *decision = person->decisions[i];
        if (strcmp(decision->category, "identity") == 0 && strcmp(decision->action, "read") == 0)
            return decision->allowed;
    }
    return 0;
}

/* An identity value, or why there is none: hidden from the caller, or never recorded. */
static const char *plan_pdf_or_hidden(const Spona__V1__CaseView *case_view, const char *value)
{
    if (value[0] != '\0')
        return value;
    return plan_pdf_identity_readable(case_view) ? _("(not recorded)") : _("(not visible to you)");
}

static void plan_pdf_header(struct doc_pdf *doc, const struct plan_pdf_input *input)
{
    const Spona__V1__CaseView *case_view = input->case_view;
    struct doc_labels *labels = input->labels;
    char name[512], birth[32], place[512], version[64];
    snprintf(name, sizeof(name), "%s %s", plan_pdf_field(case_view, "first_name"),
             plan_pdf_field(case_view, "last_name"));
    plan_pdf_date(plan_pdf_field(case_view, "birth_date"), birth, sizeof(birth));
    snprintf(place, sizeof(place), "%s, %s", doc_labels_municipality(labels), input->today);
    snprintf(version, sizeof(version), "%u", (unsigned)input->plan->version);
    doc_pdf_field(doc, _("Beneficiary"),
                  plan_pdf_or_hidden(case_view, strcmp(name, " ") == 0
                                                    ? ""
                                                    : doc_labels_text(labels, name)));
    doc_pdf_field(doc, _("JMBG"),
                  plan_pdf_or_hidden(case_view, plan_pdf_field(case_view, "jmbg")));
    doc_pdf_field(doc, _("Date of birth"), plan_pdf_or_hidden(case_view, birth));
    doc_pdf_field(doc, _("Case number"), case_view->number[0] != '\0' ? case_view->number
                                                                       : case_view->case_id);
    doc_pdf_field(doc, _("Lead agency"),
                  doc_labels_institution(labels, case_view->lead_institution_code));
    doc_pdf_field(doc, _("Plan version"), version);
    if (input->plan->review_date[0] != '\0') {
        char review[32];
        plan_pdf_date(input->plan->review_date, review, sizeof(review));
        doc_pdf_field(doc, _("Next review"), review);
    }
    doc_pdf_field(doc, _("Place and date"), place);
}

static void plan_pdf_goals(struct doc_pdf *doc, const struct plan_pdf_input *input)
{
    static const double offsets[] = {0, 28, 330, 410};
    doc_pdf_heading(doc, _("Goals"));
    if (input->plan->n_goals == 0) {
        doc_pdf_paragraph(doc, _("No goals yet."), 10);
        return;
    }
    const char *header[] = {_("No."), _("Goal"), _("Target date"), _("Status")};
    doc_pdf_row(doc, header, offsets, 4, 1);
    for (size_t i = 0; i < input->plan->n_goals; i++) {
        const Spona__V1__PlanGoal *goal = input->plan->goals[i];
        char number[16], target[32];
        snprintf(number, sizeof(number), "%u", (unsigned)goal->number);
        plan_pdf_date(goal->target_date, target, sizeof(target));
        const char *row[] = {number, goal->text, target,
                             i18n_code_label("goal_status", goal->status)};
        doc_pdf_row(doc, row, offsets, 4, 0);
    }
}

/*
 * What a measure is: its kind's label, then the description as typed (never
 * transliterated: "CNC" stays CNC), the label once. A description that only
 * repeats the kind (its label or its code, any letter case), or that begins with
 * "code: " as the referrals a plan sends do, is not repeated.
 */
static void plan_pdf_measure_text(const Spona__V1__PlanMeasure *measure, char *out, size_t size)
{
    const char *label = i18n_code_label("measure_kind", measure->kind);
    const char *description = measure->description != NULL ? measure->description : "";
    size_t code_length = strlen(measure->kind);
    if (code_length > 0 && strncmp(description, measure->kind, code_length) == 0 &&
        description[code_length] == ':')
        description += code_length + 1 + (description[code_length + 1] == ' ');
    if (description[0] == '\0' || strcasecmp(description, label) == 0 ||
        strcasecmp(description, measure->kind) == 0)
        snprintf(out, size, "%s", label);
    else
        snprintf(out, size, "%s: %s", label, description);
}

static void plan_pdf_measures(struct doc_pdf *doc, const struct plan_pdf_input *input)
{
    static const double offsets[] = {0, 28, 200, 350, 415};
    doc_pdf_heading(doc, _("Measures"));
    if (input->plan->n_measures == 0) {
        doc_pdf_paragraph(doc, _("No measures yet."), 10);
        return;
    }
    const char *header[] = {_("No."), _("Measure"), _("Responsible institution"),
                            _("Due date"), _("Status")};
    doc_pdf_row(doc, header, offsets, 5, 1);
    for (size_t i = 0; i < input->plan->n_measures; i++) {
        const Spona__V1__PlanMeasure *measure = input->plan->measures[i];
        char number[16], due[32], what[1200];
        snprintf(number, sizeof(number), "%u", (unsigned)measure->number);
        plan_pdf_date(measure->due_date, due, sizeof(due));
        plan_pdf_measure_text(measure, what, sizeof(what));
        const char *row[] = {
            number, what,
            doc_labels_institution(input->labels, measure->responsible_institution_code), due,
            i18n_code_label("measure_status", measure->status)};
        doc_pdf_row(doc, row, offsets, 5, 0);
    }
}

/* Whether measure index is the first of its responsible institution (one line each). */
static int plan_pdf_first_of(const Spona__V1__PlanView *plan, size_t index)
{
    const char *code = plan->measures[index]->responsible_institution_code;
    for (size_t i = 0; i < index; i++)
        if (strcmp(plan->measures[i]->responsible_institution_code, code) == 0)
            return 0;
    return 1;
}

static void plan_pdf_signatures(struct doc_pdf *doc, const struct plan_pdf_input *input)
{
    struct doc_labels *labels = input->labels;
    const Spona__V1__CaseView *case_view = input->case_view;
    char name[512], manager[1100];
    snprintf(name, sizeof(name), "%s %s", plan_pdf_field(case_view, "first_name"),
             plan_pdf_field(case_view, "last_name"));
    doc_pdf_heading(doc, _("Signatures"));
    doc_pdf_signature(doc, _("Beneficiary"), doc_labels_text(labels, name));
    snprintf(manager, sizeof(manager), "%s, %s",
             labels->whoami != NULL ? doc_labels_text(labels, labels->whoami->full_name) : "",
             doc_labels_institution(labels, case_view->lead_institution_code));
    doc_pdf_signature(doc, _("Case manager"), manager);
    for (size_t i = 0; i < input->plan->n_measures; i++) {
        const char *code = input->plan->measures[i]->responsible_institution_code;
        if (code[0] == '\0' || strcmp(code, case_view->lead_institution_code) == 0 ||
            !plan_pdf_first_of(input->plan, i))
            continue;
        doc_pdf_signature(doc, _("For the partner institution"),
                          doc_labels_institution(labels, code));
    }
}

/* "Individual activation plan NUMBER, version N": the footer and the PDF's title. */
static void plan_pdf_name(const struct plan_pdf_input *input, char *out, size_t out_size)
{
    const char *number = input->case_view->number[0] != '\0' ? input->case_view->number
                                                              : input->case_view->case_id;
    snprintf(out, out_size, _("Individual activation plan %s, version %u"), number,
             (unsigned)input->plan->version);
}

/* The plan's pages on an open document; closes it (0, or -1 with err). */
static int plan_pdf_body(struct doc_pdf *doc, const struct plan_pdf_input *input, char *err,
                         size_t err_size)
{
    doc_pdf_title(doc, _("Individual activation plan"));
    plan_pdf_header(doc, input);
    plan_pdf_goals(doc, input);
    plan_pdf_measures(doc, input);
    if (input->plan->obligations[0] != '\0') {
        doc_pdf_heading(doc, _("Obligations of the beneficiary"));
        doc_pdf_paragraph(doc, input->plan->obligations, 10);
    }
    doc_pdf_space(doc, 6);
    doc_pdf_paragraph(doc,
                      _("By signing, the beneficiary and the institutions agree to carry out "
                        "this plan; each institution carries out the measures it is "
                        "responsible for, within the protocol on cooperation."),
                      9.5);
    plan_pdf_signatures(doc, input);
    return doc_pdf_close(doc, err, err_size);
}

int plan_pdf_write(const struct plan_pdf_input *input, const char *path, char *err,
                   size_t err_size)
{
    struct doc_pdf doc;
    char footer[256];
    plan_pdf_name(input, footer, sizeof(footer));
    if (doc_pdf_open(&doc, path, footer, footer, err, err_size) != 0)
        return -1;
    return plan_pdf_body(&doc, input, err, err_size);
}

int plan_pdf_record(const struct plan_pdf_input *input, struct doc_pages *pages, char *err,
                    size_t err_size)
{
    struct doc_pdf doc;
    char footer[256];
    plan_pdf_name(input, footer, sizeof(footer));
    if (doc_pdf_open_pages(&doc, pages, footer, footer, err, err_size) != 0)
        return -1;
    return plan_pdf_body(&doc, input, err, err_size);
}
