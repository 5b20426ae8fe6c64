/*
 * The protocol for its signatories (protocol_pdf.h), drawn by doc_pdf.c: labels of the
 * roles and categories from the catalogs, names of institutions and groups from the
 * protocol (doc_labels.c); the clauses' titles and notes as the protocol words them.
 */
#include "protocol_pdf.h"

#include <stdio.h>
#include <string.h>

#include "doc_pdf.h"
#include "i18n.h"
#include "plan_pdf.h"

/* The labels of codes in context kind, joined with ", ". */
static void protocol_pdf_join(char *const *codes, size_t count, const char *kind, char *out,
                              size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count && used < out_size; i++)
        used += (size_t)snprintf(out + used, out_size - used, "%s%s", i > 0 ? ", " : "",
                                 i18n_code_label(kind, codes[i]));
}

static const char *protocol_pdf_actions(const Spona__V1__ProtocolClause *clause)
{
    int read = 0, write = 0;
    for (size_t i = 0; i < clause->n_actions; i++) {
        read |= strcmp(clause->actions[i], "read") == 0;
        write |= strcmp(clause->actions[i], "write") == 0;
    }
    if (read && write)
        return _("read and write");
    return write ? _("write") : _("read");
}

static void protocol_pdf_clause(struct doc_pdf *doc, struct doc_labels *labels,
                                const Spona__V1__ProtocolClause *clause)
{
    char heading[1200], roles[1024], categories[2048], text[4096];
    snprintf(heading, sizeof(heading), _("Clause %u. %s"), (unsigned)clause->number,
             doc_labels_text(labels, clause->title));
    doc_pdf_need(doc, 60);
    doc_pdf_paragraph(doc, heading, 10.5);
    protocol_pdf_join(clause->roles, clause->n_roles, "role", roles, sizeof(roles));
    protocol_pdf_join(clause->categories, clause->n_categories, "category", categories,
                      sizeof(categories));
    snprintf(text, sizeof(text), _("Who: %s. Access: %s. Data: %s."), roles,
             protocol_pdf_actions(clause), categories);
    doc_pdf_paragraph(doc, text, 9.5);
    if (clause->on_team)
        doc_pdf_paragraph(doc, _("Only for persons on whose case team the institution is."),
                          9.5);
    if (clause->consent)
        doc_pdf_paragraph(doc, _("Only with the person's current consent."), 9.5);
    /* the note as the protocol words it: notes may be in another language (the sample
     * protocols' are English), which transliteration would garble */
    if (clause->note[0] != '\0')
        doc_pdf_paragraph(doc, clause->note, 9);
    doc_pdf_space(doc, 4);
}

static void protocol_pdf_head(struct doc_pdf *doc, const Spona__V1__ProtocolShowResponse *protocol,
                              struct doc_labels *labels)
{
    char version[32], effective[32];
    snprintf(version, sizeof(version), "%u", (unsigned)protocol->version);
    plan_pdf_date(protocol->effective_date, effective, sizeof(effective));
    doc_pdf_title(doc, doc_labels_text(labels, protocol->title));
    doc_pdf_field(doc, _("Municipality"), doc_labels_municipality(labels));
    doc_pdf_field(doc, _("Protocol version"), version);
    doc_pdf_field(doc, _("Effective from"), effective);
    doc_pdf_field(doc, _("In force"), protocol->active ? _("yes") : _("no, awaiting approvals"));
}

static void protocol_pdf_parties(struct doc_pdf *doc, struct doc_labels *labels)
{
    static const double offsets[] = {0, 330};
    const Spona__V1__DirectoryResponse *directory = labels->directory;
    doc_pdf_heading(doc, _("Signatories"));
    const char *header[] = {_("Institution"), _("Role")};
    doc_pdf_row(doc, header, offsets, 2, 1);
    for (size_t i = 0; directory != NULL && i < directory->n_institutions; i++) {
        const char *row[] = {
            doc_labels_institution(labels, directory->institutions[i]->institution_code),
            i18n_code_label("role", directory->institutions[i]->role)};
        doc_pdf_row(doc, row, offsets, 2, 0);
    }
    if (directory == NULL || directory->n_priority_groups == 0)
        return;
    doc_pdf_heading(doc, _("Priority groups"));
    for (size_t i = 0; i < directory->n_priority_groups; i++) {
        char line[1100];
        snprintf(line, sizeof(line), "\xe2\x80\xa2 %s",
                 doc_labels_group(labels, directory->priority_groups[i]->code));
        doc_pdf_paragraph(doc, line, 10);
    }
}

static void protocol_pdf_approvals(struct doc_pdf *doc,
                                   const Spona__V1__ProtocolShowResponse *protocol,
                                   struct doc_labels *labels)
{
    static const double offsets[] = {0, 250, 380};
    if (protocol->n_approvals == 0)
        return;
    doc_pdf_heading(doc, _("Approvals"));
    const char *header[] = {_("Institution"), _("Why"), _("Approved")};
    doc_pdf_row(doc, header, offsets, 3, 1);
    for (size_t i = 0; i < protocol->n_approvals; i++) {
        const Spona__V1__ProtocolApproval *approval = protocol->approvals[i];
        const char *row[] = {doc_labels_institution(labels, approval->institution),
                             approval->reason,
                             approval->approved ? approval->approved_at : _("not yet")};
        doc_pdf_row(doc, row, offsets, 3, 0);
    }
}

int protocol_pdf_write(const Spona__V1__ProtocolShowResponse *protocol,
                       struct doc_labels *labels, const char *path, char *err, size_t err_size)
{
    struct doc_pdf doc;
    char footer[512];
    snprintf(footer, sizeof(footer), _("Protocol on cooperation, %s, version %u"),
             doc_labels_municipality(labels), (unsigned)protocol->version);
    if (doc_pdf_open(&doc, path, footer, footer, err, err_size) != 0)
        return -1;
    protocol_pdf_head(&doc, protocol, labels);
    protocol_pdf_parties(&doc, labels);
    doc_pdf_heading(&doc, _("Clauses"));
    for (size_t i = 0; i < protocol->n_clauses; i++)
        protocol_pdf_clause(&doc, labels, protocol->clauses[i]);
    protocol_pdf_approvals(&doc, protocol, labels);
    doc_pdf_heading(&doc, _("Signatures"));
    for (size_t i = 0; labels->directory != NULL && i < labels->directory->n_institutions; i++)
        doc_pdf_signature(&doc, _("For the institution"),
                          doc_labels_institution(labels,
                                                 labels->directory->institutions[i]->institution_code));
    return doc_pdf_close(&doc, err, err_size);
}
