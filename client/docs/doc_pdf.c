/*
 * The flowing A4 page writer of the printed documents (doc_pdf.h): cairo's PDF
 * surface, DejaVu Sans through report_pdf_draw.c, a new page whenever a block does
 * not fit, and the footer (the document's name and the page number, in the language
 * in use) on every page.
 */
#include "doc_pdf.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>

#include "doc_pages.h"
#include "i18n.h"
#include "report_pdf_draw.h"

#define DOC_WIDTH 595.0
#define DOC_HEIGHT 842.0
#define DOC_MARGIN 50.0
#define DOC_CONTENT (DOC_WIDTH - 2 * DOC_MARGIN)
#define DOC_BOTTOM (DOC_HEIGHT - DOC_MARGIN - 24)

#define DOC_RGB(r, g, b) { (r) / 255.0, (g) / 255.0, (b) / 255.0 }
static const struct pdf_colour doc_ink = DOC_RGB(33, 38, 51);
static const struct pdf_colour doc_title = DOC_RGB(20, 45, 85);
static const struct pdf_colour doc_muted = DOC_RGB(107, 112, 122);
static const struct pdf_colour doc_rule = DOC_RGB(150, 155, 165);
static const struct pdf_colour doc_band = DOC_RGB(226, 231, 239);

static void doc_pdf_footer(struct doc_pdf *doc)
{
    char number[64];
    snprintf(number, sizeof(number), _("page %d"), doc->page);
    pdf_draw_rule(doc->cr, DOC_MARGIN, DOC_HEIGHT - DOC_MARGIN - 12, DOC_WIDTH - DOC_MARGIN,
                  DOC_HEIGHT - DOC_MARGIN - 12, 0.5, doc_rule);
    pdf_draw_font(doc->cr, 8, PDF_WEIGHT_NORMAL);
    pdf_draw_colour(doc->cr, doc_muted);
    pdf_draw_text(doc->cr, DOC_WIDTH - DOC_MARGIN, DOC_HEIGHT - DOC_MARGIN, number,
                  PDF_ALIGN_RIGHT, 0);
    pdf_draw_text(doc->cr, DOC_MARGIN, DOC_HEIGHT - DOC_MARGIN, doc->footer, PDF_ALIGN_LEFT,
                  DOC_CONTENT - 80);
}

int doc_pdf_open(struct doc_pdf *doc, const char *path, const char *title, const char *footer,
                 char *err, size_t err_size)
{
    memset(doc, 0, sizeof(*doc));
    snprintf(doc->path, sizeof(doc->path), "%s", path);
    pdf_draw_clean(footer, doc->footer, sizeof(doc->footer));
    doc->surface = cairo_pdf_surface_create(path, DOC_WIDTH, DOC_HEIGHT);
    cairo_status_t status = cairo_surface_status(doc->surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        snprintf(err, err_size, _("cannot write %s: %s"), path, cairo_status_to_string(status));
        cairo_surface_destroy(doc->surface);
        doc->surface = NULL;
        return -1;
    }
    char clean[PDF_DRAW_TEXT_MAX];
    pdf_draw_clean(title, clean, sizeof(clean));
    cairo_pdf_surface_set_metadata(doc->surface, CAIRO_PDF_METADATA_TITLE, clean);
    cairo_pdf_surface_set_metadata(doc->surface, CAIRO_PDF_METADATA_CREATOR, "Spona");
    doc->cr = cairo_create(doc->surface);
    doc->page = 1;
    doc->y = DOC_MARGIN;
    return 0;
}

int doc_pdf_open_pages(struct doc_pdf *doc, struct doc_pages *pages, const char *title,
                       const char *footer, char *err, size_t err_size)
{
    memset(doc, 0, sizeof(*doc));
    pdf_draw_clean(footer, doc->footer, sizeof(doc->footer));
    snprintf(pages->title, sizeof(pages->title), "%s", title);
    doc->pages = pages;
    doc->cr = doc_pages_next(pages, NULL);
    if (doc->cr == NULL) {
        snprintf(err, err_size, "%s", _("out of memory"));
        return -1;
    }
    doc->page = 1;
    doc->y = DOC_MARGIN;
    return 0;
}

/* Ends the page: shown (PDF) or the next one recorded. */
static void doc_pdf_next_page(struct doc_pdf *doc)
{
    if (doc->pages == NULL) {
        cairo_show_page(doc->cr);
        return;
    }
    cairo_t *next = doc_pages_next(doc->pages, doc->cr);
    if (next == NULL) {
        doc->failed = 1; /* drawn over the last page; doc_pdf_close says so */
        return;
    }
    cairo_destroy(doc->cr);
    doc->cr = next;
}

void doc_pdf_need(struct doc_pdf *doc, double height)
{
    if (doc->y + height <= DOC_BOTTOM)
        return;
    doc_pdf_footer(doc);
    doc_pdf_next_page(doc);
    doc->page++;
    doc->y = DOC_MARGIN;
}

void doc_pdf_space(struct doc_pdf *doc, double points)
{
    doc->y += points;
}

void doc_pdf_title(struct doc_pdf *doc, const char *text)
{
    pdf_draw_font(doc->cr, 16, PDF_WEIGHT_BOLD);
    double height = 0;
    cairo_save(doc->cr);
    pdf_draw_colour(doc->cr, doc_title);
    int lines = pdf_draw_wrapped(doc->cr, DOC_MARGIN, doc->y + 16, DOC_CONTENT, 20, text);
    cairo_restore(doc->cr);
    height = lines * 20.0 + 6;
    doc->y += height;
    pdf_draw_rule(doc->cr, DOC_MARGIN, doc->y, DOC_WIDTH - DOC_MARGIN, doc->y, 0.8, doc_rule);
    doc->y += 10;
}

void doc_pdf_heading(struct doc_pdf *doc, const char *text)
{
    doc_pdf_need(doc, 60);
    doc->y += 8;
    pdf_draw_font(doc->cr, 12, PDF_WEIGHT_BOLD);
    pdf_draw_colour(doc->cr, doc_title);
    pdf_draw_text(doc->cr, DOC_MARGIN, doc->y + 12, text, PDF_ALIGN_LEFT, DOC_CONTENT);
    doc->y += 20;
}

/* Lines text takes at width in the current font (pdf_draw_wrapped's breaking). */
static int doc_pdf_lines(cairo_t *cr, const char *text, double width)
{
    cairo_push_group(cr);
    int lines = pdf_draw_wrapped(cr, 0, 0, width, 10, text);
    cairo_pattern_destroy(cairo_pop_group(cr));
    return lines > 0 ? lines : 1;
}

void doc_pdf_paragraph(struct doc_pdf *doc, const char *text, double size)
{
    double line = size * 1.4;
    pdf_draw_font(doc->cr, size, PDF_WEIGHT_NORMAL);
    int lines = doc_pdf_lines(doc->cr, text, DOC_CONTENT);
    doc_pdf_need(doc, lines * line + 4);
    pdf_draw_font(doc->cr, size, PDF_WEIGHT_NORMAL);
    pdf_draw_colour(doc->cr, doc_ink);
    pdf_draw_wrapped(doc->cr, DOC_MARGIN, doc->y + size, DOC_CONTENT, line, text);
    doc->y += lines * line + 4;
}

void doc_pdf_field(struct doc_pdf *doc, const char *label, const char *value)
{
    char text[PDF_DRAW_TEXT_MAX];
    snprintf(text, sizeof(text), "%s:", label);
    doc_pdf_need(doc, 16);
    pdf_draw_font(doc->cr, 10, PDF_WEIGHT_BOLD);
    pdf_draw_colour(doc->cr, doc_ink);
    pdf_draw_text(doc->cr, DOC_MARGIN, doc->y + 11, text, PDF_ALIGN_LEFT, 160);
    pdf_draw_font(doc->cr, 10, PDF_WEIGHT_NORMAL);
    pdf_draw_text(doc->cr, DOC_MARGIN + 170, doc->y + 11, value, PDF_ALIGN_LEFT,
                  DOC_CONTENT - 170);
    doc->y += 16;
}

void doc_pdf_row(struct doc_pdf *doc, const char *const *cells, const double *offsets,
                 size_t count, int header)
{
    double size = 9, line = 12.5;
    enum pdf_weight weight = header ? PDF_WEIGHT_BOLD : PDF_WEIGHT_NORMAL;
    int lines = 1;
    pdf_draw_font(doc->cr, size, weight);
    for (size_t i = 0; i < count; i++) {
        double width = (i + 1 < count ? offsets[i + 1] : DOC_CONTENT) - offsets[i] - 8;
        int cell = doc_pdf_lines(doc->cr, cells[i] != NULL ? cells[i] : "", width);
        lines = cell > lines ? cell : lines;
    }
    double height = lines * line + 6;
    doc_pdf_need(doc, height);
    if (header)
        pdf_draw_box(doc->cr, DOC_MARGIN, doc->y, DOC_CONTENT, height, doc_band);
    else
        pdf_draw_rule(doc->cr, DOC_MARGIN, doc->y + height, DOC_WIDTH - DOC_MARGIN,
                      doc->y + height, 0.3, doc_rule);
    pdf_draw_font(doc->cr, size, weight);
    pdf_draw_colour(doc->cr, doc_ink);
    for (size_t i = 0; i < count; i++) {
        double width = (i + 1 < count ? offsets[i + 1] : DOC_CONTENT) - offsets[i] - 8;
        pdf_draw_wrapped(doc->cr, DOC_MARGIN + offsets[i] + 3, doc->y + 3 + size, width, line,
                         cells[i] != NULL ? cells[i] : "");
    }
    doc->y += height;
}

void doc_pdf_signature(struct doc_pdf *doc, const char *who, const char *name)
{
    doc_pdf_need(doc, 62);
    doc->y += 30;
    pdf_draw_rule(doc->cr, DOC_MARGIN, doc->y, DOC_MARGIN + 250, doc->y, 0.7, doc_ink);
    pdf_draw_font(doc->cr, 9, PDF_WEIGHT_BOLD);
    pdf_draw_colour(doc->cr, doc_ink);
    pdf_draw_text(doc->cr, DOC_MARGIN, doc->y + 12, who, PDF_ALIGN_LEFT, DOC_CONTENT);
    pdf_draw_font(doc->cr, 9, PDF_WEIGHT_NORMAL);
    pdf_draw_text(doc->cr, DOC_MARGIN, doc->y + 24, name, PDF_ALIGN_LEFT, DOC_CONTENT);
    doc->y += 32;
}

/* Ends a recording: 0, or -1 with err. */
static int doc_pdf_close_pages(struct doc_pdf *doc, char *err, size_t err_size)
{
    doc_pdf_footer(doc);
    cairo_status_t status = cairo_status(doc->cr);
    cairo_destroy(doc->cr);
    doc->cr = NULL;
    if (doc->failed) {
        snprintf(err, err_size, "%s", _("out of memory"));
        return -1;
    }
    if (status != CAIRO_STATUS_SUCCESS) {
        snprintf(err, err_size, _("cannot draw the document: %s"),
                 cairo_status_to_string(status));
        return -1;
    }
    return 0;
}

int doc_pdf_close(struct doc_pdf *doc, char *err, size_t err_size)
{
    if (doc->pages != NULL && doc->cr != NULL)
        return doc_pdf_close_pages(doc, err, err_size);
    if (doc->surface == NULL)
        return -1;
    doc_pdf_footer(doc);
    cairo_show_page(doc->cr);
    int result = 0;
    cairo_status_t status = cairo_status(doc->cr);
    if (status != CAIRO_STATUS_SUCCESS) {
        snprintf(err, err_size, _("cannot draw the document: %s"),
                 cairo_status_to_string(status));
        result = -1;
    }
    cairo_destroy(doc->cr);
    cairo_surface_finish(doc->surface);
    status = cairo_surface_status(doc->surface);
    if (result == 0 && status != CAIRO_STATUS_SUCCESS) {
        snprintf(err, err_size, _("cannot write %s: %s"), doc->path,
                 cairo_status_to_string(status));
        result = -1;
    }
    cairo_surface_destroy(doc->surface);
    doc->surface = NULL;
    if (result != 0)
        unlink(doc->path);
    return result;
}
