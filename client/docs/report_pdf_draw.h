/*
 * Drawing primitives of the printable report (report_pdf.c): text in DejaVu Sans
 * through cairo's toy text API, made safe first (invalid UTF-8 and control
 * characters become '?', so cairo never sees a string it refuses) and fitted to a
 * width with an ellipsis; filled boxes and rules; and the one question the
 * charts ask of a value: is it a number? Knows nothing about indicators.
 * Every function leaves errors in the cairo context (cairo_status), which the
 * caller checks once per page: cairo's errors are sticky.
 */
#ifndef SPONA_REPORT_PDF_DRAW_H
#define SPONA_REPORT_PDF_DRAW_H

#include <stddef.h>

#include <cairo.h>

/* The longest text drawn, in bytes; longer text is cut (at a character) and ends in "…". */
#define PDF_DRAW_TEXT_MAX 512

struct pdf_colour {
    double red, green, blue; /* 0..1 */
};

enum pdf_align {
    PDF_ALIGN_LEFT,
    PDF_ALIGN_CENTRE, /* x is the centre */
    PDF_ALIGN_RIGHT,  /* x is the right edge */
};

enum pdf_weight {
    PDF_WEIGHT_NORMAL,
    PDF_WEIGHT_BOLD,
};

/* Selects DejaVu Sans at size points. */
void pdf_draw_font(cairo_t *cr, double size, enum pdf_weight weight);

void pdf_draw_colour(cairo_t *cr, struct pdf_colour colour);

/*
 * Copies text to out (out_size at least 4) as valid UTF-8 without control
 * characters: each byte that does not start a well-formed character, and each
 * control character, becomes '?'. Cut at a character boundary when too long.
 * NULL is read as "".
 */
void pdf_draw_clean(const char *text, char *out, size_t out_size);

/* Width of text in the current font, in points (text is cleaned first). */
double pdf_draw_text_width(cairo_t *cr, const char *text);

/*
 * Draws text with its baseline at y, aligned on x, in the current font and
 * colour; when max_width > 0 and the text is wider, it is cut and ends in "…".
 */
void pdf_draw_text(cairo_t *cr, double x, double y, const char *text, enum pdf_align align,
                   double max_width);

/*
 * Draws text in lines of at most width points, broken at spaces, the first
 * baseline at y and then every line_height. Returns the number of lines drawn.
 */
int pdf_draw_wrapped(cairo_t *cr, double x, double y, double width, double line_height,
                     const char *text);

void pdf_draw_box(cairo_t *cr, double x, double y, double width, double height,
                  struct pdf_colour colour);

/* A horizontal or vertical rule of line_width points. */
void pdf_draw_rule(cairo_t *cr, double x1, double y1, double x2, double y2, double line_width,
                   struct pdf_colour colour);

/*
 * Whether value is a decimal number ("12", "154.5": digits, at most one point
 * between digits): 1 with the number in *number, else 0 ("<5", "x", "n/a", "").
 */
int pdf_draw_number(const char *value, double *number);

#endif
