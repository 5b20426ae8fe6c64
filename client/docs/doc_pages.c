/*
 * Recorded pages of a printed document (doc_pages.h): one cairo recording surface per
 * page, replayed onto any cairo context (a widget, a printer's page, a PDF surface).
 */
#include "doc_pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>

#include "i18n.h"
#include "report_pdf_draw.h"

void doc_pages_init(struct doc_pages *pages)
{
    memset(pages, 0, sizeof(*pages));
}

/* The drawing state a page break keeps: font, size, colour (source) and line width. */
static void doc_pages_carry(cairo_t *cr, cairo_t *previous)
{
    if (previous == NULL)
        return;
    cairo_matrix_t matrix;
    cairo_set_font_face(cr, cairo_get_font_face(previous));
    cairo_get_font_matrix(previous, &matrix);
    cairo_set_font_matrix(cr, &matrix);
    cairo_set_source(cr, cairo_get_source(previous));
    cairo_set_line_width(cr, cairo_get_line_width(previous));
}

cairo_t *doc_pages_next(struct doc_pages *pages, cairo_t *previous)
{
    if (pages->count == pages->capacity) {
        size_t capacity = pages->capacity > 0 ? pages->capacity * 2 : 4;
        cairo_surface_t **grown = realloc(pages->pages, capacity * sizeof(*grown));
        if (grown == NULL)
            return NULL;
        pages->pages = grown;
        pages->capacity = capacity;
    }
    cairo_rectangle_t extents = { 0, 0, DOC_PAGES_WIDTH, DOC_PAGES_HEIGHT };
    cairo_surface_t *page = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &extents);
    cairo_t *cr = cairo_create(page);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(cr);
        cairo_surface_destroy(page);
        return NULL;
    }
    /* measured as on the PDF surface (no hinting of metrics), so the text wraps and the
       pages break exactly where the CLI's PDF breaks them */
    cairo_font_options_t *options = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    cairo_set_font_options(cr, options);
    cairo_font_options_destroy(options);
    doc_pages_carry(cr, previous);
    pages->pages[pages->count++] = page;
    return cr;
}

void doc_pages_draw(const struct doc_pages *pages, size_t index, cairo_t *cr, double scale)
{
    if (index >= pages->count)
        return;
    cairo_save(cr);
    cairo_scale(cr, scale, scale);
    cairo_rectangle(cr, 0, 0, DOC_PAGES_WIDTH, DOC_PAGES_HEIGHT);
    cairo_clip(cr);
    cairo_set_source_surface(cr, pages->pages[index], 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
}

int doc_pages_write_pdf(const struct doc_pages *pages, const char *path, char *err,
                        size_t err_size)
{
    cairo_surface_t *surface = cairo_pdf_surface_create(path, DOC_PAGES_WIDTH, DOC_PAGES_HEIGHT);
    cairo_status_t status = cairo_surface_status(surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        snprintf(err, err_size, _("cannot write %s: %s"), path, cairo_status_to_string(status));
        cairo_surface_destroy(surface);
        return -1;
    }
    char clean[PDF_DRAW_TEXT_MAX];
    pdf_draw_clean(pages->title, clean, sizeof(clean));
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, clean);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Spona");
    cairo_t *cr = cairo_create(surface);
    for (size_t i = 0; i < pages->count; i++) {
        doc_pages_draw(pages, i, cr, 1.0);
        cairo_show_page(cr);
    }
    status = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    if (status == CAIRO_STATUS_SUCCESS)
        status = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    if (status == CAIRO_STATUS_SUCCESS)
        return 0;
    snprintf(err, err_size, _("cannot write %s: %s"), path, cairo_status_to_string(status));
    unlink(path);
    return -1;
}

void doc_pages_clear(struct doc_pages *pages)
{
    for (size_t i = 0; i < pages->count; i++)
        cairo_surface_destroy(pages->pages[i]);
    free(pages->pages);
    doc_pages_init(pages);
}
