/*
 * The printed documents (docs/documents.md), as the CLI's PDF files or as spona-desktop's
 * recorded pages (doc_pages.h): the activation plan to sign,
 * the protocol for its signatories and the letter to a beneficiary. A flowing A4 page
 * writer over cairo and report_pdf_draw.h: headings, paragraphs that wrap, label/value
 * lines, table rows and signature lines, with a new page (and its footer) whenever the
 * next block does not fit. DejaVu Sans draws Latin and Cyrillic alike.
 */
#ifndef SPONA_DOC_PDF_H
#define SPONA_DOC_PDF_H

#include <stddef.h>

#include <cairo.h>

struct doc_pages;

struct doc_pdf {
    cairo_surface_t *surface;    /* the PDF file's; NULL when recording pages */
    struct doc_pages *pages;     /* recording: the pages drawn (borrowed); else NULL */
    int failed;                  /* recording: a page could not be made */
    cairo_t *cr;
    double y;            /* the next baseline's top on the current page */
    int page;            /* 1-based */
    char footer[256];    /* printed at the foot of every page with the page number */
    char path[1024];
};

/* Opens path for writing with footer at every page's foot: 0, or -1 with err. */
int doc_pdf_open(struct doc_pdf *doc, const char *path, const char *title, const char *footer,
                 char *err, size_t err_size);

/*
 * The same drawn as recorded pages appended to pages (doc_pages.h), for the desktop's
 * preview and printing; title becomes pages' title. 0, or -1 with err.
 */
int doc_pdf_open_pages(struct doc_pdf *doc, struct doc_pages *pages, const char *title,
                       const char *footer, char *err, size_t err_size);

/* Starts a new page when less than height points are left on this one. */
void doc_pdf_need(struct doc_pdf *doc, double height);

/* The document's title (large) and a heading of a section. */
void doc_pdf_title(struct doc_pdf *doc, const char *text);
void doc_pdf_heading(struct doc_pdf *doc, const char *text);

/* A paragraph wrapped to the page's width, size points. */
void doc_pdf_paragraph(struct doc_pdf *doc, const char *text, double size);

/* "label: value" on one line, the label in bold. */
void doc_pdf_field(struct doc_pdf *doc, const char *label, const char *value);

/*
 * A table row of count cells at the given x offsets (from the left margin, ascending);
 * each cell wraps within its column. header: bold on a shaded band.
 */
void doc_pdf_row(struct doc_pdf *doc, const char *const *cells, const double *offsets,
                 size_t count, int header);

/* A signature block: a line to sign on, and under it who signs (role and name). */
void doc_pdf_signature(struct doc_pdf *doc, const char *who, const char *name);

/* Vertical space. */
void doc_pdf_space(struct doc_pdf *doc, double points);

/*
 * Ends the last page and writes the file (or ends the recording): 0, or -1 with err
 * (the file removed). Always releases the document.
 */
int doc_pdf_close(struct doc_pdf *doc, char *err, size_t err_size);

#endif
