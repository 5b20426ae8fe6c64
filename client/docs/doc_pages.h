/*
 * A printed document as recorded pages (docs/documents.md, "On screen and on paper"):
 * each page is a cairo recording surface of A4 size in points, drawn by the same code
 * that writes the PDF (plan_pdf.c, letter_pdf.c, report_pdf.c). spona-desktop replays a
 * page into its preview, onto the printer's page (GtkPrintOperation) and into a PDF file
 * ("Save as PDF"), so the three show the same drawing as the CLI's PDF.
 */
#ifndef SPONA_DOC_PAGES_H
#define SPONA_DOC_PAGES_H

#include <stddef.h>

#include <cairo.h>

/* A4 portrait, in points, the size of every page. */
#define DOC_PAGES_WIDTH 595.0
#define DOC_PAGES_HEIGHT 842.0

struct doc_pages {
    cairo_surface_t **pages; /* recording surfaces, owned */
    size_t count;
    size_t capacity;
    char title[512];         /* the PDF's title (metadata); set by the document */
};

/* An empty set (or memset to 0). */
void doc_pages_init(struct doc_pages *pages);

/*
 * A new page appended to pages and a cairo context drawing on it, with the font, the
 * source and the line width of previous (NULL: cairo's defaults) carried over, as a PDF
 * surface keeps them over cairo_show_page. Returns NULL out of memory.
 */
cairo_t *doc_pages_next(struct doc_pages *pages, cairo_t *previous);

/* Draws page index (0-based) on cr at the origin, scaled by scale. */
void doc_pages_draw(const struct doc_pages *pages, size_t index, cairo_t *cr, double scale);

/* Writes every page to a PDF file at path: 0, or -1 with err (no file left). */
int doc_pages_write_pdf(const struct doc_pages *pages, const char *path, char *err,
                        size_t err_size);

/* Releases every page; pages is empty again. */
void doc_pages_clear(struct doc_pages *pages);

#endif
